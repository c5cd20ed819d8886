"""Resources: nocp's own (`nocp://`: the stats of every call, the config, stored originals)
and the upstream servers' (proxied, URIs unchanged).

The URIs and the field names of their JSON are a public contract — keep them.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

import mcp_types as types
from mcp.shared.exceptions import MCPError

from nocp.config import Settings
from nocp.errors import HandleNotFound, ResourceNotFound
from nocp.server.after_reply import AfterReply
from nocp.sources.upstream.hub import UpstreamHub
from nocp.store.base import HandleBackend, StatsBackend

STATS = "nocp://stats"
RECENT = "nocp://calls/recent"
TOOL_STATS_PREFIX = "nocp://stats/tools/"
OUTPUTS_PREFIX = "nocp://outputs/"
CONFIG = "nocp://config"
UPSTREAMS = "nocp://upstreams"
RECENT_LIMIT = 50
LIVE_TTL_MS = 0
"""How long a client may cache the live resources (2026-07-28 `ttlMs`): not at all, the next
call or upstream restart changes them (a 1 s cache showed an upstream as `exited` after it had
restarted)."""
STORED_TTL_MS = 3_600_000
"""An original behind a handle never changes (it expires with `[outputs] retention_days`)."""


def ttl_ms(uri: str) -> int:
    """The `ttlMs` of nocp's resource `uri` (its `cacheScope` stays private: tenant data)."""
    return STORED_TTL_MS if uri.startswith(OUTPUTS_PREFIX) else LIVE_TTL_MS


def list_resources() -> list[types.Resource]:
    """The fixed resources."""
    return [
        types.Resource(
            uri=STATS,
            name="stats",
            description="Token savings so far: calls, raw/sent/saved tokens, by format and tool.",
            mime_type="application/json",
        ),
        types.Resource(
            uri=RECENT,
            name="recent calls",
            description=f"The last {RECENT_LIMIT} tool calls, newest first, with per-stage figures.",
            mime_type="application/json",
        ),
        types.Resource(
            uri=CONFIG,
            name="config",
            description="The effective configuration (roots, limits, tools), secrets redacted.",
            mime_type="application/json",
        ),
    ]


def list_templates() -> list[types.ResourceTemplate]:
    """The parameterised resources."""
    return [
        types.ResourceTemplate(
            uri_template=TOOL_STATS_PREFIX + "{tool}",
            name="tool stats",
            description="The same figures as nocp://stats for one tool.",
            mime_type="application/json",
        ),
        types.ResourceTemplate(
            uri_template=OUTPUTS_PREFIX + "{handle}",
            name="stored output",
            description="The full original of a pruned result, by the handle its markers name.",
        ),
    ]


def read(uri: str, stats: StatsBackend, handles: HandleBackend) -> tuple[str, str]:
    """The text of resource `uri` and its MIME type.

    Raises:
        ResourceNotFound: no such resource (or handle); the message says what there is.
    """
    if uri.startswith(OUTPUTS_PREFIX):
        try:
            original = handles.get(unquote(uri[len(OUTPUTS_PREFIX) :]))
        except HandleNotFound as exc:
            raise ResourceNotFound(str(exc)) from None
        return original.text, "text/plain" if original.kind == "text" else "application/json"
    return json.dumps(_document(uri, stats), indent=2), "application/json"


def read_config(settings: Settings) -> str:
    """The JSON text of `nocp://config`: the effective settings with secrets redacted."""
    from nocp.redact import redact

    return json.dumps(redact(settings.model_dump(mode="json")), indent=2)


def _document(uri: str, stats: StatsBackend) -> Any:
    if uri == STATS:
        return stats.totals()
    if uri == RECENT:
        return stats.recent(RECENT_LIMIT)
    if uri.startswith(TOOL_STATS_PREFIX) and len(uri) > len(TOOL_STATS_PREFIX):
        return stats.totals(tool=unquote(uri[len(TOOL_STATS_PREFIX) :]))
    raise ResourceNotFound(
        f"unknown resource {uri!r}; nocp serves {STATS}, {RECENT}, {CONFIG}, "
        f"{TOOL_STATS_PREFIX}{{tool}} and {OUTPUTS_PREFIX}{{handle}}"
    )


_UPSTREAMS_RESOURCE = types.Resource(
    uri=UPSTREAMS,
    name="upstreams",
    description="The upstream MCP servers: transport, state, tool count, last error, restarts.",
    mime_type="application/json",
)


class Resources:
    """The resource requests: nocp's own resources, then the upstreams'."""

    def __init__(
        self,
        settings: Settings,
        stats: StatsBackend,
        handles: HandleBackend,
        upstreams: UpstreamHub | None,
        after: AfterReply,
    ) -> None:
        self.settings, self.stats, self.handles = settings, stats, handles
        self.upstreams, self.after = upstreams, after

    async def list(self) -> types.ListResourcesResult:
        """nocp's resources (and `nocp://upstreams` when there are upstreams), then theirs."""
        listed = list_resources()
        if self.upstreams is not None:
            listed.append(_UPSTREAMS_RESOURCE)
            listed.extend(await self.upstreams.list_resources())
        return types.ListResourcesResult(resources=listed)

    async def templates(self) -> types.ListResourceTemplatesResult:
        """nocp's resource templates, then the upstreams'."""
        templates = list_templates()
        if self.upstreams is not None:
            templates.extend(await self.upstreams.list_resource_templates())
        return types.ListResourceTemplatesResult(resource_templates=templates)

    async def read(self, uri: str) -> types.ReadResourceResult:
        """Read `uri`, once the accounting of the calls already answered is written.

        Raises:
            MCPError: no such resource.
        """
        await self.after.settled()  # the stats and outputs of the calls just answered
        if self.upstreams is not None and not uri.startswith("nocp://"):
            proxied = await self.upstreams.read_resource(uri)
            if proxied is not None:
                return proxied
        try:
            if uri == CONFIG:
                text, mime = read_config(self.settings), "application/json"
            elif uri == UPSTREAMS:
                upstreams = self.upstreams.status() if self.upstreams else []
                text, mime = json.dumps(upstreams, indent=2), "application/json"
            else:
                text, mime = read(uri, self.stats, self.handles)
        except ResourceNotFound as exc:
            raise MCPError(types.INVALID_PARAMS, str(exc)) from None  # as the SDK answers it
        contents: list[types.TextResourceContents | types.BlobResourceContents] = [
            types.TextResourceContents(uri=uri, text=text, mime_type=mime)
        ]
        return types.ReadResourceResult(contents=contents, ttl_ms=ttl_ms(uri))
