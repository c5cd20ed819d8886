"""`nocp report` from a large store: seconds to read N stats rows and build the HTML page
(all four groupings, drift over every call), against reading the rows alone in the same run.

    .venv/bin/python benchmarks/report_build.py [--rows 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from nocp.cli.html_report import page
from nocp.config.models import DriftSettings
from nocp.store import history
from nocp.store.db import open_database


def fill(path: Path, rows: int) -> None:
    """`rows` calls over 30 days, 40 tools of 4 upstreams, in one transaction."""
    db = open_database(path)
    db.ready()  # the schema
    db.close()
    rng = random.Random(7)
    start = datetime(2026, 6, 1, tzinfo=UTC)
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO calls (ts, tool, raw_tokens, sent_tokens, format, is_error, total_ms, "
            "normalize_ms, encode_ms, handle, tenant) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')",
            [
                (
                    (start + timedelta(seconds=26 * i)).isoformat(timespec="milliseconds"),
                    f"up{i % 4}__tool{i % 40}",
                    (raw := rng.randint(100, 30000)),
                    int(raw * rng.uniform(0.1, 1.0)),
                    rng.choice(("toon", "json", "text")),
                    int(rng.random() < 0.02),
                    rng.uniform(5, 200),
                    rng.uniform(0.1, 5),
                    rng.uniform(0.1, 9),
                    f"h{i}" if rng.random() < 0.4 else None,
                )
                for i in range(rows)
            ],
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "nocp.db"
        fill(path, args.rows)
        read, built = [], []
        for _ in range(args.runs):  # interleaved: the rows alone, then the whole page
            db = open_database(path)
            t0 = time.perf_counter()
            calls = history.calls(db)
            read.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            html = page(history.calls(db), history.overhead(db), DriftSettings())
            built.append(time.perf_counter() - t0)
            db.close()
    r, b = statistics.median(read), statistics.median(built)
    print(f"{len(calls):,} rows: read {r:.2f} s, report {b:.2f} s ({b / r:.1f}× the read), {len(html):,} B")


if __name__ == "__main__":
    main()
