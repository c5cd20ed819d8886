"""The lossy steps for JSON results, in their fixed order; each runs only while over budget.

0. prune nested trees breadth-first (`tree.py`);
1. drop noise fields (URL templates, derivable URLs, node ids, avatars, `drop_fields` globs);
2. hoist constant columns out of arrays of records;
3. flatten nested entities to their identifying field (`user` → `user.login`);
4. truncate long strings, marking what was cut;
5. keep a subset of rows (head and tail, the extremes, or the most relevant to the query);
6. limit depth.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator
from fnmatch import fnmatchcase
from typing import Any

from nocp.pipeline.encode import to_compact_json
from nocp.pipeline.model import CallContext, JSONValue, Payload
from nocp.pipeline.prune import relevance
from nocp.pipeline.prune.budget import Budget
from nocp.pipeline.prune.markers import join_path, marker
from nocp.pipeline.prune.row_choice import choose_rows, extremes, keep_chosen_keys, keep_chosen_rows, row_text
from nocp.pipeline.prune.tree import prune_tree

JsonStep = Callable[[Payload, CallContext, Budget], Payload]

NOISE_KEYS = frozenset({"node_id", "gravatar_id", "avatar_url", "_links", "_embedded_links"})
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
_SCALAR = (str, int, float, bool, type(None))
_TEMPLATE = re.compile(r"\{[^{}]*\}")
MIN_ROWS = 3
"""Arrays shorter than this are never cut."""


def drop_noise(payload: Payload, ctx: CallContext, budget: Budget) -> Payload:
    """Step 1: drop fields that cost tokens and tell the agent nothing it cannot derive."""
    drop, keep = ctx.settings.fields_for(ctx.tool)
    dropped: dict[str, None] = {}

    def visit(node: JSONValue, path: str) -> JSONValue:
        if isinstance(node, list) and _is_records(node):
            derived = _derivable_url_keys(node)
            return [_without(row, derived, drop, keep, dropped, f"{path}[]") for row in node]
        if isinstance(node, dict):
            return _without(node, frozenset(), drop, keep, dropped, path)
        return node

    value = _transform(payload.value, visit)
    if not dropped:
        return payload
    names = ", ".join(list(dropped)[:8]) + (f" (+{len(dropped) - 8} more)" if len(dropped) > 8 else "")
    return payload.evolve(value, marker(f"dropped noise fields: {names}", ctx.handle))


def hoist_constants(payload: Payload, ctx: CallContext, budget: Budget) -> Payload:
    """Step 2: a column with one value in every row is said once, not per row (in the large
    arrays of records, where it pays)."""
    notes: list[str] = []
    targets = {path for path, _, node in _collections(payload.value) if isinstance(node, list)}

    def visit(node: JSONValue, path: str) -> JSONValue:
        if path in targets and isinstance(node, list) and _is_records(node):
            return _hoist(node, path, notes)
        return node

    value = _transform(payload.value, visit)
    if not notes:
        return payload
    return payload.evolve(value, *notes, omitted=False)


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else f"{text[:limit]}…(+{len(text) - limit:,} chars)"


def _hoist(rows: list[dict[str, JSONValue]], path: str, notes: list[str]) -> list[dict[str, JSONValue]]:
    if len(rows) < MIN_ROWS:
        return rows
    first = rows[0]
    constant = {
        k: v
        for k, v in first.items()
        if isinstance(v, _SCALAR) and all(k in r and r[k] == v and type(r[k]) is type(v) for r in rows)
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
        if not (isinstance(node, list) and _is_records(node)):
            return node
        unnested = _unnest(node, path)
        rows = [_flatten_row(row, flattened) for row in (unnested[0] if unnested else node)]
        if unnested is None:
            return _uniform(rows)
        flattened[f"{path}[].{unnested[1]} (one row per item)"] = None
        return _uniform(_hoist(rows, path, notes))

    value = _transform(payload.value, visit)
    if not flattened:
        return payload
    names = ", ".join(list(flattened)[:8])
    return payload.evolve(value, *notes, marker(f"nested objects flattened: {names}", ctx.handle))


def truncate_strings(payload: Payload, ctx: CallContext, budget: Budget) -> Payload:
    """Step 4: cut long strings, saying how much was cut: `…(+1,234 chars)`."""
    result = payload
    # Rows come next: where there are rows to cut, strings keep 200 characters at least, and
    # the rows most relevant to the query keep four times as much.
    collections = list(_collections(payload.value))
    limits: tuple[int, ...] = (400, 200, 120) if ctx.query else (400, 200)
    limits = limits if collections else (400, 200, 120, 60)
    favoured = _most_relevant_rows(collections, ctx.query)
    terms = relevance.terms(ctx.query)
    for limit in limits:
        count = [0]

        def cut(node: JSONValue, path: str, n: int = limit, c: list[int] = count) -> JSONValue:
            return _cut(node, n * 4 if path in favoured else n, c, terms)

        value = _transform(payload.value, cut)
        if not count[0]:
            continue
        what = f"{count[0]:,} long strings cut to {limit} characters"
        result = payload.evolve(value, marker(what, ctx.handle))
        if not budget.over(result):
            break
    return result


def _most_relevant_rows(
    collections: list[tuple[str, tuple[str | int, ...], JSONValue]], query: str
) -> set[str]:
    """Paths of the three rows of each collection most relevant to the query."""
    favoured: set[str] = set()
    for path, _, node in collections if query else []:
        if isinstance(node, list):
            top = relevance.top([row_text(row) for row in node], query, 3)
            favoured.update(f"{path}[{i}]" for i in top)
    return favoured


def keep_rows(payload: Payload, ctx: CallContext, budget: Budget) -> Payload:
    """Step 5: keep as many rows of each large collection as fit, cut at item boundaries."""
    collections = [
        _Collection(path, keys, node, ctx.query) for path, keys, node in _collections(payload.value)
    ]
    if not collections:
        return payload
    total = len(to_compact_json(payload.value))
    movable = sum(c.size for c in collections)
    room = max(budget.chars(payload) - (total - movable), 0)
    share = min(room / movable, 1.0) if movable else 0.0
    result = payload
    for factor in (1.0, 0.7, 0.5, 0.35, 0.25, 0.15, 0.08, 0.0):
        value, markers = payload.value, []
        for collection in collections:
            kept, note = collection.keep(share * factor, ctx.handle)
            if note:
                value = _replace(value, collection.keys, kept)
                markers.append(note)
        result = payload.evolve(value, *markers) if markers else payload
        if not budget.over(result):
            break
    return result


class _Collection:
    """One cuttable array (or map) and what choosing its rows needs, computed once."""

    def __init__(self, path: str, keys: tuple[str | int, ...], node: JSONValue, query: str) -> None:
        self.path, self.keys, self.node, self.query = path, keys, node, query
        items = list(node.values()) if isinstance(node, dict) else node
        labels = list(node) if isinstance(node, dict) else [""] * len(node)
        self.texts = (
            [f"{k} {row_text(v)}".strip() for k, v in zip(labels, items, strict=True)] if query else []
        )
        self.items = items
        self.extremes = extremes(items)
        self.relevant = relevance.top(self.texts, query, len(items)) if query else []

    @functools.cached_property
    def size(self) -> int:
        """Characters of the collection as compact JSON."""
        return len(to_compact_json(self.node))

    def keep(self, share: float, handle: str) -> tuple[JSONValue, str]:
        count = len(self.items)
        keep = min(count, max(MIN_ROWS - 1 if share > 0 else 1, int(count * share)))
        if keep >= count:
            return self.node, ""
        chosen = choose_rows(count, keep, self.relevant, self.extremes)
        if isinstance(self.node, dict):
            return keep_chosen_keys(self.node, chosen, self.path, handle)
        return keep_chosen_rows(self.node, chosen, self.path, handle)


def limit_depth(payload: Payload, ctx: CallContext, budget: Budget) -> Payload:
    """Step 6, the last resort: replace what is nested deeper than a few levels by a marker."""
    result = payload
    for depth in (6, 4, 3, 2, 1):
        paths: list[str] = []
        value = _cap_depth(payload.value, depth, "", paths)
        if not paths:
            continue
        result = payload.evolve(
            value, marker(f"{len(paths):,} values nested deeper than {depth} levels", ctx.handle, paths[0])
        )
        if not budget.over(result):
            break
    return result


PRECUT_MIN_ROWS = 300
PRECUT_SLACK = 8
"""Before the per-row steps, a collection far larger than could ever fit keeps only this
many times the rows that would fit as they are: the steps shrink rows, rarely 8-fold."""


def precut(payload: Payload, ctx: CallContext, budget: Budget) -> Payload:
    """Set aside the rows of huge collections that cannot be sent anyway, before the per-row
    steps run on them (the same choice keep_rows makes: relevant, first, extremes, head,
    tail). Kept rows are numbered by "#" so the agent and nocp_expand see original indexes."""
    value, markers = payload.value, []
    for path, keys, node in _collections(payload.value):
        if not (isinstance(node, list) and len(node) > PRECUT_MIN_ROWS and _is_records(node)):
            continue
        average = len(to_compact_json(node[:: max(len(node) // 50, 1)])) / len(
            node[:: max(len(node) // 50, 1)]
        )
        fits = int(budget.chars(payload) * PRECUT_SLACK / max(average, 1)) + 1
        if len(node) <= 2 * fits:
            continue
        collection = _Collection(path, keys, node, ctx.query)
        chosen = choose_rows(len(node), fits, collection.relevant, collection.extremes)
        kept = [{"#": i, **node[i]} for i in chosen]
        value = _replace(value, keys, kept)
        where = path or "the result"
        what = (
            f'{len(node) - len(chosen):,} of {len(node):,} rows of {where} omitted; kept rows numbered by "#"'
        )
        markers.append(marker(what, ctx.handle, path or "@"))
    return payload.evolve(value, *markers) if markers else payload


JSON_STEPS: tuple[tuple[str, JsonStep], ...] = (
    ("prune_tree", prune_tree),
    ("drop_noise", drop_noise),
    ("hoist_constants", hoist_constants),
    ("flatten_entities", flatten_entities),
    ("truncate_strings", truncate_strings),
    ("keep_rows", keep_rows),
    ("limit_depth", limit_depth),
)


# -- helpers ---------------------------------------------------------------------------------


def _transform(value: JSONValue, visit: Callable[[JSONValue, str], JSONValue], path: str = "") -> JSONValue:
    """Rebuild `value` bottom-up, calling `visit(node, path)` on every container."""
    if isinstance(value, dict):
        value = {
            k: _transform(v, visit, join_path(path, k)) if isinstance(v, dict | list) else v
            for k, v in value.items()
        }
    elif isinstance(value, list):
        value = [
            _transform(v, visit, f"{path}[{i}]") if isinstance(v, dict | list) else v
            for i, v in enumerate(value)
        ]
    else:
        return value
    return visit(value, path)


def _is_records(node: list[Any]) -> bool:
    return len(node) >= 2 and all(isinstance(item, dict) for item in node)


def _is_noise(
    key: str,
    value: JSONValue,
    path: str,
    drop: tuple[str, ...],
    keep: tuple[str, ...],
    siblings: dict[str, JSONValue],
) -> bool:
    if keep or drop:
        dotted = join_path(path, key)
        if any(fnmatchcase(key, g) or fnmatchcase(dotted, g) for g in keep):
            return False
        if any(fnmatchcase(key, g) or fnmatchcase(dotted, g) for g in drop):
            return True
    if key in NOISE_KEYS or (isinstance(value, str) and value.startswith("-----BEGIN ")):
        return True  # ids for machines; signatures and keys in PEM armour
    if key.endswith(("_html", "_text")) and isinstance(value, str) and key[:-5] in siblings:
        return True  # another rendering of a field that is there (GitHub's body_html, body_text)
    return key.lower().endswith("url") and isinstance(value, str) and bool(_TEMPLATE.search(value))


def _without(
    node: dict[str, JSONValue],
    derived: frozenset[str],
    drop: tuple[str, ...],
    keep: tuple[str, ...],
    dropped: dict[str, None],
    path: str,
) -> dict[str, JSONValue]:
    kept = {}
    for key, value in node.items():
        noise = (key in derived and not any(fnmatchcase(key, g) for g in keep)) or _is_noise(
            key, value, path, drop, keep, node
        )
        if noise:
            dropped[key] = None
        else:
            kept[key] = value
    return kept


def _derivable_url_keys(rows: list[dict[str, JSONValue]]) -> frozenset[str]:
    """URL fields whose value is the same pattern in every row once the row's own values are
    taken out (`…/issues/150` with number=150): the agent can rebuild them."""
    sample = rows[:50]
    keys = [
        k for k in sample[0] if k.lower().endswith("url") and all(isinstance(r.get(k), str) for r in sample)
    ]
    derivable = set()
    for key in keys:
        shapes = {_shape(row[key], row, key) for row in sample}
        if len(shapes) == 1 and str(sample[0][key]).startswith("http"):
            derivable.add(key)
    return frozenset(derivable)


def _shape(url: Any, row: dict[str, JSONValue], own: str) -> str:
    text = str(url)
    values = sorted(
        {
            str(v)
            for k, v in row.items()
            if k != own
            and isinstance(v, str | int)
            and not isinstance(v, bool)
            and len(str(v)) >= 2
            and not str(v).startswith("http")
        },
        key=len,
        reverse=True,
    )
    for value in values:
        text = text.replace(value, "\x00")
    return text


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
            elif len(value) <= 4 and all(isinstance(v, _SCALAR) for v in value.values()):
                out.update({f"{key}.{k}": v for k, v in value.items()})
                flattened[key] = None
            else:
                out[key] = value
        elif isinstance(value, list) and value and all(_is_small_entity(v) for v in value):
            ids = [v.get(_identifier(v) or "", None) for v in value]
            if all(isinstance(i, str | int) for i in ids):
                out[key] = ", ".join(str(i) for i in ids)
                flattened[key] = None
            else:
                out[key] = value
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
        and all(isinstance(v, _SCALAR) for v in value.values())
        and _identifier(value) is not None
    )


def _unnest(rows: list[dict[str, JSONValue]], path: str) -> tuple[list[dict[str, JSONValue]], str] | None:
    """Rows that each hold one list of records (groups → rules) become one table of the
    inner records, each carrying its parent's identifying fields."""
    fields = {k for k, v in rows[0].items() if isinstance(v, list) and _is_records_or_one(v)}
    field = next(iter(fields)) if len(fields) == 1 else None
    if field is None or not all(
        isinstance(r.get(field), list) and _is_records_or_one(r[field]) for r in rows
    ):
        return None
    children = [child for r in rows for child in r[field]]
    if all(_is_small_entity(c) for c in children):
        return None  # references (parents, labels), not the bulk of the data
    bulk = sum(len(to_compact_json(r[field])) for r in rows)
    if bulk < 0.5 * len(to_compact_json(rows)):
        return None
    parent_keys = [k for k in _identifiers(rows[0]) if all(k in r for r in rows)]
    inner = [
        {**{f"{path.rsplit('.', 1)[-1] or 'parent'}.{k}": r[k] for k in parent_keys}, **child}
        for r in rows
        for child in r[field]
    ]
    return inner, field


def _is_records_or_one(value: list[JSONValue]) -> bool:
    return bool(value) and all(isinstance(item, dict) for item in value)


def _uniform(rows: list[dict[str, JSONValue]]) -> list[dict[str, JSONValue]]:
    """Give every row the same keys, in first-seen order, missing ones as null."""
    keys: dict[str, None] = {}
    for row in rows:
        keys.update(dict.fromkeys(row))
    if all(len(row) == len(keys) for row in rows):
        return rows
    return [{k: row.get(k) for k in keys} for row in rows]


def _cut(node: JSONValue, limit: int, count: list[int], terms: list[str]) -> JSONValue:
    if isinstance(node, dict):
        return {k: _cut_string(v, limit, count, terms) for k, v in node.items()}
    if isinstance(node, list):
        return [_cut_string(v, limit, count, terms) for v in node]
    return node


def _cut_string(value: JSONValue, limit: int, count: list[int], terms: list[str]) -> JSONValue:
    if not isinstance(value, str) or len(value) <= limit + 20:
        return value
    count[0] += 1
    start = relevance.best_window(value, terms, limit) if terms else 0
    if start <= limit // 4:
        return f"{value[:limit]}…(+{len(value) - limit:,} chars)"
    lead = limit // 4
    window = value[start : start + limit - lead]
    rest = len(value) - lead - len(window)
    return f"{value[:lead]}…{window}…(+{rest:,} chars)"


def _collections(
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
            yield from _collections(item, join_path(path, key), (*keys, key))


def _homogeneous(values: list[JSONValue]) -> bool:
    kinds = {
        type(v).__name__ if not isinstance(v, int | float) or isinstance(v, bool) else "number"
        for v in values
    }
    return len(kinds) == 1


def _replace(value: JSONValue, keys: tuple[str | int, ...], new: JSONValue) -> JSONValue:
    """A copy of `value` with the node at `keys` replaced (only the path to it is copied)."""
    if not keys:
        return new
    head, rest = keys[0], keys[1:]
    if isinstance(value, dict):
        return {**value, head: _replace(value[head], rest, new)}
    copy = list(value)
    copy[head] = _replace(copy[head], rest, new)  # type: ignore[index]
    return copy


def _cap_depth(value: JSONValue, depth: int, path: str, paths: list[str]) -> JSONValue:
    if not isinstance(value, dict | list):
        return value
    if depth <= 0:
        paths.append(path)
        return "{…}" if isinstance(value, dict) else "[…]"
    if isinstance(value, dict):
        return {k: _cap_depth(v, depth - 1, join_path(path, k), paths) for k, v in value.items()}
    return [_cap_depth(v, depth - 1, f"{path}[{i}]", paths) for i, v in enumerate(value)]
