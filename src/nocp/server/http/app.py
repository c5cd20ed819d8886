"""The ASGI app of `nocp serve --http`: the SDK's streamable HTTP transport on `/mcp`, behind
bearer auth, the tenant scope and the rate limit; `/healthz` and `/metrics` beside it.

    request ─▶ AuthenticationMiddleware (SDK, BearerAuthBackend over HashedTokens)
              └─ /mcp: Tenant (401 without a valid token when tokens are set; sets the tenant)
                       └─ RateLimit (429) └─ StreamableHTTPSessionManager (SDK: Host/Origin
                          checks → 421/403, body limit → 413, both protocol eras)
              └─ /healthz: 200 while the process serves
              └─ /metrics: Prometheus text (a valid token needed when tokens are set)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mcp.server.auth.middleware.bearer_auth import (
    AuthenticatedUser,
    BearerAuthBackend,
    RequireAuthMiddleware,
)
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp, StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from nocp.config.models import HttpSettings
from nocp.server.http.auth import ANONYMOUS, HashedTokens
from nocp.server.http.limits import RateLimit, TokenBuckets
from nocp.server.http.metrics import CONTENT_TYPE, Metrics
from nocp.store.scope import serving

if TYPE_CHECKING:
    from nocp.server.app import NocpServer

LOOPBACK_HOSTS = ("127.0.0.1:*", "localhost:*", "[::1]:*", "127.0.0.1", "localhost", "[::1]")
LOOPBACK_ORIGINS = ("http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*")


def security(http: HttpSettings) -> TransportSecuritySettings:
    """Host and Origin allow-lists (DNS rebinding): loopback, the bound host, and the configured."""
    hosts = [*LOOPBACK_HOSTS, *http.allowed_hosts]
    if http.host not in ("0.0.0.0", "::", ""):
        hosts += [http.host, f"{http.host}:*"]
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=hosts,
        allowed_origins=[*LOOPBACK_ORIGINS, *http.allowed_origins],
    )


def build_app(server: NocpServer, http: HttpSettings, metrics: Metrics) -> Starlette:
    """The app serving `server` as `http` says (the caller checked that a non-loopback host has
    tokens)."""
    manager = StreamableHTTPSessionManager(
        app=server.mcp_server,
        stateless=http.stateless,
        security_settings=security(http),
        max_request_body_size=http.max_body_bytes,
    )
    mcp: ASGIApp = RateLimit(StreamableHTTPASGIApp(manager), TokenBuckets(http.rate, http.burst), metrics)
    required = bool(http.tokens)
    middleware = []
    if required:
        middleware.append(
            Middleware(AuthenticationMiddleware, backend=BearerAuthBackend(HashedTokens(http.tokens)))
        )

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def metrics_text(request: Request) -> Response:
        if required and not isinstance(request.scope.get("user"), AuthenticatedUser):
            metrics.refused("auth")
            return JSONResponse({"error": "invalid_token"}, status_code=401)
        return Response(metrics.text(), media_type=CONTENT_TYPE)

    routes = [
        Route("/mcp", endpoint=Tenant(mcp, required=required, metrics=metrics)),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics_text, methods=["GET"]),
    ]
    return Starlette(routes=routes, middleware=middleware, lifespan=lambda _: manager.run())


class Tenant:
    """Serve the request for its token's tenant; without a valid token, 401 when tokens are set
    (the SDK's answer, with `WWW-Authenticate`), else the anonymous tenant."""

    def __init__(self, app: ASGIApp, *, required: bool, metrics: Metrics) -> None:
        self.app, self.required, self.metrics = app, required, metrics
        self._refuse = RequireAuthMiddleware(app, [])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        user = scope.get("user")
        if isinstance(user, AuthenticatedUser):
            tenant = user.access_token.client_id
        elif self.required:
            self.metrics.refused("auth")
            await self._refuse(scope, receive, send)
            return
        else:
            tenant = ANONYMOUS
        with serving(tenant):
            await self.app(scope, receive, send)
