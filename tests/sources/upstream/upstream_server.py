"""A real upstream MCP server for the tests, written with the SDK (run as a subprocess).

python upstream_server.py            # stdio
python upstream_server.py --legacy   # stdio, the 2025 handshake era only (like older SDKs)
python upstream_server.py --http N   # streamable HTTP on 127.0.0.1:N/mcp
"""

from __future__ import annotations

import base64
import os
import sys
import warnings
from typing import Annotated, Any

from mcp.server.mcpserver import Context, Elicit, ListRoots, MCPServer, Resolve, Sample
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import (
    Completion,
    CompletionArgument,
    CreateMessageResult,
    EmptyResult,
    ImageContent,
    ListRootsResult,
    SamplingMessage,
    SetLevelRequestParams,
    SubscribeRequestParams,
    TextContent,
    UnsubscribeRequestParams,
)
from pydantic import BaseModel

warnings.filterwarnings("ignore", category=DeprecationWarning)  # logging, roots: 2025-era features

INSTRUCTIONS = "Call records before log_text.\nNever call crash."

server = MCPServer("test-upstream", instructions=INSTRUCTIONS)

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 16).decode()


@server.tool()
def records(n: int = 3) -> list[dict[str, object]]:
    """n user records."""
    return [{"id": i, "name": f"user{i}", "team": "core", "email": None, "active": True} for i in range(n)]


@server.tool()
def log_text(lines: int = 3) -> str:
    """A log with trailing spaces and blank-line runs."""
    return "".join(f"line {i}   \n\n\n" for i in range(lines))


@server.tool()
def picture() -> list[TextContent | ImageContent]:
    """Text around an image."""
    return [
        TextContent(type="text", text='{"caption": "a dot", "tags": []}'),
        ImageContent(type="image", data=PNG, mime_type="image/png"),
    ]


@server.tool()
def fail(message: str) -> str:
    """Raises, so the result is isError."""
    raise ToolError(message)


@server.tool()
def crash(code: int) -> str:
    """Exits the process in the middle of the call."""
    sys.stderr.write(f"crashing with {code}\n")
    sys.stderr.flush()
    os._exit(code)


@server.tool()
def shout(text: str) -> str:
    """Writes `text` to stderr and returns it."""
    sys.stderr.write(f"STDERR:{text}\n")
    sys.stderr.flush()
    return text


@server.tool()
def pid() -> str:
    """The process id (changes when the server restarts)."""
    return str(os.getpid())


@server.tool()
async def slow(seconds: float) -> str:
    """Sleeps."""
    import anyio

    await anyio.sleep(seconds)
    return "done"


@server.tool()
async def steps(n: int, ctx: Context) -> str:
    """Reports progress n times."""
    for i in range(1, n + 1):
        await ctx.report_progress(i, n, f"step {i}")
    return f"{n} steps"


@server.tool()
async def grow(ctx: Context) -> str:
    """Adds the tool `added` and announces that the tool list changed."""

    def added() -> str:
        """A tool that appeared later."""
        return "new"

    server.add_tool(added)
    await ctx.notify_tools_changed()  # 2026-07-28 clients: their listen stream
    await ctx.session.send_tool_list_changed()  # older clients: a notification
    return "grown"


@server.tool()
async def add_note(ctx: Context) -> str:
    """Adds the resource notes://added and the prompt `summarise`, and announces both changes."""
    server.resource("notes://added", name="added")(lambda: "added later")
    server.prompt(name="summarise")(lambda: "Summarise.")
    await ctx.notify_resources_changed()  # 2026-07-28 clients: their listen stream
    await ctx.notify_prompts_changed()
    await ctx.session.send_resource_list_changed()  # older clients: notifications
    await ctx.session.send_prompt_list_changed()
    return f"added ({ctx.session.protocol_version})"


@server.resource("notes://today", name="today", description="Today's notes.")
def today() -> str:
    return "buy milk"


@server.prompt(name="review", description="Review a file.")
def review(path: str) -> str:
    return f"Please review {path}."


def _sample(prompt: str) -> Sample:
    message = SamplingMessage(role="user", content=TextContent(type="text", text=prompt))
    return Sample([message], max_tokens=20)


class Name(BaseModel):
    name: str = "Ada"


def _ask_name() -> Elicit[Name]:
    return Elicit("What is your name?", Name)


def _roots() -> ListRoots:
    return ListRoots()


@server.tool()
def ask_model(
    prompt: str, answer: Annotated[CreateMessageResult, Resolve(lambda prompt: _sample(prompt))]
) -> str:
    """Asks the client's model (mid-call in the 2025 era, as input_required in 2026-07-28)."""
    content = answer.content
    return f"model said: {content.text if isinstance(content, TextContent) else content}"


@server.tool()
def ask_user(name: Annotated[Name, Resolve(_ask_name)]) -> str:
    """Asks the user their name (elicitation)."""
    return f"user said: {name.name}"


@server.tool()
def client_roots(roots: Annotated[ListRootsResult, Resolve(_roots)]) -> str:
    """The client's roots."""
    return ",".join(str(root.uri) for root in roots.roots) or "(none)"


@server.tool()
async def chatty(ctx: Context) -> str:
    """Logs at debug, info and warning while it runs."""
    await ctx.debug("debug line")
    await ctx.info("info line")
    await ctx.warning("warning line")
    return "chatted"


@server.tool()
async def touch(uri: str, ctx: Context) -> str:
    """Announces that resource `uri` changed (to 2025-era subscribers; 2026-07-28 listeners)."""
    if ctx.session.protocol_version == "2026-07-28":
        await ctx.notify_resource_updated(uri)
    else:
        await ctx.session.send_resource_updated(uri)
    return "touched"


@server.completion()
async def complete(ref: Any, argument: CompletionArgument, context: Any) -> Completion:
    words = [w for w in ("main.py", "make.py", "readme.md") if w.startswith(argument.value)]
    return Completion(values=words, total=len(words), has_more=False)


SUBSCRIBED: set[str] = set()


async def _subscribe(ctx: Any, params: SubscribeRequestParams) -> EmptyResult:
    SUBSCRIBED.add(str(params.uri))
    return EmptyResult()


async def _unsubscribe(ctx: Any, params: UnsubscribeRequestParams) -> EmptyResult:
    SUBSCRIBED.discard(str(params.uri))
    return EmptyResult()


async def _set_level(ctx: Any, params: SetLevelRequestParams) -> EmptyResult:
    return EmptyResult()  # declares `logging`; MCPServer's Context logs at every level anyway


server._lowlevel_server.add_request_handler("logging/setLevel", SetLevelRequestParams, _set_level)
server._lowlevel_server.add_request_handler("resources/subscribe", SubscribeRequestParams, _subscribe)
server._lowlevel_server.add_request_handler("resources/unsubscribe", UnsubscribeRequestParams, _unsubscribe)


class Forecast(BaseModel):
    city: str
    days: list[dict[str, float]]


@server.tool()
def forecast(city: str) -> Forecast:
    """Structured output with an output schema."""
    return Forecast(city=city, days=[{"day": float(d), "temp": 20.5 + d} for d in range(3)])


async def serve_legacy() -> None:
    """Serve stdio in the handshake era only: no `server/discover`, no listen streams."""
    from mcp.server.runner import serve_loop
    from mcp.server.stdio import stdio_server

    lowlevel = server._lowlevel_server
    options = lowlevel.create_initialization_options()
    async with stdio_server() as (read, write), lowlevel.lifespan(lowlevel) as state:
        await serve_loop(lowlevel, read, write, lifespan_state=state, init_options=options)


if __name__ == "__main__":
    import anyio

    if len(sys.argv) == 3 and sys.argv[1] == "--http":
        anyio.run(lambda: server.run_streamable_http_async(port=int(sys.argv[2])))
    elif sys.argv[1:] == ["--legacy"]:
        anyio.run(serve_legacy)
    else:
        server.run()
