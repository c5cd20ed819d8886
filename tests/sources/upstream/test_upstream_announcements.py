"""What upstreams announce, passed on: list changes (both protocol eras, both directions) and
their instructions. A real SDK upstream as a subprocess, a real client in memory."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
import pytest
from inline_snapshot import snapshot
from mcp import Client
from mcp.client.subscriptions import Subscription
from mcp.shared.subscriptions import PromptsListChanged, ResourcesListChanged, ServerEvent, ToolsListChanged

from nocp.cli.wrap import wrap_settings
from nocp.config import Settings
from nocp.server import INSTRUCTIONS, NocpServer
from tests.conftest import text_of
from tests.sources.upstream.conftest import SERVER, stdio

pytestmark = pytest.mark.anyio

UPSTREAM_INSTRUCTIONS = "Call records before log_text.\nNever call crash."  # upstream_server.py's
SAFETY_S = 30  # safety only: announcements arrive asynchronously, normally within a second


async def events(subscription: Subscription, count: int) -> set[ServerEvent]:
    """The next `count` distinct events of a listen stream."""
    seen: set[ServerEvent] = set()
    with anyio.fail_after(SAFETY_S):
        async for event in subscription:
            seen.add(event)
            if len(seen) == count:
                break
    return seen


async def uris_and_prompts(client: Client) -> tuple[list[str], list[str]]:
    listed = await client.list_resources(cache_mode="bypass")
    prompts = await client.list_prompts(cache_mode="bypass")
    return [str(r.uri) for r in listed.resources], [p.name for p in prompts.prompts]


@pytest.mark.slow  # a real upstream / subprocess: seconds
async def test_resource_and_prompt_list_changes_reach_a_listening_client(nocp) -> None:
    async with Client(nocp(t=stdio(protocol="2026-07-28")).mcp_server) as client:
        before = await uris_and_prompts(client)
        async with client.listen(resources_list_changed=True, prompts_list_changed=True) as sub:
            added = await client.call_tool("t__add_note", {})
            seen = await events(sub, 2)
        after = await uris_and_prompts(client)
    assert text_of(added) == "added (2026-07-28)"  # the upstream announced on its listen stream
    assert seen == {ResourcesListChanged(), PromptsListChanged()}
    assert "notes://added" not in before[0] and "notes://added" in after[0]
    assert before[1] == ["t__review"] and after[1] == ["t__review", "t__summarise"]


@pytest.mark.slow  # a real upstream / subprocess: seconds
async def test_list_changes_reach_a_2025_client_as_notifications(nocp) -> None:
    arrived: list[type[Any]] = []
    both = anyio.Event()

    async def on_message(message: Any) -> None:
        arrived.append(type(message))
        if {types.ResourceListChangedNotification, types.PromptListChangedNotification} <= set(arrived):
            both.set()

    server = nocp(t=stdio())
    async with Client(server.mcp_server, mode="legacy", message_handler=on_message) as client:
        capabilities = client.server_capabilities
        await client.list_resources()
        await client.call_tool("t__add_note", {})
        with anyio.fail_after(SAFETY_S):
            await both.wait()
        _, prompts = await uris_and_prompts(client)  # a round trip: a duplicate would be here by now
    assert capabilities.tools and capabilities.tools.list_changed
    assert capabilities.resources and capabilities.resources.list_changed
    assert capabilities.prompts and capabilities.prompts.list_changed
    assert "t__summarise" in prompts
    assert arrived.count(types.ResourceListChangedNotification) == 1  # once, though the upstream
    assert arrived.count(types.PromptListChangedNotification) == 1  # client sees each frame twice


@pytest.mark.slow  # a real upstream / subprocess: seconds
async def test_a_2025_era_upstream_s_notifications_are_re_announced(nocp) -> None:
    async with Client(nocp(t=stdio("--legacy")).mcp_server) as client:
        async with client.listen(
            tools_list_changed=True, resources_list_changed=True, prompts_list_changed=True
        ) as sub:
            await client.call_tool("t__grow", {})
            added = await client.call_tool("t__add_note", {})
            seen = await events(sub, 3)
        tools = [t.name for t in (await client.list_tools(cache_mode="bypass")).tools]
        uris, _ = await uris_and_prompts(client)
    assert text_of(added) == "added (2025-11-25)"  # the upstream sent notifications
    assert seen == {ToolsListChanged(), ResourcesListChanged(), PromptsListChanged()}
    assert "t__added" in tools and "notes://added" in uris


async def test_no_upstreams_no_list_changed_capability(nocp) -> None:
    async with Client(nocp().mcp_server, mode="legacy") as client:
        capabilities = client.server_capabilities
        instructions = client.instructions
    assert capabilities.tools and not capabilities.tools.list_changed
    assert instructions == INSTRUCTIONS


@pytest.mark.parametrize("mode", ["legacy", "auto"])
@pytest.mark.slow  # a real upstream / subprocess: seconds
async def test_instructions_add_each_running_upstream_s_under_its_tool_prefix(nocp, mode: str) -> None:
    server = nocp(
        t=stdio(),
        **{"my server": stdio("--legacy")},
        later=stdio(start="lazy"),  # starts after the client read the instructions
        missing={"command": "/nonexistent/mcp-server"},
    )
    async with Client(server.mcp_server, mode=mode) as client:
        instructions = client.instructions
    assert instructions is not None and instructions.startswith(INSTRUCTIONS)
    assert instructions.removeprefix(INSTRUCTIONS) == snapshot("""\


Tools named t__* come from the upstream server 't':
Call records before log_text.
Never call crash.

Tools named my_server__* come from the upstream server 'my server':
Call records before log_text.
Never call crash.\
""")


@pytest.mark.slow  # a real upstream / subprocess: seconds
async def test_a_wrapped_server_s_instructions_follow_nocp_s(db_path: Path) -> None:
    base = Settings(stats={"db": db_path}, builtins={"enabled": False})
    settings = wrap_settings(base, "t", [sys.executable, SERVER])
    async with Client(NocpServer.from_settings(settings).mcp_server, mode="legacy") as client:
        instructions = client.instructions
        names = [t.name for t in (await client.list_tools()).tools]
    assert "records" in names  # wrapped: no prefix, so no heading either
    assert instructions == f"{INSTRUCTIONS}\n\n{UPSTREAM_INSTRUCTIONS}"
