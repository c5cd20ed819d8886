"""Work a call leaves for after its reply: counting raw tokens, storing the original, recording.

The agent waits for the reply, not for nocp's accounting, so a call replies as soon as its
text is ready and the rest runs right after it. Nothing is lost and nothing reads stale data:

- every read of nocp's stores (stats resources, `nocp_expand`, the result cache) first waits
  until the work in flight is done (`settled`);
- jobs run one at a time in call order (so `nocp://calls/recent` keeps the call order);
- the work is shielded from cancellation, and the server waits for it before it stops.

Without a running task group (a server used without its lifespan), or with `inline` set (over
HTTP, where another replica may read the row the moment the reply arrives), the work runs at
once, before the reply.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from nocp.logs import get_logger

Job = Callable[[], Awaitable[None]]

_log = get_logger(__name__)


class AfterReply:
    """Runs jobs one at a time, in the order the calls scheduled them, after their replies;
    `settled()` waits for all of them.

    Example:
        >>> after = AfterReply()
        >>> async with after.running():
        ...     await after.defer(record_call)
        ...     await after.settled()  # before reading what record_call wrote
    """

    inline = False
    """Run each job at once, in the call, before its reply (`nocp serve --http`)."""

    def __init__(self) -> None:
        self._queue: MemoryObjectSendStream[Job] | None = None
        self._pending = 0
        self._idle = anyio.Event()
        self._idle.set()

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Accept deferred jobs within this block; on leaving it, run every one still queued."""
        send, receive = anyio.create_memory_object_stream[Job](math.inf)
        async with anyio.create_task_group() as tg:
            tg.start_soon(self._work, receive)
            self._queue = send
            try:
                yield
            finally:
                self._queue = None
                send.close()  # the worker drains the queue, then ends

    async def defer(self, job: Job) -> None:
        """Run `job` after the current call returns (at once when not running)."""
        if self._queue is None or self.inline:
            await _run(job)
            return
        if self._pending == 0:
            self._idle = anyio.Event()
        self._pending += 1
        self._queue.send_nowait(job)

    async def settled(self) -> None:
        """Wait until every deferred job has finished."""
        await self._idle.wait()

    async def _work(self, jobs: MemoryObjectReceiveStream[Job]) -> None:
        with anyio.CancelScope(shield=True):  # a stopping server still finishes its accounting
            async with jobs:
                async for job in jobs:
                    await _run(job)
                    self._pending -= 1
                    if self._pending == 0:
                        self._idle.set()


async def _run(job: Job) -> None:
    try:
        await job()
    except Exception as exc:  # accounting must never take the server down
        _log.error("work after the reply failed", error=repr(exc)[:500], exc_info=True)
