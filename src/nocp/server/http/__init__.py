"""`nocp serve --http`: the same server over streamable HTTP, for many clients and replicas.

    app.py      the ASGI app: /mcp (the SDK's transport), /healthz, /metrics; the order of the
                checks a request passes
    auth.py     bearer tokens, kept hashed, checked in constant time; a token is a tenant
    limits.py   a token bucket per tenant (429)
    metrics.py  Prometheus counters and the latency histogram per tool

See docs/deployment.md for one server, and for replicas on PostgreSQL behind a load balancer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nocp.config.models import HttpSettings
from nocp.errors import ConfigError
from nocp.logs import get_logger
from nocp.server.http.auth import is_loopback

if TYPE_CHECKING:
    from nocp.server.app import NocpServer
    from nocp.server.http.metrics import Metrics

_log = get_logger(__name__)


def check(http: HttpSettings) -> None:
    """Refuse a listener on anything but loopback without tokens.

    Raises:
        ConfigError: `host` is not loopback and no token is set.
    """
    if not http.tokens and not is_loopback(http.host):
        raise ConfigError(
            "http",
            "tokens",
            f"listening on {http.host!r} (not loopback) requires auth: set NOCP_HTTP_TOKENS=TOKEN[,TOKEN…] "
            "or [http] tokens (random, ≥ 16 characters; `sha256:HEX` of one keeps it out of the file)",
        )


async def serve_http(server: NocpServer, http: HttpSettings, metrics: Metrics) -> None:
    """Serve `server` on `http.host:http.port` until SIGINT/SIGTERM (then the calls in flight
    finish and their accounting is written).

    Every call's accounting is written before its reply over HTTP (`AfterReply.inline`): another
    replica may be asked for its handle or its stats row the moment the reply arrives, and a
    replica killed after replying must have lost nothing.
    """
    import uvicorn

    from nocp.server.http.app import build_app

    check(http)
    server.after.inline = True
    app = build_app(server, http, metrics)
    config = uvicorn.Config(
        app, host=http.host, port=http.port, log_config=None, access_log=False, lifespan="on"
    )
    _log.info("serving MCP over HTTP", url=f"http://{http.host}:{http.port}/mcp")
    await uvicorn.Server(config).serve()
