"""Bearer tokens: only their SHA-256 digests are kept, a presented token is compared with every
digest in constant time, and each token is a tenant (its digest's first 16 hex digits)."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from mcp.server.auth.provider import AccessToken

ANONYMOUS = ""
"""The tenant of a loopback server without tokens: one user, as over stdio."""


def tenant_of(digest: str) -> str:
    """The tenant a token digest (`sha256:HEX`) stands for: short, stable, not the token."""
    return digest.removeprefix("sha256:")[:16]


class HashedTokens:
    """The SDK's `TokenVerifier` over the digests of `[http] tokens`.

    Example:
        >>> verifier = HashedTokens(["sha256:" + hashlib.sha256(b"s3cret-token-0123").hexdigest()])
    """

    def __init__(self, digests: tuple[str, ...] | list[str]) -> None:
        self._digests = [bytes.fromhex(d.removeprefix("sha256:")) for d in digests]
        self._tenants = [tenant_of(d) for d in digests]

    async def verify_token(self, token: str) -> AccessToken | None:
        """The access of `token`, or None; every digest is compared (no early exit)."""
        presented = hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()
        found: str | None = None
        for digest, tenant in zip(self._digests, self._tenants, strict=True):
            if hmac.compare_digest(presented, digest):
                found = tenant
        if found is None:
            return None
        return AccessToken(token=found, client_id=found, scopes=[])  # the plaintext is not kept


def is_loopback(host: str) -> bool:
    """Whether `host` (a name or an address) only listens on this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
