"""Load: calls through HAProxy to 1, 2 and 3 `nocp serve --http` replicas on one PostgreSQL.

Real processes and services on loopback, as tests/replicas start them (docs/deployment.md): a
private PostgreSQL cluster, HAProxy, N replicas. Per run: `--calls` calls (odd seeds 100 KB of
records, even 1 KB), `--in-flight` at a time; errors, stats rows against calls made, p50/p99
latency, calls/s. Then the same load on 3 replicas with one SIGKILLed half-way: only its calls
in flight may fail, and every completed call has exactly one row. Then one call's latency over
HTTP against stdio, and calls/s of one nocp process against a bare SDK server serving the same
100 KB tool over stdio (sides interleaved, so machine load hits both alike).

    .venv/bin/python benchmarks/load.py [--calls 1000] [--in-flight 50] [--rounds 40]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.replicas.cluster import TOKEN, Cluster, cluster, connect, load  # noqa: E402
from tests.services import Postgres, free_port, postgres, wait_for_port  # noqa: E402

BARE_SERVER = '''
import sys
sys.path.insert(0, {repo!r})
from mcp.server.mcpserver import MCPServer
from tests.replicas.load_tools import records

server = MCPServer("bare")

@server.tool()
def payload(kb: int = 1, seed: int = 0) -> list[dict]:
    """About `kb` KB of records for `seed`."""
    return records(kb, seed)

server.run()
'''


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def _rows(url: str) -> tuple[int, dict[str, int]]:
    import psycopg

    with psycopg.connect(url) as conn:
        total = conn.execute("SELECT count(*) FROM calls WHERE tool = 'payload'").fetchone()
        by_handle = conn.execute(
            "SELECT handle, count(*) FROM calls WHERE handle IS NOT NULL GROUP BY handle"
        ).fetchall()
    return (total[0] if total else 0), {h: n for h, n in by_handle}


async def _run(pg: Postgres, replicas: int, calls: int, in_flight: int, kill_at: int | None) -> str:
    with tempfile.TemporaryDirectory() as folder, cluster(Path(folder), pg.url(), replicas) as running:
        on_done = None
        if kill_at is not None:

            def on_done(completed: int, running: Cluster = running) -> None:
                if completed == kill_at:
                    running.kill(replicas - 1)

        outcome = await load(running.url, calls, in_flight, on_done=on_done)
        rows, by_handle = await anyio.to_thread.run_sync(_rows, running.store_url)
    seconds = [s * 1000 for _, _, s in outcome.done]
    handles = [h for _, h, _ in outcome.done if h is not None]
    exact = sum(1 for h in handles if by_handle.get(h) == 1)
    label = f"{replicas} replica{'s' if replicas > 1 else ''}" + (", one killed half-way" if kill_at else "")
    return (f"| {label} | {len(outcome.done)} | {len(outcome.failed)} | {rows} | {exact}/{len(handles)} | "
            f"{_percentile(seconds, 0.5):.0f} | {_percentile(seconds, 0.99):.0f} | "
            f"{len(outcome.done) / outcome.seconds:.1f} |")  # fmt: skip


async def _interleaved(sides: dict[str, Any], rounds: int, kb: int) -> dict[str, list[float]]:
    """`rounds` rounds; in each, every side makes one `payload(kb)` call, in turn."""
    seen: dict[str, list[float]] = {name: [] for name in sides}
    for index in range(rounds):
        for name, client in sides.items():
            start = time.perf_counter()
            result = await client.call_tool("payload", {"kb": kb, "seed": index})
            seen[name].append(time.perf_counter() - start)
            assert not result.is_error, (name, result)
    return seen


async def _transports(rounds: int) -> list[str]:
    """One call over HTTP vs stdio (same nocp, SQLite), and nocp vs a bare SDK server (stdio)."""
    from mcp import Client, StdioServerParameters

    lines = []
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "nocp.toml"
        config.write_text(f'[tools]\nmodules = ["{REPO / "tests/replicas/load_tools.py"}"]\n'
                          "[builtins]\nenabled = false\n[prune]\nbudget = 300\n")  # fmt: skip
        env = {**os.environ, "NOCP_DB": str(Path(folder) / "stats.db"), "NOCP_HTTP_TOKENS": TOKEN}
        port = free_port()
        http = await anyio.open_process(
            [sys.executable, "-m", "nocp", "serve", "--http", "--port", str(port), "--config", str(config)],
            env={**env, "NOCP_DB": str(Path(folder) / "http.db")}, stdout=None, stderr=None)  # fmt: skip
        try:
            await anyio.to_thread.run_sync(lambda: wait_for_port(port, timeout_s=120))
            serve = ["-m", "nocp", "serve", "--config", str(config)]
            nocp_stdio = StdioServerParameters(command=sys.executable, args=serve, env=env)
            bare_file = Path(folder) / "bare.py"
            bare_file.write_text(BARE_SERVER.format(repo=str(REPO)))
            bare = StdioServerParameters(command=sys.executable, args=[str(bare_file)], env=dict(os.environ))
            async with (
                connect(f"http://127.0.0.1:{port}/mcp") as over_http,
                Client(nocp_stdio, cache=None) as over_stdio,
                Client(bare, cache=None) as bare_stdio,
            ):
                sides = {"nocp over HTTP": over_http, "nocp over stdio": over_stdio,
                         "bare SDK server, stdio": bare_stdio}  # fmt: skip
                for kb in (1, 100):
                    await _interleaved(sides, 3, kb)  # warm-up: tokenizer, store, caches
                    seen = await _interleaved(sides, rounds, kb)
                    base = statistics.median(seen["nocp over stdio"])
                    for name, values in seen.items():
                        median = statistics.median(values)
                        lines.append(f"| {kb} KB | {name} | {median * 1000:.1f} | {1 / median:.1f} | "
                                     f"{median / base:.2f} |")  # fmt: skip
        finally:
            http.terminate()
            await http.wait()
    return lines


async def main(calls: int, in_flight: int, rounds: int) -> None:
    print(f"{calls} calls (half 1 KB, half 100 KB of records), {in_flight} in flight, through HAProxy:\n")
    print("| replicas | completed | failed | stats rows | handles with exactly one row | p50 ms | p99 ms "
          "| calls/s |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    with postgres() as pg:
        for replicas in (1, 2, 3):
            print(await _run(pg, replicas, calls, in_flight, None), flush=True)
        print(await _run(pg, 3, calls, in_flight, calls // 2), flush=True)
    print(f"\nOne call at a time, median of {rounds} interleaved rounds:\n")
    print("| result | side | ms per call | calls/s | ÷ nocp over stdio |")
    print("|---|---|---:|---:|---:|")
    for line in await _transports(rounds):
        print(line, flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--in-flight", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=40)
    options = parser.parse_args()
    anyio.run(main, options.calls, options.in_flight, options.rounds)
