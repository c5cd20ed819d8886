"""Blocks of a document: its headings and the pieces of every section's body, ranked so
that a skim carries facts — every section's lead before any section's second piece.

A section's body is cut into pieces: its first lines (the lead), then the rest of its
paragraphs a few lines at a time (a fenced code block is one paragraph), so a section
larger than the budget still shows its start. A heading is kept with (before) any piece
under it: it is the piece's parent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nocp.formats.textkind import HEADING, is_heading
from nocp.pipeline.prune.text.blocks import Block, spread

_FENCE = re.compile(r"^\s*(```|~~~)")
LEAD_LINES = 3
"""A section's lead: the first lines of its body, kept before any section's next piece."""
PIECE_LINES = 4
PIECE_CHARS = 600
"""The pieces after the lead: at most this many lines and (unless one line is longer) chars."""
WHOLE_LINES = 5
WHOLE_CHARS = 600
"""A paragraph this small is one piece."""
HEAD_LINES = 12
HEAD_CHARS = 1200
"""The text's first paragraph (front matter, a page's title and ids) is one piece up to this size."""
_RULE = re.compile(r"^[\s|:+=-]*$")
"""A table's rule line (`|---|:--:|`): not counted as a line of a piece."""
HEADING_RANK = 2
"""Headings not yet kept with a piece under them come after every section's lead."""
_DEPTH = 1_000_000
"""Keys: a shallower section's piece before a deeper one's of the same rank."""


@dataclass(slots=True)
class _Section:
    heading: int
    """The heading's block index (-1: the text before the first heading)."""
    depth: int
    order: int
    """The section's position among all sections (the root is 0)."""
    pieces: int = 0


def document_blocks(lines: list[str]) -> list[Block]:
    """Headings and the pieces of each section's body, in the text's order.

    Ranks, without a focus: the start of the text and its first heading must stay; then
    every section's lead (rank 1) — shallower sections first, two from the head for one
    from the tail — then the headings not yet kept (the rest of the outline), then every
    section's second piece, and so on. A piece always comes with its headings.
    """
    root = _Section(-1, 0, 0)
    sections = [root]
    stack = [root]
    blocks: list[Block] = []
    owner_of: list[_Section | None] = []  # per block: the section a piece belongs to (None: a heading)
    underlines: dict[str, int] = {}
    index = 0
    while index < len(lines):
        if not lines[index].strip():
            index += 1
            continue
        if is_heading(lines, index):
            width = 1 if HEADING.match(lines[index]) else 2
            depth = _level(lines, index, underlines)
            while stack[-1].depth >= depth:
                stack.pop()
            section = _Section(len(blocks), depth, len(sections))
            text = "\n".join(lines[index : index + width])
            blocks.append(Block(index, index + width, text, parent=stack[-1].heading))
            owner_of.append(None)
            sections.append(section)
            stack.append(section)
            index += width
            continue
        end = _paragraph_end(lines, index)
        while end < len(lines) and lines[end - 1].rstrip().endswith(":"):
            following = _next_nonblank(lines, end)
            if following >= len(lines) or is_heading(lines, following):
                break
            end = _paragraph_end(lines, following)  # "…pass a tuple:" goes with its example
        head = not blocks and stack[-1] is root
        for start, stop in _pieces(lines, index, end, head):
            blocks.append(Block(start, stop, "\n".join(lines[start:stop]), parent=stack[-1].heading))
            owner_of.append(stack[-1])
        index = end
    _rank(blocks, owner_of, sections)
    return blocks


def _rank(blocks: list[Block], owner_of: list[_Section | None], sections: list[_Section]) -> None:
    """Set every block's rank and key (see `document_blocks`)."""
    count = len(sections)
    by_heading = {s.heading: s for s in sections}
    for index, (block, owner) in enumerate(zip(blocks, owner_of, strict=True)):
        if owner is None:
            section = by_heading[index]
            block.rank = 0 if section.order == 1 else HEADING_RANK
            block.key = section.depth * _DEPTH + spread(section.order, count)
            continue
        tier = owner.pieces
        owner.pieces += 1
        block.rank = 0 if owner is sections[0] and tier == 0 else 1 if tier == 0 else 2 + tier
        block.key = owner.depth * _DEPTH + spread(owner.order, count)


def _level(lines: list[str], index: int, underlines: dict[str, int]) -> int:
    """A heading's depth: its number of `#`, or for an underlined (reST) heading the order in
    which its underline character first appeared (the first seen is 1)."""
    match = re.match(r"#+", lines[index])
    if match and HEADING.match(lines[index]):
        return len(match.group())
    char = lines[index + 1].strip()[:1]
    return underlines.setdefault(char, len(underlines) + 1)


def _next_nonblank(lines: list[str], index: int) -> int:
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index


def _pieces(lines: list[str], start: int, end: int, head: bool = False) -> list[tuple[int, int]]:
    """The body lines [start, end) as pieces: the first `LEAD_LINES`, then runs of at most
    `PIECE_LINES` lines and `PIECE_CHARS` characters (blank lines inside stay inside)."""
    body = [line for line in lines[start:end] if line.strip()]
    most, chars = (HEAD_LINES, HEAD_CHARS) if head else (WHOLE_LINES, WHOLE_CHARS)
    if len(body) <= most and sum(len(line) + 1 for line in body) <= chars:
        return [(start, end)]  # a short paragraph stays whole
    pieces = []
    position = start
    limit = LEAD_LINES
    while position < end:
        stop, size, taken = position, 0, 0
        while stop < end and taken < limit and (taken == 0 or size + len(lines[stop]) <= PIECE_CHARS):
            size += len(lines[stop]) + 1
            taken += 0 if _RULE.match(lines[stop]) else 1
            stop += 1
        last = stop
        while not lines[last - 1].strip():
            last -= 1
        pieces.append((position, last))
        position = _next_nonblank(lines, stop)
        limit = PIECE_LINES
    return pieces


def _paragraph_end(lines: list[str], start: int) -> int:
    """Where the paragraph (or fenced code block) starting at `start` ends."""
    fence = _FENCE.match(lines[start])
    index = start + 1
    if fence:
        while index < len(lines) and not lines[index].lstrip().startswith(fence.group(1)):
            index += 1
        return min(index + 1, len(lines))
    while (
        index < len(lines)
        and lines[index].strip()
        and not is_heading(lines, index)
        and not _FENCE.match(lines[index])
    ):
        index += 1
    return index
