"""N `nocp serve --http` processes on one PostgreSQL behind HAProxy, as docs/deployment.md
describes: used by tests/replicas and benchmarks/load.py.

Each replica is a real subprocess (`python -m nocp serve --http --port P`) with the same
config file, `NOCP_STORE_URL` and `NOCP_HTTP_TOKENS`; `kill(i)` is SIGKILL (no draining).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.services import free_port, haproxy, wait_for_port

HERE = Path(__file__).resolve().parent
TOKEN = "replica-test-token-0123456789abcdef"

CONFIG = """\
[tools]
modules = ["{tools}"]

[builtins]
enabled = false

[prune]
budget = 300

[log]
level = "WARNING"
file = "{log}"
"""


@dataclass
class Cluster:
    """The replicas' ports and processes, and the load balancer's port."""

    folder: Path
    store_url: str
    ports: list[int]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    lb: int = 0
    _logs: list[Any] = field(default_factory=list)

    @property
    def url(self) -> str:
        """The load balancer's MCP endpoint."""
        return f"http://127.0.0.1:{self.lb}/mcp"

    def replica_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.ports[index]}/mcp"

    def start(self, index: int) -> None:
        """Start replica `index` (again) and wait until it listens."""
        config = self.folder / "nocp.toml"
        env = {**os.environ, "NOCP_STORE_URL": self.store_url, "NOCP_HTTP_TOKENS": TOKEN}
        command = [sys.executable, "-m", "nocp", "serve", "--http", "--port", str(self.ports[index]),
                   "--config", str(config)]  # fmt: skip
        log = (self.folder / f"replica{index}.log").open("ab")
        self._logs.append(log)
        process = subprocess.Popen(command, cwd=self.folder, env=env, stdin=subprocess.DEVNULL,
                                   stdout=log, stderr=log)  # fmt: skip
        if index < len(self.processes):
            self.processes[index] = process
        else:
            self.processes.append(process)
        try:
            wait_for_port(self.ports[index], timeout_s=180, process=process)
        except RuntimeError as exc:
            log.flush()
            tail = (self.folder / f"replica{index}.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"replica {index}: {exc}\n{tail}") from None

    def kill(self, index: int) -> None:
        """SIGKILL replica `index`: what it had not written is lost."""
        self.processes[index].send_signal(signal.SIGKILL)
        self.processes[index].wait(10)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(20)
            if process.poll() is None:
                process.kill()
        for log in self._logs:
            log.close()


@contextlib.contextmanager
def cluster(folder: Path, store_url: str, replicas: int) -> Iterator[Cluster]:
    """`replicas` nocp processes on `store_url` behind HAProxy, all started; stopped after."""
    folder.mkdir(parents=True, exist_ok=True)
    tools = HERE / "load_tools.py"
    (folder / "nocp.toml").write_text(CONFIG.format(tools=tools, log=folder / "nocp.log"))
    running = Cluster(folder, store_url, [free_port() for _ in range(replicas)])
    try:
        for index in range(replicas):
            running.start(index)
        with haproxy(running.ports, folder) as port:
            running.lb = port
            yield running
    finally:
        running.stop()


@contextlib.asynccontextmanager
async def connect(url: str, token: str = TOKEN, **options: Any) -> AsyncIterator[Client]:
    """An SDK client of `url` with the bearer token."""
    timeout = httpx2.Timeout(60.0, read=120.0)
    limits = httpx2.Limits(max_connections=200, max_keepalive_connections=100)
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=timeout, limits=limits) as http,
        Client(streamable_http_client(url, http_client=http), **options) as client,
    ):
        yield client


@dataclass
class Load:
    """What a load run saw: per completed call its seed, handle (or None) and seconds."""

    done: list[tuple[int, str | None, float]] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    seconds: float = 0.0


async def load(url: str, calls: int, in_flight: int, *, on_done: Any = None) -> Load:
    """`calls` calls of `payload` (odd seeds 100 KB, even 1 KB), `in_flight` at a time.

    One client per lane, one call in flight on each: the SDK's HTTP client ends all its
    requests when one of its connections breaks (a replica killed), so this way only the call
    that was on the dead replica fails; its lane reconnects. `on_done(n)` is called after the
    n-th completed call.
    """
    import re
    import time

    import anyio

    outcome = Load()
    pending = list(range(calls - 1, -1, -1))
    handle = re.compile(r'handle="(h[0-9a-f]+)"')

    async def lane() -> None:
        while pending:
            current: int | None = None
            try:
                async with connect(url) as client:
                    while pending:
                        current = pending.pop()
                        start = time.perf_counter()
                        result = await client.call_tool("payload", {"kb": 100 if current % 2 else 1, "seed": current})
                        if result.is_error:
                            outcome.failed.append(current)
                        else:
                            text = "".join(getattr(b, "text", "") for b in result.content)
                            found = handle.search(text)
                            outcome.done.append((current, found.group(1) if found else None,
                                                 time.perf_counter() - start))  # fmt: skip
                            if on_done is not None:
                                on_done(len(outcome.done))
                        current = None
            except Exception:
                if current is not None:
                    outcome.failed.append(current)

    start = time.perf_counter()
    async with anyio.create_task_group() as tg:
        for _ in range(in_flight):
            tg.start_soon(lane)
    outcome.seconds = time.perf_counter() - start
    return outcome
