"""One row per tool call, and the aggregates behind `nocp://stats`: one SQL for SQLite and
PostgreSQL (`store/sql.py`), every query limited to the tenant being served (`store/scope.py`)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from nocp.store import scope
from nocp.store.sql import Sql

STAGE_COLUMNS = {
    "normalize": "normalize",
    "precut": "prune",
    "prune_lossless": "prune",
    "convert": "prune",
    "distill": "distill",
    "prune_lossy": "prune",
    "encode": "encode",
}
"""The `calls` columns of each pipeline stage: `prune_ms` is the time of all the prune stages,
`prune_tokens` the tokens after the last of them."""


class StageReport(Protocol):
    """What the stats keep of one pipeline stage's report (`pipeline.model.StageReport`)."""

    @property
    def stage(self) -> str: ...
    @property
    def tokens(self) -> int: ...
    @property
    def ms(self) -> float: ...
    def as_dict(self) -> dict[str, Any]: ...


class Distillation(Protocol):
    """What the stats keep of a distill decision (`pipeline.model.Distillation`)."""

    @property
    def backend(self) -> str: ...
    @property
    def decision(self) -> str: ...
    @property
    def saved_tokens(self) -> int: ...
    @property
    def value_usd(self) -> float: ...
    @property
    def cost_usd(self) -> float: ...
    @property
    def cached(self) -> bool: ...
    @property
    def reason(self) -> str: ...


@dataclass(frozen=True, slots=True)
class CallRecord:
    """What is stored about one call."""

    tool: str
    raw_tokens: int
    sent_tokens: int
    format: str
    total_ms: float
    is_error: bool = False
    stages: tuple[StageReport, ...] = ()
    error: str | None = None
    handle: str | None = None
    ts: str = ""
    distillation: Distillation | None = None
    cache_hit: bool = False
    """Served from the per-tool result cache (`cache_ttl_s`)."""

    def row(self) -> dict[str, Any]:
        """The `calls` row for this record."""
        row = {k: v for k, v in asdict(self).items() if k != "distillation"}
        row["cache_hit"] = int(self.cache_hit)
        if self.distillation is not None:
            row.update(_distill_columns(self.distillation))
        row["ts"] = self.ts or datetime.now(UTC).isoformat(timespec="milliseconds")
        row["is_error"] = int(self.is_error)
        row["total_ms"] = round(self.total_ms, 3)
        row["stages"] = json.dumps([s.as_dict() for s in self.stages]) if self.stages else None
        for report in self.stages:
            column = STAGE_COLUMNS.get(report.stage)
            if column is not None:
                row[f"{column}_tokens"] = report.tokens
                row[f"{column}_ms"] = round(row.get(f"{column}_ms", 0.0) + report.ms, 3)
        return row


class StatsStore:
    """Records calls and answers the stats resources."""

    def __init__(self, db: Sql, namespace: str = "", *, everyone: bool = False) -> None:
        """`namespace`: the server instance's (`scope.namespace_of`); `everyone`: read the
        rows of every namespace and tenant (`nocp stats`, run by the owner of the file)."""
        self.db, self.namespace, self.everyone = db, namespace, everyone

    def record(self, record: CallRecord) -> None:
        """Append one call (committed at once), for the tenant being served."""
        self.db.insert("calls", {**record.row(), "tenant": scope.key(self.namespace)})

    def _scope(self) -> tuple[str, list[Any]]:
        if self.everyone:
            return "WHERE 1 = 1", []
        return "WHERE tenant = ?", [scope.key(self.namespace)]

    def totals(self, tool: str | None = None) -> dict[str, Any]:
        """The `nocp://stats` document of the tenant being served: totals, by format, and per
        tool (optionally one tool)."""
        where, params = self._scope()
        if tool is not None:
            where, params = where + " AND tool = ?", [*params, tool]
        summary = self._query(
            f"SELECT count(*) AS calls, coalesce(sum(raw_tokens), 0) AS raw_tokens, "
            f"coalesce(sum(sent_tokens), 0) AS sent_tokens, coalesce(sum(is_error), 0) AS errors "
            f"FROM calls {where}",
            params,
        )[0]
        by_format = {row.pop("format"): _with_savings(row) for row in self._grouped("format", where, params)}
        tools = {row.pop("tool"): _with_savings(row) for row in self._grouped("tool", where, params)}
        return {
            **_with_savings(summary),
            "by_format": by_format,
            "tools": tools,
            "distill": self._distill_totals(where, params),
            "cache_hits": self._query(f"SELECT coalesce(sum(cache_hit), 0) AS n FROM calls {where}", params)[
                0
            ]["n"],
        }

    def _distill_totals(self, where: str, params: list[Any]) -> dict[str, Any]:
        """Distillation calls (cache hits excluded), their cost, the tokens they saved, and
        how often the gate declined or a summary was rejected or failed."""
        live = "distill_decision = 'distilled' AND coalesce(distill_cached, 0) = 0"
        cached = "distill_decision = 'distilled' AND coalesce(distill_cached, 0) <> 0"
        failed = "distill_decision IN ('failed', 'unavailable')"
        declined, rejected = "distill_decision = 'declined'", "distill_decision = 'rejected'"
        row = self._query(
            f"SELECT {_count(live)} AS calls, {_count(cached)} AS cached, "
            f"coalesce(sum(CASE WHEN {live} THEN distill_cost_usd ELSE 0 END), 0.0) AS cost_usd, "
            f"coalesce(sum(CASE WHEN distill_decision = 'distilled' THEN distill_saved_tokens ELSE 0 END), 0) "
            f"AS saved_tokens, "
            f"{_count(declined)} AS declined, {_count(rejected)} AS rejected, "
            f"{_count(failed)} AS failed "
            f"FROM calls {where}",
            params,
        )[0]
        row["cost_usd"] = round(row["cost_usd"], 8)
        return row

    def recent(self, limit: int = 50) -> list[dict[str, Any]]:
        """The last `limit` calls of the tenant being served, newest first."""
        where, params = self._scope()
        rows = self._query(
            "SELECT id, ts, tool, raw_tokens, sent_tokens, format, is_error, total_ms, stages, "
            "error, handle, cache_hit, distill_backend, distill_decision, distill_saved_tokens, "
            "distill_value_usd, distill_cost_usd, distill_cached, distill_reason FROM calls "
            f"{where} ORDER BY id DESC LIMIT ?",
            [*params, limit],
        )
        for row in rows:
            row["is_error"] = bool(row["is_error"])
            row["stages"] = json.loads(row["stages"]) if row["stages"] else []
            row["saved_tokens"] = row["raw_tokens"] - row["sent_tokens"]
            row["cache_hit"] = bool(row["cache_hit"])
            row["distill"] = _distill_of(row)
        return rows

    def _grouped(self, column: str, where: str, params: list[Any]) -> list[dict[str, Any]]:
        return self._query(
            f"SELECT {column}, count(*) AS calls, sum(raw_tokens) AS raw_tokens, "
            f"sum(sent_tokens) AS sent_tokens, sum(is_error) AS errors "
            f"FROM calls {where} GROUP BY {column} ORDER BY {column}",
            params,
        )

    def _query(self, sql: str, params: list[Any]) -> list[dict[str, Any]]:
        return self.db.query(sql, params)


def _count(condition: str) -> str:
    """SQL counting the rows where `condition` holds (portable: no boolean arithmetic)."""
    return f"coalesce(sum(CASE WHEN {condition} THEN 1 ELSE 0 END), 0)"


def _distill_of(row: dict[str, Any]) -> dict[str, Any] | None:
    """The distill_* columns of a recent call as one object (None when it was not tried)."""
    fields = {k.removeprefix("distill_"): row.pop(k) for k in list(row) if k.startswith("distill_")}
    if fields["decision"] is None:
        return None
    fields["cached"] = bool(fields["cached"])
    return fields


def _distill_columns(outcome: Distillation) -> dict[str, Any]:
    return {
        "distill_backend": outcome.backend,
        "distill_decision": outcome.decision,
        "distill_saved_tokens": outcome.saved_tokens,
        "distill_value_usd": outcome.value_usd,
        "distill_cost_usd": outcome.cost_usd,
        "distill_cached": int(outcome.cached),
        "distill_reason": outcome.reason or None,
    }


def _with_savings(row: dict[str, Any]) -> dict[str, Any]:
    saved = row["raw_tokens"] - row["sent_tokens"]
    pct = round(100 * saved / row["raw_tokens"], 1) if row["raw_tokens"] else 0.0
    return {**row, "saved_tokens": saved, "saved_pct": pct}
