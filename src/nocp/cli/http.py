"""`--http` of `nocp serve` and `nocp wrap`: the HTTP options into the settings, then serve."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from nocp.config.models import Settings


def with_http_options(settings: Settings, args: argparse.Namespace) -> Settings:
    """`settings` with `--host`/`--port` in `[http]` (checked as the config is: at once).

    Raises:
        ConfigError: a non-loopback `--host` without tokens.
    """
    update = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    if update:
        settings = settings.model_copy(update={"http": settings.http.model_copy(update=update)})
    if args.http:
        from nocp.server.http import check

        check(settings.http)
    return settings


def serve_http(settings: Settings, *, roots: Sequence[Path] = ()) -> int:
    """Serve the configured server over streamable HTTP until SIGINT/SIGTERM."""
    import anyio

    from nocp.server import NocpServer
    from nocp.server.app import settled
    from nocp.server.http import serve_http as serve
    from nocp.server.http.metrics import Metrics, metered
    from nocp.store.open import open_stores

    settings = settled(settings, roots)  # the namespace its stores serve
    metrics = Metrics()
    stores = metered(open_stores(settings), metrics)
    server = NocpServer.from_settings(settings, roots=roots, stores=stores)
    anyio.run(serve, server, settings.http, metrics)
    return 0
