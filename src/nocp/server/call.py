"""One `tools/call`: find the tool, run it within its timeout, reduce its result, account it."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import anyio
import mcp_types as types

from nocp.config import Settings
from nocp.errors import ResultError, ToolArgumentError
from nocp.logs import get_logger
from nocp.pipeline import CallContext, Optimized, reduce_result
from nocp.pipeline.distill import Distiller
from nocp.pipeline.distill.sampling import client_sampler
from nocp.pipeline.tokens import TokenCounter
from nocp.server.accounting import Accounting
from nocp.server.offload import is_small, off_loop
from nocp.server.result_cache import CachedResults
from nocp.server.tools import ToolEntry
from nocp.sources.expand import ExpandSource
from nocp.sources.upstream.connection import forward_progress
from nocp.sources.upstream.results import WireResult
from nocp.store.cache import DistillCache
from nocp.store.stats import CallRecord

_log = get_logger(__name__)


class ToolCalls:
    """Answers `tools/call` over the tool index it is handed."""

    def __init__(
        self,
        settings: Settings,
        counter: TokenCounter,
        accounting: Accounting,
        results: CachedResults,
        distill_cache: DistillCache | None,
    ) -> None:
        self.settings, self.counter = settings, counter
        self.accounting, self.results, self.distill_cache = accounting, results, distill_cache

    async def call(
        self, tools: Mapping[str, ToolEntry], session: Any, params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        """Run the call `params` names for the client of `session`; every failure is `isError`."""
        start = time.perf_counter()
        arguments = dict(params.arguments or {})
        entry = tools.get(params.name)
        error = self.accounting.error
        if entry is None:
            names = ", ".join(tools) or "none"
            return await error(params.name, f"unknown tool {params.name!r}; tools: {names}", start)
        focus = arguments.pop("focus", None) if entry.adds_focus else arguments.get("focus")
        if focus is not None and not isinstance(focus, str):
            return await error(params.name, "`focus` must be a string (or left out)", start)
        after = self.accounting.after
        if isinstance(entry.source, ExpandSource):
            await after.settled()  # the original may still be on its way to the store
        elif self.results.applies(params.name):
            await after.settled()
            cached = await self.results.lookup(params.name, params.arguments or {}, start)
            if cached is not None:
                return cached
        try:
            with forward_progress(session.report_progress):
                raw = await self._run_tool(entry, arguments)
        except _ToolFailed as failed:
            return await error(params.name, str(failed), start)
        if isinstance(entry.source, ExpandSource):
            return await self._expanded(params.name, raw, start)
        if isinstance(raw, WireResult):  # an upstream's: optimise its text blocks only
            sent = await self._optimise(
                params.name,
                raw.text_blocks(),
                focus,
                arguments,
                start,
                is_error=raw.is_error,
                session=session,
                cacheable=raw.text_only,
            )
            return sent if sent.is_error else raw.rebuild("".join(_texts(sent)))
        return await self._optimise(params.name, raw, focus, arguments, start, session=session)

    async def _run_tool(self, entry: ToolEntry, arguments: dict[str, Any]) -> Any:
        name = entry.definition.name
        timeout = self.settings.timeout_for(name, entry.definition.timeout_s)
        try:
            with anyio.fail_after(timeout):
                return await entry.source.call(name, arguments)
        except TimeoutError:
            raise _ToolFailed(
                f"tool {name!r} did not finish within {timeout:g} s and was stopped; try a narrower request"
            ) from None
        except ToolArgumentError as exc:
            raise _ToolFailed(f"invalid arguments for tool {name!r}: {exc}") from None
        except Exception as exc:  # the tool's own failure, reported to the agent as isError
            _log.info("tool raised", tool=name, error=repr(exc))
            raise _ToolFailed(f"tool {name!r} raised {type(exc).__name__}: {exc}") from None

    async def _optimise(
        self,
        tool: str,
        raw: Any,
        focus: str | None,
        arguments: dict[str, Any],
        start: float,
        *,
        is_error: bool = False,  # an upstream's isError result: still optimised, counted as error
        session: Any = None,
        cacheable: bool = True,
    ) -> types.CallToolResult:
        ctx = CallContext(
            tool, self.settings, self.counter, focus, arguments, distiller=self._distiller(session)
        )
        error = self.accounting.error
        try:
            small = ctx.distiller is None and is_small(raw)  # a distiller may wait on a model
            reduced: Optimized = await off_loop(small, reduce_result, raw, ctx)
        except ResultError as exc:
            return await error(tool, f"tool {tool!r} returned a result nocp cannot send: {exc}", start)
        except Exception as exc:  # a bug in nocp must not take the server down
            _log.error("pipeline failed", tool=tool, error=repr(exc)[:500])
            return await error(tool, f"nocp failed to process the result of {tool!r}: {exc!r}", start)
        ms = (time.perf_counter() - start) * 1000
        cache_key = self.results.key_for(tool, arguments, focus, cacheable=cacheable, is_error=is_error)
        await self.accounting.optimised(tool, reduced, ms, is_error=is_error, cache_key=cache_key)
        return types.CallToolResult(content=[types.TextContent(type="text", text=reduced.text)])

    def _distiller(self, session: Any) -> Distiller | None:
        """This call's distill hook (None when `[distill] enabled` is off)."""
        if not self.settings.distill.enabled:
            return None
        sampler = client_sampler(session) if self.settings.distill.model == "sampling" else None
        return Distiller(self.settings.distill, self.distill_cache, sampler)

    async def _expanded(self, tool: str, text: str, start: float) -> types.CallToolResult:
        """An expansion is sent as it is: it was encoded and paged, never pruned."""
        tokens = self.counter.count(text)
        ms = (time.perf_counter() - start) * 1000
        await self.accounting.record(CallRecord(tool, tokens, tokens, "text", ms))
        return types.CallToolResult(content=[types.TextContent(type="text", text=text)])


class _ToolFailed(Exception):
    """A tool call failed in a way the agent should read about (isError)."""


def _texts(result: types.CallToolResult) -> list[str]:
    return [b.text for b in result.content if isinstance(b, types.TextContent)]
