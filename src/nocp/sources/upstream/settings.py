"""The settings of upstream MCP servers: `[upstream.NAME]` (one server) and `[upstreams]` (all)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Transport = Literal["stdio", "http"]


class UpstreamSettings(BaseModel):
    """One upstream MCP server: `command` (stdio) or `url` (streamable HTTP)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    command: str | None = None
    args: tuple[str, ...] = ()
    env: dict[str, str] = {}
    cwd: Path | None = None
    url: str | None = None
    headers: dict[str, str] = {}
    prefix: str | None = None
    """Prepended to every tool name; default `NAME` + `[upstreams] separator` (`git__git_log`)."""
    start: Literal["eager", "lazy"] = "eager"
    """eager: started with the server; lazy: started on the first tools/list or call."""
    start_timeout_s: float = Field(default=30.0, gt=0)
    call_timeout_s: float | None = Field(default=None, gt=0)
    """Seconds one call may take (default `[tools] timeout_s`; `[per_tool]` still wins)."""
    structured_content: Literal["keep", "drop"] = "drop"
    """keep: forward `outputSchema` and the upstream's `structuredContent` unchanged (valid
    against it); drop: advertise no output schema and send only the optimised text."""
    required: bool = False
    """True: nocp does not serve without it — if it cannot start, nocp exits with the reason
    (`nocp wrap` sets this for the server it wraps)."""
    protocol: Literal["auto", "legacy", "2026-07-28"] = "auto"
    """The protocol era nocp speaks to it. auto: the 2025 handshake first — where a server
    may ask nocp's client for sampling, elicitation and roots in the middle of a call, and
    where logs and resource subscriptions exist — and 2026-07-28 when the server refuses it;
    legacy: the handshake only; "2026-07-28": the stateless era where the server speaks it
    (it is probed with `server/discover`), else the handshake."""
    disabled: bool = False

    @model_validator(mode="after")
    def _one_transport(self) -> UpstreamSettings:
        if (self.command is None) == (self.url is None):
            raise ValueError("give exactly one of `command` (a stdio server) or `url` (HTTP)")
        if self.url is not None and not self.url.startswith(("http://", "https://")):
            raise ValueError(f"url must start with http:// or https://, got {self.url!r}")
        return self

    @property
    def transport(self) -> Transport:
        """ "stdio" or "http"."""
        return "stdio" if self.command is not None else "http"

    def tool_prefix(self, name: str, separator: str) -> str:
        """What goes before each of this upstream's tool names."""
        return self.prefix if self.prefix is not None else f"{name}{separator}"


class UpstreamsSettings(BaseModel):
    """Settings shared by every upstream: `[upstreams]`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    separator: str = "__"
    mcp_servers: Path | None = None
    """A client config file (`{"mcpServers": {…}}`) whose servers become upstreams too;
    `[upstream.NAME]` entries win over same-named ones there."""
    breaker_failures: int = Field(default=5, ge=1)
    """Calls to one upstream that may fail in a row before its calls fail fast (its circuit
    breaker opens); a tool's own `isError` result is not a failure."""
    breaker_cooldown_s: float = Field(default=30.0, ge=0)
    """How long an open breaker fails calls at once before it lets one trial call through."""
    restart_backoff_s: float = Field(default=1.0, ge=0)
    """Wait before the second restart in a row; doubles each time, up to 30 s. Calls within
    the wait fail at once, saying when the next attempt is."""
