"""The store interface: one small Protocol per concern, and `Stores`, the set a server uses.

    StatsBackend     one row per call; the aggregates behind nocp://stats and calls/recent
    HandleBackend    the originals behind handles (`nocp_expand`, nocp://outputs/{handle})
    ResultBackend    results of idempotent tools, reused within `cache_ttl_s`
    SummaryBackend   distillations (what the pipeline's `SummaryCache` Protocol asks for)

Callers (the server, `nocp_expand`, the resources) hold these Protocols, never a back end's
classes: `open_stores` (`store/open.py`) opens SQLite (`store/sqlite.py`, the embedded default)
or PostgreSQL (`store/postgres.py`, shared by replicas); the same store classes run on both
through `store/sql.py`. Every read and write is limited to the tenant being served
(`store/scope.py`, set per HTTP request from its bearer token; "" over stdio), so callers do
not change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from nocp.store.handles import Stored
    from nocp.store.stats import CallRecord, Overhead


class StatsBackend(Protocol):
    """Records calls and answers the stats resources."""

    def record(self, record: CallRecord) -> None:
        """Append one call (committed at once)."""
        ...

    def totals(self, tool: str | None = None) -> dict[str, Any]:
        """The `nocp://stats` document (optionally for one tool)."""
        ...

    def recent(self, limit: int = 50) -> list[dict[str, Any]]:
        """The last `limit` calls, newest first."""
        ...

    def record_overhead(self, rows: Sequence[Overhead]) -> None:
        """Append what nocp added to one session's context (schema tokens), tool by tool."""
        ...

    def peaks(self) -> dict[tuple[str, str], int]:
        """(upstream, tool) → the largest raw result of that tool so far, in tokens."""
        ...


class HandleBackend(Protocol):
    """The originals of pruned results, by handle."""

    def put_packed(self, handle: str, tool: str, kind: Literal["json", "text"], data: bytes) -> bool:
        """Store an original packed by `store.handles.pack`, durably when this returns; False
        (nothing stored) when it is over the size cap alone."""
        ...

    def too_large(self, size: int) -> str | None:
        """Why an original packed to `size` bytes is not stored (None: it is)."""
        ...

    def evict(self) -> int:
        """Drop what is past its time or over the size cap; how many originals went."""
        ...

    def get(self, handle: str) -> Stored:
        """The original under `handle`: its kind and its text (compact JSON, or the text).

        Raises:
            HandleNotFound: unknown or expired.
        """
        ...


class ResultBackend(Protocol):
    """Optimised results of idempotent tools."""

    def get(self, key: str, ttl_s: float) -> tuple[str, str, int, int, str | None] | None:
        """(text, format, raw tokens, sent tokens, handle) stored less than `ttl_s` ago."""
        ...

    def put(
        self, key: str, tool: str, text: str, fmt: str, tokens: tuple[int, int], handle: str | None
    ) -> None:
        """Store (or refresh) a result."""
        ...


class SummaryBackend(Protocol):
    """Summaries that passed the faithfulness check (the pipeline's `SummaryCache`, which the
    store does not import: the pipeline and the store know nothing of each other)."""

    def get(self, key: str) -> str | None:
        """The cached summary, or None."""
        ...

    def put(self, key: str, backend: str, prompt_version: str, summary: str, cost_usd: float) -> None:
        """Store a summary (the first one for a key wins)."""
        ...


@dataclass(frozen=True, slots=True)
class Stores:
    """Everything a server stores, one object per concern, bound to one scope.

    `prepare` readies the back end (imports its library, brings the schema up to date); the
    server runs it in a worker thread after its first `tools/list`. `results` and `summaries`
    are None for a back end that cannot share them with worker threads (an in-memory file).
    """

    stats: StatsBackend
    handles: HandleBackend
    results: ResultBackend | None
    summaries: SummaryBackend | None
    prepare: Callable[[], object]
