"""Documents: a skim carries every section's lead, not only the outline; a section larger than
the budget is cut into pieces, not dropped whole; a piece comes with its headings."""

from __future__ import annotations

from nocp import optimize
from nocp.pipeline.prune.text.blocks import spread
from nocp.pipeline.prune.text.documents import document_blocks
from tests.pipeline.prune.helpers import body, tight

NOTES = "# Notes\n\n" + "\n".join(f"- item {i}: check widget {i * 7}" for i in range(3000))


def test_a_section_larger_than_the_budget_shows_its_start_and_the_focus_finds_a_line() -> None:
    plain = optimize(NOTES)
    assert plain.tokens > 1500 and "- item 40: check widget 280" in plain.text
    focused = optimize(NOTES, focus="item 2718")
    assert "- item 2718: check widget 19026" in focused.text
    assert focused.text.startswith("# Notes")


def test_every_section_keeps_its_lead_before_any_section_keeps_more() -> None:
    sections = [
        f"## Topic {s}\n\nLead of topic {s}: the answer is {s * 11}.\n\n"
        + "\n\n".join(f"Detail {d} of topic {s}. " + "More words here. " * 10 for d in range(4))
        for s in range(25)
    ]
    sent = optimize("# Handbook\n\n" + "\n\n".join(sections), settings=tight(700)).text
    sent = "\n".join(line for line in sent.split("\n") if line)
    assert all(f"## Topic {s}\nLead of topic {s}: the answer is {s * 11}." in sent for s in range(25))
    assert "Detail 1 of" not in sent  # no section got a third piece while one had no lead


def test_a_kept_piece_always_comes_with_its_headings() -> None:
    document = "\n\n".join(
        f"# Part {p}\n\n" + "\n\n".join(f"## Chapter {p}.{c}\n\nText of chapter {p}.{c}." for c in range(30))
        for p in range(5)
    )
    sent = body(optimize(document, settings=tight(400)).text).split("\n")
    for index, line in enumerate(sent):
        if line.startswith("Text of chapter "):
            number = line.removeprefix("Text of chapter ").rstrip(".")
            assert f"## Chapter {number}" in sent[:index]
            assert f"# Part {number.split('.')[0]}" in sent[:index]


def test_a_short_paragraph_is_one_piece_a_long_one_is_cut_after_its_lead() -> None:
    lines = ["# T", "", "one", "two", "", *[f"line {i}" for i in range(20)]]
    blocks = document_blocks(lines)
    assert [(b.start, b.end) for b in blocks[:3]] == [(0, 1), (2, 4), (5, 8)]
    assert [b.rank for b in blocks[1:4]] == [1, 3, 4]  # lead, then one piece after another
    assert all(b.parent == 0 for b in blocks[1:])


def test_spread_takes_two_from_the_head_for_one_from_the_tail() -> None:
    assert sorted(range(9), key=lambda p: spread(p, 9)) == [0, 1, 8, 2, 3, 7, 4, 5, 6]
