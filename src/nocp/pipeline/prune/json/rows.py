"""Step 5 — keep a subset of the rows of each large collection (the most relevant to the query,
the first, the extremes, head and tail), cut at item boundaries; and the precut that sets aside
the rows of huge collections before the per-row steps run."""

from __future__ import annotations

import functools

from nocp.pipeline import relevance
from nocp.pipeline.budget import Budget
from nocp.pipeline.encode import to_compact_json
from nocp.pipeline.markers import marker
from nocp.pipeline.model import CallContext, JSONValue, Payload
from nocp.pipeline.prune.json.row_choice import (
    choose_rows,
    extremes,
    keep_chosen_keys,
    keep_chosen_rows,
    numbered_row,
    row_text,
)
from nocp.pipeline.prune.json.walk import MIN_ROWS, Cuttable, collections_in, is_records, replace_at


def keep_rows(payload: Payload, ctx: CallContext, budget: Budget) -> Payload:
    """Step 5: keep as many rows of each large collection as fit, cut at item boundaries."""
    collections = [
        Collection(path, keys, node, ctx.query) for path, keys, node in collections_in(payload.value)
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
                value = replace_at(value, collection.keys, kept)
                markers.append(note)
        result = payload.evolve(value, *markers) if markers else payload
        if not budget.over(result):
            break
    return result


class Collection:
    """One cuttable array (or map) and what choosing its rows needs, computed once."""

    def __init__(self, path: str, keys: tuple[str | int, ...], node: Cuttable, query: str) -> None:
        self.path, self.keys, self.node, self.query = path, keys, node, query
        items: list[JSONValue] = list(node.values()) if isinstance(node, dict) else node
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


PRECUT_MIN_ROWS = 300
PRECUT_SLACK = 8
"""Before the per-row steps, a collection far larger than could ever fit keeps only this
many times the rows that would fit as they are: the steps shrink rows, rarely 8-fold."""


def precut_rows(payload: Payload, ctx: CallContext, budget: Budget) -> Payload:
    """Set aside the rows of huge collections that cannot be sent anyway, before the per-row
    steps run on them (the same choice keep_rows makes: relevant, first, extremes, head,
    tail). Kept rows are numbered by "#" so the agent and nocp_expand see original indexes."""
    value, markers = payload.value, []
    for path, keys, node in collections_in(payload.value):
        if not (isinstance(node, list) and len(node) > PRECUT_MIN_ROWS and is_records(node)):
            continue
        average = len(to_compact_json(node[:: max(len(node) // 50, 1)])) / len(
            node[:: max(len(node) // 50, 1)]
        )
        fits = int(budget.chars(payload) * PRECUT_SLACK / max(average, 1)) + 1
        if len(node) <= 2 * fits:
            continue
        collection = Collection(path, keys, node, ctx.query)
        chosen = choose_rows(len(node), fits, collection.relevant, collection.extremes)
        kept = [numbered_row(i, node[i]) for i in chosen]
        value = replace_at(value, keys, kept)
        where = path or "the result"
        what = (
            f'{len(node) - len(chosen):,} of {len(node):,} rows of {where} omitted; kept rows numbered by "#"'
        )
        markers.append(marker(what, ctx.handle, path or "@"))
    return payload.evolve(value, *markers) if markers else payload
