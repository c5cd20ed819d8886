"""Walking JSON values: rebuild bottom-up, find the collections a cut applies to, replace one node."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from nocp.pipeline.markers import join_path
from nocp.pipeline.model import JSONValue

SCALAR = (str, int, float, bool, type(None))
MIN_ROWS = 3
"""Arrays shorter than this are never cut."""


def transform(value: JSONValue, visit: Callable[[JSONValue, str], JSONValue], path: str = "") -> JSONValue:
    """Rebuild `value` bottom-up, calling `visit(node, path)` on every container."""
    if isinstance(value, dict):
        value = {
            k: transform(v, visit, join_path(path, k)) if isinstance(v, dict | list) else v
            for k, v in value.items()
        }
    elif isinstance(value, list):
        value = [
            transform(v, visit, f"{path}[{i}]") if isinstance(v, dict | list) else v
            for i, v in enumerate(value)
        ]
    else:
        return value
    return visit(value, path)


def is_records(node: list[Any]) -> bool:
    return len(node) >= 2 and all(isinstance(item, dict) for item in node)


def collections_in(
    value: JSONValue, path: str = "", keys: tuple[str | int, ...] = ()
) -> Iterator[tuple[str, tuple[str | int, ...], JSONValue]]:
    """Arrays (and maps with many keys) that can be cut, outermost first, not nested:
    (JMESPath path, keys to reach it, the node)."""
    if isinstance(value, list) and len(value) > MIN_ROWS:
        yield path, keys, value
        return
    if isinstance(value, dict):
        if len(value) > 20 and _homogeneous(list(value.values())):
            yield path, keys, value
            return
        for key, item in value.items():
            yield from collections_in(item, join_path(path, key), (*keys, key))


def _homogeneous(values: list[JSONValue]) -> bool:
    kinds = {
        type(v).__name__ if not isinstance(v, int | float) or isinstance(v, bool) else "number"
        for v in values
    }
    return len(kinds) == 1


def replace_at(value: JSONValue, keys: tuple[str | int, ...], new: JSONValue) -> JSONValue:
    """A copy of `value` with the node at `keys` replaced (only the path to it is copied)."""
    if not keys:
        return new
    head, rest = keys[0], keys[1:]
    if isinstance(value, dict):
        return {**value, head: replace_at(value[head], rest, new)}
    copy = list(value)
    copy[head] = replace_at(copy[head], rest, new)  # type: ignore[index]
    return copy
