"""Blocks of a log or of any line-oriented text: every line is a block, ranked so that a skim
carries facts — the first and last lines, errors, the newest lines as much as the first, and
one line per template (`templates`) saying how many lines are like it and what varies.

A group of similar lines shows its first line with a summary, `(similar lines: ×812 to
2026-12-02 14:54:26; field 5: 612 values)`, and its last line as it is (the latest value);
the lines between lie in the gaps, so a marker names them. A line that continues an entry (a
stack frame, an indented line, a log line without a timestamp of its own) has the entry's
first line as its parent: kept with it, and it is the context a focus hit brings.
"""

from __future__ import annotations

import re
from collections import Counter

from nocp.formats.textkind import IP, TIMESTAMP
from nocp.pipeline.prune.text.blocks import Block
from nocp.pipeline.prune.text.important import important_lines
from nocp.pipeline.prune.text.templates import templates, what_varies

_FRAME = re.compile(r"^\s+(?:at |File \")")
_CLOCK = re.compile(r"\d:\d\d")
_STAMP_AT = 40
"""A log line starts an entry when it is not indented and a time of day is within its first
characters (every timestamp `TIMESTAMP` knows has one)."""


def log_blocks(lines: list[str], stamped: bool = True) -> list[Block]:
    """One block per line (a run of identical lines is one block, `line (×N)`), ranked:
    0 — the first and last lines, the first and last of each kind of error; 1 — the rest, by
    a key that takes one line of the head for two of the tail and gives each template's
    first and last line (the largest groups first) a place of its own among them.

    `stamped`: the text is a log whose entries start with a timestamp (a line without one
    continues the entry above it); otherwise an indented line continues the line above it.
    """
    runs = _runs(lines)
    if not runs:
        return []
    shapes = templates(lines)
    important = important_lines(lines)
    groups: dict[str, list[int]] = {}
    for number, (start, _) in enumerate(runs):
        shape = shapes[start] + ("!" if start in important else "")
        groups.setdefault(shape, []).append(number)
    count = len(runs)
    blocks = [
        Block(
            start,
            end,
            lines[start] + (f" (×{end - start})" if end - start > 1 else ""),
            1,
            _position(n, count),
        )
        for n, (start, end) in enumerate(runs)
    ]
    _rank_groups(blocks, groups, lines, shapes, important)
    for n in (0, count - 1):
        blocks[n].rank = 0
    _link_entries(blocks, lines, stamped)
    summary = _log_summary(lines)
    if not summary:
        return blocks
    for block in blocks:
        block.parent += 1 if block.parent >= 0 else 0
    return [Block(0, 0, summary, 0), *blocks]


def _runs(lines: list[str]) -> list[tuple[int, int]]:
    """The runs [start, end) of identical non-blank lines."""
    runs: list[tuple[int, int]] = []
    index, total = 0, len(lines)
    while index < total:
        line = lines[index]
        end = index + 1
        if not line.strip():
            index = end
            continue
        while end < total and lines[end] == line:
            end += 1
        runs.append((index, end))
        index = end
    return runs


def _position(n: int, count: int) -> int:
    """The key of the n-th of `count` lines: one from the head for two from the tail."""
    return min(2 * n, count - 1 - n)


def _rank_groups(
    blocks: list[Block],
    groups: dict[str, list[int]],
    lines: list[str],
    shapes: list[str],
    important: frozenset[int],
) -> None:
    """Each group's first line says how many are like it and what varies; its first and last
    lines get a key by the group's size (the largest and the rarest first: a summary of the
    bulk, and the events that happened once); an error's group keeps its first
    and last lines whatever the budget (rank 0), and the stack frame after them (rank 1, key 0)."""
    sized = sorted(groups.values(), key=lambda members: (-len(members), members[0]))
    for place, members in enumerate(sized):
        order = min(place, len(sized) - 1 - place)  # the largest and the rarest alternately
        first, last = blocks[members[0]], blocks[members[-1]]
        if blocks[members[0]].start in important:
            first.rank = last.rank = 0
            for edge in (members[0], members[-1]):
                following = edge + 1
                if following < len(blocks) and _FRAME.match(blocks[following].text):
                    blocks[following].rank, blocks[following].key = 1, 0
        first.key = min(first.key, 2 * order)
        last.key = min(last.key, 2 * order)
        if len(members) == 1:
            continue
        rows = [lines[blocks[m].start] for m in members]
        first.text += _group_suffix(rows, shapes[first.start])


def _group_suffix(rows: list[str], shape: str) -> str:
    parts = [f"×{len(rows):,}"]
    last = TIMESTAMP.search(rows[-1])
    if last:
        parts[0] += f" to {last.group()}"
    varies = what_varies(rows, shape)
    if varies:
        parts.append(varies)
    return f"  (similar lines: {'; '.join(parts)})"


def _link_entries(blocks: list[Block], lines: list[str], stamped: bool) -> None:
    """A line that continues an entry gets the entry's first line as its parent."""
    entry = -1
    indent = 0
    for index, block in enumerate(blocks):
        line = lines[block.start]
        width = len(line) - len(line.lstrip())
        if stamped:
            starts = not width and bool(_CLOCK.search(line, 0, _STAMP_AT))
        else:
            starts = entry < 0 or width <= indent
        if starts:
            entry = index
            indent = width
        elif entry >= 0:
            block.parent = entry


def _log_summary(lines: list[str]) -> str:
    ips = Counter(IP.findall("\n".join(line[:60] for line in lines)))
    if len(ips) < 2:
        return ""
    top = ", ".join(f"{ip} ×{n:,}" for ip, n in ips.most_common(5))
    return f"[{len(lines):,} lines · most frequent IPs: {top}]"
