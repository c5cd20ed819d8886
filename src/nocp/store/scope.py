"""The tenant a request is served for: the store reads and writes only that tenant's rows.

Over HTTP every bearer token is a tenant (`server/http/auth.py` sets it for the request); over
stdio, and over HTTP on loopback without tokens, the tenant is "" — one user, as before. The
value travels with the request's context (a `ContextVar`: copied into the tasks and worker
threads the request starts), so no caller passes it: the back ends read `current()` in each
query of the calls, the stored originals and the result cache.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_tenant: ContextVar[str] = ContextVar("nocp_tenant", default="")


def current() -> str:
    """The tenant of the request being served ("" outside any tenant)."""
    return _tenant.get()


@contextmanager
def serving(tenant: str) -> Iterator[None]:
    """Serve what runs inside this block for `tenant`."""
    token = _tenant.set(tenant)
    try:
        yield
    finally:
        _tenant.reset(token)
