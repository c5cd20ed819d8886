"""Text pruning on realistic inputs: whole records, the budget used, markers worth their cost."""

from __future__ import annotations

import re

from nocp import optimize
from nocp.config import Settings
from nocp.pipeline.tokens import TokenCounter
from tests.pipeline.prune.text.test_numbering import GAP, expand, restored
from tests.pipeline.texts import git_log

COUNT = TokenCounter().count


def records(text: str) -> list[list[str]]:
    """The text's `Commit:` records, each as its non-blank lines."""
    parts = re.split(r"\n(?=Commit: )", text)
    return [
        [line for line in part.split("\n") if line.strip()] for part in parts if part.startswith("Commit: ")
    ]


def test_git_log_is_cut_at_whole_commits_and_fills_the_budget() -> None:
    original = git_log(50)
    result = optimize(original, tool="git_log")
    sent = [line for line in result.text.split("\n") if not line.startswith("[… ")]
    whole = records(original)
    kept = records("\n".join(sent))
    assert 2000 * 0.9 <= result.tokens <= 2000
    assert len(kept) >= 20 and all(record in whole for record in kept)
    assert kept[:20] == whole[:20]  # the newest first, none skipped
    assert not any(line.startswith(("Author:", "Date:")) and i == 0 for i, line in enumerate(sent))
    assert restored(original, result.text) == [line for line in original.split("\n") if line.strip()]


def test_no_gap_marker_costs_more_than_the_lines_it_stands_for() -> None:
    lines = [f"Commit: {i:040x}\nAuthor: A\nMessage: change {i}" for i in range(60)]
    original = "\n\n".join([*lines[:30], "x", *lines[30:]])
    for budget in (300, 500, 800):
        sent = optimize(original, settings=Settings(prune={"budget": budget})).text
        for gap in (GAP.match(line) for line in sent.split("\n")):
            if gap:
                assert COUNT(expand(original, f"lines[{gap[1]}:{gap[2]}]")) > COUNT(gap[0])


def test_each_section_gets_its_next_paragraph_before_any_gets_a_third() -> None:
    sections = [
        f"## Part {s}\n\n"
        + "\n\n".join(f"Paragraph {p} of part {s}. " + "Filler words. " * 12 for p in range(3))
        for s in range(12)
    ]
    sent = optimize("# Title\n\n" + "\n\n".join(sections), settings=Settings(prune={"budget": 1100})).text
    seconds = [f"Paragraph 1 of part {s}." in sent for s in range(12)]
    thirds = [f"Paragraph 2 of part {s}." in sent for s in range(12)]
    assert all(f"Paragraph 0 of part {s}." in sent for s in range(12))
    assert any(seconds) and (all(seconds) or not any(thirds))
