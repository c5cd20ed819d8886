"""An independent MCP client — the MCP Inspector CLI (Node) — against `nocp serve`.

Skips when `npx` is absent or the package cannot be fetched (offline CI).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tiktoken

from tests.conftest import REPO

pytestmark = pytest.mark.slow

INSPECTOR = "@modelcontextprotocol/inspector"


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    """Every Inspector started; whatever a skip or failure left running is ended."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate()


def inspector(started: list[subprocess.Popen[str]], db: Path, *method: str) -> None:
    npx = shutil.which("npx")
    if npx is None:
        pytest.skip("npx is not installed: the MCP Inspector CLI needs Node.js")
    server = [
        sys.executable,
        "-m",
        "nocp",
        "serve",
        "--config",
        str(REPO / "examples" / "nocp.toml"),
    ]
    # `--` ends the Inspector's own options: it has a --config of its own.
    command = [npx, "--prefer-offline", "-y", INSPECTOR, "--cli", "-e", f"NOCP_DB={db}", "--"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOCP_")}
    # Offline, fail fast (npm's default retries take over a minute) and skip.
    env = {
        "npm_config_fetch_retries": "1",
        "npm_config_fetch_retry_mintimeout": "1000",
        "npm_config_fetch_retry_maxtimeout": "5000",
        **env,
    }
    process = subprocess.Popen(
        [*command, *server, *method],
        cwd=db.parent,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=env,
    )
    started.append(process)


def answer(process: subprocess.Popen[str]) -> Any:
    try:
        out, err = process.communicate(timeout=180)
    except subprocess.TimeoutExpired:
        pytest.skip(f"{INSPECTOR} did not answer within 180 s (fetching it from npm?)")
    npm_errors = [line for line in err.splitlines() if line.startswith(("npm error", "npm ERR!"))]
    if process.returncode != 0 and npm_errors:
        pytest.skip(f"{INSPECTOR} could not be fetched: {npm_errors[0]}")
    assert process.returncode == 0, err
    return json.loads(out)


def test_the_mcp_inspector_lists_calls_and_reads_stats(
    tmp_path: Path, processes: list[subprocess.Popen[str]]
) -> None:
    db = tmp_path / "nocp.db"
    inspector(processes, db, "--method", "tools/list")
    inspector(
        processes, db,
        "--method", "tools/call", "--tool-name", "query_orders", "--tool-arg", "limit=200",
    )  # fmt: skip
    tools, result = answer(processes[0]), answer(processes[1])
    inspector(processes, db, "--method", "resources/read", "--uri", "nocp://stats")
    stats = answer(processes[2])

    names = [t["name"] for t in tools["tools"]]
    assert names[:3] == ["query_orders", "get_repository", "tail_log"]
    assert "read_file" in names and names[-1] == "nocp_expand"
    assert "focus" in tools["tools"][0]["inputSchema"]["properties"]
    assert result["isError"] is False
    assert result["content"][0]["text"].split("\n", 1)[0].endswith("coupon}:")
    document = json.loads(stats["contents"][0]["text"])
    assert document["calls"] == 1
    received = len(tiktoken.get_encoding("o200k_base").encode_ordinary(result["content"][0]["text"]))
    assert document["sent_tokens"] == received
    assert document["tools"]["query_orders"]["saved_pct"] >= 50
