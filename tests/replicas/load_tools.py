"""The tool the replica tests and benchmarks/load.py call: `kb` KB of records, different for
every `seed` (so every result's original, and handle, is its own)."""

from __future__ import annotations

from typing import Any

from nocp import tool

RECORD_BYTES = 100


def records(kb: int, seed: int) -> list[dict[str, Any]]:
    """About `kb` KB of JSON records (≈100 bytes each) for `seed`."""
    count = max(1, kb * 1024 // RECORD_BYTES)
    return [{"id": i, "seed": seed, "name": f"item-{seed}-{i}", "note": f"lorem ipsum {i % 7}" * 3}
            for i in range(count)]  # fmt: skip


@tool
def payload(kb: int = 1, seed: int = 0) -> list[dict[str, Any]]:
    """About `kb` KB of records for `seed`."""
    return records(kb, seed)
