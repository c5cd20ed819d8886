"""The adapter to the MCP SDK's low-level server, and nocp's instructions to the client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mcp_types as types
from mcp.server.lowlevel import NotificationOptions, Server
from mcp.server.models import InitializationOptions
from mcp.shared._stream_protocols import ReadStream, WriteStream
from mcp.shared.message import SessionMessage

from nocp.server.wire import AnsweredRead, SafeWrite
from nocp.sources.upstream.hub import UpstreamHub, UpstreamSource
from nocp.sources.upstream.naming import exposed_name

INSTRUCTIONS = (
    "nocp serves these tools and shortens their results to save context: output may be TOON "
    "(a compact table form of JSON) or compact JSON. Pass `focus` to say what you need from a "
    "result. Token savings are readable at nocp://stats."
)


class SdkServer(Server[Any]):
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
    _notification_options: NotificationOptions | None = None
    mirror: Callable[[types.ServerCapabilities], types.ServerCapabilities] | None = None
    """Trims the capabilities the handlers imply to what the upstreams really offer."""

    async def run(
        self,
        read_stream: ReadStream[SessionMessage | Exception],
        write_stream: WriteStream[SessionMessage],
        initialization_options: InitializationOptions,
        raise_exceptions: bool = False,
    ) -> None:
        """Serve one connection (the SDK's `run`), sending only valid UTF-8 (`SafeWrite`) and
        answering lines that are not JSON-RPC (`AnsweredRead`: -32700 / -32600, `id: null`)."""
        write = SafeWrite(write_stream)
        read = AnsweredRead(read_stream, write)
        await super().run(read, write, initialization_options, raise_exceptions)

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
        self._notification_options = notification_options
        self._options = super().create_initialization_options(
            notification_options, experimental_capabilities, extensions
        )
        return self._options

    def get_capabilities(
        self,
        notification_options: NotificationOptions | None = None,
        experimental_capabilities: dict[str, dict[str, Any]] | None = None,
        extensions: dict[str, dict[str, Any]] | None = None,
        *,
        protocol_version: str | None = None,
    ) -> types.ServerCapabilities:
        """The SDK's capabilities for the handlers nocp has, trimmed by `mirror`."""
        capabilities = super().get_capabilities(
            notification_options, experimental_capabilities, extensions, protocol_version=protocol_version
        )
        return self.mirror(capabilities) if self.mirror is not None else capabilities

    def refresh_capabilities(self) -> None:
        """Answer `initialize` with the capabilities as they are now (the upstreams started)."""
        if self._options is not None:
            self._options.capabilities = self.get_capabilities(self._notification_options)

    def set_instructions(self, text: str) -> None:
        """Answer `initialize` and `server/discover` with `text` from now on."""
        self.instructions = text
        if self._options is not None:
            self._options.instructions = text


def instructions(upstreams: UpstreamHub | None) -> str:
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
