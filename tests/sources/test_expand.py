"""Nothing lost: pruned originals are stored, and `nocp_expand` / nocp://outputs get them back."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
import toon_format
from mcp import Client

from nocp import tool
from nocp.config import Settings
from nocp.server import NocpServer
from nocp.sources.python import PythonSource
from nocp.store.db import open_database
from nocp.store.stats import StatsStore
from tests.conftest import text_of

pytestmark = pytest.mark.anyio

ROWS = [{"id": i, "name": f"user{i}", "team": ("red", "blue")[i % 2]} for i in range(250)]
LOG = "\n".join(f"line {i}: value {i * 3}" for i in range(2000))


@tool
def users() -> list[dict[str, Any]]:
    """250 users."""
    return ROWS


@tool
def log() -> str:
    """A long text."""
    return LOG


def server(db: Path, **settings: Any) -> NocpServer:
    config = Settings(stats={"db": db}, prune={"budget": 300}, builtins={"enabled": False}, **settings)
    return NocpServer(config, sources=[PythonSource([users, log])], stats=StatsStore(open_database(db)))


def handle_of(text: str) -> str:
    match = re.search(r'handle="(h[0-9a-f]+)"', text)
    assert match, text
    return match.group(1)


def decode(text: str) -> Any:
    body = "\n".join(line for line in text.splitlines() if not line.startswith("[page"))
    try:
        return json.loads(body)
    except ValueError:
        return toon_format.loads(body)


async def test_expand_by_path_returns_exactly_the_omitted_rows(db_path: Path) -> None:
    async with Client(server(db_path).mcp_server) as client:
        sent = text_of(await client.call_tool("users", {}))
        marker = [line for line in sent.splitlines() if "rows of the result omitted" in line][0]
        path = re.search(r'path="([^"]+)"', marker).group(1)  # type: ignore[union-attr]
        rows: list[Any] = []
        for page in range(1, 50):
            args = {"handle": handle_of(sent), "path": path, "page": page}
            part = text_of(await client.call_tool("nocp_expand", args))
            rows += decode(part)
            if "next:" not in part.splitlines()[-1]:
                break
    start, end = (int(n) for n in path.strip("[]").split(":"))
    assert rows == ROWS[start:end] and page > 1


async def test_expand_pages_cover_the_whole_original(db_path: Path) -> None:
    async with Client(server(db_path).mcp_server) as client:
        handle = handle_of(text_of(await client.call_tool("users", {})))
        rows: list[Any] = []
        page = 1
        while True:
            text = text_of(await client.call_tool("nocp_expand", {"handle": handle, "page": page}))
            footer = text.splitlines()[-1]
            rows += toon_format.loads("\n".join(text.splitlines()[:-1]))
            if "next:" not in footer:
                break
            page += 1
    assert rows == ROWS and page > 2


async def test_expand_text_by_lines_and_by_focus(db_path: Path) -> None:
    async with Client(server(db_path).mcp_server) as client:
        handle = handle_of(text_of(await client.call_tool("log", {})))
        lines = text_of(await client.call_tool("nocp_expand", {"handle": handle, "path": "lines[1500:1503]"}))
        focused = text_of(await client.call_tool("nocp_expand", {"handle": handle, "focus": "line 1777"}))
    assert lines == "line 1500: value 4500\nline 1501: value 4503\nline 1502: value 4506"
    assert "line 1777: value 5331" in focused


async def test_bad_expansions_are_clear_errors(db_path: Path) -> None:
    async with Client(server(db_path).mcp_server) as client:
        handle = handle_of(text_of(await client.call_tool("users", {})))
        unknown = await client.call_tool("nocp_expand", {"handle": "h00000000000000000000000000000000"})
        bad_path = await client.call_tool("nocp_expand", {"handle": handle, "path": "[?"})
        nothing = await client.call_tool("nocp_expand", {"handle": handle, "path": "nope"})
        no_page = await client.call_tool("nocp_expand", {"handle": handle, "page": 999})
        still = await client.call_tool("nocp_expand", {"handle": handle, "path": "[0]"})
    assert "no stored output under handle 'h00000000000000000000000000000000'" in text_of(unknown)
    assert "invalid path '[?'" in text_of(bad_path)
    assert "selects nothing" in text_of(nothing)
    assert "page 999 does not exist" in text_of(no_page)
    assert all(r.is_error for r in (unknown, bad_path, nothing, no_page))
    assert not still.is_error and "user0" in text_of(still)


async def test_the_store_survives_a_restart_and_the_resource_returns_the_original(db_path: Path) -> None:
    async with Client(server(db_path).mcp_server) as client:
        handle = handle_of(text_of(await client.call_tool("users", {})))
    async with Client(server(db_path).mcp_server) as client:
        original = await client.read_resource(f"nocp://outputs/{handle}")
        recent = json.loads(text_of(await client.read_resource("nocp://calls/recent")))
    assert json.loads(text_of(original)) == ROWS
    assert recent[0]["handle"] == handle


async def test_expired_originals_are_gone_with_a_clear_error(db_path: Path) -> None:
    app = server(db_path, outputs={"retention_days": 1})
    async with Client(app.mcp_server) as client:
        handle = handle_of(text_of(await client.call_tool("users", {})))
        await app.after.settled()  # the original is stored right after the reply
        app.stats.db.execute("UPDATE outputs SET created_at = ?", [time.time() - 2 * 86_400])
        expired = await client.call_tool("nocp_expand", {"handle": handle})
    assert expired.is_error and "unknown or expired" in text_of(expired)
