"""Where a result's work runs: on the event loop when it is small, else in a worker thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import anyio

from nocp.pipeline.normalize import TextBlocks

T = TypeVar("T")

INLINE_CHARS = 16_000
"""Results up to this size are processed on the event loop: under a millisecond of work,
less than handing it to a worker thread and back costs."""


async def off_loop(inline: bool, work: Callable[..., T], *args: Any) -> T:
    """`work(*args)` in a worker thread, or on the event loop when `inline`."""
    return work(*args) if inline else await anyio.to_thread.run_sync(work, *args)


def is_small(raw: Any) -> bool:
    """True for text known to be at most `INLINE_CHARS` (other values: size unknown)."""
    if isinstance(raw, str):
        return len(raw) <= INLINE_CHARS
    return isinstance(raw, TextBlocks) and sum(len(text) for text in raw) <= INLINE_CHARS
