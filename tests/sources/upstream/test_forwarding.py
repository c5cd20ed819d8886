"""What nocp passes between its client and an upstream, in both protocol eras on each side:
sampling, elicitation and roots asked by the upstream; logs; completions; resource
subscriptions and updates; progress; cancellation; the capabilities mirrored.

A real SDK upstream (`upstream_server.py`) as a subprocess, a real SDK client in memory; the
client side is either era (`mode`: "legacy" = the 2025 handshake, "auto" = 2026-07-28), the
upstream side is spoken to in the 2025 era (nocp's default) or in 2026-07-28 (`protocol`).
"""

from __future__ import annotations

import json
from typing import Any

import anyio
import mcp_types as types
import pytest
from mcp import Client
from mcp.shared.subscriptions import ResourceUpdated

from nocp.server import NocpServer
from tests.conftest import text_of
from tests.sources.upstream.conftest import stdio

pytestmark = [pytest.mark.anyio, pytest.mark.slow]  # a real upstream process per test

SAFETY_S = 30  # safety only: what is relayed arrives within a second normally
ERAS = [
    pytest.param("legacy", "auto", id="client-2025,upstream-2025"),
    pytest.param("auto", "auto", id="client-2026,upstream-2025"),
    pytest.param("legacy", "2026-07-28", id="client-2025,upstream-2026"),
    pytest.param("auto", "2026-07-28", id="client-2026,upstream-2026"),
]


class FakeClient:
    """What a real client would answer: a model, a user, roots; and the logs it received."""

    def __init__(self) -> None:
        self.asked: list[Any] = []
        self.logs: list[types.LoggingMessageNotificationParams] = []

    async def sampling(self, ctx: Any, params: types.CreateMessageRequestParams) -> types.CreateMessageResult:
        self.asked.append(params)
        text = params.messages[0].content.text  # type: ignore[union-attr]
        reply = types.TextContent(type="text", text=f"echo {text}")
        return types.CreateMessageResult(role="assistant", content=reply, model="fake")

    async def elicitation(self, ctx: Any, params: types.ElicitRequestParams) -> types.ElicitResult:
        self.asked.append(params)
        return types.ElicitResult(action="accept", content={"name": "Grace"})

    async def roots(self, ctx: Any) -> types.ListRootsResult:
        return types.ListRootsResult(roots=[types.Root(uri="file:///work/project", name="project")])

    async def log(self, params: types.LoggingMessageNotificationParams) -> None:
        self.logs.append(params)

    def client(self, server: NocpServer, mode: str, **extra: Any) -> Client:
        return Client(
            server.mcp_server,
            mode=mode,
            sampling_callback=self.sampling,
            elicitation_callback=self.elicitation,
            list_roots_callback=self.roots,
            logging_callback=self.log,
            **extra,
        )


@pytest.mark.parametrize(("mode", "protocol"), ERAS)
async def test_sampling_elicitation_and_roots_reach_the_client_and_back(
    nocp, mode: str, protocol: str
) -> None:
    fake = FakeClient()
    async with fake.client(nocp(t=stdio(protocol=protocol)), mode) as client:
        sampled = await client.call_tool("t__ask_model", {"prompt": "hello"})
        elicited = await client.call_tool("t__ask_user", {})
        roots = await client.call_tool("t__client_roots", {})
    assert (text_of(sampled), text_of(elicited), text_of(roots)) == (
        "model said: echo hello",
        "user said: Grace",
        "file:///work/project",
    )
    schema = fake.asked[1].requested_schema
    assert schema["properties"]["name"]["default"] == "Ada"  # the upstream's schema, as it was


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_a_client_without_sampling_gets_a_call_that_says_why(nocp, mode: str) -> None:
    async with Client(nocp(t=stdio()).mcp_server, mode=mode) as client:
        tools = [t.name for t in (await client.list_tools()).tools]
        result = await client.call_tool("t__ask_model", {"prompt": "hello"})
    assert "t__ask_model" in tools  # still listed: the upstream saw a client that can sample
    assert result.is_error
    assert "the client connected to nocp does not support sampling" in text_of(result)


@pytest.mark.parametrize(("mode", "protocol"), ERAS)
async def test_log_messages_of_a_call_reach_the_client_at_its_level(nocp, mode: str, protocol: str) -> None:
    fake = FakeClient()
    server = nocp(t=stdio(protocol=protocol))
    async with fake.client(server, mode, log_level="info" if mode == "auto" else None) as client:
        if mode == "legacy":
            await client.session.send_request(
                types.SetLevelRequest(params=types.SetLevelRequestParams(level="info")), types.EmptyResult
            )
        result = await client.call_tool("t__chatty", {})
        with anyio.fail_after(SAFETY_S):
            while len(fake.logs) < 2:
                await anyio.sleep(0.05)
    assert text_of(result) == "chatted"
    assert [(log.level, log.data) for log in fake.logs] == [
        ("info", "info line"),
        ("warning", "warning line"),
    ]


@pytest.mark.parametrize(("mode", "protocol"), ERAS)
async def test_completions_are_the_upstream_s(nocp, mode: str, protocol: str) -> None:
    async with Client(nocp(t=stdio(protocol=protocol)).mcp_server, mode=mode) as client:
        capabilities = client.server_capabilities
        ref = types.PromptReference(type="ref/prompt", name="t__review")
        completed = await client.complete(ref, {"name": "path", "value": "ma"})
    assert capabilities.completions is not None  # mirrored: the upstream offers completions
    assert completed.completion.values == ["main.py", "make.py"]


async def test_a_2025_client_subscribes_and_gets_the_upstream_s_updates(nocp) -> None:
    updates: list[str] = []

    async def on_message(message: Any) -> None:
        if isinstance(message, types.ResourceUpdatedNotification):
            updates.append(str(message.params.uri))

    async with Client(nocp(t=stdio()).mcp_server, mode="legacy", message_handler=on_message) as client:
        assert client.server_capabilities.resources.subscribe  # type: ignore[union-attr]
        subscribe = types.SubscribeRequest(params=types.SubscribeRequestParams(uri="notes://today"))
        await client.session.send_request(subscribe, types.EmptyResult)
        await client.call_tool("t__touch", {"uri": "notes://today"})
        await client.call_tool("t__touch", {"uri": "notes://elsewhere"})  # not subscribed: not passed on
        with anyio.fail_after(SAFETY_S):
            while not updates:
                await anyio.sleep(0.05)
        unsubscribe = types.UnsubscribeRequest(params=types.UnsubscribeRequestParams(uri="notes://today"))
        await client.session.send_request(unsubscribe, types.EmptyResult)
    assert updates == ["notes://today"]


@pytest.mark.parametrize("protocol", ["auto", "2026-07-28"])
async def test_a_2026_client_listens_to_a_resource_and_gets_its_updates(nocp, protocol: str) -> None:
    async with (
        Client(nocp(t=stdio(protocol=protocol)).mcp_server) as client,
        client.listen(resource_subscriptions=["notes://today"]) as subscription,
    ):
        await anyio.sleep(0.5)  # the upstream subscription is made as the stream opens
        await client.call_tool("t__touch", {"uri": "notes://today"})
        with anyio.fail_after(SAFETY_S):
            event = await anext(aiter(subscription))
    assert event == ResourceUpdated(uri="notes://today")


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_progress_reaches_the_call_and_a_cancelled_call_leaves_the_upstream_serving(
    nocp, mode: str
) -> None:
    seen: list[float] = []

    async def progress(value: float, total: float | None, message: str | None) -> None:
        seen.append(value)

    async with Client(nocp(t=stdio()).mcp_server, mode=mode) as client:
        stepped = await client.call_tool("t__steps", {"n": 3}, progress_callback=progress)
        with anyio.move_on_after(1.0):
            await client.call_tool("t__slow", {"seconds": 60})  # abandoned: cancelled upstream too
        after = await client.call_tool("t__records", {"n": 1})
        rows = json.loads(text_of(await client.read_resource("nocp://upstreams")))
    assert text_of(stepped) == "3 steps" and seen == [1, 2, 3]
    assert not after.is_error and rows[0]["state"] == "running"
    assert rows[0]["breaker"] == {"state": "closed", "consecutive_failures": 0}  # a cancel is no failure


async def test_capabilities_are_only_what_some_upstream_offers(nocp) -> None:
    async with Client(nocp(t=stdio()).mcp_server, mode="legacy") as client:
        with_upstream = client.server_capabilities
    async with Client(nocp().mcp_server, mode="legacy") as client:
        alone = client.server_capabilities
    assert with_upstream.logging is not None and with_upstream.completions is not None
    assert with_upstream.prompts is not None and with_upstream.resources.subscribe  # type: ignore[union-attr]
    assert alone.logging is None and alone.completions is None and alone.prompts is None
    assert alone.resources is not None and not alone.resources.subscribe
