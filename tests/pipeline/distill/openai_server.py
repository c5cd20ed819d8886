"""A local OpenAI-compatible HTTP server on 127.0.0.1 that answers with canned completions."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Canned:
    """What the server answers, and what it was asked."""

    content: str = "ok"
    status: int = 200
    delay_s: float = 0.0
    prompt_tokens: int = 1000
    completion_tokens: int = 50
    requests: list[dict[str, Any]] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    canned: Canned

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.canned.requests.append({"path": self.path, "body": body})
        if self.canned.delay_s:
            time.sleep(self.canned.delay_s)
        if self.canned.status != 200:
            self._send(
                self.canned.status,
                {"error": {"message": "upstream exploded", "type": "server_error"}},
            )
            return
        self._send(
            200,
            {
                "id": "chatcmpl-test",
                "object": "chat.completion",
                "created": 1700000000,
                "model": body.get("model", "gpt-4o-mini"),
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": self.canned.content},
                    }
                ],
                "usage": {
                    "prompt_tokens": self.canned.prompt_tokens,
                    "completion_tokens": self.canned.completion_tokens,
                    "total_tokens": self.canned.prompt_tokens + self.canned.completion_tokens,
                },
            },
        )

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
            pass

    def log_message(self, format: str, *args: Any) -> None:
        return


@contextmanager
def openai_server() -> Iterator[tuple[str, Canned]]:
    """(api_base, canned) of a running server; stopped on exit."""
    canned = Canned()
    handler = type("Handler", (_Handler,), {"canned": canned})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", canned
    finally:
        server.shutdown()
        server.server_close()
