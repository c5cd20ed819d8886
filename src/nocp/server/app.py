"""The MCP server: tools from every source, each result through the pipeline, stats recorded."""

from __future__ import annotations

import dataclasses
import functools
import json
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import anyio
import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import NotificationOptions, Server
from mcp.server.models import InitializationOptions
from mcp.server.subscriptions import InMemorySubscriptionBus, ListenHandler
from mcp.shared.exceptions import MCPError
from mcp.shared.subscriptions import PromptsListChanged, ResourcesListChanged, ServerEvent, ToolsListChanged

from nocp import resources
from nocp.after_reply import AfterReply
from nocp.config import Settings
from nocp.errors import ResultError
from nocp.expand import ExpandSource
from nocp.logs import get_logger
from nocp.pipeline import CallContext, Optimized, reduce_result, settle
from nocp.pipeline.distill import Distiller
from nocp.pipeline.distill.sampling import client_sampler
from nocp.pipeline.normalize import TextBlocks
from nocp.pipeline.tokens import TokenCounter
from nocp.redact import redact_text
from nocp.sources.base import Source, ToolArgumentError, ToolDefinition
from nocp.sources.mcp_results import WireResult
from nocp.sources.python import PythonSource, load_tool_modules
from nocp.sources.upstream import UpstreamError, forward_progress
from nocp.sources.upstream_hub import UpstreamHub, UpstreamSource, exposed_name
from nocp.store.cache import DistillCache, ResultCache, database_file, result_key
from nocp.store.db import open_database
from nocp.store.handles import HandleStore
from nocp.store.stats import CallRecord, StatsStore

FOCUS_SCHEMA = {
    "type": "string",
    "description": (
        "Optional. What you are looking for in this result; when the result must be "
        "shortened, the parts most relevant to it are kept."
    ),
}

INSTRUCTIONS = (
    "nocp serves these tools and shortens their results to save context: output may be TOON "
    "(a compact table form of JSON) or compact JSON. Pass `focus` to say what you need from a "
    "result. Token savings are readable at nocp://stats."
)

RESOURCE_NOT_FOUND = -32002
UPSTREAMS_URI = "nocp://upstreams"

_log = get_logger(__name__)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Entry:
    source: Source
    definition: ToolDefinition
    adds_focus: bool


class NocpServer:
    """nocp's MCP server. `mcp_server` is the SDK server to run or to connect a client to.

    Example:
        >>> app = NocpServer(Settings(), sources=[PythonSource([my_tool])])
        >>> async with mcp.Client(app.mcp_server) as client: ...
    """

    def __init__(
        self,
        settings: Settings,
        *,
        sources: Sequence[Source] = (),
        stats: StatsStore | None = None,
        upstreams: UpstreamHub | None = None,
    ) -> None:
        self.settings = settings
        self.counter = TokenCounter(settings.tokens.encoding)
        self.stats = stats or StatsStore(open_database(settings.stats.path()))
        self.handles = HandleStore(self.stats.db, settings.outputs)
        db_file = database_file(self.stats.db)
        self.distill_cache = DistillCache(db_file) if db_file else None
        self.results = ResultCache(db_file) if db_file else None
        self.upstreams = upstreams
        self.after = AfterReply()
        self._warm = False
        self._sources = [
            *sources,
            *(upstreams.sources if upstreams else ()),
            ExpandSource(self.handles, settings),
        ]
        self._tools = _index(self._sources)
        self._session: Any = None  # the client's session, to announce list changes
        self._events = InMemorySubscriptionBus()  # … and to 2026-07-28 clients' listen streams
        self.mcp_server: _SdkServer = _SdkServer(
            "nocp",
            version=_version(),
            instructions=INSTRUCTIONS,
            lifespan=self._lifespan,
            on_list_tools=self._list_tools,
            on_call_tool=self._call_tool,
            on_list_resources=self._list_resources,
            on_list_resource_templates=self._list_templates,
            on_read_resource=self._read_resource,
            on_list_prompts=self._list_prompts,
            on_get_prompt=self._get_prompt,
            on_subscriptions_listen=ListenHandler(self._events),
        )
        self.mcp_server.announces_changes = upstreams is not None

    @classmethod
    def from_settings(cls, settings: Settings) -> NocpServer:
        """Build the server with every source the configuration names.

        Raises:
            ToolLoadError: a tool module cannot be loaded.
            SandboxError: a sandbox root of the built-in tools is not a directory.
            NocpError: the stats database cannot be opened.
        """
        from nocp.sources.builtin import builtin_sources, with_roots

        settings = with_roots(settings)
        sources: list[Source] = [PythonSource(load_tool_modules(settings.tools.modules))]
        sources += builtin_sources(settings)
        upstreams = UpstreamHub.from_settings(settings) if settings.upstream else None
        return cls(settings, sources=sources, upstreams=upstreams)

    @asynccontextmanager
    async def _lifespan(self, _: Server[Any]) -> AsyncIterator[dict[str, Any]]:
        """Start the upstream servers with the server, stop them after it; before stopping,
        finish the accounting of the last calls."""
        async with self.after.running():
            if self.upstreams is None:
                yield {}
                return
            async with self.upstreams.running(on_change=self._upstream_changed):
                self._tools = _index(self._sources)
                self.mcp_server.set_instructions(_instructions(self.upstreams))
                yield {}

    async def _upstream_changed(self, event: ServerEvent) -> None:
        """Re-announce an upstream's list change to the client: on its 2026-07-28 listen
        streams and, for older clients, as a notification."""
        if isinstance(event, ToolsListChanged):
            self._tools = _index(self._sources)
        await self._events.publish(event)
        notification = _LIST_CHANGED.get(type(event))
        if self._session is not None and notification is not None:
            try:
                await self._session.send_notification(notification())
            except Exception as exc:  # the client may be gone; its next list is right anyway
                _log.info("could not announce the list change", change=repr(event), error=repr(exc))

    async def serve_stdio(self) -> None:
        """Serve MCP over stdin/stdout until the client disconnects."""
        from mcp.server.stdio import stdio_server

        async with stdio_server() as (read, write):
            options = self.mcp_server.create_initialization_options()
            await self.mcp_server.run(read, write, options)

    async def _list_tools(
        self, ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        self._session = ctx.session
        if self.upstreams is not None and await self.upstreams.start_lazy():
            self._tools = _index(self._sources)
        if not self._warm:
            self._warm = True  # load the tokenizer (≈0.5 s) after this reply, not in the first call
            await self.after.defer(self._warm_up)
        return types.ListToolsResult(tools=[_advertise(e) for e in self._tools.values()])

    async def _warm_up(self) -> None:
        await anyio.to_thread.run_sync(self.counter.count, "warm up")

    async def _call_tool(
        self, ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        start = time.perf_counter()
        arguments = dict(params.arguments or {})
        entry = self._tools.get(params.name)
        if entry is None:
            names = ", ".join(self._tools) or "none"
            return await self._error(params.name, f"unknown tool {params.name!r}; tools: {names}", start)
        focus = arguments.pop("focus", None) if entry.adds_focus else arguments.get("focus")
        if focus is not None and not isinstance(focus, str):
            return await self._error(params.name, "`focus` must be a string (or left out)", start)
        key = result_key(params.name, params.arguments or {})
        if isinstance(entry.source, ExpandSource):
            await self.after.settled()  # the original may still be on its way to the store
        elif self.settings.cache_ttl_for(params.name) > 0:
            await self.after.settled()
            cached = await self._cached(params.name, key, start)
            if cached is not None:
                return cached
        try:
            with forward_progress(ctx.session.report_progress):
                raw = await self._run_tool(entry, arguments)
        except _ToolFailed as failed:
            return await self._error(params.name, str(failed), start)
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
                session=ctx.session,
                cacheable=raw.text_only,
            )
            return sent if sent.is_error else raw.rebuild("".join(_texts(sent)))
        return await self._optimise(params.name, raw, focus, arguments, start, session=ctx.session)

    async def _cached(self, tool: str, key: str, start: float) -> types.CallToolResult | None:
        """The result cache's answer for `key` within the tool's TTL (`cache_ttl_s`), if any."""
        ttl = self.settings.cache_ttl_for(tool)
        hit = self.results.get(key, ttl) if self.results is not None and ttl > 0 else None
        if hit is None:
            return None
        text, fmt, raw_tokens, sent_tokens, handle = hit
        ms = (time.perf_counter() - start) * 1000
        await self._record(CallRecord(tool, raw_tokens, sent_tokens, fmt, ms, handle=handle, cache_hit=True))
        return types.CallToolResult(content=[types.TextContent(type="text", text=text)])

    async def _run_tool(self, entry: _Entry, arguments: dict[str, Any]) -> Any:
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
        try:
            small = ctx.distiller is None and _small(raw)  # a distiller may wait on a model
            reduced: Optimized = await _off_loop(small, reduce_result, raw, ctx)
        except ResultError as exc:
            return await self._error(tool, f"tool {tool!r} returned a result nocp cannot send: {exc}", start)
        except Exception as exc:  # a bug in nocp must not take the server down
            _log.error("pipeline failed", tool=tool, error=repr(exc)[:500])
            return await self._error(tool, f"nocp failed to process the result of {tool!r}: {exc!r}", start)
        ms = (time.perf_counter() - start) * 1000
        cache_key = None
        if self.results is not None and cacheable and not is_error and self.settings.cache_ttl_for(tool) > 0:
            cache_key = result_key(tool, {**arguments, **({"focus": focus} if focus is not None else {})})
        account = functools.partial(
            self._account, tool, reduced, ms, _now(), is_error=is_error, cache_key=cache_key
        )
        await self.after.defer(account)
        return types.CallToolResult(content=[types.TextContent(type="text", text=reduced.text)])

    async def _account(
        self, tool: str, reduced: Optimized, ms: float, ts: str, *, is_error: bool, cache_key: str | None
    ) -> None:
        """After the reply: count what only the stats need, store the original, record."""
        raw = reduced.uncounted.raw if reduced.uncounted is not None else None
        optimized = await _off_loop(_small(raw), settle, reduced, self.counter)
        if optimized.handle and optimized.original is not None:
            self.handles.put(optimized.handle, tool, optimized.original, optimized.original_text)
        self.stats.record(
            CallRecord(
                tool=tool,
                raw_tokens=optimized.raw_tokens,
                sent_tokens=optimized.tokens,
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

    async def _record(self, record: CallRecord) -> None:
        """Record a call after its reply, in call order with the pipeline's records."""
        record = dataclasses.replace(record, ts=record.ts or _now())

        async def write() -> None:
            self.stats.record(record)

        await self.after.defer(write)

    def _distiller(self, session: Any) -> Distiller | None:
        """This call's distill hook (None when `[distill] enabled` is off)."""
        if not self.settings.distill.enabled:
            return None
        sampler = client_sampler(session) if self.settings.distill.model == "sampling" else None
        return Distiller(self.settings.distill, self.distill_cache, sampler)

    async def _expanded(self, tool: str, text: str, start: float) -> types.CallToolResult:
        """An expansion is sent as it is: it was encoded and paged, never pruned."""
        tokens = self.counter.count(text)
        await self._record(CallRecord(tool, tokens, tokens, "text", (time.perf_counter() - start) * 1000))
        return types.CallToolResult(content=[types.TextContent(type="text", text=text)])

    async def _error(self, tool: str, message: str, start: float) -> types.CallToolResult:
        text = f"Error: {message}"
        tokens = self.counter.count(text)
        await self._record(
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

    async def _list_resources(
        self, ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourcesResult:
        self._session = ctx.session
        listed = resources.list_resources()
        if self.upstreams is not None:
            listed.append(_UPSTREAMS_RESOURCE)
            listed.extend(await self.upstreams.list_resources())
        return types.ListResourcesResult(resources=listed)

    async def _list_templates(
        self, ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourceTemplatesResult:
        templates = resources.list_templates()
        if self.upstreams is not None:
            templates.extend(await self.upstreams.list_resource_templates())
        return types.ListResourceTemplatesResult(resource_templates=templates)

    async def _read_resource(
        self, ctx: ServerRequestContext[Any], params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        uri = str(params.uri)
        await self.after.settled()  # the stats and outputs of the calls just answered
        if self.upstreams is not None and not uri.startswith("nocp://"):
            proxied = await self.upstreams.read_resource(uri)
            if proxied is not None:
                return proxied
        try:
            if uri == resources.CONFIG:
                text, mime = resources.read_config(self.settings), "application/json"
            elif uri == UPSTREAMS_URI:
                upstreams = self.upstreams.status() if self.upstreams else []
                text, mime = json.dumps(upstreams, indent=2), "application/json"
            else:
                text, mime = resources.read(uri, self.stats, self.handles)
        except resources.ResourceNotFound as exc:
            raise MCPError(RESOURCE_NOT_FOUND, str(exc)) from None
        contents: list[types.TextResourceContents | types.BlobResourceContents] = [
            types.TextResourceContents(uri=uri, text=text, mime_type=mime)
        ]
        return types.ReadResourceResult(contents=contents)

    async def _list_prompts(
        self, ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListPromptsResult:
        self._session = ctx.session
        prompts = await self.upstreams.list_prompts() if self.upstreams is not None else []
        return types.ListPromptsResult(prompts=prompts)

    async def _get_prompt(
        self, ctx: ServerRequestContext[Any], params: types.GetPromptRequestParams
    ) -> types.GetPromptResult:
        if self.upstreams is None:
            raise MCPError(types.INVALID_PARAMS, f"unknown prompt {params.name!r}; nocp has none")
        try:
            return await self.upstreams.get_prompt(params.name, params.arguments)
        except UpstreamError as exc:
            raise MCPError(types.INVALID_PARAMS, str(exc)) from None


class _SdkServer(Server[Any]):
    """The SDK server, whose instructions may still change until the client asks for them.

    `initialize` (clients before 2026-07-28) is answered from the options handed to `run`,
    built by its caller (`serve_stdio`, or `mcp.Client` in memory) before `run` enters the
    lifespan — where the upstreams start and their instructions become known. So the options
    handed out are kept and `set_instructions` updates them too; `server/discover`
    (2026-07-28) reads `instructions` when asked. One connection at a time, as nocp serves.
    """

    announces_changes = False
    """Advertise `listChanged` for tools, resources and prompts (with upstreams, they change)."""
    _options: InitializationOptions | None = None

    def create_initialization_options(
        self,
        notification_options: NotificationOptions | None = None,
        experimental_capabilities: dict[str, dict[str, Any]] | None = None,
        extensions: dict[str, dict[str, Any]] | None = None,
    ) -> InitializationOptions:
        """The SDK's options, with `listChanged` when `announces_changes`; kept for updates."""
        if notification_options is None and self.announces_changes:
            notification_options = NotificationOptions(
                prompts_changed=True, resources_changed=True, tools_changed=True
            )
        self._options = super().create_initialization_options(
            notification_options, experimental_capabilities, extensions
        )
        return self._options

    def set_instructions(self, text: str) -> None:
        """Answer `initialize` and `server/discover` with `text` from now on."""
        self.instructions = text
        if self._options is not None:
            self._options.instructions = text


_LIST_CHANGED: dict[type[ServerEvent], type[types.ServerNotification]] = {
    ToolsListChanged: types.ToolListChangedNotification,
    ResourcesListChanged: types.ResourceListChangedNotification,
    PromptsListChanged: types.PromptListChangedNotification,
}
"""The notification that tells a client before 2026-07-28 of each list change."""


def _instructions(upstreams: UpstreamHub | None) -> str:
    """nocp's instructions, then each running upstream's after a line naming its tools."""
    sections = [INSTRUCTIONS]
    for source in upstreams.sources if upstreams is not None else ():
        text = (source.upstream.instructions or "").strip()
        if source.upstream.state == "running" and text:
            sections.append(_headed(source, text) if source.prefix else text)
    return "\n\n".join(sections)


def _headed(source: UpstreamSource, text: str) -> str:
    prefix = exposed_name(source.prefix, "")
    return f"Tools named {prefix}* come from the upstream server {source.upstream.name!r}:\n{text}"


class _ToolFailed(Exception):
    """A tool call failed in a way the agent should read about (isError)."""


def _index(sources: Sequence[Source]) -> dict[str, _Entry]:
    tools: dict[str, _Entry] = {}
    for source in sources:
        for definition in source.tools():
            if definition.name in tools:
                _log.warning("duplicate tool name; the first one wins", tool=definition.name)
                continue
            properties = definition.input_schema.get("properties") or {}
            tools[definition.name] = _Entry(source, definition, "focus" not in properties)
    return tools


def _advertise(entry: _Entry) -> types.Tool:
    schema = dict(entry.definition.input_schema)
    if entry.adds_focus:
        schema["properties"] = {**(schema.get("properties") or {}), "focus": FOCUS_SCHEMA}
    definition = entry.definition
    return types.Tool(
        name=definition.name,
        title=definition.title,
        description=definition.description,
        input_schema=schema,
        output_schema=definition.output_schema,
        annotations=(types.ToolAnnotations(**definition.annotations) if definition.annotations else None),
    )


def _texts(result: types.CallToolResult) -> list[str]:
    return [b.text for b in result.content if isinstance(b, types.TextContent)]


_UPSTREAMS_RESOURCE = types.Resource(
    uri=UPSTREAMS_URI,
    name="upstreams",
    description="The upstream MCP servers: transport, state, tool count, last error, restarts.",
    mime_type="application/json",
)


INLINE_CHARS = 16_000
"""Results up to this size are processed on the event loop: under a millisecond of work,
less than handing it to a worker thread and back costs."""


async def _off_loop(inline: bool, work: Callable[..., T], *args: Any) -> T:
    """`work(*args)` in a worker thread, or on the event loop when `inline`."""
    return work(*args) if inline else await anyio.to_thread.run_sync(work, *args)


def _small(raw: Any) -> bool:
    """True for text known to be at most `INLINE_CHARS` (other values: size unknown)."""
    if isinstance(raw, str):
        return len(raw) <= INLINE_CHARS
    return isinstance(raw, TextBlocks) and sum(len(text) for text in raw) <= INLINE_CHARS


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _version() -> str:
    from importlib.metadata import version

    return version("nocp")
