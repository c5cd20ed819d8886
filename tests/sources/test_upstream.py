"""Upstream MCP servers through nocp: a real SDK server as a subprocess, a real client in memory."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from inline_snapshot import snapshot
from mcp import Client

from nocp.config import Settings
from nocp.pipeline.tokens import TokenCounter
from nocp.server import NocpServer
from tests.conftest import text_of

pytestmark = pytest.mark.anyio

SERVER = str(Path(__file__).with_name("upstream_server.py"))


def stdio(**extra: Any) -> dict[str, Any]:
    return {"command": sys.executable, "args": [SERVER], **extra}


@pytest.fixture
def nocp(db_path: Path):
    def build(**upstream: dict[str, Any]) -> NocpServer:
        settings = Settings(stats={"db": db_path}, upstream=upstream)
        return NocpServer.from_settings(settings)

    return build


async def test_upstream_tools_are_re_exposed_with_prefix_and_focus(nocp) -> None:
    async with Client(nocp(t=stdio()).mcp_server) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    assert sorted(tools) == snapshot(['t__crash', 't__fail', 't__forecast', 't__log_text', 't__picture', 't__pid', 't__records', 't__shout'])
    records = tools["t__records"]
    assert records.description == "n user records."
    assert records.input_schema["properties"]["n"] == {"default": 3, "title": "N", "type": "integer"}
    assert records.input_schema["properties"]["focus"]["type"] == "string"
    assert records.output_schema is None  # structured_content = "drop" (the default)
