"""The faithfulness check: a summary may only state facts whose exact spelling is in the source.

Every number, identifier (hex ids, UUIDs, paths, URLs, versions) and quoted string of the
summary must occur in the source; the first one that does not is reported.
"""

from __future__ import annotations

import re

_URL = re.compile(r"\bhttps?://[^\s<>\"'`)\]]+")
_UUID = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")
_HEX = re.compile(r"\b(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{7,}\b")
_PATH = re.compile(r"(?<![\w/])(?:~|\.{1,2})?/(?:[\w.@+-]+/)*[\w.@+-]+|\b[\w.-]+/[\w.-]+\.\w{1,5}\b")
_VERSION = re.compile(r"\bv?\d+(?:\.\d+){1,3}(?:[-+][\w.]+)?\b")
_NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?![\w])")
_QUOTED = re.compile(r"\"([^\"\n]{3,200})\"|`([^`\n]{3,200})`|(?<!\w)'([^'\n]{3,200})'(?!\w)")
_TRAILING = ".,;:!?"


def facts(summary: str) -> list[str]:
    """The checkable facts of a summary, in order of appearance kinds (URLs first).

    Example:
        >>> facts('took 42 ms at /var/log/app.log')
        ['/var/log/app.log', '42']
    """
    found: list[str] = []
    rest = summary
    for pattern in (_URL, _UUID, _HEX, _PATH, _VERSION):
        found += [m.group().rstrip(_TRAILING) for m in pattern.finditer(rest)]
        rest = pattern.sub(" ", rest)
    found += [next(g for g in m.groups() if g) for m in _QUOTED.finditer(summary)]
    found += [m.group() for m in _NUMBER.finditer(rest)]
    return list(dict.fromkeys(f for f in found if f))


def unfaithful(summary: str, source: str) -> str | None:
    """The first fact of `summary` that does not occur in `source`, or None if all do.

    Numbers also match without thousands separators ("1,024" ≙ "1024").

    Example:
        >>> unfaithful("3 retries", "failed after 3 retries")
        >>> unfaithful("4 retries", "failed after 3 retries")
        '4'
    """
    for fact in facts(summary):
        if _NUMBER.fullmatch(fact):
            if not _number_in(fact, source):
                return fact
        elif fact not in source:
            return fact
    return None


def _number_in(number: str, source: str) -> bool:
    for spelling in dict.fromkeys((number, number.replace(",", ""))):
        if re.search(rf"(?<![\d]){re.escape(spelling)}(?![\d])", source):
            return True
    return False
