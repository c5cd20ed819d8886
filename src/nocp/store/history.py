"""The calls of a time window, one light row each, for the views that aggregate in Python
(`nocp stats --since/--by`, percentiles): one SQL for SQLite and PostgreSQL, limited to the
tenant being served. The upstream and expansion columns are read once the `net` migration
(the proxy's net accounting) is applied; before it they are None."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nocp.store import scope
from nocp.store.sql import Sql

EXPAND_TOOL = "nocp_expand"

_PIPELINE_MS = (
    "coalesce(normalize_ms, 0) + coalesce(prune_ms, 0) + coalesce(distill_ms, 0) + coalesce(encode_ms, 0)"
)


@dataclass(frozen=True, slots=True)
class Call:
    """One call as the views see it."""

    ts: str
    tool: str
    upstream: str | None
    format: str
    raw_tokens: int
    sent_tokens: int
    is_error: bool
    pipeline_ms: float
    cut: bool
    """Something was omitted (the call stored an original behind a handle)."""
    expanded_tool: str | None = None
    """For an `nocp_expand` call: the tool whose original it read (after the `net` migration)."""


def calls(db: Sql, since: str | None = None) -> list[Call]:
    """The calls of the tenant being served answered at or after `since` (ISO 8601, UTC),
    oldest first."""
    net = _has_net(db)
    extra = "upstream, expanded_tool" if net else "NULL AS upstream, NULL AS expanded_tool"
    where, params = "WHERE tenant = ?", [scope.current()]
    if since is not None:
        where, params = where + " AND ts >= ?", [*params, since]
    rows = db.query(
        f"SELECT ts, tool, {extra}, format, raw_tokens, sent_tokens, is_error, "
        f"{_PIPELINE_MS} AS pipeline_ms, handle FROM calls {where} ORDER BY id",
        params,
    )
    return [_call(row) for row in rows]


def overhead(db: Sql, since: str | None = None) -> dict[tuple[str | None, str], int] | None:
    """(upstream, tool) → schema tokens nocp added to sessions in the window; None before the
    `net` migration (nothing to say yet)."""
    if not _has_net(db):
        return None
    where, params = "WHERE tenant = ?", [scope.current()]
    if since is not None:
        where, params = where + " AND ts >= ?", [*params, since]
    rows = db.query(
        f"SELECT upstream, tool, coalesce(sum(tokens), 0) AS tokens FROM overhead {where} "
        "GROUP BY upstream, tool",
        params,
    )
    return {(row["upstream"], row["tool"]): int(row["tokens"]) for row in rows}


def _has_net(db: Sql) -> bool:
    return bool(db.query("SELECT 1 AS x FROM _migrations WHERE name = ?", ["net"]))


def _call(row: dict[str, Any]) -> Call:
    return Call(
        ts=row["ts"],
        tool=row["tool"],
        upstream=row["upstream"],
        format=row["format"],
        raw_tokens=int(row["raw_tokens"]),
        sent_tokens=int(row["sent_tokens"]),
        is_error=bool(row["is_error"]),
        pipeline_ms=float(row["pipeline_ms"] or 0.0),
        cut=row["handle"] is not None,
        expanded_tool=row["expanded_tool"],
    )
