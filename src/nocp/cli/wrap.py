"""`nocp wrap`: serve one MCP server through nocp, with its tool names unchanged."""

from __future__ import annotations

import argparse
from typing import Any

from nocp.config.models import Settings
from nocp.errors import ConfigError, UpstreamError
from nocp.sources.upstream.settings import UpstreamSettings


def main(args: argparse.Namespace, rest: list[str]) -> int:
    """Serve the wrapped server over stdio until the client disconnects (or over HTTP, `--http`)."""
    import anyio

    from nocp.cli import with_log_options
    from nocp.cli.http import serve_http, with_http_options
    from nocp.config import load_settings
    from nocp.logs import configure_logging
    from nocp.server import NocpServer

    command = rest[1:] if rest[:1] == ["--"] else rest
    settings = wrap_settings(
        load_settings(args.config), args.name, command, url=args.url, headers=args.header
    )
    settings = with_http_options(settings, args)
    settings = with_log_options(settings, args)
    configure_logging(settings.log.level, settings.log.file, settings.log.format)
    if args.http:
        return serve_http(settings)
    server = NocpServer.from_settings(settings)
    try:
        anyio.run(server.serve_stdio)
    except BaseExceptionGroup as group:  # the server's task groups wrap why it stopped
        reason = _upstream_error(group)
        if reason is None:
            raise
        raise reason from None  # printed on stderr, exit code 2: the client shows it
    return 0


def _upstream_error(exc: BaseException) -> UpstreamError | None:
    if isinstance(exc, UpstreamError):
        return exc
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            found = _upstream_error(inner)
            if found is not None:
                return found
    return None


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
    table: dict[str, Any] = {"prefix": "", "required": True}  # nothing to serve without it
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
