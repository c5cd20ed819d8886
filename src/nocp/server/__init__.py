"""The MCP server: tools from every source, each result through the pipeline, stats recorded.

app.py           NocpServer: the wiring (stores, sources, handlers) around the SDK server
sdk.py           SdkServer: the SDK's low-level server, instructions that may still change
tools.py         the tool index and how a tool is advertised (`focus` added)
call.py          one tools/call: timeout, errors, the pipeline, off the event loop when large
accounting.py    stats rows, stored originals and cached results, after the reply
after_reply.py   AfterReply: the queue that work after a reply runs in, in call order
result_cache.py  reusing results of idempotent tools (`cache_ttl_s`)
resources.py     nocp:// resources and the upstreams' resources
prompts.py       the upstreams' prompts
offload.py       on the event loop or in a worker thread
"""

from __future__ import annotations

from nocp.server.app import NocpServer
from nocp.server.sdk import INSTRUCTIONS

__all__ = ["INSTRUCTIONS", "NocpServer"]
