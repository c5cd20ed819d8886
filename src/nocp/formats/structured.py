"""Text that holds structured data, parsed into a JSON value so the structured steps (row
choice, folding, TOON) apply to it: JSON or a Python literal after a short preamble, a
fixed-width CLI table, CSV/TSV.

Every parser is conservative: it returns None unless the whole text (but a few preamble or
trailer lines) parses and the value keeps what the text said — numbers only where the text
wrote them canonically, no key given twice. Each rejects most other texts on their first
lines, so trying them all is cheap.
"""

from __future__ import annotations

from nocp.formats.columns import fixed_width
from nocp.formats.delimited import delimited
from nocp.formats.literals import json_after_preamble, python_literal
from nocp.formats.parsed import Parsed, Parser

PARSERS: tuple[Parser, ...] = (json_after_preamble, python_literal, delimited, fixed_width)
"""Tried in order; each turns most texts down on their first lines."""

MAX_CHARS = 20_000_000
"""Longer texts are not parsed (parsing costs memory several times their size)."""


def parse_structured(text: str) -> Parsed | None:
    """The structured content of `text`, or None when it is not (wholly) structured data.

    Example:
        >>> parse_structured("Contents of x:\\n[1, 2]").source
        'JSON'
    """
    if len(text) > MAX_CHARS or not text.strip():
        return None
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for parser in PARSERS:
        parsed = parser(lines)
        if parsed is not None:
            return parsed
    return None
