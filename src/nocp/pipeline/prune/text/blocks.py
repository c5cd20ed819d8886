"""Choosing and showing the blocks of a text: the ones that matter most, within budget, in
their original order, with one marker per gap naming the original lines it stands for.

A gap whose lines cost no more tokens than its marker is not a gap: its lines are shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from nocp.pipeline import relevance
from nocp.pipeline.budget import Budget
from nocp.pipeline.markers import marker
from nocp.pipeline.model import Payload
from nocp.pipeline.prune.fitting import fill
from nocp.pipeline.prune.text.numbering import LineMap

_CHEAP_CHARS = 120
"""Gaps longer than this are never cheaper than their marker (no need to count them)."""


@dataclass(slots=True)
class Block:
    """A piece of the text: its lines [start, end) in the original and what to show.

    Treated as immutable (changed with `dataclasses.replace`), but not frozen: a long text
    has tens of thousands, and a frozen dataclass is three times slower to build."""

    start: int
    end: int
    text: str
    rank: int = 2
    """0 must stay (headings, errors), 1 should stay (context), 2 and up may go (highest first)."""

    def lines(self) -> range:
        """The lines this block shows (a group of similar log lines shows only its first:
        the others stay in the gaps, so a marker names them)."""
        return range(self.start, self.end)


@dataclass(frozen=True, slots=True)
class Cut:
    """What one text cut needs besides the blocks: the text's lines, where they are in the
    stored original, the handle, and the budget (whose counter prices the markers)."""

    lines: list[str]
    where: LineMap
    handle: str
    budget: Budget
    nonblank: frozenset[int] = field(init=False)
    """The lines with something on them (a cut is rendered several times: found once)."""

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "nonblank", frozenset(i for i, line in enumerate(self.lines) if line.strip())
        )

    def missing(self, shown: set[int], indexes: Iterable[int]) -> Iterator[int]:
        """The lines of `indexes` with something on them that are not shown."""
        nonblank = self.nonblank
        return (i for i in indexes if i in nonblank and i not in shown)


def keep_blocks(payload: Payload, blocks: list[Block], cut: Cut, query: str) -> Payload:
    """The blocks that matter most, as many as the budget holds, in their original order."""
    order = _priority(blocks, query)
    return fill(
        lambda size: _render(payload, blocks, _take(blocks, order, size), cut),
        cut.budget,
        cut.budget.chars(payload),
    )


def _priority(blocks: list[Block], query: str) -> list[int]:
    relevant: list[int] = []
    if query:
        relevant = relevance.top([b.text for b in blocks], query, len(blocks))
    rank_of = {i: b.rank for i, b in enumerate(blocks)}
    chosen = set(relevant)
    rest = sorted((i for i in range(len(blocks)) if i not in chosen), key=lambda i: (rank_of[i], i))
    must = [i for i in rest if rank_of[i] == 0]
    others = [i for i in rest if rank_of[i] != 0]
    if query:
        return must[:3] + relevant[:12] + must[3:] + relevant[12:] + others
    return must + others


def _take(blocks: list[Block], order: list[int], allowance: int) -> list[int]:
    kept: list[int] = []
    used = 0
    for index in order:
        size = len(blocks[index].text) + 1
        if used + size > allowance:
            continue
        kept.append(index)
        used += size
    return sorted(kept)


def _render(payload: Payload, blocks: list[Block], kept: list[int], cut: Cut) -> Payload:
    shown = {line for i in kept for line in blocks[i].lines()}
    out: list[str] = []
    position = 0
    for index in kept:
        block = blocks[index]
        if block.start > position:
            out.extend(_gap(cut, shown, position, block.start))
        out.append(block.text)
        position = max(position, block.end)
    out.extend(_gap(cut, shown, position, len(cut.lines)))
    omitted = len(cut.nonblank) - len(cut.nonblank.intersection(shown))
    markers = payload.markers
    if omitted:
        total = cut.where.total or len(cut.lines)
        what = f"{omitted:,} of {total:,} lines omitted where marked [… lines[START:END]]"
        markers = (*markers, marker(what, cut.handle, "lines[START:END]"))
    return Payload("text", "\n".join(out), markers, payload.omitted or bool(omitted))


def _gap(cut: Cut, shown: set[int], start: int, end: int) -> list[str]:
    """What stands for the lines of [start, end) not shown: one marker, or the lines
    themselves when they cost no more (then they count as shown), or a blank line if none."""
    first = next(cut.missing(shown, range(start, end)), None)
    if first is None:
        return [""] if end > start and not any(i in shown for i in range(start, end)) else []
    last = next(cut.missing(shown, range(end - 1, first - 1, -1)))
    gap = f"[… {cut.where.path(first, last + 1)}]"
    inline = _cheap_lines(cut, shown, first, last, gap)
    if inline is None:
        return [gap]
    shown.update(cut.missing(shown, range(first, last + 1)))
    return inline


def _cheap_lines(cut: Cut, shown: set[int], first: int, last: int, gap: str) -> list[str] | None:
    """The missing lines [first, last], if showing them costs no more tokens than `gap`."""
    size = 0
    for i in cut.missing(shown, range(first, last + 1)):
        size += len(cut.lines[i]) + 1
        if size > _CHEAP_CHARS:
            return None
    run = [cut.lines[i] for i in range(first, last + 1) if i not in shown]
    count = cut.budget.counter.count
    return run if count("\n".join(run)) <= count(gap) else None
