"""A hand-written upstream MCP server over stdio (no SDK: it can send what the SDK never would).

python raw_upstream.py MODE [SECONDS]
    surrogates   tool results and errors carrying "\\udcff"-style escapes (lone surrogates)
    badbytes     tool results with bytes that are not UTF-8
    slow         answers `initialize` after SECONDS (never: a very large number)
"""

from __future__ import annotations

import json
import sys
import time

MODE = sys.argv[1]
DELAY = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
TOOL = {"name": "echo", "description": "a tool", "inputSchema": {"type": "object", "properties": {}}}


def send(raw: bytes) -> None:
    sys.stdout.buffer.write(raw + b"\n")
    sys.stdout.buffer.flush()


def reply(request_id: object, result: dict[str, object]) -> None:
    send(json.dumps({"jsonrpc": "2.0", "id": request_id, "result": result}).encode())


def call_result(request_id: object) -> None:
    if MODE == "surrogates":  # json.dumps writes a lone surrogate as the escape \udcff
        reply(request_id, {"content": [{"type": "text", "text": "file-\udcff.txt"}], "isError": False})
    elif MODE == "badbytes":
        body = b'{"jsonrpc":"2.0","id":%s,"result":{"content":[{"type":"text","text":"caf\xe9 \xff"}]}}'
        send(body % json.dumps(request_id).encode())
    else:
        reply(request_id, {"content": [{"type": "text", "text": "ok"}]})


def main() -> None:
    for line in sys.stdin.buffer:
        message = json.loads(line)
        method, request_id = message.get("method"), message.get("id")
        if request_id is None:
            continue
        if method == "initialize":
            time.sleep(DELAY)
            info = {"name": "raw", "version": "0"}
            version = message["params"]["protocolVersion"]
            reply(request_id, {"protocolVersion": version, "capabilities": {"tools": {}}, "serverInfo": info})
        elif method == "tools/list":
            reply(request_id, {"tools": [TOOL]})
        elif method == "tools/call":
            call_result(request_id)
        elif method == "ping":
            reply(request_id, {})
        else:
            send(
                json.dumps(
                    {"jsonrpc": "2.0", "id": request_id, "error": {"code": -32601, "message": "no"}}
                ).encode()
            )


if __name__ == "__main__":
    main()
