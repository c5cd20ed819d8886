"""What a parser of structured text returns, and the line helpers the parsers share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Parsed:
    """A text's structured content.

    `value` is a JSON-ready value (`normalize.to_json_value` finishes it); `source` names what
    it was parsed from ("CSV", "a Python literal"…); `head` and `tail` count the lines of the
    text before and after the data (a preamble, comments, a closing summary), which are not in
    `value`.
    """

    value: Any
    source: str
    head: int = 0
    tail: int = 0


Parser = Callable[[list[str]], Parsed | None]
"""A parser takes the text's lines (split at any line end) and returns its content or None."""


def blank(line: str) -> bool:
    """Whether a line holds nothing but whitespace."""
    return not line.strip()


def trim(lines: list[str]) -> tuple[int, int]:
    """The first line that is not blank, and one past the last (0, 0 for none)."""
    start = 0
    while start < len(lines) and blank(lines[start]):
        start += 1
    end = len(lines)
    while end > start and blank(lines[end - 1]):
        end -= 1
    return start, end
