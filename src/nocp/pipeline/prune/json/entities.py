"""Steps 2 and 3 — hoist constant columns out of arrays of records; flatten nested entities to
their identifying fields (`user` → `user.login`)."""

from __future__ import annotations

import json

from nocp.pipeline.budget import Budget
from nocp.pipeline.encode import to_compact_json
from nocp.pipeline.markers import marker
from nocp.pipeline.model import CallContext, JSONObject, JSONValue, Payload, all_objects
from nocp.pipeline.prune.json.walk import MIN_ROWS, SCALAR, as_records, collections_in, rows_value, transform

ID_KEYS = (
    "login",
    "name",
    "title",
    "key",
    "username",
    "full_name",
    "slug",
    "label",
    "email",
    "sha",
    "ref",
    "id",
)
"""Fields that identify an entity, best first; a flattened entity keeps the first two found."""


def hoist_constants(payload: Payload, ctx: CallContext, budget: Budget) -> Payload:
    """Step 2: a column with one value in every row is said once, not per row (in the large
    arrays of records, where it pays)."""
    notes: list[str] = []
    targets = {path for path, _, node in collections_in(payload.value) if isinstance(node, list)}

    def visit(node: JSONValue, path: str) -> JSONValue:
        rows = as_records(node) if path in targets else None
        return node if rows is None else rows_value(hoist(rows, path, notes))

    value = transform(payload.value, visit)
    if not notes:
        return payload
    return payload.evolve(value, *notes, omitted=False)


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else f"{text[:limit]}…(+{len(text) - limit:,} chars)"


def hoist(rows: list[dict[str, JSONValue]], path: str, notes: list[str]) -> list[dict[str, JSONValue]]:
    if len(rows) < MIN_ROWS:
        return rows
    first = rows[0]
    constant = {
        k: v
        for k, v in first.items()
        if isinstance(v, SCALAR) and all(k in r and r[k] == v and type(r[k]) is type(v) for r in rows)
    }
    if not constant or len(constant) == len(first):
        return rows
    shown = ", ".join(f"{k}={_short(json.dumps(v, ensure_ascii=False))}" for k, v in constant.items())
    notes.append(f"[every row of {path or 'the result'} has {shown}]")
    return [{k: v for k, v in r.items() if k not in constant} for r in rows]


def flatten_entities(payload: Payload, ctx: CallContext, budget: Budget) -> Payload:
    """Step 3: nested objects in records become their identifying field, rows one shape."""
    flattened: dict[str, None] = {}
    notes: list[str] = []

    def visit(node: JSONValue, path: str) -> JSONValue:
        records = as_records(node)
        if records is None:
            return node
        unnested = _unnest(records, path)
        rows = [_flatten_row(row, flattened) for row in (unnested[0] if unnested else records)]
        if unnested is None:
            return rows_value(_uniform(rows))
        flattened[f"{path}[].{unnested[1]} (one row per item)"] = None
        return rows_value(_uniform(hoist(rows, path, notes)))

    value = transform(payload.value, visit)
    if not flattened:
        return payload
    names = ", ".join(list(flattened)[:8])
    return payload.evolve(value, *notes, marker(f"nested objects flattened: {names}", ctx.handle))


def _identifiers(entity: dict[str, JSONValue]) -> list[str]:
    found = [
        k for k in ID_KEYS if isinstance(entity.get(k), str | int) and not isinstance(entity.get(k), bool)
    ]
    named = [k for k in found if k != "id"]
    return (named or found)[:2]


def _identifier(entity: dict[str, JSONValue]) -> str | None:
    found = _identifiers(entity)
    return found[0] if found else None


def _flatten_row(row: dict[str, JSONValue], flattened: dict[str, None]) -> dict[str, JSONValue]:
    out: dict[str, JSONValue] = {}
    for key, value in row.items():
        if isinstance(value, dict) and value:
            idents = _identifiers(value)
            if idents:
                out.update({f"{key}.{ident}": value[ident] for ident in idents})
                flattened[key] = None
            elif len(value) <= 4 and all(isinstance(v, SCALAR) for v in value.values()):
                out.update({f"{key}.{k}": v for k, v in value.items()})
                flattened[key] = None
            else:
                out[key] = value
        elif isinstance(value, list) and value and all_objects(value) and all(map(_is_small_entity, value)):
            ids = [v.get(_identifier(v) or "", None) for v in value]
            if all(isinstance(i, str | int) for i in ids):
                out[key] = ", ".join(str(i) for i in ids)
                flattened[key] = None
            else:
                out[key] = rows_value(value)
        elif isinstance(value, list) and value and all(isinstance(v, str | int | float) for v in value):
            out[key] = ", ".join(str(v) for v in value)
            flattened[key] = None
        elif value == []:
            out[key] = None
        else:
            out[key] = value
    return out


def _is_small_entity(value: JSONValue) -> bool:
    """A reference like a label or a user: a few scalar fields, one of them an identifier."""
    return (
        isinstance(value, dict)
        and len(value) <= 8
        and all(isinstance(v, SCALAR) for v in value.values())
        and _identifier(value) is not None
    )


def _unnest(rows: list[dict[str, JSONValue]], path: str) -> tuple[list[dict[str, JSONValue]], str] | None:
    """Rows that each hold one list of records (groups → rules) become one table of the
    inner records, each carrying its parent's identifying fields."""
    fields = {k for k, v in rows[0].items() if _inner_records(v)}
    field = next(iter(fields)) if len(fields) == 1 else None
    if field is None or not all(_inner_records(r.get(field)) for r in rows):
        return None
    groups = [_inner_records(r.get(field)) for r in rows]
    children = [child for group in groups for child in group]
    if all(_is_small_entity(c) for c in children):
        return None  # references (parents, labels), not the bulk of the data
    bulk = sum(len(to_compact_json(r[field])) for r in rows)
    if bulk < 0.5 * len(to_compact_json(rows_value(rows))):
        return None
    parent_keys = [k for k in _identifiers(rows[0]) if all(k in r for r in rows)]
    inner = [
        {**{f"{path.rsplit('.', 1)[-1] or 'parent'}.{k}": r[k] for k in parent_keys}, **child}
        for r, group in zip(rows, groups, strict=True)
        for child in group
    ]
    return inner, field


def _inner_records(value: JSONValue) -> list[JSONObject]:
    """`value` when it is a non-empty array of records (one is enough), else []."""
    return value if isinstance(value, list) and value and all_objects(value) else []


def _uniform(rows: list[dict[str, JSONValue]]) -> list[dict[str, JSONValue]]:
    """Give every row the same keys, in first-seen order, missing ones as null."""
    keys: dict[str, None] = {}
    for row in rows:
        keys.update(dict.fromkeys(row))
    if all(len(row) == len(keys) for row in rows):
        return rows
    return [{k: row.get(k) for k in keys} for row in rows]
