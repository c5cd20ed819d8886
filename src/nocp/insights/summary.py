"""Summaries of a window of calls, grouped by tool, upstream, day or format: savings (net of
nocp's own costs when the store counts them), errors, expansions per cut, p50/p95 pipeline ms,
and a per-row series of savings over time (the sparkline)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from nocp.errors import NocpError
from nocp.store.history import EXPAND_TOOL, Call

By = Literal["tool", "upstream", "day", "format"]
SPARK_POINTS = 12

_SPAN = re.compile(r"(\d+(?:\.\d+)?)([mhdw])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def since(text: str, now: datetime | None = None) -> str:
    """The ISO 8601 UTC time `--since` means: a span back from now (`30m`, `1h`, `7d`, `2w`)
    or a date or time (`2026-07-28`, `2026-07-28T12:00`, taken as UTC).

    Raises:
        NocpError: neither (the message shows the forms).
    """
    now = now or datetime.now(UTC)
    span = _SPAN.fullmatch(text.strip())
    if span:
        start = now - timedelta(**{_UNITS[span[2]]: float(span[1])})
    else:
        try:
            start = datetime.fromisoformat(text.strip())
        except ValueError:
            raise NocpError(
                f"--since {text!r}: expected a span (30m, 1h, 7d, 2w) or a date (2026-07-28[T12:00])"
            ) from None
        start = start.replace(tzinfo=UTC) if start.tzinfo is None else start.astimezone(UTC)
    return start.isoformat(timespec="milliseconds")


def key_of(call: Call, by: By) -> str:
    """The row a call belongs to: an upstream's tool is `upstream/tool`; an expansion counts
    for the tool whose original it read when the store knows it."""
    if by == "format":
        return call.format
    if by == "day":
        return call.ts[:10]
    if by == "upstream":
        return call.upstream or "(nocp's own)"
    tool = call.expanded_tool if call.tool == EXPAND_TOOL and call.expanded_tool else call.tool
    return f"{call.upstream}/{tool}" if call.upstream else tool


def summarize(
    calls: Sequence[Call], by: By = "tool", overhead: dict[tuple[str | None, str], int] | None = None
) -> dict[str, Any]:
    """The document of `nocp stats --json`: totals and one row per key, each with the same
    fields (see docs/stats.md)."""
    groups: dict[str, list[Call]] = defaultdict(list)
    for call in calls:
        groups[key_of(call, by)].append(call)
    edges = _edges(calls)
    costs = _overhead_by(overhead, by) if overhead is not None else None
    rows = {
        key: _figures(group, edges, costs.get(key, 0) if costs is not None else None)
        for key, group in sorted(groups.items())
    }
    total = _figures(calls, edges, sum(overhead.values()) if overhead is not None else None)
    return {"by": by, "from": calls[0].ts if calls else None, "to": calls[-1].ts if calls else None,
            **total, "rows": rows}  # fmt: skip


def _figures(calls: Sequence[Call], edges: list[str], overhead: int | None) -> dict[str, Any]:
    raw = sum(c.raw_tokens for c in calls)
    sent = sum(c.sent_tokens for c in calls)
    expansions = [c for c in calls if c.tool == EXPAND_TOOL]
    cuts = sum(c.cut for c in calls)
    saved = raw - sent
    ms = sorted(c.pipeline_ms for c in calls if not c.is_error)
    out: dict[str, Any] = {
        "calls": len(calls),
        "raw_tokens": raw,
        "sent_tokens": sent,
        "saved_tokens": saved,
        "saved_pct": _pct(saved, raw),
        "errors": sum(c.is_error for c in calls),
        "cuts": cuts,
        "expansions": len(expansions),
        "expansions_per_cut": round(len(expansions) / cuts, 3) if cuts else None,
        "p50_ms": _percentile(ms, 50),
        "p95_ms": _percentile(ms, 95),
        "net_saved_tokens": None,
        "net_saved_pct": None,
        "series": _series(calls, edges),
    }
    if overhead is not None:  # the store counts nocp's own costs (the proxy's net accounting)
        expand_tokens = sum(c.sent_tokens for c in expansions)
        net = saved - overhead - expand_tokens
        out["net_saved_tokens"], out["net_saved_pct"] = net, _pct(net, raw - expand_tokens)
    return out


def _overhead_by(overhead: dict[tuple[str | None, str], int], by: By) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for (upstream, tool), tokens in overhead.items():
        if by == "upstream":
            out[upstream or "(nocp's own)"] += tokens
        elif by == "tool":
            out[f"{upstream}/{tool}" if upstream else tool] += tokens
    return out


def _edges(calls: Sequence[Call]) -> list[str]:
    """SPARK_POINTS equal time buckets over the window (their start times)."""
    if not calls:
        return []
    first, last = datetime.fromisoformat(calls[0].ts), datetime.fromisoformat(calls[-1].ts)
    step = max((last - first) / SPARK_POINTS, timedelta(milliseconds=1))
    return [(first + step * i).isoformat(timespec="milliseconds") for i in range(1, SPARK_POINTS)]


def _series(calls: Iterable[Call], edges: list[str]) -> list[int]:
    """Tokens saved in each time bucket (for the sparkline)."""
    from bisect import bisect_right

    values = [0] * (len(edges) + 1)
    for call in calls:
        values[bisect_right(edges, _norm(call.ts))] += call.raw_tokens - call.sent_tokens
    return values


def _norm(ts: str) -> str:
    return datetime.fromisoformat(ts).isoformat(timespec="milliseconds")


def _percentile(sorted_values: Sequence[float], pct: int) -> float | None:
    """Nearest-rank percentile."""
    if not sorted_values:
        return None
    rank = max(1, -(-pct * len(sorted_values) // 100))
    return round(sorted_values[int(rank) - 1], 3)


def _pct(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole > 0 else 0.0
