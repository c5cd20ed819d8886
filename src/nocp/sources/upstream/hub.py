"""Every configured upstream server (`UpstreamHub`) and the tools, resources and prompts they
expose through nocp (`UpstreamSource`), all under one naming rule (`naming.ExposedNames`:
`PREFIX + name` made safe for clients; the prefix is `NAME__` unless configured)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager, suppress
from typing import Any

import anyio
import mcp_types as types
from mcp.shared.exceptions import MCPError

from nocp.config.models import Settings
from nocp.errors import UpstreamError
from nocp.logs import get_logger
from nocp.sources.base import Outcome, ToolDefinition
from nocp.sources.upstream.connection import OnChange, Upstream, all_pages
from nocp.sources.upstream.relay import ClientChannel
from nocp.sources.upstream.results import WireResult

__all__ = ["UpstreamHub", "UpstreamSource"]

_log = get_logger(__name__)


async def _pages(upstream: Upstream, method: str, field: str) -> list[Any]:
    """Every item of a paginated list request to one upstream ([] when it fails)."""
    try:
        return await all_pages(await upstream.client(), method, field)
    except (MCPError, UpstreamError) as exc:
        _log.warning("upstream list failed", upstream=upstream.name, method=method, error=str(exc))
        return []


class UpstreamSource:
    """The tools of one upstream, under their exposed names (`Source` contract)."""

    reads_store = False
    adds_tools = False

    def __init__(self, upstream: Upstream) -> None:
        self.upstream = upstream
        self.origin: str | None = upstream.name
        self.prefix = upstream.names.prefix

    def tools(self) -> list[ToolDefinition]:
        """The upstream's tools as last listed (none before it started)."""
        keep = self.upstream.settings.structured_content == "keep"
        definitions = []
        for tool in self.upstream.tools:
            name = self.upstream.names.expose(tool.name)
            annotations = tool.annotations.model_dump(exclude_none=True) if tool.annotations else {}
            definitions.append(
                ToolDefinition(
                    name=name,
                    description=tool.description or "",
                    input_schema=dict(tool.input_schema),
                    timeout_s=self.upstream.settings.call_timeout_s,
                    annotations=annotations,
                    output_schema=dict(tool.output_schema) if keep and tool.output_schema else None,
                    title=tool.title,
                )
            )
        return definitions

    async def call(self, name: str, arguments: Mapping[str, Any]) -> WireResult:
        """Forward the call; the result keeps its blocks, `isError` and (if kept) structure."""
        upstream_name = self.upstream.names.original(name) or name
        return await self.upstream.call(upstream_name, arguments)

    def outcome(self, name: str, raw: WireResult) -> Outcome:
        """Its text blocks are optimised; the reply keeps the other blocks, `isError` and (when
        kept) the structure; it may be cached only when the text is the whole result."""
        return Outcome(
            raw.text_blocks(),
            is_error=raw.is_error,
            cacheable=raw.text_only,
            finish=raw.rebuild,
            beside=raw.sent_as_is(),
        )


class UpstreamHub:
    """Every configured upstream, started with the server and stopped after it.

    Example:
        >>> hub = UpstreamHub.from_settings(settings)
        >>> async with hub.running(on_change=reindex): ...
    """

    def __init__(self, upstreams: list[Upstream]) -> None:
        self.upstreams = upstreams
        self.sources = [UpstreamSource(u) for u in upstreams]
        self._lazy_started = False
        self._resource_owner: dict[str, Upstream] = {}
        self._template_owner: dict[str, Upstream] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> UpstreamHub:
        """One `Upstream` per enabled `[upstream.NAME]` (and `mcp_servers` entry)."""
        return cls(
            [
                Upstream(name, upstream, settings.upstreams)
                for name, upstream in settings.upstream.items()
                if not upstream.disabled
            ]
        )

    @asynccontextmanager
    async def running(self, on_change: OnChange | None = None) -> AsyncIterator[None]:
        """Start the eager upstreams (concurrently; failures are recorded, not raised, but
        for a `required` upstream).

        Raises:
            UpstreamError: a required upstream could not start (the message says why).
        """
        async with anyio.create_task_group() as tg:
            for upstream in self.upstreams:
                upstream.attach(tg, on_change)
            await self._start_all(u for u in self.upstreams if u.settings.start == "eager")
            for upstream in self.upstreams:
                if upstream.settings.required and upstream.state != "running":
                    tg.cancel_scope.cancel()
                    raise UpstreamError(f"upstream {upstream.name!r} could not start: {upstream.last_error}")
            try:
                yield
            finally:
                for upstream in self.upstreams:
                    await upstream.stop()

    async def start_lazy(self) -> bool:
        """Start the lazy upstreams once (on the first tools/list); True if any started."""
        if self._lazy_started:
            return False
        self._lazy_started = True
        lazy = [u for u in self.upstreams if u.settings.start == "lazy" and u.state == "stopped"]
        await self._start_all(lazy)
        return bool(lazy)

    def status(self) -> list[dict[str, Any]]:
        """`nocp://upstreams`: one row per upstream."""
        return [u.status() for u in self.upstreams]

    def _serving(self, capability: str) -> list[Upstream]:
        return [u for u in self.upstreams if u.offers(capability)]

    async def list_resources(self) -> list[types.Resource]:
        """The running upstreams' resources under their exposed names, URIs unchanged."""
        listed = await self._listed("resources", "list_resources", "resources")
        for upstream, resource in listed:
            self._resource_owner[resource.uri] = upstream
        return [resource for _, resource in listed]

    async def list_resource_templates(self) -> list[types.ResourceTemplate]:
        """The running upstreams' resource templates under their exposed names."""
        listed = await self._listed("resources", "list_resource_templates", "resource_templates")
        for upstream, template in listed:
            self._template_owner[template.uri_template] = upstream
        return [template for _, template in listed]

    async def _listed(self, capability: str, method: str, field: str) -> list[tuple[Upstream, Any]]:
        """Every item of a list request to the running upstreams that offer `capability`,
        under its exposed name, with the upstream it came from."""
        listed = []
        for upstream in self._serving(capability):
            for item in await _pages(upstream, method, field):
                name = upstream.names.expose(item.name)
                listed.append((upstream, item.model_copy(update={"name": name})))
        return listed

    async def read_resource(self, uri: str) -> types.ReadResourceResult | None:
        """Read `uri` from the upstream that listed it (else the first that has it); None: none."""
        owner = self._resource_owner.get(uri)
        candidates = [owner] if owner else self._serving("resources")
        for upstream in candidates:
            try:
                return await (await upstream.client()).read_resource(uri)
            except (MCPError, UpstreamError) as exc:  # not this upstream's, or it is down
                _log.info("upstream resource read failed", upstream=upstream.name, error=str(exc))
        return None

    async def list_prompts(self) -> list[types.Prompt]:
        """The running upstreams' prompts under their exposed names."""
        return [prompt for _, prompt in await self._listed("prompts", "list_prompts", "prompts")]

    async def get_prompt(self, name: str, arguments: dict[str, str] | None) -> types.GetPromptResult:
        """Get the prompt exposed as `name` from its upstream.

        Raises:
            UpstreamError: no upstream has that name, or it cannot serve the prompt.
        """
        for upstream in self.upstreams:
            original = upstream.names.original(name)
            if original is not None:
                client = await upstream.client()
                try:
                    return await client.get_prompt(original, arguments)
                except MCPError as exc:
                    raise UpstreamError(f"upstream {upstream.name!r}: {exc}") from None
        names = ", ".join(u.name for u in self.upstreams)
        raise UpstreamError(f"unknown prompt {name!r}; prompts are named UPSTREAM__prompt ({names})")

    def down_for(self, tool: str) -> str | None:
        """Why `tool` is not served, when it carries the prefix of an upstream that is down
        (its tools are unknown until it runs); None otherwise."""
        for upstream in self.upstreams:
            prefix = upstream.names.prefix
            if prefix and tool.startswith(prefix) and upstream.state in ("failed", "exited", "stopped"):
                why = upstream.last_error or "it has not started yet"
                return (
                    f"tool {tool!r} belongs to upstream {upstream.name!r}, which is {upstream.state} "
                    f"({why}); see nocp://upstreams"
                )
        return None

    def connect_client(self, channel: ClientChannel) -> None:
        """What the upstreams ask outside a call (roots at start-up, logs) goes to `channel`."""
        for upstream in self.upstreams:
            upstream.channel = channel

    def offers(self, capability: str) -> bool:
        """True when some running upstream declared `capability` ("logging", "completions"…)."""
        return bool(self._serving(capability))

    def subscribable(self) -> bool:
        """True when some running upstream lets a client subscribe to its resources."""
        return any(u.resources_subscribe for u in self.upstreams)

    async def set_log_level(self, level: types.LoggingLevel) -> None:
        """Pass the client's `logging/setLevel` on to every upstream that logs (2025 era)."""
        for upstream in self._serving("logging"):
            try:
                await upstream.set_log_level(level)
            except MCPError as exc:
                _log.warning("upstream refused logging/setLevel", upstream=upstream.name, error=str(exc))

    async def subscribe(self, uri: str, *, subscribe: bool = True) -> None:
        """(Un)subscribe the client to `uri` at the upstream that listed it, else at every
        upstream that offers subscriptions.

        Raises:
            UpstreamError: no running upstream offers resource subscriptions.
        """
        owner = self._resource_owner.get(uri)
        candidates = [owner] if owner and owner.resources_subscribe else []
        candidates = candidates or [u for u in self.upstreams if u.resources_subscribe]
        if not candidates:
            raise UpstreamError(f"no upstream offers subscriptions to resources (asked for {uri!r})")
        for upstream in candidates:
            try:
                await upstream.watch_resource(uri, watch=subscribe)
            except MCPError as exc:
                raise UpstreamError(f"upstream {upstream.name!r}: {exc}") from None

    async def complete(self, params: types.CompleteRequestParams) -> types.CompleteResult:
        """Completions for a prompt's argument (by its exposed name) or a resource template's
        (by its URI template), from the upstream that offers it.

        Raises:
            UpstreamError: no upstream has that prompt or template, or it refused.
        """
        ref = params.ref
        owners: list[tuple[Upstream, types.PromptReference | types.ResourceTemplateReference]]
        if isinstance(ref, types.PromptReference):
            found = [(u, u.names.original(ref.name)) for u in self._serving("completions")]
            owners = [(u, ref.model_copy(update={"name": name})) for u, name in found if name is not None]
        else:
            owner = self._template_owner.get(ref.uri)
            owners = [(u, ref) for u in ([owner] if owner else self._serving("completions"))]
        for upstream, upstream_ref in owners:
            client = await upstream.client()
            request = types.CompleteRequest(
                params=params.model_copy(update={"ref": upstream_ref, "meta": None})
            )
            try:
                return await client.session.send_request(request, types.CompleteResult)
            except MCPError as exc:
                if len(owners) == 1:
                    raise UpstreamError(f"upstream {upstream.name!r}: {exc}") from None
        what = ref.name if isinstance(ref, types.PromptReference) else ref.uri
        raise UpstreamError(f"no upstream completes {what!r}")

    async def roots_changed(self) -> None:
        """Tell every running 2025-era upstream that the client's roots changed."""
        for upstream in self.upstreams:
            client = upstream.live_client()
            if client is not None and not upstream.modern:
                with suppress(Exception):  # a notification; the upstream may be going
                    await client.session.send_notification(types.RootsListChangedNotification())

    async def _start_all(self, upstreams: Any) -> None:
        async with anyio.create_task_group() as starting:
            for upstream in upstreams:
                starting.start_soon(_start_quietly, upstream)


async def _start_quietly(upstream: Upstream) -> None:
    # The failure is recorded in its state, last_error and the log; the others keep serving.
    with suppress(UpstreamError):
        await upstream.start()
