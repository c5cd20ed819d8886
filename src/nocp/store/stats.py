"""One row per tool call, and the aggregates behind `nocp://stats`: one SQL for SQLite and
PostgreSQL (`store/sql.py`), every query limited to the tenant being served (`store/scope.py`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
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
    upstream: str | None = None
    """The upstream whose tool ran (None: one of nocp's own); for an expansion, the upstream
    of the tool whose original it read."""
    expands: str | None = None
    """For an expansion: the handle it read (its tool is looked up when the row is written)."""

    def row(self) -> dict[str, Any]:
        """The `calls` row for this record (an expansion's `expanded_tool` is filled in by
        `StatsStore.record`)."""
        row = {k: v for k, v in asdict(self).items() if k not in ("distillation", "expands")}
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


@dataclass(frozen=True, slots=True)
class Overhead:
    """What nocp added to one session's context for one tool: the schema tokens of the
    `focus` argument it added, or of the whole `nocp_expand` tool."""

    session: str
    tool: str
    tokens: int
    upstream: str | None = None
    ts: str = ""


class StatsStore:
    """Records calls and answers the stats resources."""

    def __init__(self, db: Sql, namespace: str = "", *, everyone: bool = False) -> None:
        """`namespace`: the server instance's (`scope.namespace_of`); `everyone`: read the
        rows of every namespace and tenant (`nocp stats`, run by the owner of the file)."""
        self.db, self.namespace, self.everyone = db, namespace, everyone

    def record(self, record: CallRecord) -> None:
        """Append one call (committed at once), for the tenant being served; an expansion is
        charged to the tool (and upstream) of the call that stored the original it read."""
        row = {**record.row(), "tenant": scope.key(self.namespace)}
        if record.expands is not None:
            owner = self._owner(record.expands)
            if owner is not None:
                row["expanded_tool"], row["upstream"] = owner
        self.db.insert("calls", row)

    def record_overhead(self, rows: Sequence[Overhead]) -> None:
        """Append what nocp added to one session's context, tool by tool."""
        tenant, ts = scope.key(self.namespace), _now()
        for row in rows:
            self.db.insert("overhead", {**asdict(row), "ts": row.ts or ts, "tenant": tenant})

    def peaks(self) -> dict[tuple[str, str], int]:
        """The largest raw result of each upstream tool so far: (upstream, tool) → tokens
        (what `focus = "auto"` decides by)."""
        rows = self._query(
            "SELECT upstream, tool, max(raw_tokens) AS peak FROM calls "
            "WHERE tenant = ? AND upstream IS NOT NULL AND tool <> ? AND is_error = 0 "
            "GROUP BY upstream, tool",
            [scope.key(self.namespace), EXPAND_TOOL],
        )
        return {(row["upstream"], row["tool"]): row["peak"] for row in rows}

    def _owner(self, handle: str) -> tuple[str, str | None] | None:
        rows = self._query(
            "SELECT tool, upstream FROM calls WHERE tenant = ? AND handle = ? ORDER BY id DESC LIMIT 1",
            [scope.key(self.namespace), handle],
        )
        return (rows[0]["tool"], rows[0]["upstream"]) if rows else None

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
            f"coalesce(sum(sent_tokens), 0) AS sent_tokens, coalesce(sum(is_error), 0) AS errors, "
            f"{_count('handle IS NOT NULL')} AS cuts "
            f"FROM calls {where}",
            params,
        )[0]
        by_format = {row.pop("format"): _with_savings(row) for row in self._grouped("format", where, params)}
        net = NetCosts(self, tool)
        tools = {row.pop("tool"): _with_savings(row) for row in self._grouped("tool", where, params)}
        upstreams = {
            row.pop("upstream"): _with_savings(row)
            for row in self._grouped("upstream", f"{where} AND upstream IS NOT NULL AND tool <> ?",
                                     [*params, EXPAND_TOOL])
        }  # fmt: skip
        return {
            **net.of_total(_with_savings(summary)),
            "sessions": net.sessions(),
            "by_format": by_format,
            "tools": net.of_each("tool", tools),
            "upstreams": net.of_each("upstream", upstreams),
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
            f"sum(sent_tokens) AS sent_tokens, sum(is_error) AS errors, "
            f"{_count('handle IS NOT NULL')} AS cuts "
            f"FROM calls {where} GROUP BY {column} ORDER BY {column}",
            params,
        )

    def _query(self, sql: str, params: list[Any]) -> list[dict[str, Any]]:
        return self.db.query(sql, params)


EXPAND_TOOL = "nocp_expand"
"""The tool whose calls are expansions: their sent tokens are a cost, charged to the tool
whose original they read."""


class NetCosts:
    """What nocp itself cost, beside what it saved, for the `nocp://stats` document (the
    tenant being served; optionally one tool): the schema tokens it added to each session
    (`overhead`) and the tokens its expansions sent, each charged to the tool (and upstream)
    whose result it concerns. Net saving = saved − overhead − expansions."""

    def __init__(self, stats: StatsStore, tool: str | None) -> None:
        self.stats, self.tool = stats, tool
        self.scope = stats._scope()

    def _where(self, column: str) -> tuple[str, list[Any]]:
        where, params = self.scope
        if self.tool is None:
            return where, list(params)
        return f"{where} AND {column} = ?", [*params, self.tool]

    def _overhead(self, key: str) -> dict[str | None, int]:
        where, params = self._where("tool")
        rows = self.stats._query(
            f"SELECT {key} AS k, coalesce(sum(tokens), 0) AS tokens FROM overhead {where} GROUP BY {key}",
            params,
        )
        return {row["k"]: row["tokens"] for row in rows}

    def _expansions(self, key: str) -> dict[str | None, tuple[int, int]]:
        charged = f"coalesce(expanded_tool, '{EXPAND_TOOL}')"
        where, params = self._where(charged)
        column = charged if key == "tool" else key
        rows = self.stats._query(
            f"SELECT {column} AS k, count(*) AS n, coalesce(sum(sent_tokens), 0) AS tokens FROM calls "
            f"{where} AND tool = ? GROUP BY {column}",
            [*params, EXPAND_TOOL],
        )
        return {row["k"]: (row["n"], row["tokens"]) for row in rows}

    def sessions(self) -> int:
        """Sessions that listed the tools (those whose context nocp added to)."""
        where, params = self._where("tool")
        rows = self.stats._query(f"SELECT count(DISTINCT session) AS n FROM overhead {where}", params)
        return int(rows[0]["n"])

    def of_total(self, row: dict[str, Any]) -> dict[str, Any]:
        """The totals with the net figures of everything."""
        overhead = sum(self._overhead("tool").values())
        expansions = list(self._expansions("tool").values())
        n, tokens = sum(e[0] for e in expansions), sum(e[1] for e in expansions)
        if self.tool == EXPAND_TOOL:
            baseline = row["raw_tokens"] - row["sent_tokens"]  # an expansion saves nothing
        else:
            baseline = row["raw_tokens"] - (tokens if self.tool is None else 0)
        return _net(row, overhead, n, tokens, baseline)

    def of_each(self, key: str, rows: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """Each tool's (or upstream's) figures with its net ones; a tool that only cost
        (listed, never called) is there too, with zero calls."""
        overhead, expansions = self._overhead(key), self._expansions(key)
        names = sorted({*rows, *(k for k in (*overhead, *expansions) if k is not None)})
        empty = {"calls": 0, "raw_tokens": 0, "sent_tokens": 0, "errors": 0, "cuts": 0}
        out = {}
        for name in names:
            row = rows.get(name) or _with_savings(dict(empty))
            n, tokens = expansions.get(name, (0, 0))
            baseline = row["raw_tokens"] - (row["sent_tokens"] if name == EXPAND_TOOL else 0)
            out[name] = _net(row, overhead.get(name, 0), n, tokens, baseline)
        return out


def _net(
    row: dict[str, Any], overhead: int, expansions: int, expand_tokens: int, baseline: int
) -> dict[str, Any]:
    net = row["saved_tokens"] - overhead - expand_tokens
    pct = round(100 * net / baseline, 1) if baseline > 0 else 0.0
    return {
        **row,
        "overhead_tokens": overhead,
        "expansions": expansions,
        "expand_tokens": expand_tokens,
        "net_saved_tokens": net,
        "net_saved_pct": pct,
    }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


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
