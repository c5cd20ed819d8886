"""The cheapest proxy the MCP Python SDK allows: forwards tools/list and tools/call, nothing else.

A baseline for `upstream_overhead.py`: the cost of the second JSON-RPC hop alone (one more
process, one more parse and serialise on each side), with no pipeline, stats or store. The
result is forwarded exactly as received, so the client gets the upstream's full result.

    python benchmarks/passthrough_proxy.py -- python tests/sources/upstream/upstream_server.py
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import mcp_types as types
from mcp import Client, StdioServerParameters
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server


def build(command: list[str]) -> Server[Any]:
    """A server whose tools are the upstream's, each call forwarded and answered as is."""
    upstream: dict[str, Client] = {}

    @asynccontextmanager
    async def lifespan(_: Server[Any]) -> AsyncIterator[dict[str, Any]]:
        params = StdioServerParameters(command=command[0], args=command[1:])
        async with Client(params, cache=None) as client:
            upstream["client"] = client
            yield {}

    async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
        return await upstream["client"].list_tools()

    async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        return await upstream["client"].call_tool(params.name, params.arguments)

    return Server("passthrough", lifespan=lifespan, on_list_tools=list_tools, on_call_tool=call_tool)


async def main(command: list[str]) -> None:
    server = build(command)
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


if __name__ == "__main__":
    args = sys.argv[1:]
    anyio.run(main, args[args.index("--") + 1 :] if "--" in args else args)
