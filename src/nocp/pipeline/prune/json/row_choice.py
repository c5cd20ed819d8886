"""Which rows (or keys) of a collection to keep when it must be cut, and how the cut is marked.

The choice is the same wherever rows are cut (`precut`, `keep_rows`): the rows most relevant to
the query, the first row, the rows holding each numeric column's largest value, then the head
and the tail. Kept rows keep their original index: a head-and-tail cut names the omitted slice,
any other cut numbers the rows by "#".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from nocp.pipeline.markers import marker
from nocp.pipeline.model import JSONValue, all_objects


def keep_chosen_rows(
    rows: list[JSONValue], chosen: list[int], path: str, handle: str
) -> tuple[list[JSONValue], str]:
    """The `chosen` rows of `rows` and the marker of the cut: the omitted slice for a head
    and tail, else the kept rows numbered by "#" (already numbered ones keep theirs)."""
    where = path or "the result"
    omitted = len(rows) - len(chosen)
    if isinstance(rows[0], dict) and "#" in rows[0]:  # already numbered by precut
        note = marker(f'{omitted:,} more rows of {where} omitted (see "#")', handle, path or "@")
        return [rows[i] for i in chosen], note
    if _head_tail(chosen, len(rows)):
        head = _head_length(chosen)
        rest = f"{path}[{head}:{head + omitted}]"
        note = marker(f"{omitted:,} of {len(rows):,} rows of {where} omitted", handle, rest)
        return [rows[i] for i in chosen], note
    numbered = [numbered_row(i, rows[i]) for i in chosen]
    label = (
        'kept rows numbered by "#"'
        if isinstance(rows[0], dict)
        else "kept " + ", ".join(f"#{i}" for i in chosen[:20])
    )
    note = marker(f"{omitted:,} of {len(rows):,} rows of {where} omitted; {label}", handle, path or "@")
    return numbered, note


def numbered_row(index: int, row: JSONValue) -> JSONValue:
    """A record with its original index first, as "#" (other items as they are)."""
    return {"#": index, **row} if isinstance(row, dict) else row


def keep_chosen_keys(
    node: dict[str, JSONValue], chosen: list[int], path: str, handle: str
) -> tuple[dict[str, JSONValue], str]:
    """The `chosen` members of an object (by position) and the marker of the cut."""
    keys = list(node)
    where = path or "the result"
    note = marker(
        f"{len(keys) - len(chosen):,} of {len(keys):,} keys of {where} omitted", handle, path or "@"
    )
    return {keys[i]: node[keys[i]] for i in chosen}, note


def choose_rows(count: int, keep: int, relevant: list[int], extremes: list[int]) -> list[int]:
    """Up to half of them the most relevant to the query, then the first item, then the item
    holding the largest value of each numeric column, then the other relevant ones, then the
    head and the tail (two from the head for one from the tail)."""
    if keep >= count:
        return list(range(count))
    keep = max(keep, 1)
    half = max(keep // 2, 1)
    chosen: dict[int, None] = {}
    for index in [*relevant[:half], 0, *extremes, *relevant[half:keep], *_head_then_tail(count)]:
        if len(chosen) >= keep:
            break
        chosen[index] = None
    return sorted(chosen)


def _head_then_tail(count: int) -> Iterator[int]:
    head, tail = 0, count - 1
    while head <= tail:
        yield head
        head += 1
        if head <= tail:
            yield head
            head += 1
        if head <= tail:
            yield tail
            tail -= 1


def extremes(items: list[JSONValue]) -> list[int]:
    """For each numeric column of the records, the first row holding its largest value
    (not for ids and counters, which only grow or shrink)."""
    if not items or not all_objects(items):
        return []
    found: list[int] = []
    for key, sample in items[0].items():
        if not isinstance(sample, int | float) or isinstance(sample, bool):
            continue
        values = [
            (row.get(key), i)
            for i, row in enumerate(items)
            if isinstance(row.get(key), int | float) and not isinstance(row.get(key), bool)
        ]
        if len({v for v, _ in values}) > 2 and not _is_sequence([v for v, _ in values]):
            found.append(max(values, key=lambda pair: (pair[0], -pair[1]))[1])  # first of ties
    return found


def _is_sequence(values: list[Any]) -> bool:
    """Ids and counters (monotonic) carry no "largest" worth keeping."""
    return values == sorted(values) or values == sorted(values, reverse=True)


def row_text(row: JSONValue) -> str:
    """A row as words, for relevance ranking: keys and values, nested ones flattened."""
    if isinstance(row, dict):
        return " ".join(f"{k} {row_text(v)}" for k, v in row.items())
    if isinstance(row, list):
        return " ".join(row_text(v) for v in row)
    return "" if row is None else str(row)


def _head_tail(chosen: list[int], count: int) -> bool:
    head = _head_length(chosen)
    tail = chosen[head:]
    return tail == list(range(count - len(tail), count))


def _head_length(chosen: list[int]) -> int:
    length = 0
    while length < len(chosen) and chosen[length] == length:
        length += 1
    return length
