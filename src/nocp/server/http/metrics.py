"""`/metrics`: this process's calls in the Prometheus text format (prometheus-client).

Per tool: calls by outcome, raw and sent tokens, errors, and a latency histogram; and the HTTP
requests refused before MCP (no valid token, over the rate). Each replica exposes its own; the
shared totals of every replica are `nocp://stats`. No tenant label: a label per token would
grow without bound and name who calls what.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from nocp.store.base import StatsBackend, Stores

if TYPE_CHECKING:
    from nocp.store.stats import CallRecord, Overhead

CONTENT_TYPE = CONTENT_TYPE_LATEST
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class Metrics:
    """The collectors of one server, in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.calls = Counter("nocp_calls", "Tool calls answered.", ["tool", "outcome"], registry=r)
        self.raw_tokens = Counter(
            "nocp_raw_tokens", "Tokens the SDK default would have sent.", ["tool"], registry=r
        )
        self.sent_tokens = Counter("nocp_sent_tokens", "Tokens nocp sent.", ["tool"], registry=r)
        self.errors = Counter("nocp_errors", "Tool calls answered with isError.", ["tool"], registry=r)
        self.latency = Histogram(
            "nocp_call_seconds", "Time to answer a tool call.", ["tool"], buckets=_BUCKETS, registry=r
        )
        self.rejected = Counter(
            "nocp_http_refused", "HTTP requests refused before MCP.", ["reason"], registry=r
        )

    def observe(self, record: CallRecord) -> None:
        """Count one call."""
        tool = record.tool
        self.calls.labels(tool, "error" if record.is_error else "ok").inc()
        self.raw_tokens.labels(tool).inc(record.raw_tokens)
        self.sent_tokens.labels(tool).inc(record.sent_tokens)
        if record.is_error:
            self.errors.labels(tool).inc()
        self.latency.labels(tool).observe(record.total_ms / 1000)

    def refused(self, reason: str) -> None:
        """Count one request refused before MCP (`auth`, `rate`)."""
        self.rejected.labels(reason).inc()

    def text(self) -> bytes:
        """The exposition text."""
        return generate_latest(self.registry)


@dataclass(frozen=True, slots=True)
class _MeteredStats:
    """A `StatsBackend` that counts every call it records."""

    inner: StatsBackend
    metrics: Metrics

    def record(self, record: CallRecord) -> None:
        self.metrics.observe(record)  # answered, whatever the store says
        self.inner.record(record)

    def totals(self, tool: str | None = None) -> dict[str, Any]:
        return self.inner.totals(tool)

    def recent(self, limit: int = 50) -> list[dict[str, Any]]:
        return self.inner.recent(limit)

    def record_overhead(self, rows: Sequence[Overhead]) -> None:
        self.inner.record_overhead(rows)

    def peaks(self) -> dict[tuple[str, str], int]:
        return self.inner.peaks()


def metered(stores: Stores, metrics: Metrics) -> Stores:
    """`stores` whose stats also feed `metrics` (every call is recorded there, once)."""
    return replace(stores, stats=_MeteredStats(stores.stats, metrics))
