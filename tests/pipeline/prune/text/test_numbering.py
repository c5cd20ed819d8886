"""`lines[a:b]` means the same lines in a marker, in `nocp_expand` and in the stored original."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from nocp import optimize
from nocp.config import Settings
from nocp.pipeline.model import Payload
from nocp.pipeline.prune import clean_text
from nocp.pipeline.prune.text.numbering import line_origins, split_lines
from nocp.sources.expand import expand_payload
from tests.pipeline.texts import git_log

GAP = re.compile(r"^\[… lines\[(\d+):(\d+)\]\]$")


def expand(original: str, path: str, budget: int = 100_000) -> str:
    settings = Settings(prune={"budget": budget})
    return expand_payload(Payload("text", original), settings=settings, handle="h0", path=path)


def restored(original: str, sent: str) -> list[str]:
    """The sent text with every gap marker replaced by what `nocp_expand` returns for it."""
    out: list[str] = []
    for line in sent.splitlines():
        gap = GAP.match(line)
        if gap:
            out += expand(original, f"lines[{gap[1]}:{gap[2]}]").split("\n")
        elif not line.startswith("[… "):
            out.append(line)
    return [line for line in out if line.strip()]


def test_gap_markers_name_the_lines_of_the_stored_original() -> None:
    original = git_log(50)
    sent = optimize(original, settings=Settings(prune={"budget": 700})).text
    assert any(GAP.match(line) for line in sent.splitlines())
    assert restored(original, sent) == [line for line in original.split("\n") if line.strip()]


def test_line_numbers_skip_nothing_when_blank_runs_and_crlf_are_cleaned() -> None:
    original = "\r\n".join(f"entry {i}\r\n\r\n\r\n  " for i in range(400))
    sent = optimize(original, settings=Settings(prune={"budget": 200})).text
    gap = next(GAP.match(line) for line in sent.splitlines() if GAP.match(line))
    assert gap is not None
    start, end = int(gap[1]), int(gap[2])
    assert expand(original, f"lines[{start}:{start + 1}]") == split_lines(original)[start]
    assert [line for line in expand(original, f"lines[{start}:{end}]").split("\n") if line.strip()] == [
        f"entry {i}" for i in range(start // 4, (end + 3) // 4)
    ]


def test_the_long_line_marker_names_the_long_line() -> None:
    original = "\n\n\n".join(["short"] * 3 + ["x" * 5000] + ["tail"] * 3)
    sent = optimize(original, settings=Settings(prune={"budget": 300})).text
    path = re.search(r'long line cut.*path="(lines\[\d+:\d+\])"', sent)
    assert path is not None
    assert expand(original, path[1]) == "x" * 5000


def test_html_line_markers_count_the_lines_of_the_converted_text() -> None:
    page = (
        "<!doctype html><html><head><title>Widgets</title></head><body>\n\n\n<h1>Widgets</h1>"
        + "".join(f"<p>Paragraph {i} about widgets and gadgets.</p>\n\n\n" for i in range(300))
        + "</body></html>"
    )
    sent = optimize(page, settings=Settings(prune={"budget": 300})).text
    gaps = [GAP.match(line) for line in sent.splitlines() if GAP.match(line)]
    assert gaps
    for gap in gaps:
        fetched = [line for line in expand(page, f"lines[{gap[1]}:{gap[2]}]").split("\n") if line.strip()]
        assert fetched and all(line.startswith("Paragraph") for line in fetched)
        assert not any(line in sent for line in fetched)


@given(st.text(alphabet="ab \t\r\n", max_size=60))
def test_line_origins_map_the_cleaned_lines_to_the_original(text: str) -> None:
    lines = split_lines(text)
    origins = line_origins(text)
    assert [lines[i].rstrip(" \t") for i in origins] == clean_text(text).split("\n")
    assert origins == sorted(set(origins))
