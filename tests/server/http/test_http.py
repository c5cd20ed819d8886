"""`nocp serve --http`: the same server over the SDK's streamable HTTP, in both protocol eras,
behind bearer tokens (each a tenant), Host/Origin checks, a body limit and a rate limit."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp.shared.exceptions import MCPError

from nocp import tool
from nocp.config import Settings
from nocp.config.models import HttpSettings
from nocp.errors import ConfigError
from nocp.server.http import check
from tests.conftest import text_of
from tests.server.http.conftest import TOKEN_A, TOKEN_B, client, http_server, serving

pytestmark = pytest.mark.anyio

INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}
ACCEPT = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


@tool
def users(team: str = "blue") -> list[dict[str, Any]]:
    """300 users of a team."""
    return [{"id": i, "name": f"user{i}", "team": team, "note": "x" * 40} for i in range(300)]


def settings(db: Path, **extra: Any) -> Settings:
    return Settings(stats={"db": db}, prune={"budget": 300}, builtins={"enabled": False}, **extra)


def handle_of(text: str) -> str:
    match = re.search(r'handle="(h[0-9a-f]+)"', text)
    assert match, text
    return match.group(1)


@pytest.mark.slow  # calls through the pipeline over HTTP: a second or more here
@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_the_same_tools_and_resources_in_both_eras(db_path: Path, mode: str) -> None:
    server, metrics = http_server(settings(db_path), users)
    async with serving(server, metrics) as base, client(base, mode=mode) as c:
        names = [t.name for t in (await c.list_tools()).tools]
        assert names == ["users", "nocp_expand"]
        sent = text_of(await c.call_tool("users", {"team": "red"}))
        expanded = text_of(await c.call_tool("nocp_expand", {"handle": handle_of(sent)}))
        assert "user0,red" in expanded and "[page 1 of" in expanded
        original = text_of(await c.read_resource(f"nocp://outputs/{handle_of(sent)}"))
        assert original.count('"team":"red"') == 300 and sent.count(",red,") < 300
        stats = text_of(await c.read_resource("nocp://stats"))
        assert '"calls": 2' in stats


@pytest.mark.slow  # calls through the pipeline over HTTP: a second or more here
async def test_a_handle_of_one_token_is_not_found_for_another(db_path: Path) -> None:
    server, metrics = http_server(settings(db_path), users)
    async with serving(server, metrics, tokens=(TOKEN_A, TOKEN_B)) as base:
        async with client(base, TOKEN_A) as alice:
            handle = handle_of(text_of(await alice.call_tool("users", {})))
            assert '"name":"user150"' in text_of(await alice.read_resource(f"nocp://outputs/{handle}"))
        async with client(base, TOKEN_B) as bob:
            refused = await bob.call_tool("nocp_expand", {"handle": handle})
            assert refused.is_error and "unknown or expired" in text_of(refused)
            with pytest.raises(MCPError, match="unknown or expired"):
                await bob.read_resource(f"nocp://outputs/{handle}")
            stats = json.loads(text_of(await bob.read_resource("nocp://stats")))
            assert stats["calls"] == 1  # only its own failed expansion
            # `users` may be listed (its schema cost bob's session tokens) but with none of alice's calls
            assert stats["tools"].get("users", {"calls": 0})["calls"] == 0
            recent = json.loads(text_of(await bob.read_resource("nocp://calls/recent")))
            assert [(r["tool"], r["handle"]) for r in recent] == [("nocp_expand", None)]
        async with client(base, TOKEN_A) as alice:
            assert '"calls": 1' in text_of(await alice.read_resource("nocp://stats"))


async def test_without_a_valid_token_nothing_but_healthz_answers(db_path: Path) -> None:
    server, metrics = http_server(settings(db_path), users)
    async with serving(server, metrics, tokens=(TOKEN_A,)) as base, httpx2.AsyncClient() as http:
        assert (await http.post(f"{base}/mcp", json=INIT, headers=ACCEPT)).status_code == 401
        wrong = {**ACCEPT, "Authorization": "Bearer not-the-token-at-all"}
        answer = await http.post(f"{base}/mcp", json=INIT, headers=wrong)
        assert answer.status_code == 401 and "Bearer" in answer.headers["www-authenticate"]
        assert (await http.get(f"{base}/metrics")).status_code == 401
        assert (await http.get(f"{base}/healthz")).json() == {"status": "ok"}
        good = {**ACCEPT, "Authorization": f"Bearer {TOKEN_A}"}
        assert (await http.post(f"{base}/mcp", json=INIT, headers=good)).status_code == 200
        text = (await http.get(f"{base}/metrics", headers=good)).text
        assert 'nocp_http_refused_total{reason="auth"} 3.0' in text


async def test_dns_rebinding_and_oversized_bodies_are_refused(db_path: Path) -> None:
    server, metrics = http_server(settings(db_path), users)
    async with serving(server, metrics, max_body_bytes=2048) as base, httpx2.AsyncClient() as http:
        evil_host = {**ACCEPT, "Host": "evil.example.com"}
        assert (await http.post(f"{base}/mcp", json=INIT, headers=evil_host)).status_code == 421
        evil_origin = {**ACCEPT, "Origin": "http://evil.example.com"}
        assert (await http.post(f"{base}/mcp", json=INIT, headers=evil_origin)).status_code == 403
        local_origin = {**ACCEPT, "Origin": "http://localhost:3000"}
        assert (await http.post(f"{base}/mcp", json=INIT, headers=local_origin)).status_code == 200
        big = {**INIT, "params": {**INIT["params"], "pad": "x" * 4096}}
        assert (await http.post(f"{base}/mcp", json=big, headers=ACCEPT)).status_code == 413


async def test_a_token_past_its_rate_gets_429_and_others_do_not(db_path: Path) -> None:
    server, metrics = http_server(settings(db_path), users)
    async with (
        serving(server, metrics, tokens=(TOKEN_A, TOKEN_B), rate=0.5, burst=3) as base,
        httpx2.AsyncClient() as http,
    ):
        alice = {**ACCEPT, "Authorization": f"Bearer {TOKEN_A}"}
        codes = [(await http.post(f"{base}/mcp", json=INIT, headers=alice)).status_code for _ in range(5)]
        assert codes == [200, 200, 200, 429, 429]
        refused = await http.post(f"{base}/mcp", json=INIT, headers=alice)
        assert int(refused.headers["retry-after"]) >= 1 and "rate limit" in refused.json()["error"]["message"]
        bob = {**ACCEPT, "Authorization": f"Bearer {TOKEN_B}"}
        assert (await http.post(f"{base}/mcp", json=INIT, headers=bob)).status_code == 200


@pytest.mark.slow  # calls through the pipeline over HTTP: a second or more here
async def test_metrics_count_calls_tokens_errors_and_latency_per_tool(db_path: Path) -> None:
    server, metrics = http_server(settings(db_path), users)
    async with serving(server, metrics) as base:
        async with client(base) as c:
            await c.call_tool("users", {})
            await c.call_tool("nocp_expand", {"handle": "h-nothing"})
        async with httpx2.AsyncClient() as http:
            text = (await http.get(f"{base}/metrics")).text
    assert 'nocp_calls_total{outcome="ok",tool="users"} 1.0' in text
    assert 'nocp_calls_total{outcome="error",tool="nocp_expand"} 1.0' in text
    assert 'nocp_errors_total{tool="nocp_expand"} 1.0' in text
    raw = float(re.search(r'nocp_raw_tokens_total\{tool="users"\} (\S+)', text).group(1))  # type: ignore[union-attr]
    sent = float(re.search(r'nocp_sent_tokens_total\{tool="users"\} (\S+)', text).group(1))  # type: ignore[union-attr]
    assert raw > sent > 0
    assert 'nocp_call_seconds_count{tool="users"} 1.0' in text


def test_listening_beyond_loopback_requires_tokens() -> None:
    with pytest.raises(ConfigError, match="requires auth: set NOCP_HTTP_TOKENS"):
        check(HttpSettings(host="0.0.0.0"))
    check(HttpSettings(host="0.0.0.0", tokens=(TOKEN_A,)))
    check(HttpSettings(host="::1"))


def test_tokens_are_kept_only_as_digests(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from nocp.config import load_settings

    monkeypatch.setenv("NOCP_HTTP_TOKENS", f"{TOKEN_A}, {TOKEN_B}")
    monkeypatch.setenv("NOCP_STORE_URL", "postgresql://u:p@localhost/nocp")
    loaded = load_settings(cwd=tmp_path)
    assert len(loaded.http.tokens) == 2 and all(t.startswith("sha256:") for t in loaded.http.tokens)
    assert TOKEN_A not in loaded.model_dump_json()
    assert loaded.store.url == "postgresql://u:p@localhost/nocp"
    monkeypatch.setenv("NOCP_HTTP_TOKENS", "short")
    with pytest.raises(ConfigError, match=r"NOCP_HTTP_TOKENS: http\.tokens: .*at least 16 characters"):
        load_settings(cwd=tmp_path)
