"""Accounting: every call becomes one stats row, written after its reply, in call order.

What only the stats need (the raw result's tokens, the original behind a handle, the result
cache's entry) is also done after the reply (`AfterReply`), so the agent never waits for it.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from datetime import UTC, datetime

import mcp_types as types

from nocp.pipeline import Optimized, settle
from nocp.pipeline.tokens import TokenCounter
from nocp.redact import redact_text
from nocp.server.after_reply import AfterReply
from nocp.server.offload import is_small, off_loop
from nocp.store.base import Stores
from nocp.store.handles import pack
from nocp.store.stats import CallRecord


class Accounting:
    """Records calls after their replies: stats rows, stored originals, cached results."""

    def __init__(self, stores: Stores, counter: TokenCounter, after: AfterReply) -> None:
        self.stats, self.handles, self.results = stores.stats, stores.handles, stores.results
        self.counter, self.after = counter, after

    async def record(self, record: CallRecord) -> None:
        """Record a call after its reply, in call order with the pipeline's records."""
        record = dataclasses.replace(record, ts=record.ts or now())

        async def write() -> None:
            self.stats.record(record)

        await self.after.defer(write)

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
        text = f"Error: {message}"
        tokens = self.counter.count(text)
        await self.record(
            CallRecord(
                tool=tool,
                raw_tokens=tokens,
                sent_tokens=tokens,
                format="text",
                total_ms=(time.perf_counter() - start) * 1000,
                is_error=True,
                error=redact_text(message),  # nocp://calls/recent shows it
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
        """After the reply: count what only the stats need, store the original, record."""
        raw = reduced.uncounted.raw if reduced.uncounted is not None else None
        optimized = await off_loop(is_small(raw), settle, reduced, self.counter)
        extra = await off_loop(is_small(beside), self.counter.count, beside) if beside else 0
        original, text = optimized.original, optimized.original_text
        if optimized.handle and original is not None and text is not None:
            data = await off_loop(is_small(text), pack, text)  # zlib: ≈0.45 s for 16 MB
            self.handles.put_packed(optimized.handle, tool, original.kind, data)
        self.stats.record(
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
