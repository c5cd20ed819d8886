"""AfterReply: jobs run after the reply, in order, survive failures, and are waited for."""

from __future__ import annotations

import anyio
import pytest

from nocp.server.after_reply import AfterReply

pytestmark = pytest.mark.anyio


async def test_jobs_run_in_order_after_the_caller_returns_and_settled_waits_for_them() -> None:
    after, done = AfterReply(), []

    def job(n: int):
        async def run() -> None:
            await anyio.sleep(0.01 * (3 - n))  # later jobs are quicker: order must still hold
            done.append(n)

        return run

    async with after.running():
        for n in range(3):
            await after.defer(job(n))
        assert done == []  # deferred, not run inline
        await after.settled()
        assert done == [0, 1, 2]


async def test_a_failing_job_is_logged_and_the_next_ones_still_run() -> None:
    after, done = AfterReply(), []

    async def broken() -> None:
        raise RuntimeError("disk full")

    async def fine() -> None:
        done.append("fine")

    async with after.running():
        await after.defer(broken)
        await after.defer(fine)
        with anyio.fail_after(5):
            await after.settled()
    assert done == ["fine"]


async def test_leaving_runs_what_is_still_queued_even_when_cancelled() -> None:
    after, done = AfterReply(), []

    async def slow() -> None:
        await anyio.sleep(0.05)
        done.append("slow")

    with anyio.CancelScope() as scope:
        async with after.running():
            await after.defer(slow)
            scope.cancel()
            await anyio.sleep(1)  # cancelled here
    assert done == ["slow"]


async def test_without_running_a_job_runs_at_once() -> None:
    after, done = AfterReply(), []

    async def job() -> None:
        done.append(1)

    await after.defer(job)
    assert done == [1]
    await after.settled()
