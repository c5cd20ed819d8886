"""Blocks of plain lines (repeats collapsed) and of records (`git log`, `describe` output):
a record is kept or dropped whole, a long one line by line."""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections import Counter

from nocp.pipeline.prune.text.blocks import Block
from nocp.pipeline.prune.text.important import important_lines

_RECORD_KEY = re.compile(r"[A-Za-z][\w.-]*:?")
_MIN_RECORDS = 3
_RECORD_LINES = 40
"""Records longer than this are cut line by line, not kept or dropped whole."""


def line_blocks(lines: list[str], important: frozenset[int] | None = None) -> list[Block]:
    """One block per line; repeated lines collapse into one `(×N)`. `important`: the indexes
    of the important lines, when already known."""
    important = important_lines(lines) if important is None else important
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        end = index + 1
        while end < len(lines) and lines[end] == lines[index]:
            end += 1
        repeat = end - index
        text = lines[index] + (f" (×{repeat})" if repeat > 1 else "")
        rank = 0 if index in important else 2
        blocks.append(Block(index, end, text, rank))
        index = end
    return blocks


def record_blocks(lines: list[str]) -> list[Block] | None:
    """One block per record, when the text is a list of records that each start with the same
    key (`Commit: …`, `commit …`, `Name: …`) after a blank line — as `git log` and `describe`
    output are. A record keeps its inner blank lines; a long one is split into its lines.
    None when the text is not such a list."""
    starts = _record_starts(lines)
    if not starts:
        return None
    important = important_lines(lines)
    blocks = [Block(0, starts[0], "\n".join(lines[: starts[0]]).strip("\n"), 1)] if starts[0] else []
    for start, end in itertools.pairwise([*starts, len(lines)]):
        while end > start + 1 and not lines[end - 1].strip():
            end -= 1  # the blank lines after a record are the gap between records
        blocks += _record(lines, start, end, important)
    # what comes before the records, and the first record (the newest, in git log), stay
    return [dataclasses.replace(b, rank=0) if b.start <= starts[0] else b for b in blocks if b.text]


def _record(lines: list[str], start: int, end: int, important: frozenset[int]) -> list[Block]:
    """One record as one block (rank 1 if it holds an error), or a long one line by line."""
    if end - start > _RECORD_LINES:
        return [
            dataclasses.replace(b, start=b.start + start, end=b.end + start)
            for b in line_blocks(
                lines[start:end], frozenset(i - start for i in important if start <= i < end)
            )
        ]
    rank = 1 if important and not important.isdisjoint(range(start, end)) else 2
    return [Block(start, end, "\n".join(lines[start:end]), rank)]


def _record_starts(lines: list[str]) -> list[int]:
    """Where the records start: the lines that begin with the first word of most paragraphs,
    when that word is seldom found elsewhere ([] when there is no such word)."""
    firsts = Counter(
        _key(line) for i, line in enumerate(lines) if line.strip() and (i == 0 or not lines[i - 1].strip())
    )
    firsts.pop("", None)
    if not firsts:
        return []
    (key, count), *rest = firsts.most_common(2)
    starts = _starting_with(lines, key)
    runner_up = rest[0][1] if rest else 0
    if count < _MIN_RECORDS or count < 2 * runner_up or count < 0.8 * len(starts):
        return []
    return starts


def _starting_with(lines: list[str], key: str) -> list[int]:
    """The lines whose record key (`_key`) is `key`: they start with it, and the key does not
    go on after it (a key ending in ":" cannot)."""
    size, closed = len(key), key.endswith(":")
    return [
        i for i, line in enumerate(lines) if line.startswith(key) and (closed or not _goes_on(line, size))
    ]


def _goes_on(line: str, at: int) -> bool:
    """Whether `_RECORD_KEY` would match past `at` (a word character, ".", "-" or ":")."""
    char = line[at : at + 1]
    return bool(char) and (char.isalnum() or char in "_.-:")


def _key(line: str) -> str:
    match = _RECORD_KEY.match(line)
    return match.group(0) if match else ""
