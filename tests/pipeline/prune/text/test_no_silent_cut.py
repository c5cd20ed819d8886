"""Nothing is lost silently: every line of a text result is either sent verbatim or inside a
marked range that `nocp_expand` returns — for every kind of text the pruner tells apart.

The check rebuilds the original from what was sent: each gap marker `[… lines[a:b]]` is
replaced by what `nocp_expand(path="lines[a:b]")` returns for it, each `line (×N)` by N copies,
each annotated line (a group of similar log lines, a clipped line) by the line itself; the
result must be the original's lines, in order, none missing and none twice.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nocp import optimize
from nocp.config import Settings
from nocp.pipeline.markers import MARKER
from nocp.pipeline.model import Optimized
from nocp.pipeline.prune.text.numbering import split_lines
from nocp.sources.expand import expand_payload

GAP = re.compile(r"^\[… (lines\[\d+:\d+\])\]$")
REPEAT = re.compile(r"^(?P<line>.*) \(×(?P<count>[\d,]+)\)$")
ANNOTATION = re.compile(r"  \(similar lines: .*\)$|…\(\+[\d,]+ chars in (lines\[\d+:\d+\])\)$")

WORDS = st.sampled_from(
    "alpha beta gamma delta request served cache timeout retry error value config option "
    "user token install version package default path".split()
)
PHRASE = st.lists(WORDS, min_size=1, max_size=8).map(" ".join)


def rebuilt(result: Optimized) -> list[str]:
    """The original's non-blank lines as the agent can get them back from what was sent."""
    assert result.original is not None and result.handle is not None
    out: list[str] = []
    for line in result.text.split("\n"):
        gap = GAP.match(line)
        if gap:
            out += expand(result, gap[1]).split("\n")
        elif MARKER.match(line) or (line.startswith("[") and line.endswith("]") and " · " in line):
            continue  # the closing marker, a note, or an info line (nothing of the original)
        elif (clipped := ANNOTATION.search(line)) and clipped[1]:
            assert expand(result, clipped[1]).startswith(line[: clipped.start()])
            out.append(expand(result, clipped[1]))
        elif repeat := REPEAT.match(plain := ANNOTATION.sub("", line)):
            out += [repeat["line"]] * int(repeat["count"].replace(",", ""))
        else:
            out.append(plain)
    return [line.rstrip() for line in out if line.strip()]


def expand(result: Optimized, path: str) -> str:
    assert result.original is not None and result.handle is not None
    whole = Settings(prune={"budget": 1_000_000})
    return expand_payload(result.original, settings=whole, handle=result.handle, path=path)


def check(text: str, budget: int, focus: str | None) -> None:
    result = optimize(text, focus=focus, settings=Settings(prune={"budget": budget, "focus_budget": budget}))
    original = [line.rstrip() for line in split_lines(text) if line.strip()]
    if result.handle is None:
        assert [line.rstrip() for line in result.text.split("\n") if line.strip()] == original
        return
    assert rebuilt(result) == original


def timestamp(i: int) -> str:
    return f"2026-03-{1 + i // 86400 % 28:02d} {i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}"


@st.composite
def logs(draw: st.DrawFn) -> str:
    templates = draw(st.lists(PHRASE, min_size=1, max_size=6))
    lines = []
    for i in range(draw(st.integers(10, 400))):
        kind = draw(st.integers(0, 20))
        if kind == 0:
            lines.append(f"{timestamp(i)} ERROR {draw(PHRASE)} failed")
            lines += ['  File "app.py", line 3, in run'] if draw(st.booleans()) else []
        elif kind == 1:
            lines.append(f"(Reading database ... {i % 100}%")
        else:
            lines.append(f"{timestamp(i)} INFO {draw(st.sampled_from(templates))} id={i * 7} took {i % 13}ms")
    return "\n".join(lines)


@st.composite
def documents(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 20))):
        parts.append("#" * draw(st.integers(1, 4)) + " " + draw(PHRASE))
        for _ in range(draw(st.integers(0, 4))):
            if draw(st.integers(0, 5)) == 0:
                parts.append("```\n" + "\n".join(draw(st.lists(PHRASE, max_size=6))) + "\n```")
            else:
                parts.append(
                    "\n".join(draw(st.lists(PHRASE, min_size=1, max_size=int(draw(st.integers(1, 60))))))
                )
    return "\n\n".join(parts)


@st.composite
def records(draw: st.DrawFn) -> str:
    items = [
        f"Commit: {i:040x}\nAuthor: {draw(WORDS)}\nMessage: {draw(PHRASE)}"
        + ("\n\n" + "\n".join(draw(st.lists(PHRASE, max_size=50))) if draw(st.booleans()) else "")
        for i in range(draw(st.integers(3, 60)))
    ]
    return "Commit history:\n\n" + "\n\n".join(items)


@st.composite
def plain_lines(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(1, 300))):
        line = draw(PHRASE)
        lines += [line] * draw(st.sampled_from([1, 1, 1, 2, 5]))
        lines += [""] if draw(st.integers(0, 6)) == 0 else []
        lines += ["x" * draw(st.integers(2001, 3000))] if draw(st.integers(0, 60)) == 0 else []
    return "\n".join(lines)


@st.composite
def source_code(draw: st.DrawFn) -> str:
    out = ["import os", ""]
    for f in range(draw(st.integers(1, 30))):
        out += [f"@decorator_{f}"] if draw(st.booleans()) else []
        out.append(f"def function_{f}({draw(WORDS)}: int) -> str:")
        out.append(f'    """{draw(PHRASE)}."""')
        for _ in range(draw(st.integers(1, 15))):
            out.append(f"    {draw(WORDS)} = {draw(WORDS)}({draw(WORDS)})")
        out += ["    return value", ""]
    return "\n".join(out)


@st.composite
def man_pages(draw: st.DrawFn) -> str:
    out = ["RSYNC(1)                 User Commands                RSYNC(1)", ""]
    for section in draw(st.lists(WORDS, min_size=1, max_size=6)):
        out += [section.upper(), ""]
        for _ in range(draw(st.integers(1, 12))):
            out.append(f"       --{draw(WORDS)}, -{draw(WORDS)[0]}")
            out += [f"              {draw(PHRASE)}" for _ in range(draw(st.integers(1, 8)))]
            out.append("")
    return "\n".join(out)


KINDS = st.one_of(logs(), documents(), records(), plain_lines(), source_code(), man_pages())


@pytest.mark.slow
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(KINDS, st.sampled_from([60, 150, 400]), st.none() | PHRASE)
def test_every_line_is_sent_or_inside_a_marker_that_returns_it(
    text: str, budget: int, focus: str | None
) -> None:
    check(text, budget, focus)


def test_grouped_log_lines_are_inside_markers() -> None:
    lines = [f"{timestamp(i)} INFO GET /api/items/{i} 200 {i % 90}ms" for i in range(3000)]
    result = optimize("\n".join(lines), settings=Settings(prune={"budget": 300}))
    assert "similar lines" in result.text and "[… lines[" in result.text
    assert rebuilt(result) == lines
