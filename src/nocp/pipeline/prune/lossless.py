"""Stage — prune_lossless: the clean-up that loses nothing, always applied.

Lossless here means the agent learns nothing less: object members that are null, "", [] or {}
carry no information and are dropped (a missing field reads as null); in text, trailing
whitespace, carriage returns and runs of blank lines are noise.
"""

from __future__ import annotations

import re

from nocp.pipeline.model import CallContext, JSONValue, Payload, StageResult, all_objects

_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)
_BLANK_RUN = re.compile(r"\n{3,}")


def prune_lossless(payload: Payload, ctx: CallContext) -> StageResult:
    """Empty members dropped, whitespace noise removed (nothing of the call is needed).

    Example:
        >>> prune_lossless(Payload("json", {"a": 1, "b": None}), ctx).payload.value
        {'a': 1}
    """
    if payload.kind == "text":
        cleaned = clean_text(payload.text)
        if cleaned == payload.text:
            return StageResult(payload)
        saved = len(payload.text) - len(cleaned)
        cleaned_payload = Payload("text", cleaned, payload.markers, payload.omitted)
        return StageResult(cleaned_payload, f"removed {saved:,} whitespace characters")
    counter = [0]
    value = drop_empty(payload.value, counter)
    note = f"dropped {counter[0]:,} empty fields" if counter[0] else ""
    # what an earlier stage cut stays marked (precut's rows set aside)
    return StageResult(Payload("json", value, payload.markers, payload.omitted), note)


def drop_empty(value: JSONValue, counter: list[int] | None = None) -> JSONValue:
    """Remove object members whose value is null, "", [] or {} — after cleaning inside them.

    Array items are kept whatever they hold: their position is information. In an array of
    records a field is dropped only when it is empty in every record, so that the records
    keep one shape (and still encode as a table).
    """
    counter = counter if counter is not None else [0]
    if isinstance(value, dict):
        return _without_empty({k: drop_empty(v, counter) for k, v in value.items()}, counter)
    if isinstance(value, list):
        if value and all_objects(value):
            rows = [{k: drop_empty(v, counter) for k, v in r.items()} for r in value]
            used = frozenset(k for r in rows for k, v in r.items() if not _is_empty(v))
            return [_without_empty(r, counter, keep=used) for r in rows]
        return [drop_empty(item, counter) for item in value]
    return value


def _without_empty(
    record: dict[str, JSONValue], counter: list[int], keep: frozenset[str] = frozenset()
) -> dict[str, JSONValue]:
    kept = {k: v for k, v in record.items() if k in keep or not _is_empty(v)}
    counter[0] += len(record) - len(kept)
    return kept


def clean_text(text: str) -> str:
    """Normalise line ends, strip trailing spaces, squeeze blank-line runs to one blank line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _TRAILING_SPACE.sub("", text)
    return _BLANK_RUN.sub("\n\n", text).strip("\n")


def _is_empty(value: JSONValue) -> bool:
    return value is None or (isinstance(value, str | list | dict) and not value)
