"""Fixed-width CLI tables — `dpkg -l`, `sqlite3 -column`, `pip list`, `kubectl get`, `ps`,
`df` — as rows of records, without their padding.

A column is a run of character positions where some line has a character; between columns,
every line has a space. The header names them: every column needs a header word, flush with
its left or its right edge (a name that spills into an empty column, `NOMINATED NODE`, joins
it). A ruler under the header (`----  ----`, `+++-====`) is optional; a ruler of another shape
starts another table (`sqlite3` with two queries). No value is ever cut: a value is all the
characters of its row inside its column.
"""

from __future__ import annotations

import itertools
import re

from nocp.formats.cells import cell, unique_names
from nocp.formats.parsed import Parsed, blank, trim

_RULER = re.compile(r"[-=+]*[-=]{3,}[-=+ ]*")
_NON_SPACE = re.compile(r"[^ ]")
_OCCUPIED = re.compile(r"1+")
MAX_PREAMBLE_LINES = 5
MAX_TRAILER_LINES = 3
_PROBE_ROWS = 40
_NAME = re.compile(r"[A-Za-z%#_][\w%#/.()-]*")

Span = tuple[int, int]
Rows = list[dict[str, str | int | float]]


def fixed_width(lines: list[str]) -> Parsed | None:
    """One or more whitespace-aligned tables with a header line each (see the module)."""
    start, end = trim(lines)
    if end - start < 3 or any("\t" in line for line in lines[start:end]):
        return None
    header = _header(lines, start)
    if not _probe(lines, header, end):
        return None
    segments = _segments(lines, header, end)
    first, ruler, stop = segments[-1]
    if len(segments) > 1 and ruler is None and stop - first <= MAX_TRAILER_LINES:
        segments.pop()  # a closing line or two after a blank line: "(715 rows)"
    tables: list[Rows] = []
    used = 0
    for index, (first, ruler, stop) in enumerate(segments):
        trailers = range(MAX_TRAILER_LINES + 1) if index == len(segments) - 1 else range(1)
        rows, used = _table_with_trailer(lines, first, ruler, stop, trailers)
        if rows is None:
            return None
        tables.append(rows)
    value = tables[0] if len(tables) == 1 else {f"table_{i + 1}": t for i, t in enumerate(tables)}
    source = "a fixed-width table" if len(tables) == 1 else f"{len(tables)} fixed-width tables"
    return Parsed(value, source, header, len(lines) - used)


def _probe(lines: list[str], header: int, end: int) -> bool:
    """Whether the first rows under the header already make a table (most texts are not
    tables, and show it in their first lines)."""
    stop = min(end, header + _PROBE_ROWS)
    first, ruler, stop = _segments(lines, header, stop)[0]
    trailers = range(MAX_TRAILER_LINES + 1) if stop >= end - MAX_TRAILER_LINES else range(1)
    return _table_with_trailer(lines, first, ruler, stop, trailers)[0] is not None


def _header(lines: list[str], start: int) -> int:
    """The header line: the one above the first ruler near the top, else the first line."""
    for index in range(start + 1, min(start + MAX_PREAMBLE_LINES + 2, len(lines))):
        if _RULER.fullmatch(lines[index]):
            return index - 1
    return start


def _segments(lines: list[str], first: int, end: int) -> list[tuple[int, int | None, int]]:
    """(header line, its ruler line or None, end) of each table: a blank line, or a ruler of
    another shape than this table's (under the next table's header), ends a table."""
    segments: list[tuple[int, int | None, int]] = []
    while first < end:
        ruler = first + 1 if first + 1 < end and _RULER.fullmatch(lines[first + 1]) else None
        shape = lines[ruler] if ruler is not None else None
        index, stop = first + (2 if ruler is not None else 1), end
        while index < end:
            if blank(lines[index]):
                stop = index
                break
            if _RULER.fullmatch(lines[index]) and lines[index] != shape:
                stop = index - 1
                break
            index += 1
        segments.append((first, ruler, stop))
        first = stop
        while first < end and blank(lines[first]):
            first += 1
    return segments


def _table_with_trailer(
    lines: list[str], first: int, ruler: int | None, stop: int, trailers: range
) -> tuple[Rows | None, int]:
    """A table and where its rows end, leaving out up to `trailers` closing lines that are
    not rows of it (a summary line)."""
    for trailer in trailers:
        end = stop - trailer
        if end - first < 3:
            break
        rows = _table(lines, first, ruler, end)
        if rows is not None:
            return rows, end
    return None, stop


def _table(lines: list[str], first: int, ruler: int | None, end: int) -> Rows | None:
    """The rows of the table whose header is `lines[first]`, or None when it is not one."""
    rule = lines[ruler] if ruler is not None else None
    body = [line for i, line in enumerate(lines[first + 1 : end], first + 1) if i != ruler and line != rule]
    header = lines[first]
    if len(body) < 2:
        return None
    columns = _columns([header, *body], header, body)
    if columns is None:
        return None
    names = unique_names([header[a:b].strip() for a, b in columns])
    if (
        ruler is None
        and not _wide_gap(columns)
        and not (len(names) >= 3 and all(map(_NAME.fullmatch, names)))
    ):
        return None  # single spaces between words that do not look like column names: prose
    rows: Rows = [
        {n: cell(line[a:b].strip()) for n, (a, b) in zip(names, columns, strict=True)} for line in body
    ]
    filled = sum(1 for line in body if sum(1 for a, b in columns if line[a:b].strip()) >= 2)
    return rows if filled * 2 >= len(body) else None


def _columns(lines: list[str], header: str, body: list[str]) -> list[Span] | None:
    """The column spans, named by the header; None when the header does not name them."""
    occupied = 0
    for line in lines:
        occupied |= int(_NON_SPACE.sub("1", line).replace(" ", "0")[::-1] or "0", 2)
    spans = [m.span() for m in _OCCUPIED.finditer(format(occupied, "b")[::-1])]
    named = [i for i, (a, b) in enumerate(spans) if header[a:b].strip()]
    if not named or named[0] != 0:
        return None
    columns: list[Span] = []
    for index, (a, b) in enumerate(spans):
        name = header[a:b]
        if not name.strip():
            if index < named[-1]:
                return None  # a column in the middle that the header does not name
            columns[-1] = (columns[-1][0], b)  # the last column's values run on
        elif (
            columns
            and not any(line[a:b].strip() for line in body)
            and header[a - 1] == " "
            and a - columns[-1][1] == 1
        ):
            columns[-1] = (columns[-1][0], b)  # a two-word name over an empty column
        elif name[0] == " " and name[-1] == " ":
            return None  # a header word flush with neither edge of its column
        else:
            columns.append((a, b))
    if len(columns) < 2 or any(not any(line[a:b].strip() for line in body) for a, b in columns):
        return None
    return columns


def _wide_gap(columns: list[Span]) -> bool:
    """Whether two columns are at least two spaces apart (single spaces are prose)."""
    return any(b[0] - a[1] >= 2 for a, b in itertools.pairwise(columns))
