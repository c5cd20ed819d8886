"""`@modelcontextprotocol/server-everything` (npm, pinned in package.json) behind nocp: every
feature nocp forwards, against a real third-party server of the 2025 era, with a client of
either era. Skipped without Node or without `npm ci`."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
import pytest
from mcp import Client

from nocp.config import Settings
from nocp.server import NocpServer
from tests.conftest import text_of
from tests.sources.upstream.test_forwarding import FakeClient

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[3]
EVERYTHING = REPO / "node_modules" / "@modelcontextprotocol" / "server-everything" / "dist" / "index.js"
NODE = shutil.which("node")
if NODE is None or not EVERYTHING.exists():
    pytest.skip("server-everything needs Node and `npm ci`", allow_module_level=True)

PACE_S = 20  # it sends simulated logs and resource updates every 5 s; safety above that
DOC = "demo://resource/static/document/architecture.md"


@pytest.fixture
def everything(db_path: Path) -> NocpServer:
    upstream = {"command": NODE, "args": [str(EVERYTHING), "stdio"]}
    settings = Settings(stats={"db": db_path}, upstream={"e": upstream}, builtins={"enabled": False})
    return NocpServer.from_settings(settings)


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_its_client_tools_are_listed_and_reach_the_client(everything: NocpServer, mode: str) -> None:
    fake = FakeClient()
    async with fake.client(everything, mode) as client:
        tools = {t.name for t in (await client.list_tools()).tools}
        sampled = await client.call_tool("e__trigger-sampling-request", {"prompt": "a haiku"})
        elicited = await client.call_tool("e__trigger-elicitation-request", {})
        roots = await client.call_tool("e__get-roots-list", {})
    assert {"e__trigger-sampling-request", "e__trigger-elicitation-request", "e__get-roots-list"} <= tools
    assert "echo a haiku" in text_of(sampled) or "a haiku" in text_of(sampled)
    assert not sampled.is_error and not elicited.is_error and not roots.is_error
    assert "file:///work/project" in text_of(roots)


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_completions_progress_and_capabilities(everything: NocpServer, mode: str) -> None:
    seen: list[float] = []

    async def progress(value: float, total: float | None, message: str | None) -> None:
        seen.append(value)

    async with Client(everything.mcp_server, mode=mode) as client:
        capabilities = client.server_capabilities
        ref = types.PromptReference(type="ref/prompt", name="e__completable-prompt")
        completed = await client.complete(ref, {"name": "department", "value": "S"})
        done = await client.call_tool(
            "e__trigger-long-running-operation", {"duration": 0.3, "steps": 3}, progress_callback=progress
        )
    assert completed.completion.values == ["Sales", "Support"]
    assert not done.is_error and seen == [1, 2, 3]
    assert capabilities.completions is not None and capabilities.logging is not None  # mirrored
    assert capabilities.tasks is None  # declared by it, but the SDK carries no tasks/* (upstreams.md)


async def test_a_2025_client_gets_its_logs_and_resource_updates(everything: NocpServer) -> None:
    fake = FakeClient()
    updates: list[str] = []

    async def on_message(message: Any) -> None:
        if isinstance(message, types.ResourceUpdatedNotification):
            updates.append(str(message.params.uri))

    async with fake.client(everything, "legacy", message_handler=on_message) as client:
        level = types.SetLevelRequest(params=types.SetLevelRequestParams(level="debug"))
        await client.session.send_request(level, types.EmptyResult)
        subscribe = types.SubscribeRequest(params=types.SubscribeRequestParams(uri=DOC))
        await client.session.send_request(subscribe, types.EmptyResult)
        await client.call_tool("e__toggle-simulated-logging", {})
        await client.call_tool("e__toggle-subscriber-updates", {})
        with anyio.fail_after(PACE_S):
            while not (updates and len(fake.logs) >= 2):
                await anyio.sleep(0.1)
    assert updates[0] == DOC
    assert all(isinstance(log.level, str) for log in fake.logs)
