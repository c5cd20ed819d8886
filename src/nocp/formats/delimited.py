"""CSV, TSV and other delimited tables (`;`, `|`) with a header row, as rows of records.

Conservative where `csv.Sniffer` guesses: a delimiter counts only when every row has the same
number of fields (two or more) with it, and the first row must read as a header — names that
are not numbers, none empty, none repeated, and either all name-like or unlike the values
under them (numbers under a word, values all of one length under a name of another). A log
with one comma per line is not a table.
"""

from __future__ import annotations

import csv
import io
import re

from nocp.formats.cells import cell, unique_names
from nocp.formats.parsed import Parsed, trim

_DELIMITERS = {",": "CSV", "\t": "TSV", ";": "delimited text (;)", "|": "delimited text (|)"}
_SAMPLE = 30
_NAME = re.compile(r"[A-Za-z_][\w .()/%#-]{0,39}")


def delimited(lines: list[str]) -> Parsed | None:
    """A delimited table with a header row (see the module), or None."""
    start, end = trim(lines)
    if end - start < 3:
        return None
    sample = lines[start : min(end, start + _SAMPLE)]
    for delimiter, source in _DELIMITERS.items():
        if sum(delimiter in line for line in sample) * 2 < len(sample) or _width(sample, delimiter) is None:
            continue
        rows = _rows("\n".join(lines[start:end]), delimiter)
        if rows is None or not _is_header(rows[0], rows[1:]):
            return None
        names = unique_names([name.strip() for name in rows[0]])
        records = [{n: cell(v) for n, v in zip(names, row, strict=True)} for row in rows[1:]]
        return Parsed(records, source, start, len(lines) - end)
    return None


def _width(sample: list[str], delimiter: str) -> int | None:
    """The one field count (two or more) of the sample's rows, or None (a field cut at the
    end of the sample may end its last row short)."""
    try:
        rows = list(csv.reader(io.StringIO("\n".join(sample), newline=""), delimiter=delimiter, strict=True))
    except csv.Error:
        return None
    widths = {len(row) for row in rows[:-1]} if len(rows) > 2 else set()
    return widths.pop() if len(widths) == 1 and min(widths) >= 2 else None


def _rows(text: str, delimiter: str) -> list[list[str]] | None:
    """Every row of the text, when all have the same field count."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error:
        return None
    width = len(rows[0])
    if len(rows) < 3 or any(len(row) != width for row in rows):
        return None
    return rows


def _is_header(names: list[str], rows: list[list[str]]) -> bool:
    """Whether the first row names the columns (see the module)."""
    stripped = [name.strip() for name in names]
    if not all(stripped) or len(set(stripped)) < len(stripped):
        return False
    if any(not isinstance(cell(name), str) for name in stripped):
        return False
    return all(_NAME.fullmatch(name) for name in stripped) or any(
        _unlike(name, [row[i] for row in rows[:200]]) for i, name in enumerate(stripped)
    )


def _unlike(name: str, values: list[str]) -> bool:
    """Numbers under a word, or values of one length under a name of another length."""
    if all(not isinstance(cell(value.strip()), str) for value in values):
        return True
    lengths = {len(value) for value in values}
    return len(lengths) == 1 and len(name) not in lengths
