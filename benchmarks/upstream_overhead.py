"""Proxied vs direct: the same upstream tool called straight and through `nocp wrap`.

Both sides are real stdio subprocesses driven by the SDK client; each call is timed end to end
(request sent → result parsed by the client). Median of `--calls` calls per case, after warm-up.

    .venv/bin/python benchmarks/upstream_overhead.py [--calls 25]

Cases: `records` with a ≈1 KB result and a ≈200 KB result (the test upstream's user records,
one pretty-printed JSON block per record, as the SDK sends a list).
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
from mcp import Client, StdioServerParameters

from nocp.pipeline.tokens import TokenCounter, use_bundled_bpe_files

UPSTREAM = str(Path(__file__).resolve().parents[1] / "tests" / "sources" / "upstream_server.py")
CASES = {"≈1 KB": {"n": 12}, "≈200 KB": {"n": 2250}}


def _text(result: Any) -> str:
    return "".join(getattr(block, "text", "") for block in result.content)


async def _measure(params: StdioServerParameters, tool: str, calls: int, pause_s: float) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    async with Client(params, cache=None) as client:
        for label, args in CASES.items():
            for _ in range(3):  # warm-up: imports, caches, first-call costs
                await client.call_tool(tool, args)
            times = []
            for _ in range(calls):
                await anyio.sleep(pause_s)  # the agent reading the last result
                start = time.perf_counter()
                result = await client.call_tool(tool, args)
                times.append((time.perf_counter() - start) * 1000)
            text = _text(result)
            wire = result.model_dump_json(by_alias=True, exclude_none=True)
            rows[label] = {
                "ms": statistics.median(times),
                "bytes": len(wire.encode()),
                "text": text,
            }
    return rows


async def main(calls: int, pause_ms: float) -> None:
    use_bundled_bpe_files()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "NOCP_DB": str(Path(tmp) / "bench.db")}
        direct = StdioServerParameters(command=sys.executable, args=[UPSTREAM], env=env)
        proxied = StdioServerParameters(
            command=sys.executable,
            args=["-m", "nocp", "wrap", "--name", "bench", "--", sys.executable, UPSTREAM],
            env=env,
        )
        straight = await _measure(direct, "records", calls, pause_ms / 1000)
        through = await _measure(proxied, "records", calls, pause_ms / 1000)
    counter = TokenCounter()
    print(f"median of {calls} calls each, {pause_ms:g} ms apart (ms, end to end at the client)\n")
    print(
        "| result | direct ms | via nocp ms | ratio | direct result bytes | via nocp bytes "
        "| direct text tokens | via nocp tokens |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label in CASES:
        d, p = straight[label], through[label]
        print(
            f"| {label} | {d['ms']:.2f} | {p['ms']:.2f} | {p['ms'] / d['ms']:.2f} "
            f"| {d['bytes']:,} | {p['bytes']:,} "
            f"| {counter.count(d['text']):,} | {counter.count(p['text']):,} |"
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
