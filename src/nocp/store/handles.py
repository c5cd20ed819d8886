"""The originals of pruned results, compressed, under their handles, per tenant.

An original is kept while it is younger than the retention period and the store is under its
size cap (oldest evicted first, whoever's it is). Handles are 128-bit content hashes, so
storing twice is harmless and two originals never share one. An original over the cap by itself
is not stored (`put_packed` says so), and its handle is never advertised. A handle belongs to
the tenant and namespace whose call stored it (`store/scope.py`): for any other it is not
found, exactly as an unknown one.
"""

from __future__ import annotations

import time
import zlib
from typing import Literal, NamedTuple

from nocp.config import OutputsSettings
from nocp.errors import HandleNotFound
from nocp.store import scope
from nocp.store.sql import Sql

_DAY = 86_400.0


class Stored(NamedTuple):
    """One stored original: its kind and its text (compact JSON, or the text itself)."""

    kind: Literal["json", "text"]
    text: str


def pack(text: str) -> bytes:
    """The stored form of an original's text: compressed. Pure and thread-safe (≈0.45 s for
    16 MB), so the server packs a large original in a worker thread, off the event loop."""
    return zlib.compress(text.encode("utf-8", "surrogatepass"), 6)


class HandleStore:
    """put / get the originals behind `nocp_expand` and `nocp://outputs/{handle}`."""

    def __init__(self, db: Sql, settings: OutputsSettings, namespace: str = "") -> None:
        self.db = db
        self.settings = settings
        self.namespace = namespace
        """The server instance's (`scope.namespace_of`): its handles are not found elsewhere."""

    def put(self, handle: str, tool: str, kind: Literal["json", "text"], text: str) -> bool:
        """Store (or refresh) an original — compact JSON or text, as `kind` says — then evict
        what is too old or over the size cap; False when it is too large to store."""
        stored = self.put_packed(handle, tool, kind, pack(text))
        self.evict()
        return stored

    def put_packed(self, handle: str, tool: str, kind: Literal["json", "text"], data: bytes) -> bool:
        """Store an original `pack` made, committed when this returns (the server calls it
        before the reply that names the handle; `evict` runs after). False, and nothing
        stored, when the packed original alone is over the size cap (`too_large` says why)."""
        if self.too_large(len(data)):
            return False
        row = {"handle": handle, "created_at": time.time(), "tool": tool, "kind": kind, "size": len(data),
               "tenant": scope.key(self.namespace)}  # fmt: skip
        self.db.insert("outputs", {**row, "data": data}, replace=True)
        return True

    def too_large(self, size: int) -> str | None:
        """Why an original packed to `size` bytes cannot be stored (None: it can)."""
        if size <= self._cap():
            return None
        return (
            f"its original is {size / 1_048_576:,.1f} MB compressed, over the store's cap "
            f"([outputs] max_mb = {self.settings.max_mb:g})"
        )

    def get(self, handle: str) -> Stored:
        """The original stored under `handle`.

        Raises:
            HandleNotFound: unknown or expired; the message names the handle.
        """
        found = self.db.rows(
            "outputs",
            "tenant = ? AND handle = ?",
            [scope.key(self.namespace), handle],
            select="kind, data, created_at",
        )
        if not found or found[0]["created_at"] < self._cutoff():
            raise HandleNotFound(
                f"no stored output under handle {handle!r}: it is unknown or expired "
                f"(originals are kept {self.settings.retention_days:g} days); call the tool again"
            )
        text = zlib.decompress(bytes(found[0]["data"])).decode("utf-8", "surrogatepass")
        return Stored("text" if found[0]["kind"] == "text" else "json", text)

    def evict(self) -> int:
        """Drop originals past the retention period, then the oldest while over the size cap."""
        removed = self.db.execute("DELETE FROM outputs WHERE created_at < ?", [self._cutoff()]).rowcount
        cap = self._cap()
        total = self.db.execute("SELECT coalesce(sum(size), 0) FROM outputs").fetchone()[0]
        while total > cap:
            oldest = self.db.execute(
                "SELECT tenant, handle, size FROM outputs ORDER BY created_at, handle LIMIT 1"
            ).fetchone()
            if oldest is None:
                break
            self.db.execute("DELETE FROM outputs WHERE tenant = ? AND handle = ?", [oldest[0], oldest[1]])
            total -= oldest[2]
            removed += 1
        return removed

    def _cap(self) -> int:
        return int(self.settings.max_mb * 1024 * 1024)

    def _cutoff(self) -> float:
        return time.time() - self.settings.retention_days * _DAY
