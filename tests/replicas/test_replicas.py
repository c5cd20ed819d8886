"""Replicas: N `nocp serve --http` processes on one PostgreSQL behind HAProxy (real processes,
real services, loopback only). A handle minted on one replica expands on another, the stats are
the same from every replica, a replica killed mid-load loses no row of a call that completed,
and a PostgreSQL restart costs no more than the calls in flight."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from tests.conftest import text_of
from tests.replicas.cluster import Cluster, cluster, connect, load
from tests.services import Postgres

pytestmark = [pytest.mark.slow, pytest.mark.anyio]


@pytest.fixture
def three(pg: Postgres, tmp_path: Path) -> Iterator[Cluster]:
    with cluster(tmp_path, pg.url(), replicas=3) as running:
        yield running


def handle_of(text: str) -> str:
    match = re.search(r'handle="(h[0-9a-f]+)"', text)
    assert match, text
    return match.group(1)


async def stats_of(url: str) -> dict[str, Any]:
    async with connect(url) as client:
        parsed: dict[str, Any] = json.loads(text_of(await client.read_resource("nocp://stats")))
        return parsed


async def test_a_handle_minted_on_one_replica_expands_on_another(three: Cluster) -> None:
    async with connect(three.replica_url(0)) as first:
        sent = text_of(await first.call_tool("payload", {"kb": 100, "seed": 1}))
    handle = handle_of(sent)
    async with connect(three.replica_url(2)) as other:
        expanded = await other.call_tool("nocp_expand", {"handle": handle})
        assert not expanded.is_error and "item-1-0" in text_of(expanded)
        original = text_of(await other.read_resource(f"nocp://outputs/{handle}"))
        assert '"name":"item-1-999"' in original
    async with connect(three.url) as balanced:  # and through the load balancer, whichever answers
        for _ in range(3):
            assert not (await balanced.call_tool("nocp_expand", {"handle": handle})).is_error


async def test_the_stats_are_the_same_from_every_replica(three: Cluster) -> None:
    async with connect(three.url) as client:
        for seed in range(6):
            await client.call_tool("payload", {"kb": 1, "seed": seed})
    documents = [await stats_of(three.replica_url(i)) for i in range(3)]
    assert documents[0]["calls"] == 6
    assert documents[0] == documents[1] == documents[2]


async def test_a_legacy_session_stays_on_its_replica_through_the_balancer(three: Cluster) -> None:
    async with connect(three.url, mode="legacy") as client:
        for seed in range(6):  # round robin would send every other request to a replica without it
            result = await client.call_tool("payload", {"kb": 1, "seed": seed})
            assert not result.is_error
    assert (await stats_of(three.url))["calls"] == 6


async def test_a_replica_killed_mid_load_loses_no_row_of_a_completed_call(three: Cluster) -> None:
    def kill_at_40(completed: int) -> None:
        if completed == 40:
            three.kill(1)

    outcome = await load(three.url, calls=120, in_flight=12, on_done=kill_at_40)
    done, failed = outcome.done, len(outcome.failed)
    assert len(done) + failed == 120 and failed <= 12  # at most the calls in flight on it
    rows = await anyio.to_thread.run_sync(_rows, three.store_url)
    handles = [h for _, h, _ in done if h is not None]
    counts = {h: n for h, n in rows["by_handle"]}
    assert all(counts.get(h) == 1 for h in handles), "every completed call has exactly one row"
    assert len(done) <= rows["total"] <= len(done) + failed
    async with connect(three.url) as client:  # the others keep serving
        for seed in range(1000, 1004):
            assert not (await client.call_tool("payload", {"kb": 1, "seed": seed})).is_error


async def test_after_a_postgresql_restart_the_next_calls_succeed(three: Cluster, pg: Postgres) -> None:
    async with connect(three.url) as client:
        assert not (await client.call_tool("payload", {"kb": 1, "seed": 1})).is_error
    await anyio.to_thread.run_sync(pg.restart)
    async with connect(three.url) as client:
        for seed in range(2, 8):  # every replica, twice: each must have reconnected
            assert not (await client.call_tool("payload", {"kb": 100, "seed": seed})).is_error
    stats = await stats_of(three.url)
    assert stats["calls"] == 7


def _rows(url: str) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(url) as conn:
        total = conn.execute("SELECT count(*) FROM calls WHERE tool = 'payload'").fetchone()
        by_handle = conn.execute(
            "SELECT handle, count(*) FROM calls WHERE handle IS NOT NULL GROUP BY handle"
        ).fetchall()
    return {"total": total[0] if total else 0, "by_handle": by_handle}
