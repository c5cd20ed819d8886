"""One `tools/call`: find the tool, run it within its timeout, reduce its result, account it."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import anyio
import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.server.session import ServerSession

from nocp.config import Settings
from nocp.errors import ResultError, ToolArgumentError
from nocp.logs import get_logger
from nocp.pipeline import CallContext, Optimized, reduce_result
from nocp.pipeline.distill import Distiller
from nocp.pipeline.distill.cache import SummaryCache
from nocp.pipeline.distill.sampling import client_sampler
from nocp.pipeline.tokens import TokenCounter
from nocp.server.accounting import Accounting
from nocp.server.offload import is_small, off_loop
from nocp.server.result_cache import CachedResults
from nocp.server.tools import ToolEntry
from nocp.server.wire import clean_result, clean_value, mark
from nocp.sources.base import Outcome
from nocp.sources.python import serving
from nocp.sources.upstream.connection import forward_progress
from nocp.store.stats import CallRecord

_log = get_logger(__name__)

MAX_TOOL_NAME_CHARS = 256
"""A longer tool name is refused at once (MCP tool names are at most 128 characters)."""
MAX_ARGUMENT_CHARS = 1_000_000
"""The arguments of one call, counted as the characters of their strings and keys: more is refused."""


class ToolCalls:
    """Answers `tools/call` over the tool index it is handed."""

    def __init__(
        self,
        settings: Settings,
        counter: TokenCounter,
        accounting: Accounting,
        results: CachedResults,
        distill_cache: SummaryCache | None,
        down_for: Callable[[str], str | None] | None = None,
    ) -> None:
        self.settings, self.counter = settings, counter
        self.accounting, self.results, self.distill_cache = accounting, results, distill_cache
        self.down_for = down_for
        """Why an unknown tool is not served, when its upstream is down (its tools unknown)."""

    async def call(
        self,
        tools: Mapping[str, ToolEntry],
        request: ServerRequestContext[Any],
        params: types.CallToolRequestParams,
    ) -> types.CallToolResult:
        """Run the call `params` names for the client of `request`; every failure is `isError`;
        what is sent is valid UTF-8 (lone surrogates replaced, and a marker says so)."""
        return clean_result(await self._call(tools, request, params))

    async def _call(
        self,
        tools: Mapping[str, ToolEntry],
        request: ServerRequestContext[Any],
        params: types.CallToolRequestParams,
    ) -> types.CallToolResult:
        start = time.perf_counter()
        arguments = dict(params.arguments or {})
        error = self.accounting.error
        refusal = _oversized(params.name, arguments)
        if refusal is not None:
            return await error(params.name[:MAX_TOOL_NAME_CHARS], refusal, start)
        entry = tools.get(params.name)
        if entry is None:
            down = self.down_for(params.name) if self.down_for is not None else None
            names = ", ".join(tools) or "none"
            return await error(params.name, down or f"unknown tool {params.name!r}; tools: {names}", start)
        focus = arguments.pop("focus", None) if entry.adds_focus else arguments.get("focus")
        if focus is not None and not isinstance(focus, str):
            return await error(params.name, "`focus` must be a string (or left out)", start)
        if entry.source.reads_store:
            await self.accounting.after.settled()  # what it reads may still be on its way
        elif self.results.applies(params.name):
            await self.accounting.after.settled()
            cached = await self.results.lookup(params.name, params.arguments or {}, start)
            if cached is not None:
                return cached
        try:
            with forward_progress(request.session.report_progress), serving(request):
                raw = await self._run_tool(entry, arguments)
            raw, replaced = clean_value(raw)  # stored and counted as it is sent
            outcome = entry.source.outcome(params.name, raw)
        except _ToolFailed as failed:
            return await error(params.name, str(failed), start)
        except ResultError as exc:
            return await error(
                params.name, f"tool {params.name!r} returned a result nocp cannot send: {exc}", start
            )
        if not outcome.optimise:
            return _marked(await self._as_is(params.name, outcome, start), replaced)
        sent = await self._optimise(params.name, outcome, focus, arguments, start, request.session)
        if sent.is_error or outcome.finish is None:
            return _marked(sent, replaced)
        return _marked(outcome.finish("".join(_texts(sent))), replaced)

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
            _log.info("tool raised", tool=name, error=repr(exc), exc_info=True)
            raise _ToolFailed(f"tool {name!r} raised {type(exc).__name__}: {exc}") from None

    async def _optimise(
        self,
        tool: str,
        outcome: Outcome,
        focus: str | None,
        arguments: dict[str, Any],
        start: float,
        session: ServerSession,
    ) -> types.CallToolResult:
        ctx = CallContext(
            tool, self.settings, self.counter, focus, arguments, distiller=self._distiller(session)
        )
        error = self.accounting.error
        try:
            small = ctx.distiller is None and is_small(outcome.value)  # a distiller may wait on a model
            reduced: Optimized = await off_loop(small, reduce_result, outcome.value, ctx)
        except ResultError as exc:
            return await error(tool, f"tool {tool!r} returned a result nocp cannot send: {exc}", start)
        except Exception as exc:  # a bug in nocp must not take the server down
            _log.error("pipeline failed", tool=tool, error=repr(exc)[:500], exc_info=True)
            return await error(tool, f"nocp failed to process the result of {tool!r}: {exc!r}", start)
        reduced = await self.accounting.keep_original(tool, reduced)  # durable before it is named
        ms = (time.perf_counter() - start) * 1000
        is_error, cacheable = outcome.is_error, outcome.cacheable
        cache_key = self.results.key_for(tool, arguments, focus, cacheable=cacheable, is_error=is_error)
        await self.accounting.optimised(
            tool, reduced, ms, is_error=is_error, cache_key=cache_key, beside=outcome.beside
        )
        return types.CallToolResult(content=[types.TextContent(type="text", text=reduced.text)])

    def _distiller(self, session: ServerSession) -> Distiller | None:
        """This call's distill hook (None when `[distill] enabled` is off)."""
        if not self.settings.distill.enabled:
            return None
        sampler = client_sampler(session) if self.settings.distill.model == "sampling" else None
        return Distiller(self.settings.distill, self.distill_cache, sampler)

    async def _as_is(self, tool: str, outcome: Outcome, start: float) -> types.CallToolResult:
        """A result its source says is fit to send (an expansion: encoded and paged, never
        pruned): sent as it is, counted once."""
        text: str = outcome.value
        tokens = self.counter.count(text)
        ms = (time.perf_counter() - start) * 1000
        await self.accounting.record(CallRecord(tool, tokens, tokens, "text", ms, expands=outcome.expands))
        return types.CallToolResult(content=[types.TextContent(type="text", text=text)])


class _ToolFailed(Exception):
    """A tool call failed in a way the agent should read about (isError)."""


def _oversized(name: str, arguments: dict[str, Any]) -> str | None:
    """Why a call is refused before anything runs: a tool name or arguments past the limits."""
    if len(name) > MAX_TOOL_NAME_CHARS:
        return (
            f"a tool name of {len(name):,} characters ({name[:40]!r}…) is longer than "
            f"{MAX_TOOL_NAME_CHARS}; call a tool listed by tools/list"
        )
    size = _chars(arguments, MAX_ARGUMENT_CHARS)
    if size > MAX_ARGUMENT_CHARS:
        return (
            f"the arguments of {name!r} are over {MAX_ARGUMENT_CHARS:,} characters; "
            "pass less (a path, a query or a reference instead of the content)"
        )
    return None


def _chars(value: Any, limit: int) -> int:
    """The characters of the strings (keys too) in `value`, counted until past `limit`."""
    if isinstance(value, str):
        return len(value)
    total = 0
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        total += (len(key) if isinstance(key, str) else 0) + _chars(item, limit - total)
        if total > limit:
            break
    return total


def _marked(result: types.CallToolResult, replaced: int) -> types.CallToolResult:
    """`result` with the marker line saying `replaced` characters were replaced (if any)."""
    if not replaced:
        return result
    note = types.TextContent(type="text", text=mark(replaced))
    return result.model_copy(update={"content": [*result.content, note]})


def _texts(result: types.CallToolResult) -> list[str]:
    return [b.text for b in result.content if isinstance(b, types.TextContent)]
