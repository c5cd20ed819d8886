"""Start-up: seconds from starting `nocp serve` to its first `tools/list` answer.

What a client waits for when it launches nocp. A real stdio subprocess and the SDK client, a
fresh stats file each time; median of `--runs`.

    .venv/bin/python benchmarks/startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import anyio
from mcp import Client, StdioServerParameters


async def _first_list(folder: str, run: int) -> float:
    env = {**os.environ, "NOCP_DB": str(Path(folder) / f"startup{run}.db")}
    params = StdioServerParameters(command=sys.executable, args=["-m", "nocp", "serve"], env=env)
    start = time.perf_counter()
    async with Client(params, cache=None) as client:
        await client.list_tools()
        return time.perf_counter() - start


async def main(runs: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        seconds = [await _first_list(folder, run) for run in range(runs)]
    shown = ", ".join(f"{s:.2f}" for s in seconds)
    print(f"first tools/list of `nocp serve`: median {statistics.median(seconds):.2f} s ({shown})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    anyio.run(main, parser.parse_args().runs)
