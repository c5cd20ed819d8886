"""The reference upstream for the MCP conformance suite, written with the real Python SDK.

It offers exactly what the server scenarios of `@modelcontextprotocol/conformance` 0.1.16 call
(tools `test_*` and `json_schema_2020_12_tool`, the `test://` resources, the `test_*` prompts,
completions, `logging/setLevel`, `resources/subscribe`), with the payloads each scenario's
description asks for. Alone behind a stdio→HTTP bridge it passes every scenario a server can pass;
the same server behind `nocp wrap` shows what nocp loses as a proxy (docs/conformance.md).

Usage:
    python tests/conformance/reference_server.py               # stdio
    python tests/conformance/reference_server.py --http 8123   # the SDK's streamable HTTP on 127.0.0.1
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import struct
import sys
import warnings
import wave
import zlib
from typing import Any

import anyio
import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.prompts.base import UserMessage
from mcp.server.mcpserver.tools.base import Tool

# logging, sampling and resource subscriptions are deprecated at 2026-07-28 but are exactly what
# the 2025-era scenarios test; the warnings would only clutter the bridge's log.
warnings.filterwarnings("ignore", category=DeprecationWarning)

LEVELS: list[types.LoggingLevel] = [
    "debug",
    "info",
    "notice",
    "warning",
    "error",
    "critical",
    "alert",
    "emergency",
]
STEP_S = 0.05  # the pause the logging and progress scenarios ask for between notifications
SCHEMA_2020_12 = "https://json-schema.org/draft/2020-12/schema"


def _png_1x1_red() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1×1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\x00\x00")  # filter byte, then one red pixel
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def _wav_silence() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x00" * 80)  # 10 ms
    return buffer.getvalue()


PNG = _png_1x1_red()
PNG_B64 = base64.b64encode(PNG).decode()
WAV_B64 = base64.b64encode(_wav_silence()).decode()


class _State:
    """What one client session set: its log level and its subscriptions (one client per process)."""

    level: types.LoggingLevel = "debug"
    subscribed: set[str] = set()  # noqa: RUF012 — one process, one client


def _build() -> MCPServer:
    server = MCPServer(
        "nocp-conformance-reference",
        version="1.0.0",
        instructions="The MCP conformance suite's server scenarios, served by the Python SDK.",
        tools=[_json_schema_tool()],
    )
    _content_tools(server)
    _behaving_tools(server)
    _client_tools(server)
    _resources(server)
    _prompts(server)
    _completions(server)
    _session_methods(server)
    return server


def _json_schema_tool() -> Tool:
    """`json_schema_2020_12_tool`: an input schema the SDK would not derive from a signature."""

    def json_schema_2020_12_tool(name: str | None = None, address: dict[str, Any] | None = None) -> str:
        return f"name={name!r}, address={address!r}"

    schema = {
        "$schema": SCHEMA_2020_12,
        "type": "object",
        "$defs": {
            "address": {
                "type": "object",
                "properties": {"street": {"type": "string"}, "city": {"type": "string"}},
            }
        },
        "properties": {"name": {"type": "string"}, "address": {"$ref": "#/$defs/address"}},
        "additionalProperties": False,
    }
    tool = Tool.from_function(json_schema_2020_12_tool, description="Tool with JSON Schema 2020-12 features")
    return tool.model_copy(update={"parameters": schema})


def _content_tools(server: MCPServer) -> None:
    """Tools whose results are each kind of content block."""

    @server.tool(description="Returns one text block.")
    def test_simple_text() -> str:
        return "This is a simple text response for testing."

    @server.tool(description="Returns a 1×1 red PNG.", structured_output=False)
    def test_image_content() -> list[types.ContentBlock]:
        return [types.ImageContent(type="image", data=PNG_B64, mime_type="image/png")]

    @server.tool(description="Returns 10 ms of silence as WAV.", structured_output=False)
    def test_audio_content() -> list[types.ContentBlock]:
        return [types.AudioContent(type="audio", data=WAV_B64, mime_type="audio/wav")]

    @server.tool(description="Returns an embedded text resource.", structured_output=False)
    def test_embedded_resource() -> list[types.ContentBlock]:
        return [_embedded("test://embedded-resource", "text/plain", "This is an embedded resource content.")]

    @server.tool(description="Returns text, an image and an embedded resource.", structured_output=False)
    def test_multiple_content_types() -> list[types.ContentBlock]:
        data = json.dumps({"test": "data", "value": 123}, separators=(",", ":"))
        return [
            types.TextContent(type="text", text="Multiple content types test:"),
            types.ImageContent(type="image", data=PNG_B64, mime_type="image/png"),
            _embedded("test://mixed-content-resource", "application/json", data),
        ]


def _behaving_tools(server: MCPServer) -> None:
    """Tools that fail, log, report progress or close their stream."""

    @server.tool(description="Always fails.")
    def test_error_handling() -> str:
        raise ToolError("This tool intentionally returns an error for testing")

    @server.tool(description="Sends three info log messages while it runs.")
    async def test_tool_with_logging(ctx: Context) -> str:
        for i, message in enumerate(
            ("Tool execution started", "Tool processing data", "Tool execution completed")
        ):
            if i:
                await anyio.sleep(STEP_S)
            if LEVELS.index("info") >= LEVELS.index(_State.level):
                await ctx.info(message)
        return "Tool with logging executed successfully"

    @server.tool(description="Reports progress 0, 50 and 100 of 100.")
    async def test_tool_with_progress(ctx: Context) -> str:
        for i, progress in enumerate((0, 50, 100)):
            if i:
                await anyio.sleep(STEP_S)
            await ctx.report_progress(progress, 100)
        return "Tool with progress executed successfully"

    @server.tool(description="Closes its SSE stream before answering (a no-op where the transport has none).")
    async def test_reconnection(ctx: Context) -> str:
        await ctx.close_sse_stream()
        await anyio.sleep(STEP_S)
        return "Reconnection test completed"


def _client_tools(server: MCPServer) -> None:
    """Tools that send a request back to the client: sampling and elicitation."""

    @server.tool(description="Asks the client's model to answer `prompt`.")
    async def test_sampling(prompt: str, ctx: Context) -> str:
        message = types.SamplingMessage(role="user", content=types.TextContent(type="text", text=prompt))
        result = await ctx.session.create_message(
            [message], max_tokens=100, related_request_id=ctx.request_id
        )
        content = result.content
        text = content.text if isinstance(content, types.TextContent) else str(content)
        return f"LLM response: {text}"

    @server.tool(description="Asks the user for a username and an email.")
    async def test_elicitation(message: str, ctx: Context) -> str:
        schema = {
            "type": "object",
            "properties": {
                "username": {"type": "string", "description": "User's response"},
                "email": {"type": "string", "description": "User's email address"},
            },
            "required": ["username", "email"],
        }
        return await _elicit(ctx, message, schema, "User response")

    @server.tool(description="Elicits a form whose fields all carry defaults (SEP-1034).")
    async def test_elicitation_sep1034_defaults(ctx: Context) -> str:
        schema = {
            "type": "object",
            "properties": {
                "name": {"type": "string", "default": "John Doe"},
                "age": {"type": "integer", "default": 30},
                "score": {"type": "number", "default": 95.5},
                "status": {"type": "string", "enum": ["active", "inactive", "pending"], "default": "active"},
                "verified": {"type": "boolean", "default": True},
            },
        }
        return await _elicit(ctx, "Please review your information", schema, "Elicitation completed")

    @server.tool(description="Elicits a form with the five enum shapes of SEP-1330.")
    async def test_elicitation_sep1330_enums(ctx: Context) -> str:
        return await _elicit(ctx, "Please choose", _enum_schema(), "Elicitation completed")


def _enum_schema() -> dict[str, Any]:
    options = ["option1", "option2", "option3"]
    return {
        "type": "object",
        "properties": {
            "untitledSingle": {"type": "string", "enum": options},
            "titledSingle": {
                "type": "string",
                "oneOf": [
                    {"const": "value1", "title": "First Option"},
                    {"const": "value2", "title": "Second Option"},
                    {"const": "value3", "title": "Third Option"},
                ],
            },
            "legacyEnum": {
                "type": "string",
                "enum": ["opt1", "opt2", "opt3"],
                "enumNames": ["Option One", "Option Two", "Option Three"],
            },
            "untitledMulti": {"type": "array", "items": {"type": "string", "enum": options}},
            "titledMulti": {
                "type": "array",
                "items": {
                    "anyOf": [
                        {"const": "value1", "title": "First Choice"},
                        {"const": "value2", "title": "Second Choice"},
                        {"const": "value3", "title": "Third Choice"},
                    ]
                },
            },
        },
    }


async def _elicit(ctx: Context, message: str, schema: dict[str, Any], label: str) -> str:
    result = await ctx.session.elicit_form(message, schema, related_request_id=ctx.request_id)
    return f"{label}: action={result.action}, content={json.dumps(result.content)}"


def _embedded(uri: str, mime: str, text: str) -> types.EmbeddedResource:
    return types.EmbeddedResource(
        type="resource", resource=types.TextResourceContents(uri=uri, mime_type=mime, text=text)
    )


def _resources(server: MCPServer) -> None:
    @server.resource(
        "test://static-text",
        name="static-text",
        description="A static text resource.",
        mime_type="text/plain",
    )
    def static_text() -> str:
        return "This is the content of the static text resource."

    @server.resource(
        "test://static-binary", name="static-binary", description="A 1×1 red PNG.", mime_type="image/png"
    )
    def static_binary() -> bytes:
        return PNG

    @server.resource(
        "test://watched-resource",
        name="watched-resource",
        description="A resource a client may subscribe to.",
        mime_type="text/plain",
    )
    def watched_resource() -> str:
        return "This resource can be watched for updates."

    @server.resource(
        "test://template/{id}/data",
        name="template-data",
        description="Data for an id, from a template.",
        mime_type="application/json",
    )
    def template_data(id: str) -> str:
        return json.dumps({"id": id, "templateTest": True, "data": f"Data for ID: {id}"})


def _prompts(server: MCPServer) -> None:
    @server.prompt(description="A prompt without arguments.")
    def test_simple_prompt() -> list[UserMessage]:
        return [UserMessage("This is a simple prompt for testing.")]

    @server.prompt(description="A prompt with two arguments.")
    def test_prompt_with_arguments(arg1: str, arg2: str) -> list[UserMessage]:
        return [UserMessage(f"Prompt with arguments: arg1='{arg1}', arg2='{arg2}'")]

    @server.prompt(description="A prompt that embeds the resource it is given.")
    def test_prompt_with_embedded_resource(resourceUri: str) -> list[UserMessage]:  # the suite's name
        return [
            UserMessage(_embedded(resourceUri, "text/plain", "Embedded resource content for testing.")),
            UserMessage("Please process the embedded resource above."),
        ]

    @server.prompt(description="A prompt with an image.")
    def test_prompt_with_image() -> list[UserMessage]:
        return [
            UserMessage(types.ImageContent(type="image", data=PNG_B64, mime_type="image/png")),
            UserMessage("Please analyze the image above."),
        ]


def _completions(server: MCPServer) -> None:
    @server.completion()
    async def complete(ref: Any, argument: types.CompletionArgument, context: Any) -> types.Completion:
        words = ["paris", "park", "party", "test", "testing", "tested"]
        values = [word for word in words if word.startswith(argument.value)]
        return types.Completion(values=values, total=len(values), has_more=False)


def _session_methods(server: MCPServer) -> None:
    """`logging/setLevel` and `resources/(un)subscribe`: MCPServer has no decorator for them."""
    lowlevel = server._lowlevel_server  # the SDK's own way to add a spec method to MCPServer

    async def set_level(
        ctx: ServerRequestContext[Any], params: types.SetLevelRequestParams
    ) -> types.EmptyResult:
        _State.level = params.level
        return types.EmptyResult()

    async def subscribe(
        ctx: ServerRequestContext[Any], params: types.SubscribeRequestParams
    ) -> types.EmptyResult:
        _State.subscribed.add(str(params.uri))
        return types.EmptyResult()

    async def unsubscribe(
        ctx: ServerRequestContext[Any], params: types.UnsubscribeRequestParams
    ) -> types.EmptyResult:
        _State.subscribed.discard(str(params.uri))
        return types.EmptyResult()

    lowlevel.add_request_handler("logging/setLevel", types.SetLevelRequestParams, set_level)
    lowlevel.add_request_handler("resources/subscribe", types.SubscribeRequestParams, subscribe)
    lowlevel.add_request_handler("resources/unsubscribe", types.UnsubscribeRequestParams, unsubscribe)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--http", type=int, metavar="PORT", help="serve streamable HTTP on 127.0.0.1:PORT")
    args = parser.parse_args(argv)
    server = _build()
    if args.http is None:
        server.run()
    else:
        server.run("streamable-http", host="127.0.0.1", port=args.http)


if __name__ == "__main__":
    sys.exit(main())
