"""The tenant a request is served for, in the namespace of the server instance serving it:
the store reads and writes only that tenant's rows of that namespace.

Over HTTP every bearer token is a tenant (`server/http/auth.py` sets it for the request); over
stdio, and over HTTP on loopback without tokens, the tenant is "" — one user, as before. The
value travels with the request's context (a `ContextVar`: copied into the tasks and worker
threads the request starts), so no caller passes it: the back ends read `current()` in each
query of the calls, the stored originals and the result cache.

A namespace is per server instance (`namespace_of`: its roots and what it serves), fixed when
its stores are opened; the stores qualify the tenant with it (`key`). `nocp serve` instances
sandboxed to two projects share the user's default database but not their rows.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nocp.config import Settings

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


def key(namespace: str) -> str:
    """What the `tenant` column holds for the request being served by a server instance of
    `namespace`: the tenant alone when `namespace` is "", else `namespace/tenant`.

    Example:
        >>> with serving("alice"):
        ...     key("ns-0123456789abcdef")
        'ns-0123456789abcdef/alice'
    """
    tenant = current()
    return f"{namespace}/{tenant}" if namespace else tenant


def namespace_of(settings: Settings) -> str:
    """The namespace a server instance built from `settings` serves: `[store] namespace`
    when set, else a digest of what defines its sandbox — the real paths of its roots, its
    tool modules and its upstreams' names. Two instances sharing one database (the user's
    default stats file) but sandboxed to other folders never see each other's calls or
    originals; replicas with the same configuration share theirs."""
    if settings.store.namespace is not None:
        return settings.store.namespace
    what = {
        "roots": sorted(os.path.realpath(root) for root in settings.builtins.roots),
        "modules": list(settings.tools.modules),
        "upstreams": sorted(settings.upstream),
    }
    digest = hashlib.sha256(json.dumps(what, sort_keys=True).encode("utf-8", "surrogatepass"))
    return "ns-" + digest.hexdigest()[:16]
