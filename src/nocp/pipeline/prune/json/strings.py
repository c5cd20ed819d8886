"""Step 4 — truncate long strings, saying how much was cut: `…(+1,234 chars)`; the window
kept is the one holding the query's words."""

from __future__ import annotations

from nocp.pipeline import relevance
from nocp.pipeline.budget import Budget
from nocp.pipeline.markers import marker
from nocp.pipeline.model import CallContext, JSONValue, Payload
from nocp.pipeline.prune.json.row_choice import (
    row_text,
)
from nocp.pipeline.prune.json.walk import Cuttable, collections_in, transform


def truncate_strings(payload: Payload, ctx: CallContext, budget: Budget) -> Payload:
    """Step 4: cut long strings, saying how much was cut: `…(+1,234 chars)`."""
    result = payload
    # Rows come next: where there are rows to cut, strings keep 200 characters at least, and
    # the rows most relevant to the query keep four times as much.
    collections = list(collections_in(payload.value))
    limits: tuple[int, ...] = (400, 200, 120) if ctx.query else (400, 200)
    limits = limits if collections else (400, 200, 120, 60)
    favoured = _most_relevant_rows(collections, ctx.query)
    terms = relevance.terms(ctx.query)
    for limit in limits:
        count = [0]

        def cut(node: JSONValue, path: str, n: int = limit, c: list[int] = count) -> JSONValue:
            return _cut(node, n * 4 if path in favoured else n, c, terms)

        value = transform(payload.value, cut)
        if not count[0]:
            continue
        what = f"{count[0]:,} long strings cut to {limit} characters"
        result = payload.evolve(value, marker(what, ctx.handle))
        if not budget.over(result):
            break
    return result


def _most_relevant_rows(
    collections: list[tuple[str, tuple[str | int, ...], Cuttable]], query: str
) -> set[str]:
    """Paths of the three rows of each collection most relevant to the query."""
    favoured: set[str] = set()
    for path, _, node in collections if query else []:
        if isinstance(node, list):
            top = relevance.top([row_text(row) for row in node], query, 3)
            favoured.update(f"{path}[{i}]" for i in top)
    return favoured


def _cut(node: JSONValue, limit: int, count: list[int], terms: list[str]) -> JSONValue:
    if isinstance(node, dict):
        return {k: _cut_string(v, limit, count, terms) for k, v in node.items()}
    if isinstance(node, list):
        return [_cut_string(v, limit, count, terms) for v in node]
    return node


def _cut_string(value: JSONValue, limit: int, count: list[int], terms: list[str]) -> JSONValue:
    if not isinstance(value, str):
        return value
    cut = cut_string(value, limit, terms)
    count[0] += cut is not value
    return cut


def cut_string(value: str, limit: int, terms: list[str]) -> str:
    """`value` cut to about `limit` characters, saying how many were cut: `…(+1,234 chars)`;
    with query words, the window holding most of them is kept (after a short lead). The same
    string when it is short enough."""
    if len(value) <= limit + 20:
        return value
    start = relevance.best_window(value, terms, limit) if terms else 0
    if start <= limit // 4:
        return f"{value[:limit]}…(+{len(value) - limit:,} chars)"
    lead = limit // 4
    window = value[start : start + limit - lead]
    rest = len(value) - lead - len(window)
    return f"{value[:lead]}…{window}…(+{rest:,} chars)"
