"""A raw JSON-RPC client for a real `nocp serve` process over stdio (the security and fault
suites): any bytes can be sent, replies are read by a thread, every request has a deadline."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

PROTOCOL_VERSION = "2025-06-18"


class WireServer:
    """`nocp serve` in a subprocess, spoken to line by line."""

    def __init__(self, cwd: Path, *args: str, env: dict[str, str] | None = None) -> None:
        environ = {k: v for k, v in os.environ.items() if not k.startswith("NOCP_")}
        environ.update(NOCP_DB=str(cwd / "nocp.db"), **(env or {}))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "nocp", "serve", *args],
            cwd=cwd,
            env=environ,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.lines: queue.Queue[bytes] = queue.Queue()
        self.messages: list[dict[str, Any]] = []
        self._next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(b"")

    def send_raw(self, data: bytes) -> None:
        """Write `data` (a line, valid or not) to the server's stdin."""
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def send(self, method: str, params: dict[str, Any] | None = None, *, notify: bool = False) -> int:
        """Send a request (its id returned) or a notification; does not wait."""
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        if not notify:
            self._next_id += 1
            message["id"] = self._next_id
        self.send_raw(json.dumps(message).encode() + b"\n")
        return self._next_id

    def wait(self, request_id: int | None, timeout: float = 30.0) -> dict[str, Any]:
        """The reply to `request_id` (None: the next reply with `id: null`)."""
        deadline = time.monotonic() + timeout
        for message in self.messages:
            if message.get("id") == request_id and "method" not in message:
                self.messages.remove(message)
                return message
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no reply to request {request_id} within {timeout} s")
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            if not line:
                raise ConnectionError(f"server closed stdout; stderr:\n{self.stderr()[-3000:]}")
            line.decode("utf-8")  # every byte sent is valid UTF-8 (raises otherwise)
            message = json.loads(line)
            if message.get("id") == request_id and "method" not in message:
                return message  # type: ignore[no-any-return]
            self.messages.append(message)

    def replied(self, request_id: int) -> bool:
        """Whether the reply to `request_id` has arrived (kept for `wait`); does not block."""
        while True:
            try:
                line = self.lines.get_nowait()
            except queue.Empty:
                break
            if not line:
                raise ConnectionError("server closed stdout")
            self.messages.append(json.loads(line))
        return any(m.get("id") == request_id and "method" not in m for m in self.messages)

    def latency(self, method: str = "ping") -> float:
        """Seconds until a cheap request is answered."""
        start = time.perf_counter()
        self.request(method, timeout=60)
        return time.perf_counter() - start

    def request(self, method: str, params: dict[str, Any] | None = None, timeout: float = 30.0) -> Any:
        """Send a request and return its result (fails on a JSON-RPC error)."""
        reply = self.wait(self.send(method, params if params is not None else {}), timeout)
        assert "error" not in reply, reply
        return reply["result"]

    def initialize(self) -> dict[str, Any]:
        """The legacy-era handshake."""
        info = {"name": "wire-test", "version": "0"}
        init = self.request(
            "initialize", {"protocolVersion": PROTOCOL_VERSION, "capabilities": {}, "clientInfo": info}
        )
        self.send("notifications/initialized", notify=True)
        return init  # type: ignore[no-any-return]

    def call(
        self, name: str, arguments: dict[str, Any] | None = None, timeout: float = 60.0
    ) -> dict[str, Any]:
        """A `tools/call` result (`isError` results included)."""
        return self.request("tools/call", {"name": name, "arguments": arguments or {}}, timeout)  # type: ignore[no-any-return]

    def alive(self) -> bool:
        """The server still answers a request."""
        return isinstance(self.request("tools/list", timeout=30), dict)

    def stderr(self) -> str:
        """What the server wrote on stderr (after it stopped)."""
        self.close()
        assert self.process.stderr is not None
        if self.process.stderr.closed:
            return ""
        with self.process.stderr:
            return self.process.stderr.read().decode("utf-8", "replace")

    def close(self) -> None:
        """Close stdin and wait for the process (killed after 10 s)."""
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None and not pipe.closed:
                pipe.close()

    def __enter__(self) -> WireServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
        if self.process.stderr is not None and not self.process.stderr.closed:
            self.process.stderr.close()
