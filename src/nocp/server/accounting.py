"""Accounting: every call becomes one stats row, written after its reply, in call order.

The original behind a handle is stored *before* the reply that names it (`keep_original`): a
handle the agent has seen redeems even if the server is killed the moment after. What only the
stats need (the raw result's tokens, the result cache's entry, evicting old originals) is done
after the reply (`AfterReply`), so the agent never waits for it.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Literal

import mcp_types as types

from nocp.logs import get_logger
from nocp.pipeline import Optimized, settle
from nocp.pipeline.markers import unfetchable
from nocp.pipeline.tokens import TokenCounter
from nocp.redact import redact_text
from nocp.server.after_reply import AfterReply
from nocp.server.offload import INLINE_CHARS, is_small, off_loop
from nocp.server.wire import clean_text, mark
from nocp.store.base import Stores
from nocp.store.handles import pack
from nocp.store.stats import CallRecord

_log = get_logger(__name__)


class Accounting:
    """Records calls after their replies: stats rows, stored originals, cached results."""

    def __init__(
        self,
        stores: Stores,
        counter: TokenCounter,
        after: AfterReply,
        upstream_of: Callable[[str], str | None] = lambda _: None,
    ) -> None:
        self.stats, self.handles, self.results = stores.stats, stores.handles, stores.results
        self.counter, self.after = counter, after
        self.upstream_of = upstream_of
        """The upstream a tool (by its exposed name) comes from; None: one of nocp's own."""

    def _write(self, record: CallRecord) -> None:
        """Store `record`, stamped with the upstream of its tool (an expansion's upstream is
        that of the original it read: the store looks it up)."""
        if record.upstream is None and record.expands is None:
            record = dataclasses.replace(record, upstream=self.upstream_of(record.tool))
        self.stats.record(record)

    async def record(self, record: CallRecord) -> None:
        """Record a call after its reply, in call order with the pipeline's records."""
        record = dataclasses.replace(record, ts=record.ts or now())

        async def write() -> None:
            self._write(record)

        await self.after.defer(write)

    async def keep_original(self, tool: str, reduced: Optimized) -> Optimized:
        """Store the original behind `reduced.handle` before the reply names it (committed
        when this returns). One that cannot be stored — over the store's cap by itself, or
        the store failed — is not advertised: its markers say why the cut part cannot be
        fetched, and the result goes out without a handle."""
        original, text = reduced.original, reduced.original_text
        if not reduced.handle or original is None or text is None:
            return reduced
        try:
            why = await off_loop(is_small(text), self._store, reduced.handle, tool, original.kind, text)
        except Exception as exc:  # the reply still goes out; it only must not offer the handle
            _log.error("storing an original failed", tool=tool, error=repr(exc)[:500])
            why = f"storing its original failed ({type(exc).__name__})"
        if why is None:
            return reduced
        sent = unfetchable(reduced.text, reduced.handle, why)
        tokens = self.counter.count(sent)
        return dataclasses.replace(
            reduced, text=sent, tokens=tokens, handle=None, original=None, original_text=None
        )

    def _store(self, handle: str, tool: str, kind: Literal["json", "text"], text: str) -> str | None:
        """Pack and store one original (a worker thread when large: zlib ≈0.45 s for 16 MB);
        why it was not stored, or None."""
        data = pack(text)
        if self.handles.put_packed(handle, tool, kind, data):
            return None
        return self.handles.too_large(len(data)) or "its original could not be stored"

    async def optimised(
        self,
        tool: str,
        reduced: Optimized,
        ms: float,
        *,
        is_error: bool,
        cache_key: str | None,
        beside: str = "",
    ) -> None:
        """Account a result the pipeline reduced (its raw tokens are counted after the reply);
        `beside` is sent with it unchanged (counted in both the raw and the sent tokens)."""
        account = functools.partial(
            self._account, tool, reduced, ms, now(), is_error=is_error, cache_key=cache_key, beside=beside
        )
        await self.after.defer(account)

    async def error(self, tool: str, message: str, start: float) -> types.CallToolResult:
        """The `isError` result for `message`, recorded as an error call."""
        message, replaced = clean_text(message)
        message = await off_loop(len(message) <= INLINE_CHARS, redact_text, message)  # no secret shown
        text = f"Error: {message}" + (f"\n{mark(replaced)}" if replaced else "")
        tokens = self.counter.count(text)
        await self.record(
            CallRecord(
                tool=tool,
                raw_tokens=tokens,
                sent_tokens=tokens,
                format="text",
                total_ms=(time.perf_counter() - start) * 1000,
                is_error=True,
                error=message,  # nocp://calls/recent shows it (redacted above)
            )
        )
        return types.CallToolResult(content=[types.TextContent(type="text", text=text)], is_error=True)

    async def _account(
        self,
        tool: str,
        reduced: Optimized,
        ms: float,
        ts: str,
        *,
        is_error: bool,
        cache_key: str | None,
        beside: str,
    ) -> None:
        """After the reply: count what only the stats need, evict old originals, record (the
        original itself was stored before the reply, `keep_original`)."""
        raw = reduced.uncounted.raw if reduced.uncounted is not None else None
        optimized = await off_loop(is_small(raw), settle, reduced, self.counter)
        extra = await off_loop(is_small(beside), self.counter.count, beside) if beside else 0
        if optimized.handle:
            self.handles.evict()
        self._write(
            CallRecord(
                tool=tool,
                raw_tokens=optimized.raw_tokens + extra,
                sent_tokens=optimized.tokens + extra,
                format=optimized.format,
                total_ms=ms,
                stages=optimized.stages,
                handle=optimized.handle,
                is_error=is_error,
                ts=ts,
                distillation=optimized.distillation,
            )
        )
        if cache_key is not None and self.results is not None:
            tokens = (optimized.raw_tokens, optimized.tokens)
            self.results.put(cache_key, tool, optimized.text, optimized.format, tokens, optimized.handle)


def now() -> str:
    """The current time as stored in `calls.ts` (ISO 8601, milliseconds, UTC)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")
