"""The real `nocp serve` over stdio: raw JSON-RPC through pipes; stdout carries nothing else."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import tiktoken

from tests.conftest import REPO

PROTOCOL_VERSION = "2025-06-18"  # a version every MCP client and server of 2025-26 speaks


class RawClient:
    """Speaks newline-delimited JSON-RPC to a server process and keeps every stdout line."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.lines: list[str] = []
        self._next_id = 0

    def notify(self, method: str, params: dict[str, Any] | None = None) -> None:
        self._send({"jsonrpc": "2.0", "method": method, **({"params": params} if params else {})})

    def request(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        self._next_id += 1
        self._send({"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params or {}})
        assert self.process.stdout is not None
        while True:
            line = self.process.stdout.readline()
            assert line, f"server closed stdout while we waited for {method}"
            self.lines.append(line)
            message = json.loads(line)
            if message.get("id") == self._next_id and "method" not in message:
                assert "error" not in message, message
                return message["result"]  # type: ignore[no-any-return]

    def _send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()


@pytest.mark.slow  # a real upstream / subprocess: seconds
def test_serve_over_stdio_writes_only_json_rpc_on_stdout(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOCP_")}
    env.update(NOCP_DB=str(tmp_path / "nocp.db"), NOCP_LOG__LEVEL="DEBUG")  # chatty logs
    process = subprocess.Popen(
        [sys.executable, "-m", "nocp", "serve", "--config", str(REPO / "examples" / "nocp.toml")],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    client = RawClient(process)
    try:
        init = client.request(
            "initialize",
            {
                "protocolVersion": PROTOCOL_VERSION,
                "capabilities": {},
                "clientInfo": {"name": "raw-test", "version": "0"},
            },
        )
        client.notify("notifications/initialized")
        tools = client.request("tools/list")
        orders = client.request("tools/call", {"name": "query_orders", "arguments": {"limit": 200}})
        repo = client.request(
            "tools/call", {"name": "get_repository", "arguments": {"owner": "a", "name": "b"}}
        )
        failed = client.request("tools/call", {"name": "nope", "arguments": {}})
        stats = client.request("resources/read", {"uri": "nocp://stats"})
    finally:
        rest, errors = process.communicate(timeout=30)  # closes stdin: the server shuts down
    client.lines.extend(rest.splitlines(keepends=True))

    assert init["serverInfo"]["name"] == "nocp"
    names = [t["name"] for t in tools["tools"]]
    assert names[:3] == ["query_orders", "get_repository", "tail_log"]
    assert "read_file" in names and names[-1] == "nocp_expand"
    assert orders["content"][0]["text"].split("\n", 1)[0].endswith("coupon}:")
    assert not orders.get("isError") and failed["isError"] is True
    document = json.loads(stats["contents"][0]["text"])
    received = [
        orders["content"][0]["text"],
        repo["content"][0]["text"],
        failed["content"][0]["text"],
    ]
    assert document["calls"] == 3
    o200k = tiktoken.get_encoding("o200k_base")  # an independent count of what was received
    assert document["sent_tokens"] == sum(len(o200k.encode_ordinary(t)) for t in received)

    assert len(client.lines) >= 6
    for line in client.lines:
        message = json.loads(line)  # every stdout line is one JSON document…
        assert message["jsonrpc"] == "2.0"  # …and a JSON-RPC message
        assert "id" in message or "method" in message
    assert process.returncode == 0, errors
