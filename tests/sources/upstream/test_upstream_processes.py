"""nocp as a real process (`nocp wrap`, `nocp serve`) and upstreams over streamable HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from nocp.config import Settings
from nocp.server import INSTRUCTIONS, NocpServer
from tests.conftest import text_of

pytestmark = [pytest.mark.slow, pytest.mark.anyio]

SERVER = str(Path(__file__).with_name("upstream_server.py"))
SAFETY_S = 60  # only so that a bug hangs no CI job; no assertion depends on time


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve_http(port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, SERVER, "--http", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait_for_port(port, process)
    return process


@pytest.fixture
def http_upstream() -> Iterator[str]:
    """The test upstream serving streamable HTTP on 127.0.0.1, as a subprocess."""
    port = _free_port()
    process = _serve_http(port)
    try:
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.kill()  # uvicorn waits for open streams on SIGTERM
        process.wait(10)


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    import time

    deadline = time.monotonic() + SAFETY_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the HTTP upstream exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the HTTP upstream did not start listening")


async def test_streamable_http_upstream(http_upstream: str, db_path: Path) -> None:
    settings = Settings(
        stats={"db": db_path},
        upstream={"web": {"url": http_upstream, "headers": {"X-Test": "1"}}},
        builtins={"enabled": False},
    )
    server = NocpServer.from_settings(settings)
    async with Client(server.mcp_server) as client:
        tools = [t.name for t in (await client.list_tools()).tools]
        result = await client.call_tool("web__records", {"n": 3})
        failed = await client.call_tool("web__fail", {"message": "nope"})
        rows = json.loads(text_of(await client.read_resource("nocp://upstreams")))
    assert "web__records" in tools
    assert text_of(result).startswith("[3]{id,name,team,active}:")
    assert failed.is_error and "nope" in text_of(failed)
    assert rows[0]["transport"] == "http" and rows[0]["state"] == "running"


async def test_an_http_upstream_that_goes_away_is_reconnected_when_it_is_back(
    db_path: Path,
) -> None:
    port = _free_port()
    settings = Settings(
        stats={"db": db_path},
        upstream={"web": {"url": f"http://127.0.0.1:{port}/mcp"}},
        builtins={"enabled": False},
    )
    process = _serve_http(port)
    try:
        async with Client(NocpServer.from_settings(settings).mcp_server) as client:
            first = text_of(await client.call_tool("web__pid", {}))
            process.kill()
            process.wait(10)
            down = await client.call_tool("web__pid", {})
            process = _serve_http(port)
            back = await client.call_tool("web__pid", {})
            rows = json.loads(text_of(await client.read_resource("nocp://upstreams")))
    finally:
        process.kill()
        process.wait(10)
    assert down.is_error
    assert "upstream 'web' closed the connection during the call" in text_of(down)
    assert not back.is_error and text_of(back) != first
    assert rows[0]["state"] == "running" and rows[0]["restarts"] == 1


async def test_an_unreachable_http_upstream_is_a_failed_start(db_path: Path) -> None:
    url = f"http://127.0.0.1:{_free_port()}/mcp"  # nothing listens there
    settings = Settings(
        stats={"db": db_path},
        builtins={"enabled": False},
        upstream={
            "gone": {"url": url, "start_timeout_s": 10},
            "t": {"command": sys.executable, "args": [SERVER]},
        },
    )
    async with Client(NocpServer.from_settings(settings).mcp_server) as client:
        rows = {r["name"]: r for r in json.loads(text_of(await client.read_resource("nocp://upstreams")))}
        call = await client.call_tool("t__pid", {})
    assert rows["gone"]["state"] == "failed"
    assert rows["gone"]["last_error"] == f"cannot reach {url}: All connection attempts failed"
    assert not call.is_error


class _JsonRpc:
    """Raw JSON-RPC over a process's stdin/stdout, keeping every stdout line it read."""

    def __init__(self, process: Any) -> None:
        self.process, self.lines, self._buffer = process, list[str](), bytearray()

    async def __call__(self, message: dict[str, Any]) -> dict[str, Any] | None:
        await self.process.stdin.send((json.dumps(message) + "\n").encode())
        if "id" not in message:
            return None
        while True:
            line = await self._readline()
            self.lines.append(line)
            reply = json.loads(line)
            if reply.get("id") == message["id"]:
                return dict(reply)

    async def _readline(self) -> str:
        while b"\n" not in self._buffer:
            self._buffer.extend(await self.process.stdout.receive())
        line, _, rest = bytes(self._buffer).partition(b"\n")
        self._buffer[:] = rest
        return line.decode()


async def _drain(stream: Any, into: bytearray) -> None:
    try:
        async for chunk in stream:
            into.extend(chunk)
    except anyio.ClosedResourceError:
        pass


async def test_nocp_wrap_speaks_only_json_rpc_on_stdout_and_logs_upstream_stderr(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "NOCP_DB": str(tmp_path / "nocp.db"), "NOCP_LOG__LEVEL": "INFO"}
    command = [sys.executable, "-m", "nocp", "wrap", "--name", "t", "--", sys.executable, SERVER]
    stderr = bytearray()
    with anyio.fail_after(SAFETY_S):
        async with await anyio.open_process(command, env=env, cwd=tmp_path) as process:  # noqa: SIM117
            async with anyio.create_task_group() as tg:
                tg.start_soon(_drain, process.stderr, stderr)
                rpc = _JsonRpc(process)
                initialized = await rpc(
                    {
                        "jsonrpc": "2.0",
                        "id": 1,
                        "method": "initialize",
                        "params": {
                            "protocolVersion": "2025-11-25",
                            "capabilities": {},
                            "clientInfo": {"name": "test", "version": "0"},
                        },
                    }
                )
                await rpc({"jsonrpc": "2.0", "method": "notifications/initialized"})
                listed = await rpc({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
                called = await rpc(
                    {
                        "jsonrpc": "2.0",
                        "id": 3,
                        "method": "tools/call",
                        "params": {"name": "shout", "arguments": {"text": "MARKER-42"}},
                    }
                )
                await process.stdin.aclose()
                await process.wait()
    assert initialized is not None and listed is not None and called is not None
    answer = initialized["result"]
    assert answer["instructions"] == f"{INSTRUCTIONS}\n\nCall records before log_text.\nNever call crash."
    assert answer["capabilities"]["tools"] == {"listChanged": True}  # upstream changes are announced
    names = [t["name"] for t in listed["result"]["tools"]]
    assert "shout" in names and "records" in names  # one wrapped server: no prefix
    assert called["result"]["content"] == [{"type": "text", "text": "MARKER-42"}]
    assert all(json.loads(line)["jsonrpc"] == "2.0" for line in rpc.lines)
    log = stderr.decode()
    assert "STDERR:MARKER-42" in log  # the upstream's stderr, in nocp's log at info level
    assert "[info     ] upstream stderr" in log and "[warning  ] upstream stderr" not in log


async def test_nocp_serve_reads_a_client_mcp_servers_json(tmp_path: Path) -> None:
    config = tmp_path / "claude_desktop_config.json"
    config.write_text(json.dumps({"mcpServers": {"t": {"command": sys.executable, "args": [SERVER]}}}))
    params_env = {**os.environ, "NOCP_DB": str(tmp_path / "nocp.db")}
    from mcp import StdioServerParameters

    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "nocp", "serve", "--config", str(config)],
        env=params_env,
    )
    with anyio.fail_after(SAFETY_S):
        async with Client(params, cache=None) as client:
            names = [t.name for t in (await client.list_tools()).tools]
            result = await client.call_tool("t__log_text", {"lines": 1})
    assert "t__records" in names
    assert text_of(result) == "line 0"
