"""Handles always redeem: the original is stored before the reply that names it.

`nocp serve` runs as a real stdio subprocess on a real SQLite file; it is killed with SIGKILL
the moment the last reply of a round is read (no draining, no accounting after it), then
started again, and every handle the client saw is redeemed. An original too large to store is
never advertised: its markers say why the cut part cannot be fetched.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from nocp.config import Settings
from nocp.server import NocpServer
from tests.server.test_stdio import PROTOCOL_VERSION, RawClient

pytestmark = pytest.mark.anyio

HANDLE = re.compile(r'handle="(h[0-9a-f]{32})"')
ROUNDS, CALLS = 5, 4

TOOLS = '''
import nocp


@nocp.tool
def rows(seed: int) -> list[dict]:
    """Many rows, different for every seed."""
    return [{"id": i, "seed": seed, "text": f"row {i} of seed {seed} " + "y" * 30} for i in range(600)]
'''


def _start(folder: Path) -> tuple[subprocess.Popen[str], RawClient]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOCP_")}
    env["NOCP_LOG__LEVEL"] = "WARNING"
    config = folder / "nocp.toml"
    process = subprocess.Popen(
        [sys.executable, "-m", "nocp", "serve", "--config", str(config), "--root", str(folder)],
        cwd=folder, env=env, text=True, encoding="utf-8",
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    client = RawClient(process)
    client.request(
        "initialize",
        {
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "kill-9", "version": "0"},
        },
    )
    client.notify("notifications/initialized")
    return process, client


def _kill(process: subprocess.Popen[str]) -> None:
    """SIGKILL: no draining, no accounting after the last reply."""
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    for pipe in (process.stdin, process.stdout):
        if pipe is not None:
            pipe.close()


def _text(result: dict[str, Any]) -> str:
    return "".join(block.get("text", "") for block in result["content"])


@pytest.mark.slow  # real subprocesses, started ROUNDS + 1 times: seconds each
def test_every_handle_seen_before_a_kill_9_redeems_after_restart(tmp_path: Path) -> None:
    (tmp_path / "kill_tools.py").write_text(TOOLS)
    (tmp_path / "nocp.toml").write_text(
        f'[tools]\nmodules = ["{tmp_path / "kill_tools.py"}"]\n\n[stats]\ndb = "{tmp_path / "stats.db"}"\n'
    )
    seen: dict[str, int] = {}
    for round_ in range(ROUNDS):
        process, client = _start(tmp_path)
        try:
            for call in range(CALLS):
                seed = round_ * CALLS + call
                result = client.request("tools/call", {"name": "rows", "arguments": {"seed": seed}})
                handles = set(HANDLE.findall(_text(result)))
                assert len(handles) == 1, _text(result)
                seen[handles.pop()] = seed
        finally:
            _kill(process)  # right after the last reply: no time to catch up
    assert len(seen) == ROUNDS * CALLS  # unique per original
    process, client = _start(tmp_path)
    try:
        redeemed = 0
        for handle, seed in seen.items():
            row = client.request(
                "tools/call", {"name": "nocp_expand", "arguments": {"handle": handle, "path": "[599]"}}
            )
            assert not row.get("isError"), _text(row)
            assert json.loads(_text(row))["text"].startswith(f"row 599 of seed {seed} ")
            redeemed += 1
    finally:
        _kill(process)
    assert redeemed == len(seen) == 20


async def test_an_original_too_large_to_store_is_not_advertised(tmp_path: Path) -> None:
    from mcp import Client

    import nocp

    @nocp.tool
    def noise() -> str:
        """Incompressible text, far over a tiny store cap."""
        import random

        rng = random.Random(7)
        return "\n".join(
            "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(80))
            for _ in range(2000)
        )

    settings = Settings(stats={"db": tmp_path / "s.db"}, outputs={"max_mb": 0.05})
    server = NocpServer(settings, tools=[noise])
    async with Client(server.mcp_server) as client:
        result = await client.call_tool("noise", {})
        text = "".join(getattr(b, "text", "") for b in result.content)
        recent = json.loads((await client.read_resource("nocp://calls/recent")).contents[0].text)  # type: ignore[union-attr]
    assert not result.is_error
    assert "nocp_expand" not in text and not HANDLE.search(text)
    assert (
        "cannot be fetched: its original is 0.1 MB compressed, over the store's cap ([outputs] max_mb = 0.05)"
        in text
    )
    assert recent[0]["handle"] is None
    assert server.handles.evict() == 0  # nothing was stored
