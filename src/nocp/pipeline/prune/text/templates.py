"""Line templates and what varies between the lines of one template.

A line's template is the line with every whitespace-separated token that holds a digit
masked (`<*>`): timestamps, versions, ids, counts, sizes, IPs and paths with numbers in them.
Lines of one template are one kind of event (`status installed <*> <*>`); what tells them
apart is the values of their masked fields, summarised per field — the few values and their
counts (status codes, levels), the range of a numeric field (sizes, durations), or how many
distinct values there are and the most frequent one (packages, client IPs).
"""

from __future__ import annotations

import re
from collections import Counter

MASK = "<*>"
_VARYING = re.compile(r"(?<!\S)[^\s\d]*+\d\S*")
"""A whole token holding a digit (linear: the lookbehind rejects positions inside a token)."""
_CLOCK = re.compile(r"\d{1,2}:\d{2}|\d{4}-\d{2}-\d{2}|\d{1,2}/\w{3}/\d{4}")
"""A date or time of day: the shown lines say when (their first and last), not a profile."""
_NUMBER = re.compile(r"^(?:[^\w-]*|\S*[=:])(\d+(?:\.\d+)?)[a-zA-Z%]{0,3}[^\w]*$")
"""A token that is one number with a unit or a label around it (`ms=120`, `45%`, `(3.2s)`),
not an id (`job-0013a`, `r000123`)."""
FEW = 4
"""A field with at most this many values lists them with their counts."""
FIELDS = 3
"""At most this many fields are described per template."""
_SHORT = 40
"""Values longer than this (URLs, user agents) are counted, not quoted."""


def templates(lines: list[str]) -> list[str]:
    """Each line's template ("" for a blank line), masked in one pass over the whole text.

    Example:
        >>> templates(["GET /a 200 12ms", "GET /a 404 3ms", ""])
        ['GET /a <*> <*>', 'GET /a <*> <*>', '']
    """
    masked = _VARYING.sub(MASK, "\n".join(lines)).split("\n")
    return [shape if shape.strip() else "" for shape in masked]


def what_varies(rows: list[str], template: str) -> str:
    """The masked fields of `template` summarised over its lines `rows`, the most telling
    first: `field 5: 0…54306753; field 4: 200 ×1,532, 404 ×12` ("" when nothing tells) —
    a numeric field's range, the values of a field with few (and their counts), the number
    of values of the others and the most frequent one.

    Fields are numbered from 1 by whitespace-separated position; dates and times, and fields
    whose every value is distinct and not a number (ids), are left out.
    """
    slots = [i for i, token in enumerate(template.split()) if token == MASK]
    if not slots:
        return ""
    columns: list[list[str]] = [[] for _ in slots]
    for row in rows:
        tokens = row.split()
        for column, slot in zip(columns, slots, strict=True):
            column.append(tokens[slot] if slot < len(tokens) else "")
    described = [(d, slot) for slot, column in zip(slots, columns, strict=True) if (d := _describe(column))]
    described.sort(key=lambda item: item[0][0])
    return "; ".join(f"field {slot + 1}: {text}" for (_, text), slot in described[:FIELDS])


def _describe(values: list[str]) -> tuple[int, str] | None:
    """(how telling, lower first; the summary) of one field's values, or None."""
    if _CLOCK.search(values[0]):
        return None
    counts = Counter(values)
    if len(counts) == 1 or len(values) < 3:
        return None
    numbers = [float(m[1]) for v in counts if (m := _NUMBER.match(v))]
    if len(numbers) == len(counts) and len(counts) > FEW:
        return 0, f"{_number(min(numbers))}…{_number(max(numbers))}"
    short = max(map(len, counts)) <= _SHORT
    if len(counts) <= FEW and len(counts) < len(values) and short:
        return 1, ", ".join(f"{value} ×{n:,}" for value, n in counts.most_common())
    if len(counts) == len(values):
        return None
    ((top, n),) = counts.most_common(1)
    most = f", most {top} ×{n:,}" if n >= 3 and n * 20 >= len(values) and len(top) <= _SHORT else ""
    return 2, f"{len(counts):,} values{most}"


def _number(value: float) -> str:
    return f"{int(value)}" if value.is_integer() else f"{value}"
