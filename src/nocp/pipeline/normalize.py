"""Stage 1 — normalize: any tool result → one payload (a JSON value, or text).

Also measures the honest baseline: the text the MCP SDK would have sent for the same return
value without nocp (`sdk_default_texts`), which every saving is counted against.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, cast

import pydantic
import pydantic_core

from nocp.errors import ResultError
from nocp.pipeline.model import JSONValue, Payload

MAX_DEPTH = 200
"""Deeper values are refused: every stage recurses, Python's recursion limit (1000) is near,
and no agent reads a structure nested 200 levels deep."""


class TextBlocks(tuple[str, ...]):
    """The text blocks of an MCP tool result (an upstream server's), as one raw result.

    One block is read like a returned string; several are one JSON array when every block
    holds a JSON object or array (the SDK sends a list one item per block), else one text
    joined by newlines. The baseline is the blocks exactly as the upstream sent them.
    """


def normalize(raw: Any) -> Payload:
    """Turn a tool's return value into a payload.

    Strings (and UTF-8 bytes) that hold a JSON object or array become that value; other text
    stays text; every other Python value becomes a JSON value.

    Raises:
        ResultError: the value is circular, too deep, or bytes that are not UTF-8.

    Example:
        >>> normalize('{"a": 1}')
        Payload(kind='json', value={'a': 1})
    """
    if isinstance(raw, TextBlocks):
        return _normalize_blocks(raw)
    if isinstance(raw, bytes | bytearray):
        raw = _decode_utf8(bytes(raw), "$")
    if isinstance(raw, str):
        parsed = _parse_json_container(raw)
        if parsed is None:
            return Payload("text", raw)
        return Payload("json", to_json_value(parsed))
    return Payload("json", to_json_value(raw))


def _normalize_blocks(blocks: TextBlocks) -> Payload:
    if len(blocks) == 1:
        return normalize(blocks[0])
    fast = _parse_blocks_at_once(blocks)
    if fast is not None:
        return Payload("json", fast)
    parsed = [_parse_json_container(block) for block in blocks]
    if blocks and all(value is not None for value in parsed):
        return Payload("json", to_json_value(parsed))
    return Payload("text", "\n".join(blocks))


def sdk_default_texts(raw: Any) -> list[str]:
    """The text blocks the MCP SDK (MCPServer) would send for `raw` without nocp.

    None → no block; a list or tuple → one block per item; a str as it is; anything else
    pretty-printed JSON (indent 2). Falls back to `json.dumps` where the SDK itself would fail.
    """
    if raw is None:
        return []
    if isinstance(raw, list | tuple):
        return [text for item in raw for text in sdk_default_texts(item)]
    if isinstance(raw, str):
        return [raw]
    try:
        return [pydantic_core.to_json(raw, fallback=str, indent=2).decode()]
    except (pydantic_core.PydanticSerializationError, ValueError, RecursionError):
        pass  # e.g. nesting deeper than the SDK allows: count what json would have sent
    try:
        return [json.dumps(raw, indent=2, default=str, ensure_ascii=False)]
    except (ValueError, RecursionError, TypeError):
        return []  # the SDK could not have sent this either (circular): no baseline


def to_json_value(obj: Any) -> JSONValue:
    """Convert a Python value to the JSON data model (see `normalize` for the rules).

    Non-finite floats become the strings "NaN", "Infinity", "-Infinity"; Decimals become
    numbers when that is exact; sets become sorted lists; other objects go through pydantic's
    JSON conversion, and their `str()` as a last resort.
    """
    fast = _json_round_trip(obj)
    return fast if fast is not None else _Converter().convert(obj, "$", 0)


def _json_round_trip(obj: Any) -> JSONValue | None:
    """Plain JSON-like data converts at C speed through json itself (tuples become lists,
    keys strings); anything else (NaN, Decimal, models, cycles, deep nesting) returns None
    and takes the careful path."""
    if not isinstance(obj, dict | list):
        return None
    try:
        value = json.loads(json.dumps(obj, allow_nan=False, ensure_ascii=False, check_circular=True))
    except (TypeError, ValueError, RecursionError):
        return None
    return None if _deeper_than(value, MAX_DEPTH) else value


def _deeper_than(value: JSONValue, limit: int) -> bool:
    """Whether containers nest deeper than `limit` (level by level: safe at any depth)."""
    level = [value]
    for _ in range(limit):
        below: list[JSONValue] = []
        for node in level:
            children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
            below.extend([c for c in children if type(c) is dict or type(c) is list])
        if not below:
            return False
        level = below
    return True


class _Converter:
    def __init__(self) -> None:
        self._active: set[int] = set()

    def convert(self, obj: Any, path: str, depth: int) -> JSONValue:
        if obj is None or isinstance(obj, bool | int | str):
            return obj
        if isinstance(obj, float):
            return obj if math.isfinite(obj) else _non_finite(obj)
        if depth >= MAX_DEPTH:
            raise ResultError(
                f"result is nested deeper than {MAX_DEPTH} levels (at {path[:60]}…); "
                "return a flatter structure"
            )
        if isinstance(obj, Mapping | list | tuple | set | frozenset):
            return self._container(obj, path, depth)
        return self._leaf(obj, path, depth)

    def _container(self, obj: Any, path: str, depth: int) -> JSONValue:
        if id(obj) in self._active:
            raise ResultError(f"result contains a circular reference at {path[:200]}")
        self._active.add(id(obj))
        try:
            if isinstance(obj, Mapping):
                return {str(k): self.convert(v, f"{path}.{k}", depth + 1) for k, v in obj.items()}
            items = [self.convert(v, f"{path}[{i}]", depth + 1) for i, v in enumerate(obj)]
            if isinstance(obj, set | frozenset):
                items.sort(key=lambda item: json.dumps(item, sort_keys=True))
            return items
        finally:
            self._active.discard(id(obj))

    def _leaf(self, obj: Any, path: str, depth: int) -> JSONValue:
        if isinstance(obj, bytes | bytearray):
            return _decode_utf8(bytes(obj), path)
        if isinstance(obj, Decimal):
            return _decimal(obj)
        if isinstance(obj, pydantic.BaseModel):
            # Python mode keeps sets as sets, so they are sorted below like any other set;
            # mode="json" would list them in hash order, which changes between processes.
            return self.convert(obj.model_dump(), path, depth)
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            fields = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
            return self._container(fields, path, depth)
        try:
            return cast(JSONValue, pydantic_core.to_jsonable_python(obj, fallback=str))
        except (pydantic_core.PydanticSerializationError, ValueError):
            return str(obj)


def _non_finite(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def _decimal(value: Decimal) -> JSONValue:
    if not value.is_finite():
        return _non_finite(float(value))
    if value == value.to_integral_value():
        return int(value)
    as_float = float(value)
    return as_float if Decimal(repr(as_float)) == value else str(value)


def _decode_utf8(data: bytes, path: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ResultError(
            f"result holds {len(data):,} bytes at {path} that are not valid UTF-8 "
            f"(first bad byte at offset {exc.start}); return str, or base64-encode binary data"
        ) from None


def _parse_blocks_at_once(blocks: TextBlocks) -> list[JSONValue] | None:
    """Blocks that each hold one JSON object or array, parsed in one pass as one array.

    Each block must start and end like a container, and the array must have one item per
    block — so every block is exactly one value. NaN/Infinity and very deep nesting return
    None (the careful path converts them).
    """
    for block in blocks:
        text = block.strip()
        if text[:1] not in ("{", "[") or text[-1:] not in ("}", "]"):
            return None
    try:
        items = json.loads(f"[{','.join(blocks)}]", parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        return None
    if len(items) != len(blocks) or _deeper_than(items, MAX_DEPTH):
        return None
    return cast(list[JSONValue], items)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _parse_json_container(text: str) -> Any | None:
    """The JSON object or array `text` holds, or None when it holds something else."""
    head = text.lstrip()[:1]
    if head not in ("{", "["):
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None
