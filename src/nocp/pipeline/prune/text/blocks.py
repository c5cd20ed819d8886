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
    """0 must stay (the head, errors); then the lower the sooner kept."""
    key: int = 0
    """The order among blocks of one rank (lower first; then by position)."""
    parent: int = -1
    """The index (in the block list) of the block that encloses this one — its heading, the
    option it describes, the definition it is in — kept whenever this one is (-1: none)."""

    def lines(self) -> range:
        """The lines this block shows (a group of similar log lines shows only its first:
        the others stay in the gaps, so a marker names them)."""
        return range(self.start, self.end)


def spread(position: int, count: int) -> int:
    """An order over `count` positions that takes two from the head for one from the tail:
    0, 1, n−1, 2, 3, n−2, … (the newest lines of a log matter as much as the first).

    Example:
        >>> sorted(range(6), key=lambda p: spread(p, 6))
        [0, 1, 5, 2, 3, 4]
    """
    return min(position + position // 2, 3 * (count - 1 - position) + 2)


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
    """Block indexes, best first: without a query by rank, then key, then position; with
    one, the most relevant blocks (each followed by its context) after the first three
    that must stay (by position: the start, the first error)."""
    skim = sorted(range(len(blocks)), key=lambda i: (blocks[i].rank, blocks[i].key, i))
    if not query:
        return skim
    relevant = relevance.top([_scored_text(blocks, b) for b in blocks], query, len(blocks))
    must = [i for i, block in enumerate(blocks) if block.rank == 0]  # the first ones first
    focused = [c for i in relevant[:12] for c in _context(blocks, i)]
    return must[:3] + focused + must[3:] + relevant[12:] + skim


def _scored_text(blocks: list[Block], block: Block) -> str:
    """What relevance reads for a block: its text under the text of what encloses it."""
    return block.text if block.parent < 0 else f"{blocks[block.parent].text}\n{block.text}"


def _context(blocks: list[Block], index: int) -> list[int]:
    """A relevant block and what answers around it: the block after it, when that one is
    inside it (the paragraph under a heading, the description under an option) or goes on
    from it under the same parent (the rest of a paragraph, the result line after a log line)."""
    following = index + 1
    if following >= len(blocks):
        return [index]
    block, after = blocks[index], blocks[following]
    inside = after.parent == index
    goes_on = after.parent == block.parent and after.start == block.end
    return [index, following] if inside or goes_on else [index]


def _take(blocks: list[Block], order: list[int], allowance: int) -> list[int]:
    """The blocks of `order` that fit in `allowance` characters, each with the blocks that
    enclose it (kept first; skipped together when they do not fit)."""
    kept: set[int] = set()
    used = 0
    for index in order:
        if index in kept:
            continue
        chain = [index]
        parent = blocks[index].parent
        while parent >= 0 and parent not in kept:
            chain.append(parent)
            parent = blocks[parent].parent
        size = sum(len(blocks[i].text) + 1 for i in chain)
        if used + size > allowance:
            continue
        kept.update(chain)
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
