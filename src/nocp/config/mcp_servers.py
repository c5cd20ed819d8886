"""Configuration of upstream MCP servers: `[upstream.NAME]`, `[upstreams]`, and `mcpServers` JSON.

Two shapes describe the same thing:

    [upstream.git]                      # nocp.toml
    command = "uvx"
    args = ["mcp-server-git", "--repository", "."]

    {"mcpServers": {"git": {"command": "uvx", "args": ["mcp-server-git"]}}}   # client JSON

`mcp_servers_to_upstreams` turns the second into the first, so a user can point nocp at the
config file their client already has (`[upstreams] mcp_servers = "…/claude_desktop_config.json"`
or `nocp serve --config that.json`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from nocp.errors import ConfigError

if TYPE_CHECKING:
    from nocp.config import Settings

Transport = Literal["stdio", "http"]

_TYPE_ALIASES: dict[str, Transport] = {
    "stdio": "stdio",
    "http": "http",
    "streamable-http": "http",
    "streamable_http": "http",
    "streamableHttp": "http",
}


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
    restart_backoff_s: float = Field(default=1.0, ge=0)
    """Wait before the second restart in a row; doubles each time, up to 30 s. Calls within
    the wait fail at once, saying when the next attempt is."""


def mcp_servers_to_upstreams(data: Mapping[str, Any], source: str) -> dict[str, dict[str, Any]]:
    """`{"mcpServers": {NAME: {...}}}` → `{NAME: [upstream.NAME] table}`.

    Claude Desktop, Cursor and Claude Code share this shape: `command`/`args`/`env`/`cwd`, or
    `url`/`headers` with an optional `type` ("stdio", "http", "streamable-http").

    Raises:
        ConfigError: the file has no `mcpServers` object, or an entry is not usable.
    """
    servers = data.get("mcpServers")
    if not isinstance(servers, Mapping):
        raise ConfigError(source, "mcpServers", "expected an object of servers by name")
    upstreams: dict[str, dict[str, Any]] = {}
    for name, entry in servers.items():
        if not isinstance(entry, Mapping):
            raise ConfigError(source, f"mcpServers.{name}", "expected an object")
        upstreams[str(name)] = _one_server(str(name), entry, source)
    return upstreams


def _one_server(name: str, entry: Mapping[str, Any], source: str) -> dict[str, Any]:
    table = {k: v for k, v in entry.items() if k in _PASSED_KEYS}
    kind = entry.get("type", entry.get("transport"))
    if kind is not None and kind not in _TYPE_ALIASES:
        raise ConfigError(
            source,
            f"mcpServers.{name}.type",
            f"transport {kind!r} is not supported; nocp speaks stdio and streamable HTTP "
            "(`http`); for an SSE-only server, use its streamable HTTP endpoint",
        )
    if entry.get("disabled") is True:
        table["disabled"] = True
    return table


_PASSED_KEYS = frozenset({"command", "args", "env", "cwd", "url", "headers"})


def read_mcp_servers_file(path: Path) -> dict[str, dict[str, Any]]:
    """Read a client's JSON config file and return its servers as upstream tables.

    Raises:
        ConfigError: the file is missing, not JSON, or not in the `mcpServers` shape.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(str(path), "", "no such file (check the path to the mcpServers JSON)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), "", f"cannot read: {exc}") from None
    except ValueError as exc:
        raise ConfigError(str(path), "", f"invalid JSON: {exc}") from None
    if not isinstance(data, Mapping):
        raise ConfigError(str(path), "", "expected a JSON object with an `mcpServers` key")
    return mcp_servers_to_upstreams(data, str(path))


def wrap_settings(
    settings: Settings,
    name: str,
    command: list[str],
    *,
    url: str | None = None,
    headers: list[str] | None = None,
) -> Settings:
    """`settings` serving exactly one upstream, with unprefixed tool names (`nocp wrap`).

    Raises:
        ConfigError: neither or both of a command and `--url`, or a malformed header.
    """
    if bool(command) == bool(url):
        raise ConfigError("wrap", "", "give the server to wrap: `nocp wrap -- CMD ARGS…` or `--url URL`")
    parsed: dict[str, str] = {}
    for header in headers or []:
        key, sep, value = header.partition(":")
        if not sep or not key.strip():
            raise ConfigError("wrap", "--header", f"expected `NAME: VALUE`, got {header!r}")
        parsed[key.strip()] = value.strip()
    table: dict[str, Any] = {"prefix": ""}
    if url:
        table.update(url=url, headers=parsed)
    else:
        table.update(command=command[0], args=command[1:])
    try:
        upstream = UpstreamSettings(**table)
    except ValueError as exc:
        raise ConfigError("wrap", "", str(exc)) from None
    # A wrapped server stands alone: its tools only (and nocp_expand), no built-ins.
    builtins = settings.builtins.model_copy(update={"enabled": False})
    return settings.model_copy(update={"upstream": {name: upstream}, "builtins": builtins})
