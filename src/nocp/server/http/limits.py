"""A token bucket per tenant: `rate` requests a second on average, `burst` at once; past it the
request is answered 429 with `Retry-After`, before the MCP layer sees it."""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from nocp.server.http.metrics import Metrics
from nocp.store.scope import current


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float


class TokenBuckets:
    """Buckets by tenant; `take` spends one request's token or says how long to wait.

    Example:
        >>> buckets = TokenBuckets(rate=10, burst=20)
        >>> buckets.take("t1")
        0.0
    """

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self._buckets: dict[str, _Bucket] = {}

    def take(self, tenant: str, now: float | None = None) -> float:
        """0 when the request may go on, else the seconds until one token is back."""
        now = time.monotonic() if now is None else now
        bucket = self._buckets.setdefault(tenant, _Bucket(float(self.burst), now))
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.rate


class RateLimit:
    """ASGI middleware: one token of the tenant's bucket per HTTP request (after auth, which
    set the tenant)."""

    def __init__(self, app: ASGIApp, buckets: TokenBuckets, metrics: Metrics) -> None:
        self.app, self.buckets, self.metrics = app, buckets, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wait = self.buckets.take(current())
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        self.metrics.refused("rate")
        body = json.dumps(
            {
                "jsonrpc": "2.0",
                "id": None,
                "error": {
                    "code": -32000,
                    "message": f"rate limit: more than {self.buckets.rate:g} requests/s for this "
                    f"token; retry in {wait:.2f} s",
                },
            }
        ).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(max(1, math.ceil(wait))).encode()),
        ]
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": body})
