"""Upstream MCP servers through nocp: a real SDK server as a subprocess, a real client in memory."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
import pytest
from inline_snapshot import snapshot
from mcp import Client, StdioServerParameters

from nocp.config import Settings
from nocp.pipeline.tokens import TokenCounter
from nocp.server import NocpServer
from tests.conftest import text_of
from tests.sources.upstream.conftest import SERVER, stdio

pytestmark = pytest.mark.anyio


async def status(client: Client) -> dict[str, dict[str, Any]]:
    rows = json.loads(text_of(await client.read_resource("nocp://upstreams")))
    return {row["name"]: row for row in rows}


async def test_upstream_tools_are_re_exposed_with_prefix_and_focus(nocp) -> None:
    async with Client(nocp(t=stdio()).mcp_server) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools if t.name != "nocp_expand"}
    assert sorted(tools) == snapshot(
        [
            "t__add_note",
            "t__ask_model",
            "t__ask_user",
            "t__chatty",
            "t__client_roots",
            "t__crash",
            "t__fail",
            "t__forecast",
            "t__grow",
            "t__log_text",
            "t__picture",
            "t__pid",
            "t__records",
            "t__shout",
            "t__slow",
            "t__steps",
            "t__touch",
        ]
    )
    records = tools["t__records"]
    assert records.description == "n user records."
    assert records.input_schema["properties"]["n"] == {
        "default": 3,
        "title": "N",
        "type": "integer",
    }
    assert records.input_schema["properties"]["focus"]["type"] == "string"
    assert records.output_schema is None  # structured_content = "drop" (the default)


@pytest.mark.slow  # a real upstream / subprocess: seconds
async def test_text_is_optimised_other_blocks_pass_through_errors_stay_errors(nocp) -> None:
    direct_params = StdioServerParameters(command=sys.executable, args=[SERVER])
    async with Client(direct_params, cache=None) as direct:
        direct_picture = await direct.call_tool("picture", {})
        direct_records = await direct.call_tool("records", {"n": 20})
    async with Client(nocp(t=stdio()).mcp_server) as client:
        records = await client.call_tool("t__records", {"n": 20, "focus": "names"})
        log = await client.call_tool("t__log_text", {"lines": 2})
        picture = await client.call_tool("t__picture", {})
        failed = await client.call_tool("t__fail", {"message": "disk on fire"})
        stats = json.loads(text_of(await client.read_resource("nocp://stats")))
    assert text_of(records).splitlines()[:3] == snapshot(
        ["[20]{id,name,team,active}:", "  0,user0,core,true", "  1,user1,core,true"]
    )
    assert records.structured_content is None and not records.is_error
    assert text_of(log) == snapshot("line 0\n\nline 1")
    assert [b.type for b in picture.content] == ["text", "image"]
    assert picture.content[0].text == snapshot("caption: a dot")
    assert picture.content[1] == direct_picture.content[1]  # the image, byte for byte
    assert failed.is_error and text_of(failed) == snapshot("Error executing tool fail: disk on fire")
    counter = TokenCounter()
    raw = sum(counter.count(b.text) for b in direct_records.content if b.type == "text")
    assert stats["errors"] == 1 and stats["tools"]["t__fail"]["errors"] == 1
    assert stats["tools"]["t__records"]["raw_tokens"] == raw
    assert stats["tools"]["t__records"]["sent_tokens"] == counter.count(text_of(records)) < raw / 2


@pytest.mark.slow  # a real upstream / subprocess: seconds
async def test_structured_content_kept_stays_valid_against_the_output_schema(nocp) -> None:
    async with Client(nocp(t=stdio(structured_content="keep")).mcp_server) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        # The SDK client validates structuredContent against the advertised outputSchema.
        result = await client.call_tool("t__forecast", {"city": "Oslo"})
    assert tools["t__forecast"].output_schema["required"] == ["city", "days"]
    assert result.structured_content == {
        "city": "Oslo",
        "days": [
            {"day": 0.0, "temp": 20.5},
            {"day": 1.0, "temp": 21.5},
            {"day": 2.0, "temp": 22.5},
        ],
    }
    assert text_of(result) == snapshot("""\
city: Oslo
days[3]{day,temp}:
  0,20.5
  1,21.5
  2,22.5\
""")


@pytest.mark.slow  # a real upstream / subprocess: seconds
async def test_a_crash_is_an_error_naming_the_exit_code_and_the_next_call_restarts(nocp) -> None:
    async with Client(nocp(t=stdio()).mcp_server) as client:
        first_pid = text_of(await client.call_tool("t__pid", {}))
        crashed = await client.call_tool("t__crash", {"code": 3})
        down = await status(client)
        again = await client.call_tool("t__pid", {})
        up = await status(client)
    assert crashed.is_error
    assert text_of(crashed) == snapshot(
        "Error: tool 't__crash' raised UpstreamError: upstream 't' exited (exit code 3) during "
        "the call; nocp restarts it on the next call — retry once, and if it fails again see "
        "nocp://upstreams and nocp's log"
    )
    assert (
        down["t"]["state"] == "exited" and down["t"]["last_error"] == "exited (exit code 3) during the call"
    )
    assert not again.is_error and text_of(again) != first_pid
    assert up["t"]["state"] == "running" and up["t"]["restarts"] == 1 and up["t"]["tools"] == 17


@pytest.mark.slow  # a real upstream / subprocess: seconds
async def test_an_upstream_that_fails_to_start_leaves_the_others_serving(nocp) -> None:
    server = nocp(
        t=stdio(),
        dies={"command": sys.executable, "args": ["-c", "import sys; sys.exit(7)"]},
        missing={"command": "/nonexistent/mcp-server"},
    )
    async with Client(server.mcp_server) as client:
        names = [t.name for t in (await client.list_tools()).tools if t.name != "nocp_expand"]
        ok = await client.call_tool("t__records", {"n": 1})
        dead = await client.call_tool("dies__anything", {})
        rows = await status(client)
    assert all(name.startswith("t__") for name in names) and len(names) == 17
    assert not ok.is_error
    assert dead.is_error and text_of(dead) == snapshot(
        "Error: tool 'dies__anything' belongs to upstream 'dies', which is failed (exited while starting (exit code 7); see its stderr in nocp's log); see nocp://upstreams"
    )
    assert rows["t"]["state"] == "running"
    assert rows["dies"]["state"] == "failed"
    assert rows["dies"]["last_error"] == snapshot(
        "exited while starting (exit code 7); see its stderr in nocp's log"
    )
    assert rows["missing"]["last_error"] == snapshot(
        "command not found: '/nonexistent/mcp-server' (check `command` and PATH)"
    )
    assert set(rows["missing"]) == {
        "name",
        "transport",
        "target",
        "state",
        "tools",
        "last_error",
        "restarts",
        "protocol",
        "breaker",
    }
    assert rows["missing"]["breaker"] == {"state": "closed", "consecutive_failures": 0}
    assert rows["t"]["protocol"] == "2025-11-25"  # the handshake era first: it has a back-channel


@pytest.mark.slow  # a real upstream / subprocess: seconds
async def test_a_call_past_the_upstream_timeout_is_an_error_and_the_upstream_keeps_serving(
    nocp,
) -> None:
    async with Client(nocp(t=stdio(call_timeout_s=0.3)).mcp_server) as client:
        slow = await client.call_tool("t__slow", {"seconds": 30})
        after = await client.call_tool("t__records", {"n": 1})
    assert slow.is_error and "did not finish within 0.3 s" in text_of(slow)
    assert not after.is_error


@pytest.mark.slow  # a real upstream / subprocess: seconds
async def test_upstream_rejections_are_errors(nocp) -> None:
    async with Client(nocp(t=stdio()).mcp_server) as client:
        bad = await client.call_tool("t__records", {"n": "many"})
    assert bad.is_error and "n" in text_of(bad)


@pytest.mark.slow  # a real upstream / subprocess: seconds
async def test_progress_resources_and_prompts_are_proxied(nocp) -> None:
    progress: list[tuple[float, float | None, str | None]] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append((value, total, message))

    async with Client(nocp(t=stdio()).mcp_server) as client:
        done = await client.call_tool("t__steps", {"n": 3}, progress_callback=on_progress)
        listed = {str(r.uri): r.name for r in (await client.list_resources()).resources}
        note = await client.read_resource("notes://today")
        prompts = [p.name for p in (await client.list_prompts()).prompts]
        prompt = await client.get_prompt("t__review", {"path": "a.py"})
    assert text_of(done) == "3 steps"
    assert progress == [(1, 3, "step 1"), (2, 3, "step 2"), (3, 3, "step 3")]
    assert listed["notes://today"] == "t__today" and "nocp://upstreams" in listed
    assert text_of(note) == "buy milk"
    assert prompts == ["t__review"]
    assert prompt.messages[0].content.text == "Please review a.py."


@pytest.mark.slow  # a real upstream / subprocess: seconds
async def test_an_upstream_tool_list_change_is_re_announced(nocp) -> None:
    from mcp.shared.subscriptions import ToolsListChanged

    async with Client(nocp(t=stdio()).mcp_server) as client:
        before = [t.name for t in (await client.list_tools()).tools]
        async with client.listen(tools_list_changed=True) as subscription:
            await client.call_tool("t__grow", {})
            with anyio.fail_after(30):  # safety only: the event arrives asynchronously
                event = await anext(aiter(subscription))
        after = [t.name for t in (await client.list_tools(cache_mode="bypass")).tools]
        added = await client.call_tool("t__added", {})
    assert isinstance(event, ToolsListChanged)
    assert "t__added" not in before and "t__added" in after
    assert text_of(added) == "new"


@pytest.mark.slow  # a real upstream / subprocess: seconds
async def test_a_lazy_upstream_starts_on_the_first_tools_list(nocp) -> None:
    async with Client(nocp(t=stdio(start="lazy")).mcp_server) as client:
        before = await status(client)
        names = [t.name for t in (await client.list_tools()).tools]
        after = await status(client)
    assert before["t"]["state"] == "stopped" and before["t"]["tools"] == 0
    assert "t__records" in names
    assert after["t"]["state"] == "running"


@pytest.mark.slow  # a real upstream / subprocess: seconds
async def test_repeated_crashes_back_off_with_a_clear_error(db_path: Path) -> None:
    settings = Settings(
        stats={"db": db_path},
        upstream={"t": stdio()},
        upstreams={"restart_backoff_s": 3600},
        builtins={"enabled": False},
    )
    async with Client(NocpServer.from_settings(settings).mcp_server) as client:
        first = await client.call_tool("t__crash", {"code": 4})
        second = await client.call_tool("t__crash", {"code": 5})  # restarted, crashes again
        third = await client.call_tool("t__pid", {})
        rows = await status(client)
    assert "exit code 4" in text_of(first) and "exit code 5" in text_of(second)
    assert third.is_error
    assert (
        "upstream 't' failed 2 times in a row (last: exited (exit code 5) during the call); "
        "next restart attempt in 30 s" in text_of(third)
    )  # capped at 30 s
    assert rows["t"]["state"] == "exited" and rows["t"]["restarts"] == 1


@pytest.mark.slow  # a real upstream / subprocess: seconds
async def test_a_tool_list_change_reaches_a_2025_client_as_a_notification(nocp) -> None:
    notices: list[Any] = []
    arrived = anyio.Event()

    async def on_message(message: Any) -> None:
        notices.append(message)
        if isinstance(message, types.ToolListChangedNotification):
            arrived.set()

    server = nocp(t=stdio())
    async with Client(server.mcp_server, mode="legacy", message_handler=on_message) as client:
        assert client.protocol_version == "2025-11-25"
        await client.list_tools()
        await client.call_tool("t__grow", {})
        with anyio.fail_after(30):  # safety only: the notification arrives asynchronously
            await arrived.wait()
        names = [t.name for t in (await client.list_tools(cache_mode="bypass")).tools]
    assert "t__added" in names


@pytest.mark.slow  # a real upstream / subprocess: seconds
async def test_an_upstream_name_with_spaces_gives_callable_safe_tool_names(nocp) -> None:
    async with Client(nocp(**{"my server": stdio()}).mcp_server) as client:
        names = [t.name for t in (await client.list_tools()).tools]
        result = await client.call_tool("my_server__log_text", {"lines": 1})
    assert "my_server__records" in names
    assert text_of(result) == "line 0"
