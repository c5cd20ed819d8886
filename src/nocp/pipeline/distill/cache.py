"""What distill needs of a cache of summaries, and the key it files them under.

The server passes the stats database's `store.cache.DistillCache`; the pipeline knows only
this Protocol, so it imports nothing of the store.
"""

from __future__ import annotations

import hashlib
from typing import Protocol


class SummaryCache(Protocol):
    """Summaries that passed the faithfulness check, by `summary_key`."""

    def get(self, key: str) -> str | None:
        """The cached summary, or None."""
        ...

    def put(self, key: str, backend: str, prompt_version: str, summary: str, cost_usd: float) -> None:
        """Store a summary (the first one for a key wins)."""
        ...


def summary_key(text: str, backend: str, prompt_version: str, focus: str, limit: int) -> str:
    """The cache key of one distillation: the same text, backend, prompt, focus and limit give
    the same summary."""
    parts = [
        hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
        backend,
        prompt_version,
        focus,
        str(limit),
    ]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()
