"""Reusing results of idempotent tools: `[per_tool.NAME] cache_ttl_s` seconds, same arguments."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import mcp_types as types

from nocp.config import Settings
from nocp.server.accounting import Accounting
from nocp.store.base import ResultBackend
from nocp.store.cache import result_key
from nocp.store.stats import CallRecord


class CachedResults:
    """The result cache as a call sees it: look a call up, say what to store it under."""

    def __init__(self, cache: ResultBackend | None, settings: Settings, accounting: Accounting) -> None:
        self._cache, self._settings, self._accounting = cache, settings, accounting

    def applies(self, tool: str) -> bool:
        """True when `tool`'s results are reused (`cache_ttl_s` > 0)."""
        return self._settings.cache_ttl_for(tool) > 0

    async def lookup(
        self, tool: str, arguments: Mapping[str, Any], start: float
    ) -> types.CallToolResult | None:
        """The stored answer to this call within the tool's TTL (recorded as a hit), if any."""
        ttl = self._settings.cache_ttl_for(tool)
        key = result_key(tool, arguments)
        hit = self._cache.get(key, ttl) if self._cache is not None and ttl > 0 else None
        if hit is None:
            return None
        text, fmt, raw_tokens, sent_tokens, handle = hit
        ms = (time.perf_counter() - start) * 1000
        await self._accounting.record(
            CallRecord(tool, raw_tokens, sent_tokens, fmt, ms, handle=handle, cache_hit=True)
        )
        return types.CallToolResult(content=[types.TextContent(type="text", text=text)])

    def key_for(
        self, tool: str, arguments: Mapping[str, Any], focus: str | None, *, cacheable: bool, is_error: bool
    ) -> str | None:
        """The key to store this call's result under, or None when it must not be stored."""
        if self._cache is None or not cacheable or is_error or not self.applies(tool):
            return None
        return result_key(tool, {**arguments, **({"focus": focus} if focus is not None else {})})
