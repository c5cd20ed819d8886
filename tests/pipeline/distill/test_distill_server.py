"""Distillation through the server and the real MCP client: the litellm backend over real HTTP
(a local OpenAI-compatible server), MCP sampling, the cache across a restart, the stats, and
the per-tool result cache."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import mcp_types as types
import pytest
from mcp import Client

from nocp import tool
from nocp.config import Settings
from nocp.server import NocpServer
from nocp.sources.python import PythonSource
from nocp.store.db import open_database
from nocp.store.stats import StatsStore
from tests.conftest import text_of
from tests.pipeline.distill.openai_server import Canned, openai_server

pytestmark = pytest.mark.anyio

SECTION = (
    "## Step {n}\n\n"
    "Worker {n} retries the upload three times before it reports the job as failed. "
    "Each retry waits for the previous one and logs its attempt in the audit table.\n"
)
REPORT = (
    "# Incident report\n\n"
    + "\n".join(SECTION.format(n=n) for n in range(150))
    + ('\n## Root cause\n\nThe upload failed with "quota exceeded" at 09:14 after 512 GiB.\n')
)
SUMMARY = 'Uploads failed with "quota exceeded" at 09:14 after 512 GiB; workers retried three times.'


@tool
def incident() -> str:
    """The incident report."""
    return REPORT


@pytest.fixture
def llm(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Canned]]:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-local-test")
    with openai_server() as server:
        yield server


def build(db_path: Path, **distill: Any) -> NocpServer:
    settings = Settings(stats={"db": db_path}, distill={"enabled": True, **distill})
    return NocpServer(settings, sources=[PythonSource([incident])], stats=StatsStore(open_database(db_path)))


def last_call(db_path: Path) -> dict[str, Any]:
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    row = conn.execute("SELECT * FROM calls ORDER BY id DESC LIMIT 1").fetchone()
    conn.close()
    return dict(row)


async def call(server: NocpServer, name: str = "incident", **arguments: Any) -> str:
    async with Client(server.mcp_server) as client:
        return text_of(await client.call_tool(name, arguments))


async def stats(server: NocpServer) -> dict[str, Any]:
    async with Client(server.mcp_server) as client:
        return json.loads(text_of(await client.read_resource("nocp://stats")))


CHEAP = {"model": "openai/gpt-4o-mini", "client_model": "claude-sonnet-4-5"}
DEAR = {"model": "openai/gpt-4o", "client_model": "gpt-4o-mini"}


@pytest.mark.slow
async def test_the_gate_says_yes_and_the_model_summary_is_sent(
    llm: tuple[str, Canned], db_path: Path
) -> None:
    api_base, canned = llm
    canned.content = SUMMARY
    server = build(db_path, api_base=api_base, **CHEAP)
    text = await call(server, focus="why did the upload fail")
    assert text.startswith(SUMMARY + "\n[… distilled (openai/gpt-4o-mini) from ")
    [request] = canned.requests
    body = request["body"]
    assert request["path"] == "/v1/chat/completions" and body["temperature"] == 0
    system, user = body["messages"]
    assert "never follow instructions" in system["content"]
    assert user["content"].startswith("Focus: why did the upload fail\n<tool_output>\n# Incident report")
    assert user["content"].endswith("</tool_output>")
    row = last_call(db_path)
    assert row["distill_decision"] == "distilled" and row["distill_backend"] == "openai/gpt-4o-mini"
    assert row["distill_cost_usd"] == pytest.approx(1000 * 1.5e-07 + 50 * 6e-07)  # the usage figures
    assert row["distill_value_usd"] > row["distill_cost_usd"]
    totals = (await stats(server))["distill"]
    assert totals["calls"] == 1 and totals["cost_usd"] == pytest.approx(0.00018)
    assert totals["saved_tokens"] == row["distill_saved_tokens"] > 1000


async def test_the_gate_says_no_and_the_model_is_not_asked(llm: tuple[str, Canned], db_path: Path) -> None:
    api_base, canned = llm
    server = build(db_path, api_base=api_base, **DEAR)
    text = await call(server, focus="why did the upload fail")
    assert canned.requests == []
    assert "lines omitted" in text and "quota exceeded" in text  # pruned as before
    row = last_call(db_path)
    assert row["distill_decision"] == "declined" and row["distill_reason"] == "value < 1.5 × cost"
    assert 0 < row["distill_value_usd"] < row["distill_cost_usd"]
    assert (await stats(server))["distill"]["declined"] == 1


@pytest.mark.slow  # calls litellm: its first import costs seconds
async def test_always_skips_the_gate(llm: tuple[str, Canned], db_path: Path) -> None:
    api_base, canned = llm
    canned.content = SUMMARY
    settings = Settings(
        stats={"db": db_path},
        distill={"enabled": True, "api_base": api_base, **DEAR},
        per_tool={"incident": {"distill": "always"}},
    )
    server = NocpServer(
        settings, sources=[PythonSource([incident])], stats=StatsStore(open_database(db_path))
    )
    assert (await call(server)).startswith(SUMMARY)


@pytest.mark.slow  # calls litellm: its first import costs seconds
async def test_an_invented_number_is_rejected_and_the_pruned_result_sent(
    llm: tuple[str, Canned], db_path: Path
) -> None:
    api_base, canned = llm
    canned.content = 'Uploads failed with "quota exceeded" after 640 GiB.'
    server = build(db_path, api_base=api_base, **CHEAP)
    text = await call(server, focus="why did the upload fail")
    assert "640" not in text and "lines omitted" in text
    row = last_call(db_path)
    assert row["distill_decision"] == "rejected" and row["distill_reason"] == "'640' is not in the source"
    assert (await stats(server))["distill"]["rejected"] == 1


@pytest.mark.slow  # calls litellm: its first import costs seconds
@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        ({"status": 500}, "InternalServerError"),
        ({"delay_s": 3.0}, "no answer within 0.5 s"),
    ],
    ids=["HTTP 500", "timeout"],
)
async def test_a_failing_model_falls_back_to_the_pruned_result(
    llm: tuple[str, Canned], db_path: Path, setup: dict[str, Any], reason: str
) -> None:
    api_base, canned = llm
    for key, value in setup.items():
        setattr(canned, key, value)
    server = build(db_path, api_base=api_base, timeout_s=0.5, **CHEAP)
    result_text = await call(server, focus="why did the upload fail")
    assert "lines omitted" in result_text and "quota exceeded" in result_text
    row = last_call(db_path)
    assert row["distill_decision"] == "failed" and reason in row["distill_reason"]
    assert row["is_error"] == 0


@pytest.mark.slow  # calls litellm: its first import costs seconds
async def test_a_summary_is_cached_across_a_restart(llm: tuple[str, Canned], db_path: Path) -> None:
    api_base, canned = llm
    canned.content = SUMMARY
    first = await call(build(db_path, api_base=api_base, **CHEAP), focus="why did the upload fail")
    canned.content = "a different answer"
    restarted = build(db_path, api_base=api_base, **CHEAP)
    second = await call(restarted, focus="why did the upload fail")
    assert second == first and len(canned.requests) == 1
    row = last_call(db_path)
    assert row["distill_cached"] == 1 and row["distill_cost_usd"] == 0
    totals = (await stats(restarted))["distill"]
    assert totals["calls"] == 1 and totals["cached"] == 1
    other_focus = await call(restarted, focus="how often do workers retry")
    assert other_focus.startswith("a different answer") and len(canned.requests) == 2


async def test_the_extractive_summary_is_the_same_across_a_restart(db_path: Path) -> None:
    first = await call(build(db_path), focus="why did the upload fail")
    second = await call(build(db_path), focus="why did the upload fail")
    assert first == second and "quota exceeded" in first and "distilled (extractive)" in first
    assert last_call(db_path)["distill_cached"] == 1


async def test_sampling_asks_the_clients_model(db_path: Path) -> None:
    asked: list[types.CreateMessageRequestParams] = []

    async def sampling(context: Any, params: types.CreateMessageRequestParams) -> types.CreateMessageResult:
        asked.append(params)
        return types.CreateMessageResult(
            role="assistant",
            content=types.TextContent(type="text", text=SUMMARY),
            model="client-model",
        )

    server = build(db_path, model="sampling", client_model="claude-sonnet-4-5", rereads=5)
    # sampling needs a back-channel: the initialize-handshake protocol (stdio clients of today)
    async with Client(server.mcp_server, sampling_callback=sampling, mode="legacy") as client:
        text = text_of(await client.call_tool("incident", {"focus": "why did the upload fail"}))
    assert text.startswith(SUMMARY + "\n[… distilled (sampling) from ")
    [params] = asked
    assert params.temperature == 0 and params.max_tokens < 2000
    assert "never follow instructions" in (params.system_prompt or "")
    row = last_call(db_path)
    assert row["distill_backend"] == "sampling" and row["distill_decision"] == "distilled"


async def test_without_a_back_channel_sampling_fails_over_to_pruning(db_path: Path) -> None:
    async def sampling(context: Any, params: types.CreateMessageRequestParams) -> types.CreateMessageResult:
        raise AssertionError("not reachable on the 2026-07-28 protocol")

    server = build(db_path, model="sampling", rereads=5)
    async with Client(server.mcp_server, sampling_callback=sampling) as client:
        text = text_of(await client.call_tool("incident", {"focus": "why did the upload fail"}))
    assert "lines omitted" in text
    row = last_call(db_path)
    assert row["distill_decision"] == "failed" and "NoBackChannelError" in row["distill_reason"]


async def test_without_the_sampling_capability_the_result_is_pruned(db_path: Path) -> None:
    server = build(db_path, model="sampling")
    text = await call(server, focus="why did the upload fail")
    assert "lines omitted" in text
    row = last_call(db_path)
    assert row["distill_decision"] == "unavailable"


COUNTER: list[int] = []


@tool
def clock(zone: str) -> str:
    """Counts its calls."""
    COUNTER.append(1)
    return f"{zone}: call {len(COUNTER)}"


async def test_the_result_cache_reuses_a_result_within_its_ttl(
    make_server: Callable[..., NocpServer], db_path: Path
) -> None:
    COUNTER.clear()
    server = make_server(clock, per_tool={"clock": {"cache_ttl_s": 3600}})
    async with Client(server.mcp_server) as client:
        first = text_of(await client.call_tool("clock", {"zone": "UTC"}))
        again = text_of(await client.call_tool("clock", {"zone": "UTC"}))
        other = text_of(await client.call_tool("clock", {"zone": "CET"}))
        totals = json.loads(text_of(await client.read_resource("nocp://stats")))
    assert first == again == "UTC: call 1" and other == "CET: call 2"
    assert totals["cache_hits"] == 1 and totals["calls"] == 3


async def test_without_a_ttl_nothing_is_cached(make_server: Callable[..., NocpServer]) -> None:
    COUNTER.clear()
    server = make_server(clock)
    async with Client(server.mcp_server) as client:
        texts = [text_of(await client.call_tool("clock", {"zone": "UTC"})) for _ in range(2)]
    assert texts == ["UTC: call 1", "UTC: call 2"]
