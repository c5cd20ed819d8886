"""The lines that must survive a cut: errors, warnings, failures, stack traces, 4xx/5xx statuses."""

from __future__ import annotations

import bisect
import itertools
import re

from nocp.formats.textkind import SCAN

_IMPORTANT = re.compile(
    r"\b(?:ERROR|FATAL|CRITICAL|SEVERE|WARN|WARNING|Traceback|panic|failed|failure)\b|\b\w*(?:Exception|Error)\b"
    r"|^Caused by|\" [45]\d\d ",
)


def clip(line: str, path: str = "") -> str:
    """A very long line keeps its start, saying how much was cut and, with `path`, where
    the whole line is (`lines[12:13]`)."""
    if len(line) <= SCAN:
        return line
    where = f" in {path}" if path else ""
    return f"{line[:SCAN]}…(+{len(line) - SCAN:,} chars{where})"


def is_important(line: str) -> bool:
    """Whether the line holds an error, a warning, a failure or a 4xx/5xx status."""
    return bool(_IMPORTANT.search(line[:SCAN]))


_TRIGGERS = (
    *("ERROR", "FATAL", "CRITICAL", "SEVERE", "WARN", "Traceback", "panic", "fail"),
    *("Exception", "Error", "Caused by", '" 4', '" 5'),
)
"""Strings without one of which no line is important (see `_IMPORTANT`): found in the whole
text at C speed, so only the lines that hold one are searched with the pattern."""


def important_lines(lines: list[str]) -> frozenset[int]:
    """The indexes of the lines that hold an error, a warning, a failure or a 4xx/5xx status."""
    text = "\n".join(lines)
    offsets = list(itertools.accumulate((len(line) + 1 for line in lines), initial=0))
    candidates: set[int] = set()
    for trigger in _TRIGGERS:
        at = text.find(trigger)
        while at != -1:
            index = bisect.bisect_right(offsets, at) - 1
            candidates.add(index)
            at = text.find(trigger, offsets[index + 1])
    return frozenset(i for i in candidates if is_important(lines[i]))
