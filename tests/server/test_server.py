"""The server through the real MCP client, in memory: tools, errors, resources, stats."""

from __future__ import annotations

import asyncio
import json
import math
import threading
import time
from typing import Any

import pytest
from inline_snapshot import snapshot

from nocp import tool
from nocp.pipeline.tokens import TokenCounter
from tests.conftest import text_of

pytestmark = pytest.mark.anyio


@tool
def list_users(team: str, limit: int = 3) -> list[dict[str, Any]]:
    """All users of a team."""
    return [{"id": i, "name": f"user{i}", "team": team, "email": None, "tags": []} for i in range(limit)]


@tool(name="repo", description="One repository.")
async def get_repo(owner: str) -> dict[str, Any]:
    return {"owner": {"login": owner, "site_admin": False}, "stars": 3, "homepage": None}


@tool
def read_log() -> str:
    """A log with noise."""
    return "line 1   \r\nline 2\r\n\r\n\r\n\r\nline 3\r\n"


@tool
def explode(message: str) -> str:
    """Raises."""
    raise ValueError(message)


@tool(timeout_s=0.2)
async def slow() -> str:
    """Sleeps past its timeout."""
    await asyncio.sleep(5)
    return "late"


RELEASE_SLOW_SYNC = threading.Event()


@tool(timeout_s=0.2)
def slow_sync() -> str:
    """Blocks past its timeout (until the test releases it, at most 30 s)."""
    RELEASE_SLOW_SYNC.wait(30)
    return "late"


async def test_tools_are_listed_with_their_schema_and_focus(make_server, connect) -> None:
    async with connect(make_server(list_users, get_repo)) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    assert list(tools) == ["list_users", "repo", "nocp_expand"]
    users = tools["list_users"]
    assert users.description == "All users of a team."
    assert users.input_schema["required"] == ["team"]
    assert users.input_schema["properties"]["limit"]["default"] == 3
    assert users.input_schema["properties"]["focus"]["type"] == "string"
    assert "focus" not in users.input_schema["required"]
    assert tools["repo"].description == "One repository."


async def test_exact_text_sent_for_records_nested_and_text(make_server, connect) -> None:
    async with connect(make_server(list_users, get_repo, read_log)) as client:
        records = await client.call_tool("list_users", {"team": "core", "focus": "emails"})
        nested = await client.call_tool("repo", {"owner": "ada"})
        log = await client.call_tool("read_log", {})
    assert not records.is_error
    assert text_of(records) == snapshot("""\
[3]{id,name,team}:
  0,user0,core
  1,user1,core
  2,user2,core\
""")
    assert text_of(nested) == snapshot('{"owner":{"login":"ada","site_admin":false},"stars":3}')
    assert text_of(log) == snapshot("line 1\nline 2\n\nline 3")


async def test_a_tool_that_raises_is_an_error_and_the_server_keeps_serving(make_server, connect) -> None:
    async with connect(make_server(explode, list_users)) as client:
        failed = await client.call_tool("explode", {"message": "disk on fire"})
        after = await client.call_tool("list_users", {"team": "x", "limit": 1})
    assert failed.is_error
    assert text_of(failed) == snapshot("Error: tool 'explode' raised ValueError: disk on fire")
    assert not after.is_error


@pytest.mark.parametrize("name", ["slow", "slow_sync"])
async def test_a_tool_past_its_timeout_is_an_error(make_server, connect, name: str) -> None:
    RELEASE_SLOW_SYNC.clear()
    async with connect(make_server(slow, slow_sync, list_users)) as client:
        started = time.perf_counter()
        result = await client.call_tool(name, {})
        elapsed = time.perf_counter() - started
        after = await client.call_tool("list_users", {"team": "x", "limit": 1})
    assert result.is_error
    assert (
        text_of(result)
        == f"Error: tool {name!r} did not finish within 0.2 s and was stopped; try a narrower request"
    )
    RELEASE_SLOW_SYNC.set()
    assert elapsed < 5  # the call returned at its timeout, not when the tool finished (≥ 5 s)
    assert not after.is_error


async def test_config_timeout_overrides_the_declared_one(make_server, connect) -> None:
    server = make_server(slow, per_tool={"slow": {"timeout_s": 0.05}})
    async with connect(server) as client:
        result = await client.call_tool("slow", {})
    assert "within 0.05 s" in text_of(result)


async def test_unknown_tool_and_bad_arguments_are_clear_errors(make_server, connect) -> None:
    async with connect(make_server(list_users)) as client:
        unknown = await client.call_tool("nope", {})
        missing = await client.call_tool("list_users", {})
        wrong_type = await client.call_tool("list_users", {"team": "x", "limit": "many"})
        bad_focus = await client.call_tool("list_users", {"team": "x", "focus": 3})
    assert text_of(unknown) == "Error: unknown tool 'nope'; tools: list_users, nocp_expand"
    assert text_of(missing) == "Error: invalid arguments for tool 'list_users': team: Field required"
    assert "limit: Input should be a valid integer" in text_of(wrong_type)
    assert text_of(bad_focus) == "Error: `focus` must be a string (or left out)"
    assert all(r.is_error for r in (unknown, missing, wrong_type, bad_focus))


def _circular() -> dict[str, Any]:
    loop: dict[str, Any] = {"name": "a"}
    loop["self"] = loop
    return loop


def _deep(levels: int) -> dict[str, Any]:
    value: dict[str, Any] = {"leaf": 1}
    for _ in range(levels):
        value = {"a": value}
    return value


BAD_VALUES = {
    "invalid_utf8": (lambda: b"ok \xff\xfe", "not valid UTF-8"),
    "circular": (_circular, "circular reference at $.self"),
    "too_deep": (lambda: _deep(500), "return a flatter structure"),
}


@pytest.mark.parametrize("case", sorted(BAD_VALUES))
async def test_unsendable_results_are_clear_errors(make_server, connect, case: str) -> None:
    make, message = BAD_VALUES[case]

    @tool(name="bad")
    def bad() -> Any:
        """Returns something bad."""
        return make()

    async with connect(make_server(bad, list_users)) as client:
        result = await client.call_tool("bad", {})
        after = await client.call_tool("list_users", {"team": "x", "limit": 1})
    assert result.is_error
    assert message in text_of(result)
    assert not after.is_error


@pytest.mark.slow  # a real upstream / subprocess: seconds
async def test_awkward_but_valid_results_are_sent(make_server, connect) -> None:
    @tool
    def numbers() -> dict[str, Any]:
        """Non-finite floats."""
        return {"nan": math.nan, "inf": math.inf, "ninf": -math.inf, "ok": 1.5}

    @tool
    def deep() -> dict[str, Any]:
        """As deep as nocp goes."""
        return _deep(198)

    @tool
    def huge() -> str:
        """50 MB of text."""
        return "x" * 50_000_000

    async with connect(make_server(numbers, deep, huge)) as client:
        nums = await client.call_tool("numbers", {})
        nested = await client.call_tool("deep", {})
        big = await client.call_tool("huge", {})
    assert text_of(nums) == snapshot("""\
nan: NaN
inf: Infinity
ninf: "-Infinity"
ok: 1.5\
""")
    assert json.loads(text_of(nested)) == _deep(198)
    assert not big.is_error
    assert text_of(big).endswith(
        '1 long line cut to 2,000 characters · nocp_expand(handle="h6e937662ccf4d140384f3153eb14d256", path="lines[0:1]")]'
    )


async def test_stats_totals_equal_the_rows_and_match_an_independent_count(make_server, connect) -> None:
    server = make_server(list_users, get_repo, read_log, explode)
    received = []
    async with connect(server) as client:
        for name, args in [
            ("list_users", {"team": "a", "limit": 200}),
            ("repo", {"owner": "b"}),
            ("read_log", {}),
            ("explode", {"message": "x"}),
            ("list_users", {"team": "c"}),
        ]:
            received.append(text_of(await client.call_tool(name, args)))
        stats = json.loads(text_of(await client.read_resource("nocp://stats")))
        per_tool = json.loads(text_of(await client.read_resource("nocp://stats/tools/list_users")))
        recent = json.loads(text_of(await client.read_resource("nocp://calls/recent")))
    counter = TokenCounter()  # independent of the server's own counter instance
    assert stats["calls"] == 5 == len(recent)
    assert stats["sent_tokens"] == sum(counter.count(text) for text in received)
    assert stats["raw_tokens"] == sum(r["raw_tokens"] for r in recent)
    assert stats["saved_tokens"] == stats["raw_tokens"] - stats["sent_tokens"]
    assert stats["errors"] == 1
    assert set(stats) >= {
        "calls",
        "raw_tokens",
        "sent_tokens",
        "saved_tokens",
        "saved_pct",
        "by_format",
        "tools",
    }
    assert sum(f["calls"] for f in stats["by_format"].values()) == 5
    assert stats["tools"]["list_users"]["calls"] == 2 == per_tool["calls"]
    assert list(per_tool["tools"]) == ["list_users"]
    assert [r["tool"] for r in recent] == ["list_users", "explode", "read_log", "repo", "list_users"]
    assert recent[0]["stages"][0]["stage"] == "normalize"
    big = recent[-1]
    assert big["format"] == "toon" and big["sent_tokens"] <= 0.5 * big["raw_tokens"]


async def test_resources_are_listed_and_unknown_ones_fail_clearly(make_server, connect) -> None:
    from mcp.shared.exceptions import MCPError

    async with connect(make_server(list_users)) as client:
        listed = [str(r.uri) for r in (await client.list_resources()).resources]
        templates = [t.uri_template for t in (await client.list_resource_templates()).resource_templates]
        with pytest.raises(MCPError, match="unknown resource 'nocp://nope'") as unknown:
            await client.read_resource("nocp://nope")
        read = await client.read_resource("nocp://stats/tools/never-called")
        empty = json.loads(text_of(read))
    assert read.ttl_ms == 0 and read.cache_scope == "private"  # 2026-07-28 caching
    assert listed == ["nocp://stats", "nocp://calls/recent", "nocp://config"]
    assert templates == ["nocp://stats/tools/{tool}", "nocp://outputs/{handle}"]
    assert empty["calls"] == 0 and empty["saved_pct"] == 0.0
    assert unknown.value.code == -32602  # invalid params, as the SDK answers an unknown resource


async def test_stats_survive_a_restart(make_server, connect) -> None:
    async with connect(make_server(list_users)) as client:
        await client.call_tool("list_users", {"team": "a"})
    async with connect(make_server(list_users)) as client:
        stats = json.loads(text_of(await client.read_resource("nocp://stats")))
    assert stats["calls"] == 1


async def test_calls_answered_just_before_the_client_leaves_are_still_recorded(
    make_server, connect, db_path
) -> None:
    # Accounting runs after each reply; leaving at once must not lose it.
    server = make_server(list_users)
    async with connect(server) as client:
        for limit in (400, 3):
            await client.call_tool("list_users", {"team": "a", "limit": limit})
    from nocp.store.db import open_database
    from nocp.store.stats import StatsStore

    stats = StatsStore(open_database(db_path))  # a fresh connection: what is on disk
    rows = stats.db.execute("SELECT raw_tokens, sent_tokens, handle FROM calls ORDER BY id").fetchall()
    assert len(rows) == 2
    big, small = rows
    assert big[0] > 5 * big[1] and big[2] is not None  # counted after the reply, original stored
    assert stats.db.execute("SELECT count(*) FROM outputs WHERE handle = ?", [big[2]]).fetchone()[0] == 1
    assert small[0] > 0 and small[2] is None


async def test_error_texts_are_stored_without_secrets(make_server, connect) -> None:
    server = make_server(explode)
    async with connect(server) as client:
        await client.call_tool(
            "explode", {"message": "GET https://bob:hunter2@api.example.com?api_key=sk-abc123 failed"}
        )
        recent = json.loads(text_of(await client.read_resource("nocp://calls/recent")))
    stored = recent[0]["error"]
    assert "explode" in stored and "api.example.com" in stored
    assert "hunter2" not in stored and "sk-abc123" not in stored


async def test_net_savings_count_each_sessions_schema_once_and_the_expansions(make_server, connect) -> None:
    server = make_server(list_users)
    counter = TokenCounter()
    for _ in range(2):  # two sessions, each listing twice
        async with connect(server) as client:
            listed = (await client.list_tools()).tools
            await client.list_tools()
            cut = text_of(await client.call_tool("list_users", {"team": "a", "limit": 400}))
            handle = cut.split('handle="')[1].split('"')[0]
            expanded = text_of(await client.call_tool("nocp_expand", {"handle": handle, "page": 1}))
            stats = json.loads(text_of(await client.read_resource("nocp://stats")))
    expand = next(t for t in listed if t.name == "nocp_expand")
    expand_schema = counter.count(expand.model_dump_json(by_alias=True, exclude_none=True))
    # the in-memory client speaks 2026-07-28: no session, so each of its 4 listings counts
    sessions = stats["sessions"]
    focus = stats["tools"]["list_users"]["overhead_tokens"] // sessions
    assert sessions == 4 and 20 < focus < 80
    assert stats["tools"]["nocp_expand"]["overhead_tokens"] == sessions * expand_schema
    users = stats["tools"]["list_users"]
    assert users["expansions"] == 2 and users["expand_tokens"] == 2 * counter.count(expanded)
    assert users["net_saved_tokens"] == users["saved_tokens"] - sessions * focus - users["expand_tokens"]
    assert (
        stats["net_saved_tokens"] == stats["saved_tokens"] - stats["overhead_tokens"] - stats["expand_tokens"]
    )
    assert stats["upstreams"] == {}
