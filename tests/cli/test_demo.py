"""`python -m nocp demo`: the real server, a real client, the example tools, the stats."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow


def test_demo_prints_the_per_call_table_and_the_stats() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOCP_")}
    done = subprocess.run(
        [sys.executable, "-m", "nocp", "demo"],
        cwd=REPO.parent,  # any working directory: the demo finds its examples itself
        env={**env, "COLUMNS": "120"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "tools: query_orders, get_repository, tail_log" in out
    assert "per call" in out
    for tool, fmt in [("query_orders", "toon"), ("get_repository", "json"), ("tail_log", "text")]:
        assert re.search(rf"│ {tool}\s+│ {fmt}\s+│ [\d,]+\s+│ [\d,]+\s+│ [\d.]+%\s*│", out), tool
    assert "nocp://stats" in out
    assert re.search(r"\d+ calls: [\d,]+ raw tokens → [\d,]+ sent, [\d,]+ saved", out)
    assert '"saved_pct"' in out and '"by_format"' in out
