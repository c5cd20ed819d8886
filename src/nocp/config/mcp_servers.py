"""A client's `{"mcpServers": …}` JSON file read as `[upstream.NAME]` tables.

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
from typing import Any

from nocp.errors import ConfigError

_TRANSPORTS = frozenset({"stdio", "http", "streamable-http", "streamable_http", "streamableHttp"})
"""The `type` values of an mcpServers entry nocp accepts (both mean stdio or streamable HTTP)."""


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
    if kind is not None and kind not in _TRANSPORTS:
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
