"""Step 1 — drop fields that cost tokens and tell the agent nothing it cannot derive: URL
templates, URLs rebuilt from the row's own values, node ids, avatars, `drop_fields` globs."""

from __future__ import annotations

import re
from fnmatch import fnmatchcase

from nocp.pipeline.budget import Budget
from nocp.pipeline.markers import join_path, marker
from nocp.pipeline.model import CallContext, JSONValue, Payload
from nocp.pipeline.prune.json.walk import as_records, transform

NOISE_KEYS = frozenset({"node_id", "gravatar_id", "avatar_url", "_links", "_embedded_links"})
_TEMPLATE = re.compile(r"\{[^{}]*\}")


def drop_noise(payload: Payload, ctx: CallContext, budget: Budget) -> Payload:
    """Step 1: drop fields that cost tokens and tell the agent nothing it cannot derive."""
    drop, keep = ctx.settings.fields_for(ctx.tool)
    dropped: dict[str, None] = {}

    def visit(node: JSONValue, path: str) -> JSONValue:
        rows = as_records(node)
        if rows is not None:
            derived = _derivable_url_keys(rows)
            return [_without(row, derived, drop, keep, dropped, f"{path}[]") for row in rows]
        if isinstance(node, dict):
            return _without(node, frozenset(), drop, keep, dropped, path)
        return node

    value = transform(payload.value, visit)
    if not dropped:
        return payload
    names = ", ".join(list(dropped)[:8]) + (f" (+{len(dropped) - 8} more)" if len(dropped) > 8 else "")
    return payload.evolve(value, marker(f"dropped noise fields: {names}", ctx.handle))


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


def _shape(url: JSONValue, row: dict[str, JSONValue], own: str) -> str:
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
