"""`@tool` at parity with the SDK's `MCPServer.tool`, and serving your own functions from Python."""

from __future__ import annotations

from typing import Annotated

import mcp_types as types
import pytest
from mcp.server.mcpserver import Context, Resolve
from pydantic import BaseModel

from nocp import NocpServer, Settings, tool
from nocp.errors import ToolLoadError
from nocp.sources.python import PythonSource
from tests.conftest import text_of

pytestmark = pytest.mark.anyio


class User(BaseModel):
    name: str
    team: str


@tool(
    title="Team members",
    annotations={"readOnlyHint": True, "openWorldHint": False},
    structured_output=True,
)
def members(team: str) -> list[User]:
    """The members of a team."""
    return [User(name="ada", team=team), User(name="alan", team=team)]


@tool
async def whoami(x: int, ctx: Context) -> str:
    """Written the SDK way: the context of the call is injected."""
    await ctx.report_progress(1, 2)
    return f"{x} from request {ctx.request_id}"


@tool
def plain_sync(x: int, context: Context) -> str:
    """A sync tool gets the context too (it runs in a worker thread)."""
    return f"{x} {context.request_id is not None}"


async def test_title_annotations_and_structured_output_are_advertised_and_sent(db_path, connect) -> None:
    server = NocpServer(Settings(stats={"db": db_path}), tools=[members])
    async with connect(server) as client:
        listed = {t.name: t for t in (await client.list_tools()).tools}
        result = await client.call_tool("members", {"team": "core"})
    advertised = listed["members"]
    assert advertised.title == "Team members"
    assert advertised.annotations == types.ToolAnnotations(read_only_hint=True, open_world_hint=False)
    assert advertised.output_schema is not None and advertised.output_schema["type"] == "object"
    assert result.structured_content == {
        "result": [{"name": "ada", "team": "core"}, {"name": "alan", "team": "core"}]
    }
    assert "ada" in text_of(result) and not result.is_error


async def test_a_context_parameter_is_injected_not_a_call_time_type_error(db_path, connect) -> None:
    server = NocpServer(Settings(stats={"db": db_path}), tools=[whoami, plain_sync])
    async with connect(server) as client:
        schema = {t.name: t.input_schema for t in (await client.list_tools()).tools}
        async_result = await client.call_tool("whoami", {"x": 3})
        sync_result = await client.call_tool("plain_sync", {"x": 4})
    assert "ctx" not in schema["whoami"]["properties"] and "context" not in schema["plain_sync"]["properties"]
    assert not async_result.is_error and text_of(async_result).startswith("3 from request ")
    assert text_of(async_result) != "3 from request None"
    assert not sync_result.is_error and text_of(sync_result) == "4 True"


def _lookup(key: str) -> str:
    return key


def resolved(x: Annotated[str, Resolve(_lookup)]) -> str:
    """An SDK resolver parameter: filled by the SDK's MCPServer, which nocp is not."""
    return x


def test_a_parameter_nocp_cannot_fill_is_refused_at_registration() -> None:
    with pytest.raises(ToolLoadError, match=r"cannot register tool 'resolved': .*Resolve"):
        PythonSource([resolved])


def test_bad_annotations_are_refused_at_registration() -> None:
    @tool(annotations={"readOnlyHint": "maybe"})
    def shaky() -> str:
        return ""

    with pytest.raises(ToolLoadError, match="invalid tool annotations"):
        PythonSource([shaky])
