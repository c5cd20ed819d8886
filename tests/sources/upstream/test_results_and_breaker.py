"""An upstream's result as rebuilt around the optimised text, the circuit breaker, and how
stderr lines become log records: small synthetic cases, no process."""

from __future__ import annotations

import pytest

from nocp.sources.upstream.breaker import Breaker
from nocp.sources.upstream.results import NO_CONTENT, WireResult
from nocp.sources.upstream.stdio import StderrRecords

IMAGE = {"type": "image", "data": "AA==", "mimeType": "image/png"}


def text(value: str) -> dict[str, str]:
    return {"type": "text", "text": value}


def kinds(result: WireResult, optimised: str) -> list[tuple[str, str | None]]:
    return [(b.type, getattr(b, "text", None)) for b in result.rebuild(optimised).content]


def test_text_never_moves_across_an_image() -> None:
    result = WireResult([text("caption"), IMAGE, text('{"a": 1}'), text('{"a": 2}')])
    assert list(result.text_blocks()) == ['{"a": 1}', '{"a": 2}']  # the largest run
    assert kinds(result, "OPT") == [("text", "caption"), ("image", None), ("text", "OPT")]
    assert result.sent_as_is() == "caption"  # counted in raw and sent tokens


def test_one_run_is_optimised_in_place() -> None:
    result = WireResult([IMAGE, text("a"), text("b"), IMAGE])
    assert kinds(result, "AB") == [("image", None), ("text", "AB"), ("image", None)]
    assert result.sent_as_is() == ""


@pytest.mark.parametrize("content", [[], [text("")]])
def test_an_empty_result_says_so(content: list[dict[str, str]]) -> None:
    assert kinds(WireResult(content), "") == [("text", NO_CONTENT)]


def test_a_kept_structure_counts_as_sent() -> None:
    result = WireResult([text("x")], structured_content={"b": [1, 2]})
    assert result.sent_as_is() == '{"b":[1,2]}'


def test_the_breaker_opens_after_n_failures_then_lets_one_trial_through() -> None:
    breaker = Breaker(failures=2, cooldown_s=0)
    breaker.failed("boom")
    assert breaker.refusal("u") is None and breaker.state == "closed"
    breaker.failed("boom")
    assert breaker.state == "open"
    assert breaker.refusal("u") is None and breaker.state == "half-open"  # cool-down over: the trial
    assert "a trial call is in flight" in (breaker.refusal("u") or "")
    breaker.failed("again")  # the trial failed: open again
    assert breaker.state == "open" and breaker.status()["consecutive_failures"] == 3
    assert breaker.refusal("u") is None
    breaker.succeeded()
    assert breaker.status() == {"state": "closed", "consecutive_failures": 0}


def test_an_open_breaker_says_why_and_for_how_long() -> None:
    breaker = Breaker(failures=1, cooldown_s=30)
    breaker.failed("exited (exit code 3) during the call")
    refusal = breaker.refusal("git") or ""
    assert refusal.startswith("upstream 'git' failed 1 calls in a row (last: exited (exit code 3)")
    assert "the next trial call in 30 s" in refusal or "the next trial call in 29 s" in refusal


def test_stderr_lines_are_records_and_a_traceback_is_one() -> None:
    records = StderrRecords()
    lines = [
        "server started",
        "Traceback (most recent call last):",
        '  File "srv.py", line 3, in <module>',
        "    boom()",
        "ValueError: bad",
        "Error: node failed",
        "    at main (index.js:1:1)",
        "next line",
    ]
    out = [record for line in lines for record in records.add(line)] + records.flush()
    assert out == [
        "server started",
        'Traceback (most recent call last):\n  File "srv.py", line 3, in <module>\n    boom()\nValueError: bad',
        "Error: node failed\n    at main (index.js:1:1)",
        "next line",
    ]
