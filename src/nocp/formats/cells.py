"""One table cell as a JSON value: a number only when the text wrote it as JSON would (so the
value prints back as the same characters), else the text itself."""

from __future__ import annotations

import re

_INTEGER = re.compile(r"-?(?:0|[1-9]\d{0,15})")
_DECIMAL = re.compile(r"-?(?:0|[1-9]\d{0,15})\.\d{1,15}")


def cell(text: str) -> str | int | float:
    """`text` as an int or float when it prints back the same, else as it is.

    Example:
        >>> cell("42"), cell("12990.341"), cell("28.980"), cell("007"), cell("3.1-2")
        (42, 12990.341, '28.980', '007', '3.1-2')
    """
    if _INTEGER.fullmatch(text):
        return int(text)
    if _DECIMAL.fullmatch(text) and repr(number := float(text)) == text:
        return number
    return text


def unique_names(names: list[str]) -> list[str]:
    """Column names made unique: a repeated name gets `_2`, `_3`…"""
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return unique
