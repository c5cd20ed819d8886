"""Proxied vs direct: the same upstream tool called straight, through the cheapest SDK proxy
(`passthrough_proxy.py`: the second hop alone), and through `nocp wrap`.

All sides are real stdio subprocesses driven by the SDK client; each call is timed end to end
(request sent → result parsed and validated by the client). Median of `--calls` calls per
case after warm-up; the sides take turns call by call. `--pause-ms` waits before each call,
as an agent does while it reads a result (nocp's accounting runs after its reply).

    .venv/bin/python benchmarks/upstream_overhead.py [--calls 25] [--pause-ms 0]

Cases (`CASES`): the test upstream's `records` with a ≈1 KB and a ≈200 KB result (user records,
one pretty-printed JSON block per record, as the SDK sends a list), and `log_text` with a
≈200 KB plain-text log.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

from nocp.pipeline.tokens import TokenCounter, use_bundled_bpe_files

UPSTREAM = str(Path(__file__).resolve().parents[1] / "tests" / "sources" / "upstream" / "upstream_server.py")
PASSTHROUGH = str(Path(__file__).resolve().parent / "passthrough_proxy.py")
CASES: dict[str, tuple[str, dict[str, int]]] = {
    "≈1 KB records": ("records", {"n": 12}),
    "≈200 KB records": ("records", {"n": 2250}),
    "≈200 KB log text": ("log_text", {"lines": 15000}),
}
"""Label → (tool, arguments). `records` is typed (the SDK adds an output schema and a copy of
the data as structuredContent); `log_text` returns one plain string."""


def _text(result: Any) -> str:
    return "".join(getattr(block, "text", "") for block in result.content)


async def _measure(
    sides: dict[str, StdioServerParameters], calls: int, pause_s: float
) -> dict[tuple[str, str], dict[str, Any]]:
    """Per (side, case): median ms, result bytes and text. The sides take turns call by call,
    so a busy moment on the machine weighs on all of them alike."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    async with AsyncExitStack() as stack:
        clients = {name: await stack.enter_async_context(Client(p, cache=None)) for name, p in sides.items()}
        for label, (tool, args) in CASES.items():
            times: dict[str, list[float]] = {name: [] for name in clients}
            for client in clients.values():
                for _ in range(3):  # warm-up: imports, caches, first-call costs
                    await client.call_tool(tool, args)
            for _ in range(calls):
                for name, client in clients.items():
                    await anyio.sleep(pause_s)  # the agent reading the last result
                    start = time.perf_counter()
                    result = await client.call_tool(tool, args)
                    times[name].append((time.perf_counter() - start) * 1000)
                    wire = result.model_dump_json(by_alias=True, exclude_none=True)
                    rows[name, label] = {
                        "ms": statistics.median(times[name]),
                        "bytes": len(wire.encode()),
                        "text": _text(result),
                    }
    return rows


async def main(calls: int, pause_ms: float) -> None:
    use_bundled_bpe_files()
    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "NOCP_DB": str(Path(tmp) / "bench.db")}
        sides = {
            "direct": StdioServerParameters(command=python, args=[UPSTREAM], env=env),
            "passthrough": StdioServerParameters(command=python, args=[PASSTHROUGH, "--", python, UPSTREAM]),
            "nocp": StdioServerParameters(
                command=python,
                args=["-m", "nocp", "wrap", "--name", "bench", "--", python, UPSTREAM],
                env=env,
            ),
        }
        rows = await _measure(sides, calls, pause_ms / 1000)
    counter = TokenCounter()
    print(f"median of {calls} calls each, {pause_ms:g} ms apart (ms, end to end at the client)\n")
    print(
        "| result | direct ms | SDK passthrough ms | via nocp ms | nocp ÷ direct | nocp ÷ passthrough "
        "| direct bytes | via nocp bytes | direct tokens | via nocp tokens |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label in CASES:
        d, h, n = rows["direct", label], rows["passthrough", label], rows["nocp", label]
        print(
            f"| {label} | {d['ms']:.2f} | {h['ms']:.2f} | {n['ms']:.2f} | {n['ms'] / d['ms']:.2f} "
            f"| {n['ms'] / h['ms']:.2f} | {d['bytes']:,} | {n['bytes']:,} "
            f"| {counter.count(d['text']):,} | {counter.count(n['text']):,} |"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=25)
    parser.add_argument(
        "--pause-ms",
        type=float,
        default=0,
        help="time between calls, as an agent reads a result before its next call (default 0: back to back)",
    )
    args = parser.parse_args()
    anyio.run(main, args.calls, args.pause_ms)
