"""`NocpServer`: the wiring of stores, sources and request handlers around the SDK server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.shared.subscriptions import ServerEvent, ToolsListChanged

from nocp.config import Settings
from nocp.logs import get_logger
from nocp.pipeline.tokens import TokenCounter
from nocp.server.accounting import Accounting
from nocp.server.after_reply import AfterReply
from nocp.server.announce import ListChanges
from nocp.server.call import ToolCalls
from nocp.server.channel import CallChannel, ConnectionChannel
from nocp.server.input_required import InputCalls, PendingInput
from nocp.server.overhead import SessionCosts
from nocp.server.prompts import get_prompt, list_prompts
from nocp.server.proxied import Proxied, mirror
from nocp.server.resources import Resources
from nocp.server.result_cache import CachedResults
from nocp.server.sdk import INSTRUCTIONS, SdkServer, instructions
from nocp.server.tools import advertise, index_tools
from nocp.sources.base import Source
from nocp.sources.expand import ExpandSource
from nocp.sources.python import PythonSource, load_tool_modules
from nocp.sources.upstream.hub import UpstreamHub
from nocp.sources.upstream.relay import relaying
from nocp.store.base import Stores
from nocp.store.open import open_stores
from nocp.store.stats import StatsStore

_log = get_logger(__name__)


class NocpServer:
    """nocp's MCP server over your own functions (`tools`) and any other sources.

    `run()` serves it over stdio; `mcp_server` is the SDK server, to run on another transport
    or to connect a client to in memory. `from_settings` builds one with everything the
    configuration names (tool modules, built-ins, upstreams), as `nocp serve` does.

    Raises:
        ToolLoadError: a function in `tools` cannot be served (the message says why).
        StoreError: the stats database cannot be opened.

    Example:
        >>> from nocp import NocpServer, Settings, tool
        >>> @tool
        ... def list_users(team: str) -> list[dict]: ...
        >>> NocpServer(Settings(), tools=[list_users]).run()
    """

    def __init__(
        self,
        settings: Settings,
        *,
        tools: Sequence[Callable[..., Any]] = (),
        sources: Sequence[Source] = (),
        stats: StatsStore | None = None,
        upstreams: UpstreamHub | None = None,
        stores: Stores | None = None,
    ) -> None:
        if tools:
            sources = [PythonSource(tools), *sources]
        self.settings = settings
        self.counter = TokenCounter(settings.tokens.encoding)
        self.stores = stores or open_stores(settings, stats=stats)
        self.stats, self.handles = self.stores.stats, self.stores.handles
        self.upstreams = upstreams
        self.after = AfterReply()
        self._warm = False
        self._sources = [
            *sources,
            *(upstreams.sources if upstreams else ()),
            ExpandSource(self.handles, settings),
        ]
        self._tools = index_tools(self._sources)
        accounting = Accounting(self.stores, self.counter, self.after, self._upstream_of)
        self._costs = SessionCosts(self.stats, self.counter, self.after)
        cached = CachedResults(self.stores.results, settings, accounting)
        down_for = upstreams.down_for if upstreams is not None else None
        self._calls = ToolCalls(settings, self.counter, accounting, cached, self.stores.summaries, down_for)
        self._resources = Resources(settings, self.stats, self.handles, upstreams, self.after)
        self._changes = ListChanges()
        self._connection = ConnectionChannel()  # the client, for what upstreams ask outside calls
        self._proxied = Proxied(upstreams, self._connection, self._changes)
        self._input_calls = InputCalls()
        self.mcp_server: SdkServer = SdkServer(
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
            on_completion=self._proxied.complete,
            on_subscribe_resource=self._proxied.subscribe,
            on_unsubscribe_resource=self._proxied.unsubscribe,
            on_subscriptions_listen=self._proxied.listen,
        )
        self._proxied.register(self.mcp_server)
        self.mcp_server.mirror = mirror(upstreams)
        self.mcp_server.announces_changes = upstreams is not None

    @classmethod
    def from_settings(
        cls, settings: Settings, *, roots: Sequence[Path] = (), stores: Stores | None = None
    ) -> NocpServer:
        """Build the server with every source the configuration names; the built-ins read in
        `roots` (`--root`), else the configured roots, else the working directory; `stores`
        (else the configured ones: `[store] url`, or the SQLite file).

        Raises:
            ToolLoadError: a tool module cannot be loaded.
            SandboxError: a sandbox root of the built-in tools is not a directory.
            NocpError: the stats database cannot be opened.
        """
        from nocp.sources.builtin import builtin_sources

        settings = settled(settings, roots)
        sources: list[Source] = [PythonSource(load_tool_modules(settings.tools.modules))]
        sources += builtin_sources(settings)
        upstreams = UpstreamHub.from_settings(settings) if settings.upstream else None
        return cls(settings, sources=sources, upstreams=upstreams, stores=stores)

    @asynccontextmanager
    async def _lifespan(self, _: Server[Any]) -> AsyncIterator[dict[str, Any]]:
        """Start the upstream servers with the server, stop them after it; before stopping,
        finish the accounting of the last calls."""
        async with self.after.running(), anyio.create_task_group() as calls:
            self._input_calls.attach(calls)  # calls that wait for a 2026-07-28 client's input
            try:
                if self.upstreams is None:
                    yield {}
                    return
                self.upstreams.connect_client(self._connection)
                async with self.upstreams.running(on_change=self._upstream_changed):
                    self._tools = index_tools(self._sources)
                    self.mcp_server.set_instructions(instructions(self.upstreams))
                    self.mcp_server.refresh_capabilities()
                    yield {}
            finally:
                calls.cancel_scope.cancel()

    async def _upstream_changed(self, event: ServerEvent) -> None:
        """Re-announce an upstream's list change to the client: on its 2026-07-28 listen
        streams and, for older clients, as a notification."""
        if isinstance(event, ToolsListChanged):
            self._tools = index_tools(self._sources)
        await self._changes.announce(event)

    def run(self) -> None:
        """Serve MCP over stdin/stdout until the client disconnects (blocks)."""
        anyio.run(self.serve_stdio)

    async def serve_stdio(self) -> None:
        """Serve MCP over stdin/stdout until the client disconnects. stdout is the protocol:
        when the application configured no logging, the log goes to stderr (`ensure_logging`)."""
        from mcp.server.stdio import stdio_server

        from nocp.logs import ensure_logging

        ensure_logging()
        async with stdio_server() as (read, write):
            options = self.mcp_server.create_initialization_options()
            await self.mcp_server.run(read, write, options)

    async def _list_tools(
        self, ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        self._changes.watch(ctx.session)
        if self.upstreams is not None and await self.upstreams.start_lazy():
            self._tools = index_tools(self._sources)
        if not self._warm:
            self._warm = True  # load the tokenizer and the store after this reply, not in the first call
            await self.after.defer(self._warm_up)
        tools = [advertise(e) for e in self._tools.values()]
        await self._costs.listed(ctx.session, self._tools, tools)  # counted after the warm-up
        return types.ListToolsResult(tools=tools)

    def _upstream_of(self, tool: str) -> str | None:
        entry = self._tools.get(tool)
        return entry.source.origin if entry is not None else None

    async def _warm_up(self) -> None:
        """Load the tokenizer and the store's library (sqlite-utils, ≈0.65 s) and bring the
        schema up to date, in a worker thread: off the start-up path, before the first call
        needs them (a call that comes first waits for the import it needs, no more)."""
        await anyio.to_thread.run_sync(self.counter.count, "warm up")
        await anyio.to_thread.run_sync(self.stores.prepare)

    async def _call_tool(
        self, ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult | types.InputRequiredResult:
        """Run the call; what an upstream asks meanwhile goes to this client, within the call
        (clients before 2026-07-28) or as `input_required` rounds (2026-07-28)."""
        self._connection.connect(ctx.session)
        channel = CallChannel(ctx, self._connection)
        if not channel.modern or self.upstreams is None:
            with relaying(channel):
                return await self._calls.call(self._tools, ctx, params)

        async def start(pending: PendingInput) -> types.CallToolResult:
            channel.pending = pending
            with relaying(channel):
                return await self._calls.call(self._tools, ctx, params)

        return await self._input_calls.run(params, start)

    async def _list_resources(
        self, ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourcesResult:
        self._changes.watch(ctx.session)
        return await self._resources.list()

    async def _list_templates(
        self, ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourceTemplatesResult:
        return await self._resources.templates()

    async def _read_resource(
        self, ctx: ServerRequestContext[Any], params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        return await self._resources.read(str(params.uri))

    async def _list_prompts(
        self, ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListPromptsResult:
        self._changes.watch(ctx.session)
        return await list_prompts(self.upstreams)

    async def _get_prompt(
        self, ctx: ServerRequestContext[Any], params: types.GetPromptRequestParams
    ) -> types.GetPromptResult:
        return await get_prompt(self.upstreams, params)


def settled(settings: Settings, roots: Sequence[Path] = ()) -> Settings:
    """`settings` as a server instance serves them: the sandbox roots settled (`roots`, else
    the configured ones, else the working directory) and the store's namespace fixed from them
    (`store.scope.namespace_of`), so the instance sees only its own rows of a shared database.
    Settling twice changes nothing."""
    from nocp.sources.builtin import with_roots
    from nocp.store.scope import namespace_of

    settings = with_roots(settings, roots)  # the one place the roots are settled
    store = settings.store.model_copy(update={"namespace": namespace_of(settings)})
    return settings.model_copy(update={"store": store})


def _version() -> str:
    from nocp.version import version

    return version()
