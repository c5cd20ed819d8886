"""A real `nocp serve --http` app on a free loopback port (uvicorn in the test's event loop),
and clients with or without a bearer token (the SDK's streamable HTTP client)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
import httpx2
import uvicorn
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from nocp.config import Settings
from nocp.config.models import HttpSettings
from nocp.server import NocpServer
from nocp.server.http import check
from nocp.server.http.app import build_app
from nocp.server.http.metrics import Metrics, metered
from nocp.sources.python import PythonSource
from nocp.store.open import open_stores
from tests.services import free_port

TOKEN_A = "token-of-alice-0123456789"
TOKEN_B = "token-of-bob-9876543210xx"


def http_server(settings: Settings, *functions: Callable[..., Any]) -> tuple[NocpServer, Metrics]:
    """A server over `functions` whose stats also feed a `Metrics` (as `nocp serve --http` builds it)."""
    metrics = Metrics()
    stores = metered(open_stores(settings), metrics)
    return NocpServer(settings, sources=[PythonSource(functions)], stores=stores), metrics


@contextlib.asynccontextmanager
async def serving(server: NocpServer, metrics: Metrics, **http: Any) -> AsyncIterator[str]:
    """Serve `server` over HTTP as `serve_http` does; yields the base URL (`http://127.0.0.1:PORT`)."""
    settings = HttpSettings(port=free_port(), **http)
    check(settings)
    server.after.inline = True
    app = build_app(server, settings, metrics)
    config = uvicorn.Config(app, host="127.0.0.1", port=settings.port, log_config=None, access_log=False)
    web = uvicorn.Server(config)
    web.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    async with anyio.create_task_group() as tg:
        tg.start_soon(web.serve)
        while not web.started:
            await anyio.sleep(0.01)
        try:
            yield f"http://127.0.0.1:{settings.port}"
        finally:
            web.should_exit = True


@contextlib.asynccontextmanager
async def client(base: str, token: str | None = None, **options: Any) -> AsyncIterator[Client]:
    """An SDK client of `base`/mcp sending `token` as its bearer token."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    timeout = httpx2.Timeout(30.0, read=120.0)
    async with (
        httpx2.AsyncClient(headers=headers, timeout=timeout) as http,
        Client(streamable_http_client(f"{base}/mcp", http_client=http), **options) as connected,
    ):
        yield connected
