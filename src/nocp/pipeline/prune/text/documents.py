"""Blocks of a document: headings (the outline) and paragraphs, a fenced code block whole."""

from __future__ import annotations

import re

from nocp.formats.textkind import HEADING, is_heading
from nocp.pipeline.prune.text.blocks import Block

_FENCE = re.compile(r"^\s*(```|~~~)")


def document_blocks(lines: list[str]) -> list[Block]:
    """Headings (rank 0: the outline) and paragraphs — a fenced code block is one paragraph;
    the first paragraph of a section ranks 1, the second 2, and so on: what is left of the
    budget goes to every section's next paragraph before any section's one after."""
    blocks: list[Block] = []
    in_section = 0
    index = 0
    while index < len(lines):
        if not lines[index].strip():
            index += 1
            continue
        if is_heading(lines, index):
            width = 1 if HEADING.match(lines[index]) else 2
            blocks.append(Block(index, index + width, "\n".join(lines[index : index + width]), 0))
            in_section = 0
            index += width
            continue
        end = _paragraph_end(lines, index)
        rank = 0 if not blocks else 1 + in_section
        text = "\n".join(lines[index:end])
        previous = blocks[-1] if blocks else None
        if previous and previous.rank != 0 and previous.text.rstrip().endswith(":"):
            # "…pass a tuple:" belongs with the example it introduces
            text = "\n".join(lines[previous.start : end])
            blocks[-1] = Block(previous.start, end, text, min(previous.rank, rank))
        else:
            blocks.append(Block(index, end, text, rank))
        in_section += 1
        index = end
    return blocks


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
