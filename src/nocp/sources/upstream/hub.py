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

    def __init__(self, upstream: Upstream) -> None:
        self.upstream = upstream
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
        return Outcome(raw.text_blocks(), is_error=raw.is_error, cacheable=raw.text_only, finish=raw.rebuild)


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
        """Start the eager upstreams (concurrently; failures are recorded, not raised)."""
        async with anyio.create_task_group() as tg:
            for upstream in self.upstreams:
                upstream.attach(tg, on_change)
            await self._start_all(u for u in self.upstreams if u.settings.start == "eager")
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

    async def _start_all(self, upstreams: Any) -> None:
        async with anyio.create_task_group() as starting:
            for upstream in upstreams:
                starting.start_soon(_start_quietly, upstream)


async def _start_quietly(upstream: Upstream) -> None:
    # The failure is recorded in its state, last_error and the log; the others keep serving.
    with suppress(UpstreamError):
        await upstream.start()
