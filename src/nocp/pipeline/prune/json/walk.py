"""Walking JSON values: rebuild bottom-up, find the collections a cut applies to, replace one node."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeAlias, cast

from nocp.pipeline.markers import join_path
from nocp.pipeline.model import JSONObject, JSONValue, all_objects

SCALAR = (str, int, float, bool, type(None))
MIN_ROWS = 3
"""Arrays shorter than this are never cut."""

Cuttable: TypeAlias = list[JSONValue] | JSONObject
"""A collection whose items (or members) a cut may drop."""


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


def is_records(node: list[JSONValue]) -> bool:
    """Whether `node` is an array of two or more records (objects)."""
    return len(node) >= 2 and all_objects(node)


def as_records(node: JSONValue) -> list[JSONObject] | None:
    """`node` when it is an array of two or more records, else None."""
    return cast("list[JSONObject]", node) if isinstance(node, list) and is_records(node) else None


def rows_value(rows: list[JSONObject]) -> JSONValue:
    """Records as a JSON value (which they are: mypy's invariant `list` cannot see it)."""
    return cast(JSONValue, rows)


def collections_in(
    value: JSONValue, path: str = "", keys: tuple[str | int, ...] = ()
) -> Iterator[tuple[str, tuple[str | int, ...], Cuttable]]:
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
    if isinstance(value, dict) and isinstance(head, str):
        return {**value, head: replace_at(value[head], rest, new)}
    if not isinstance(value, list) or not isinstance(head, int):
        raise TypeError(f"no element {head!r} in a {type(value).__name__}")
    copy = list(value)
    copy[head] = replace_at(copy[head], rest, new)
    return copy
