"""`nocp serve`: serve MCP over stdio, or over streamable HTTP with `--http`, with every
source the configuration names."""

from __future__ import annotations

import argparse


def main(args: argparse.Namespace, _: list[str]) -> int:
    """Serve until the client disconnects (stdio) or until SIGINT/SIGTERM (HTTP)."""
    from nocp.cli import with_log_options
    from nocp.cli.http import with_http_options
    from nocp.config import load_settings
    from nocp.logs import configure_logging

    settings = with_http_options(load_settings(args.config), args)  # fails before the SDK is imported
    settings = with_log_options(settings, args)
    configure_logging(settings.log.level, settings.log.file, settings.log.format)
    if args.http:
        from nocp.cli.http import serve_http

        return serve_http(settings, roots=args.root)
    import anyio

    from nocp.server import NocpServer

    server = NocpServer.from_settings(settings, roots=args.root)
    anyio.run(server.serve_stdio)
    return 0
