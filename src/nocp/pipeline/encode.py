"""Stage 4 — encode: serialise the payload in every candidate format, keep the cheapest.

Candidates: TOON, compact JSON, and plain text for text. Each is counted; the one with the
fewest tokens whose decoding equals the payload wins (ties go to the earlier candidate in
`ENCODERS`). Compact JSON always round-trips, so what is sent is never more tokens than it.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable
from typing import cast

import toon_format

from nocp.pipeline.model import CallContext, Encoded, Format, JSONValue, LastEncoding, Payload
from nocp.pipeline.tokens import TokenCounter


def serialise(payload: Payload) -> str:
    """A payload's value as text: compact JSON, or the text itself (how originals are stored
    and handles computed; `Payload.parse` reads it back)."""
    return payload.text if payload.kind == "text" else to_compact_json(payload.value)


def to_compact_json(value: JSONValue) -> str:
    """JSON without insignificant whitespace, non-ASCII kept as is (fewer tokens).

    The text of the last few large containers is remembered by identity: the stages pass the
    same value on (a step with nothing to cut returns it as it came) and measure it again and
    again — the budget checks, the encoders, the stored original. Values are never changed
    in place in the pipeline (every step builds new containers), so the text stays true.
    """
    if isinstance(value, dict | list):
        for seen, text in tuple(_RECENT):  # a copy: other threads may add
            if seen is value:
                return text
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    if isinstance(value, dict | list) and len(text) >= _REMEMBERED:
        _RECENT.appendleft((value, text))
    return text


_REMEMBERED = 20_000
"""Texts at least this long are remembered (shorter ones cost less to make than to keep)."""
_RECENT: deque[tuple[JSONValue, str]] = deque(maxlen=4)


def _decode_json(text: str) -> JSONValue:
    return cast(JSONValue, json.loads(text))


ENCODERS: dict[Format, tuple[Callable[[JSONValue], str], Callable[[str], JSONValue]]] = {
    "json": (to_compact_json, _decode_json),
    "toon": (toon_format.dumps, toon_format.loads),
}
"""Format → (encode, decode). Text is handled apart: it is only a candidate for strings."""


def encode(payload: Payload, ctx: CallContext, tokens: int | None = None) -> Encoded:
    """Pick the serialisation of `payload` with the fewest tokens that decodes back to it.

    `tokens`, when given, is the payload's known token count (text is not counted again).

    Example:
        >>> encode(Payload("json", {"rows": [{"a": 1}, {"a": 2}]}), ctx).format
        'toon'
    """
    if payload.kind == "text":
        if tokens is not None and not payload.markers:
            return Encoded(payload.text, "text", tokens, {"text": tokens})
        body = _text(payload.text, ctx.counter)
    else:
        body = choose(payload.value, ctx.counter, ctx.last_encoding)
    return with_markers(body, payload.markers, ctx.counter)


def with_markers(body: Encoded, markers: tuple[str, ...], counter: TokenCounter) -> Encoded:
    """The body followed by its marker lines (what was omitted and how to get it)."""
    if not markers:
        return body
    text = "\n".join([body.text, *markers])
    return Encoded(text, body.format, counter.count(text), body.candidates)


def choose(value: JSONValue, counter: TokenCounter, last: LastEncoding | None = None) -> Encoded:
    """The cheapest faithful serialisation of a JSON value (reused from `last` when it was
    the last value encoded in this call)."""
    if last is not None:
        if last.encoded is not None and last.value is value:
            return last.encoded
        encoded = choose(value, counter)
        last.value, last.encoded = value, encoded
        return encoded
    if isinstance(value, str):
        return _text(value, counter)
    candidates: list[tuple[int, int, Format, str]] = []
    for rank, (fmt, (dump, _)) in enumerate(ENCODERS.items()):
        try:
            text = dump(value)
        except (ValueError, TypeError, RecursionError):
            continue  # e.g. TOON refuses very deep nesting; JSON is still there
        candidates.append((counter.count(text), rank, fmt, text))
    candidates.sort()
    for tokens, _, fmt, text in candidates:
        if fmt == "json" or _round_trips(text, fmt, value):
            return Encoded(text, fmt, tokens, {c[2]: c[0] for c in candidates})
    raise ValueError("no candidate encoding round-trips")  # unreachable: compact JSON does


def _text(text: str, counter: TokenCounter) -> Encoded:
    tokens = counter.count(text)
    return Encoded(text, "text", tokens, {"text": tokens})


def _round_trips(text: str, fmt: Format, value: JSONValue) -> bool:
    try:
        return json_equal(ENCODERS[fmt][1](text), value)
    except (ValueError, TypeError, RecursionError):
        return False


def json_equal(a: JSONValue, b: JSONValue) -> bool:
    """Equality in the JSON data model: 1 == 1.0, but True != 1 and "1" != 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(json_equal, a, b))
    return type(a) is type(b) and a == b
