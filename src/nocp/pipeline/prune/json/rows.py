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
    keep_chosen_keys,
    keep_chosen_rows,
    notable,
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
    result = payload
    for factor in (1.0, 0.7, 0.5, 0.35, 0.25, 0.15, 0.08, 0.0):
        value, markers = payload.value, []
        shares = fair_shares([c.size for c in collections], room * factor)
        for collection, share in zip(collections, shares, strict=True):
            kept, note = collection.keep(share, ctx.handle)
            if note:
                value = replace_at(value, collection.keys, kept)
                markers.append(note)
        result = payload.evolve(value, *markers) if markers else payload
        if not budget.over(result):
            break
    return result


def fair_shares(sizes: list[int], room: float) -> list[float]:
    """The share of each collection kept so that they fill `room` characters: the same number
    of characters for each, a small collection (a summary table beside a long one) whole and
    what it leaves to the others (max-min fair).

    Example:
        >>> fair_shares([100, 1000], 500)
        [1.0, 0.4]
    """
    left, count = room, len(sizes)
    shares = [0.0] * count
    for index in sorted(range(count), key=lambda i: sizes[i]):
        cap = left / count
        shares[index] = min(cap / sizes[index], 1.0) if sizes[index] else 1.0
        left -= min(cap, sizes[index])
        count -= 1
    return shares


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
        self.extremes = notable(items)
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
