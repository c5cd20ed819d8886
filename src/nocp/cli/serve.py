"""`nocp serve`: serve MCP over stdio, with every source the configuration names."""

from __future__ import annotations

import argparse


def main(args: argparse.Namespace, _: list[str]) -> int:
    """Serve until the client disconnects."""
    import anyio

    from nocp.config import load_settings
    from nocp.logs import configure_logging

    settings = load_settings(args.config)  # a bad config fails before the SDK is imported
    configure_logging(settings.log.level, settings.log.file)
    from nocp.server import NocpServer

    server = NocpServer.from_settings(settings, roots=args.root)
    anyio.run(server.serve_stdio)
    return 0
