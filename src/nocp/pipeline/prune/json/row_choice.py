"""Which rows (or keys) of a collection to keep when it must be cut, and how the cut is marked.

The choice is the same wherever rows are cut (`precut`, `keep_rows`): the rows most relevant to
the query, the first row, a totals row, the rows holding each numeric column's largest value
and those holding a rare value of a column of few, then the head and the tail. Kept rows keep
their original index: a head-and-tail cut names the omitted slice, any other cut numbers the
rows by "#".
"""

from __future__ import annotations

from collections import Counter
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
    """Up to half of them the most relevant to the query, then the first item, then the
    `notable` ones (totals, the largest value of each numeric column, rare values), then the
    other relevant ones, then the head and the tail (two from the head for one from the tail)."""
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


def notable(items: list[JSONValue]) -> list[int]:
    """The rows worth keeping before head and tail, in order: totals rows, then the first row
    holding each numeric column's largest value (totals aside), then the rows holding a rare
    value of a column that has few (a `CrashLoopBackOff` among `Running`)."""
    if not items or not all_objects(items):
        return []
    rows: list[dict[str, Any]] = items
    columns = _numeric_columns(rows)
    totals = _totals(rows, columns)
    found = dict.fromkeys(totals)
    for key in columns:
        values = [(row[key], i) for i, row in enumerate(rows) if i not in found and _is_number(row.get(key))]
        if len({v for v, _ in values}) > 2 and not _is_sequence([v for v, _ in values]):
            found[max(values, key=lambda pair: (pair[0], -pair[1]))[1]] = None  # first of ties
    found.update(dict.fromkeys(_rare(rows)))
    return list(found)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _numeric_columns(rows: list[dict[str, Any]]) -> list[str]:
    """The columns whose value in the first row (or the last: a totals row) is a number."""
    keys = dict.fromkeys([*rows[0], *rows[-1]])
    return [k for k in keys if _is_number(rows[0].get(k)) or _is_number(rows[-1].get(k))]


_TOTAL_LABELS = frozenset({"total", "totals", "sum", "all", "overall", "grand total", "σ"})


def _totals(rows: list[dict[str, Any]], columns: list[str]) -> list[int]:
    """The first or last row when it sums up the others: a cell labelled `TOTAL` (`Total:`,
    `sum`…), or a numeric column whose value is the sum of the other rows' (to 0.5%)."""
    found = []
    for index in dict.fromkeys((0, len(rows) - 1)) if len(rows) >= MIN_TOTALS_ROWS else ():
        row = rows[index]
        labelled = any(isinstance(v, str) and v.strip(" :*").lower() in _TOTAL_LABELS for v in row.values())
        summed = any(_sums_others(rows, index, key) for key in columns if _is_number(row.get(key)))
        if labelled or summed:
            found.append(index)
    return found


MIN_TOTALS_ROWS = 4
"""A collection of fewer rows has no totals row worth telling apart."""


def _sums_others(rows: list[dict[str, Any]], index: int, key: str) -> bool:
    value = float(rows[index][key])
    others = [r.get(key) for i, r in enumerate(rows) if i != index]
    numbers = [float(v) for v in others if isinstance(v, int | float) and not isinstance(v, bool)]
    if len(numbers) < len(others) * 0.9 or not value:
        return False
    return abs(sum(numbers) - value) <= abs(value) * 0.005


_RARE_MIN_ROWS = 20
_RARE_LIMIT = 8
"""Rows kept for rare values, at most, over all columns."""
_RARE_KINDS = 8
"""A column of at most this many distinct values has rare ones worth a row."""
_RARE_SAMPLE = 200


def _string(row: dict[str, Any], key: str) -> str | None:
    value = row.get(key)
    return value if isinstance(value, str) else None


def _rare(rows: list[dict[str, Any]]) -> list[int]:
    """The first row of each rare value of a column of few distinct strings where one value
    holds most rows (a status, a state, a level): the rows that differ from the rest."""
    if len(rows) < _RARE_MIN_ROWS:
        return []
    found: list[int] = []
    head = rows[:_RARE_SAMPLE]
    for key, sample in rows[0].items():
        if not isinstance(sample, str) or len({_string(row, key) for row in head}) > _RARE_KINDS:
            continue  # not a column of few values (seen in its first rows, cheaply)
        counts = Counter([_string(row, key) for row in rows])
        if not 2 <= len(counts) <= _RARE_KINDS or counts.most_common(1)[0][1] < len(rows) / 2:
            continue
        rare = {v for v, n in counts.items() if n <= max(1, len(rows) // 50) and v is not None}
        first: dict[object, int] = {}
        for i, row in enumerate(rows):
            value = _string(row, key)
            if value in rare and value not in first:
                first[value] = i
        found += first.values()
    return sorted(found)[:_RARE_LIMIT]


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
