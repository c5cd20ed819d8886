"""JSON, or a Python literal (what `str(rows)` prints), after a few preamble lines.

mcp-server-fetch prints `Contents of URL:` before a JSON body; mcp-server-sqlite returns
`str(rows)`, a list of dicts in Python's syntax. A Python literal is translated to JSON
token by token (strings, True/False/None, tuples) and parsed by `json` — several times faster
than `ast.literal_eval`, which runs only for the odd string with escapes, and never evaluates
anything but literals.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

from nocp.formats.parsed import Parsed, trim

MAX_PREAMBLE_LINES = 5
MAX_PREAMBLE_CHARS = 600
MAX_TRAILER_LINES = 3
MAX_TRAILER_CHARS = 400

_PROBE_CHARS = 4_000
_SLOW_LIMIT = 100_000
"""Literals JSON cannot express are read by `ast.literal_eval` only up to this size."""

_OPENERS = ("{", "[")
_PYTHON_TOKEN = re.compile(
    r"'(?:[^'\\\n]|\\.)*'"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|\b(?:True|False|None|inf|nan)\b"
    r"|,\s*\)|[()]"
)
_JSON_OF_WORD = {"True": "true", "False": "false", "None": "null", "inf": "Infinity", "nan": "NaN"}


def json_after_preamble(lines: list[str]) -> Parsed | None:
    """A JSON object or array after at most a few short lines (and before a short trailer)."""
    found = _body(lines, _OPENERS)
    if found is None:
        return None
    head, end = found
    body = "\n".join(lines[head:end])
    value, tail = _json_with_trailer(body)
    if value is None:
        return None
    return Parsed(value, "JSON", head, tail + len(lines) - end)


def python_literal(lines: list[str]) -> Parsed | None:
    """A Python list, dict or tuple literal (a `repr`) after at most a few short lines."""
    found = _body(lines, (*_OPENERS, "("))
    if found is None:
        return None
    head, end = found
    if lines[end - 1].rstrip()[-1:] not in ("]", "}", ")"):
        return None
    text = "\n".join(lines[head:end])
    if len(text) > _PROBE_CHARS and not _plausible(text[:_PROBE_CHARS]):
        return None
    value = literal_value(text)
    if not isinstance(value, list | dict):
        return None
    return Parsed(value, "a Python literal", head, len(lines) - end)


def literal_value(text: str) -> Any:
    """The value of a Python literal of containers, strings, numbers, True/False/None, or None
    when `text` is not one (or is a set, or has keys that are not strings).

    Example:
        >>> literal_value("[{'a': (1, None)}]")
        [{'a': [1, None]}]
    """
    try:
        return json.loads(_PYTHON_TOKEN.sub(_json_token, text), strict=False)
    except (ValueError, RecursionError):
        pass
    if len(text) > _SLOW_LIMIT:
        return None
    try:  # what JSON cannot say: int keys, sets, a trailing comma
        return ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def _plausible(prefix: str) -> bool:
    """Whether the start of a long text reads as the start of a literal: translated, it
    parses up to its last (possibly cut) token — so a TOML file or a log that opens with a
    bracket is turned down without translating all of it."""
    last = 0
    for match in _PYTHON_TOKEN.finditer(prefix):
        last = match.end()
    translated = _PYTHON_TOKEN.sub(_json_token, prefix)
    try:
        json.loads(translated, strict=False)
    except json.JSONDecodeError as exc:
        return exc.pos >= len(translated) - (len(prefix) - last) - 1 and exc.msg != "Extra data"
    except (ValueError, RecursionError):
        return False
    return True


def _json_token(match: re.Match[str]) -> str:
    token = match.group()
    first = token[0]
    if first in "'\"":
        return _json_string(token)
    if first == ",":
        return "]"  # a one-element tuple, `(1,)`
    return "[" if first == "(" else "]" if first == ")" else _JSON_OF_WORD[token]


def _json_string(token: str) -> str:
    content = token[1:-1]
    if "\\" not in content:
        return '"' + content.replace('"', '\\"') + '"' if token[0] == "'" else token
    try:
        value = ast.literal_eval(token)  # a string literal with escapes: let Python read them
    except (ValueError, SyntaxError):
        return "\x00"  # not a string literal after all: the JSON parse fails on it
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else "\x00"


def _body(lines: list[str], openers: tuple[str, ...]) -> tuple[int, int] | None:
    """(first line, one past the last non-blank line) of a body that opens with one of
    `openers` within the first few short lines; None when there is no such body."""
    start, end = trim(lines)
    if start >= end:
        return None
    for head in range(start, min(start + MAX_PREAMBLE_LINES + 1, end)):
        if lines[head].lstrip()[:1] in openers:
            preamble = sum(len(line) for line in lines[start:head])
            return (head, end) if preamble <= MAX_PREAMBLE_CHARS else None
    return None


def _json_with_trailer(body: str) -> tuple[Any, int]:
    """The JSON container `body` holds, and how many of its lines follow it (a short
    trailer). (None, 0) when it holds none."""
    text = body.lstrip(" \t")
    try:
        value, stop = json.JSONDecoder(strict=False).raw_decode(text)
    except (ValueError, RecursionError):
        return None, 0
    rest = text[stop:]
    if not isinstance(value, dict | list):
        return None, 0
    if not rest.strip():
        return value, 0
    if not rest.startswith("\n") or len(rest) > MAX_TRAILER_CHARS:
        return None, 0
    tail = rest.count("\n")
    return (value, tail) if tail <= MAX_TRAILER_LINES + 1 else (None, 0)
