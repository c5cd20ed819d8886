"""One upstream MCP server: nocp's connection to it as a client (see `hub.py` for all of
them and the tools they expose).

    UpstreamHub        every configured upstream; started and stopped with the server
    └── Upstream       one server: its connection, state, tools, faults and restarts
        └── UpstreamSource   the `Source` the server indexes (`NAME__tool` names)

Faults never take nocp down: an upstream that fails to start is recorded (log, and the
`nocp://upstreams` resource) while the others serve; one that exits mid-call makes that call
an error naming the upstream and its exit code, and the next call restarts it (with backoff).
"""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any, Literal

import anyio
import mcp_types as types
from anyio.abc import TaskGroup, TaskStatus
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp.shared.subscriptions import (
    SUBSCRIPTION_ID_META_KEY,
    ServerEvent,
    ToolsListChanged,
    event_from_wire,
)
from mcp_types import CONNECTION_CLOSED, LOG_LEVEL_META_KEY
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from nocp.errors import UpstreamError
from nocp.logs import get_logger
from nocp.sources.upstream.breaker import Breaker
from nocp.sources.upstream.naming import ExposedNames
from nocp.sources.upstream.relay import NO_CLIENT, ClientChannel, current_channel
from nocp.sources.upstream.requests import LIST_PAGE_CAP, all_pages, call_tool, forward_progress, list_tools
from nocp.sources.upstream.results import WireResult
from nocp.sources.upstream.settings import UpstreamSettings, UpstreamsSettings
from nocp.sources.upstream.stdio import StdioProcess, describe_exit

State = Literal["stopped", "starting", "running", "failed", "exited"]
OnChange = Callable[[ServerEvent], Awaitable[None]]
"""Told when an upstream's tools (already relisted), resources or prompts changed."""


__all__ = ["LIST_PAGE_CAP", "Upstream", "UpstreamError", "all_pages", "forward_progress"]

MAX_BACKOFF_S = 30.0

_log = get_logger(__name__)


class Upstream:
    """One upstream server and its connection.

    Example:
        >>> upstream = Upstream("git", UpstreamSettings(command="uvx", args=["mcp-server-git"]))
    """

    def __init__(
        self, name: str, settings: UpstreamSettings, shared: UpstreamsSettings | None = None
    ) -> None:
        self.name, self.settings = name, settings
        self.shared = shared or UpstreamsSettings()
        # The names its tools, prompts and resources are exposed under (one rule for all).
        self.names = ExposedNames(settings.tool_prefix(name, self.shared.separator))
        self.state: State = "stopped"
        self.tools: list[types.Tool] = []
        self.instructions: str | None = None  # from its `initialize` (or `server/discover`)
        self.last_error: str | None = None
        self.restarts = 0
        self._starts = 0
        self._failures = 0
        self._failed_at = 0.0
        self._client: Client | None = None
        self._process: StdioProcess | None = None
        self._stop = anyio.Event()
        self._lock = anyio.Lock()
        self._tg: TaskGroup | None = None
        self._on_change: OnChange | None = None
        self._stopping = False
        self._down_recorded = False
        self.channel: ClientChannel = NO_CLIENT
        """nocp's own client outside any call (the hub sets it): roots asked at start-up, logs."""
        self._in_flight: list[ClientChannel] = []
        # "2026-07-28": the SDK's own probe (server/discover, which also says what it offers)
        self._mode = "legacy" if settings.protocol in ("auto", "legacy") else "auto"
        self._level_sent: types.LoggingLevel | None = None
        self.breaker = Breaker(self.shared.breaker_failures, self.shared.breaker_cooldown_s)
        self._watched: set[str] = set()  # resource URIs a 2026-07-28 connection listens to
        self._listen_scope: anyio.CancelScope | None = None

    def attach(self, tg: TaskGroup, on_change: OnChange | None) -> None:
        """Run connections in `tg` (the hub's) and report list changes to `on_change`."""
        self._tg, self._on_change = tg, on_change

    def status(self) -> dict[str, Any]:
        """The row of this upstream in `nocp://upstreams`."""
        return {
            "name": self.name,
            "transport": self.settings.transport,
            "target": self._target(),
            "state": self.state,
            "tools": len(self.tools),
            "last_error": self.last_error,
            "restarts": self.restarts,
            "protocol": self.protocol_version,
            "breaker": self.breaker.status(),
        }

    @property
    def protocol_version(self) -> str | None:
        """The protocol version of the live connection (None when not connected)."""
        client = self._client
        return client.protocol_version if client is not None and self.state == "running" else None

    @property
    def modern(self) -> bool:
        """True when the live connection speaks the 2026-07-28 era (no back-channel)."""
        return self.protocol_version in MODERN_PROTOCOL_VERSIONS

    async def start(self) -> None:
        """Connect (or reconnect) unless already connected.

        Raises:
            UpstreamError: the server could not be started; the message says why.
        """
        async with self._lock:
            if self.state == "running":
                return
            wait = self._backoff_left()
            if wait > 0:
                raise UpstreamError(
                    f"upstream {self.name!r} failed {self._failures} times in a row "
                    f"(last: {self.last_error}); next restart attempt in {math.ceil(wait)} s — "
                    "see nocp://upstreams and nocp's log"
                )
            await self._start_locked()

    async def call(self, tool: str, arguments: Mapping[str, Any]) -> WireResult:
        """Call `tool` (its upstream name) through the circuit breaker (`breaker.py`).

        Raises:
            UpstreamError: the breaker is open, or the upstream is down, exits during the
                call, or rejects it.
        """
        refusal = self.breaker.refusal(self.name)
        if refusal is not None:
            raise UpstreamError(refusal)
        deadline = anyio.current_effective_deadline()
        try:
            result = await self._call(tool, arguments)
        except UpstreamError as exc:
            self.breaker.failed(str(exc))
            raise
        except anyio.get_cancelled_exc_class():
            if anyio.current_time() >= deadline:  # the call's timeout, not the client's cancel
                self.breaker.failed(f"{tool!r} ran past its timeout")
            else:
                self.breaker.abandoned()
            raise
        self.breaker.succeeded()
        return result

    async def _call(self, tool: str, arguments: Mapping[str, Any]) -> WireResult:
        """Call `tool`, restarting the upstream first if it is down.

        The first restart is immediate; after consecutive failures, calls within the backoff
        window fail at once (saying when the next attempt is) instead of waiting.
        """
        if self.state != "running":
            await self.start()
        client = self._client
        if client is None:
            raise UpstreamError(f"upstream {self.name!r} is not connected; call again to retry")
        keep = self.settings.structured_content == "keep"
        channel = current_channel()
        if channel is not None:
            self._in_flight.append(channel)  # what the upstream asks meanwhile goes there
        try:
            meta = await self._log_opt_in(client, channel)
            result = await call_tool(client, tool, arguments, keep_structure=keep, meta=meta)
        except MCPError as exc:
            raise await self._call_failed(exc) from None
        except (RuntimeError, ValueError) as exc:  # not a tool result, or invalid structure
            raise UpstreamError(f"upstream {self.name!r} sent an invalid result: {exc}") from None
        finally:
            if channel is not None:
                self._in_flight.remove(channel)
        self._failures = 0
        return result

    async def _log_opt_in(self, client: Client, channel: ClientChannel | None) -> dict[str, Any] | None:
        """Carry the client's log level to the upstream: in the request's `_meta` on a
        2026-07-28 connection, with `logging/setLevel` (when it changed) on an older one."""
        level = (channel or self.channel).log_level
        if level is None:
            return None
        if self.modern:  # a per-request opt-in: servers log there without declaring `logging`
            return {LOG_LEVEL_META_KEY: level}
        if level != self._level_sent and self.offers("logging"):
            await self.set_log_level(level, client)
        return None

    async def set_log_level(self, level: types.LoggingLevel, client: Client | None = None) -> None:
        """Tell the upstream (2025 era) which log messages to send.

        Raises:
            MCPError: the upstream refused it.
        """
        client = client or self._client
        if client is None or self.modern:
            return
        request = types.SetLevelRequest(params=types.SetLevelRequestParams(level=level))
        await client.session.send_request(request, types.EmptyResult)
        self._level_sent = level

    async def stop(self) -> None:
        """Close the connection (and end the process); the state becomes `stopped`."""
        self._stopping = True
        self._stop.set()

    async def _start_locked(self) -> None:
        assert self._tg is not None, "attach() the upstream to a task group first"
        self.state = "starting"
        self._down_recorded = False
        self._stop = anyio.Event()
        if self._starts:
            self.restarts += 1
        self._starts += 1
        before = [t.name for t in self.tools]
        try:
            await self._tg.start(self._run)
        except Exception as exc:
            if self.settings.protocol == "auto" and self._mode == "legacy" and _refused(exc):
                # It does not speak the 2025 handshake: speak 2026-07-28 to it from now on.
                _log.info("upstream refused the 2025 handshake", upstream=self.name, error=_describe(exc))
                self._mode = "auto"
                self._starts -= 1
                await self._start_locked()
                return
            self._failed(_explain_start(self, exc))
            raise UpstreamError(f"upstream {self.name!r} failed to start: {self.last_error}") from None
        _log.info("upstream started", upstream=self.name, tools=len(self.tools))
        if [t.name for t in self.tools] != before and self._starts > 1:
            await self._changed(ToolsListChanged())

    async def _run(self, *, task_status: TaskStatus[None]) -> None:
        """Own one connection for its whole life (anyio scopes must close in their task).

        A restart may begin while this connection is still closing, so everything here is
        local to it (`generation`, `stop`, `transport`) and touches the shared state only
        while it is still the current connection.
        """
        generation, stop, started = self._starts, self._stop, False
        transport = self._transport()
        process = transport if isinstance(transport, StdioProcess) else None
        with anyio.CancelScope() as scope:
            scope.deadline = anyio.current_time() + self.settings.start_timeout_s
            try:
                async with Client(
                    transport,
                    cache=None,
                    mode=self._mode,
                    message_handler=self._on_message,
                    sampling_callback=self._sampling,
                    elicitation_callback=self._elicitation,
                    list_roots_callback=self._roots,
                    logging_callback=self._log,
                ) as client:
                    self.tools = await list_tools(client)
                    self.instructions = client.instructions
                    self._client, self.state = client, "running"
                    self._level_sent = None
                    scope.deadline = math.inf
                    started = True
                    task_status.started()
                    await self._wait_for_end(client, stop, process)
            except Exception as exc:
                if not started:
                    raise
                if generation == self._starts and not self._down_recorded:
                    self._failed(f"connection lost: {_describe(exc)}"[:500])
            finally:
                if generation == self._starts:
                    self._client = None
        if scope.cancelled_caught and not started:
            raise TimeoutError(f"no answer within {self.settings.start_timeout_s:g} s")
        if started and generation == self._starts and self.state == "running":
            self._after_exit(process)

    async def _wait_for_end(self, client: Client, stop: anyio.Event, process: StdioProcess | None) -> None:
        async with anyio.create_task_group() as tg:
            tg.start_soon(self._listen, client)

            async def on_exit() -> None:
                if process is not None:
                    await process.exited.wait()
                    stop.set()

            tg.start_soon(on_exit)
            await stop.wait()
            tg.cancel_scope.cancel()

    def _after_exit(self, process: StdioProcess | None) -> None:
        if self._stopping:
            self.state = "stopped"
        elif process is not None and process.exited.is_set():
            self._failed(f"exited ({describe_exit(process.returncode)})", state="exited")
        else:
            self.state = "stopped"

    def _failed(self, message: str, state: State = "failed") -> None:
        # A crash is seen twice (the call in flight and the connection's end), in either
        # order: count it once, keep the more specific message (the later one).
        if not self._down_recorded:
            self._down_recorded = True
            self._failures += 1
            self._failed_at = time.monotonic()
        self.state, self.last_error = state, message
        _log.warning("upstream down", upstream=self.name, state=state, error=message)

    def _backoff_left(self) -> float:
        if self._failures < 2:
            return 0.0  # the first restart is immediate
        delay = min(self.shared.restart_backoff_s * 2.0 ** (self._failures - 2), MAX_BACKOFF_S)
        return max(0.0, self._failed_at + delay - time.monotonic())

    async def _call_failed(self, exc: MCPError) -> UpstreamError:
        if exc.code != CONNECTION_CLOSED:
            return UpstreamError(f"upstream {self.name!r} rejected the call: {exc}")
        code = await self._process.wait_exit(2.0) if self._process is not None else None
        if self._process is not None and code is not None:
            message = f"exited ({describe_exit(code)}) during the call"
        else:
            message = "closed the connection during the call"
        self._failed(message, state="exited")
        self._stop.set()
        return UpstreamError(
            f"upstream {self.name!r} {message}; nocp restarts it on the next call — retry once, "
            "and if it fails again see nocp://upstreams and nocp's log"
        )

    def _asked_through(self) -> ClientChannel:
        """Where a request from the upstream goes: the call this task serves (a 2026-07-28
        upstream asks within the call), else the call in flight (a 2025 one asks on its own
        stream, which names no call; with several in flight, the latest), else the client."""
        return current_channel() or (self._in_flight[-1] if self._in_flight else self.channel)

    async def _sampling(self, context: Any, params: types.CreateMessageRequestParams) -> Any:
        return await self._asked_through().ask(types.CreateMessageRequest(params=params))

    async def _elicitation(self, context: Any, params: types.ElicitRequestParams) -> Any:
        return await self._asked_through().ask(types.ElicitRequest(params=params))

    async def _roots(self, context: Any) -> Any:
        return await self._asked_through().ask(types.ListRootsRequest())

    async def _log(self, params: types.LoggingMessageNotificationParams) -> None:
        await self._asked_through().log(params)

    async def _on_message(self, message: Any) -> None:
        event = _list_change(message)
        if event is not None:
            self._announce(event)
        elif isinstance(message, Exception):
            _log.warning("upstream transport error", upstream=self.name, error=repr(message))

    async def _listen(self, client: Client) -> None:
        """Follow the upstream's list changes (2026-07-28 servers announce them only to a
        `subscriptions/listen` stream; older ones send notifications, see `_on_message`)."""
        while True:
            with anyio.CancelScope() as scope:
                self._listen_scope = scope
                try:
                    async with client.listen(
                        tools_list_changed=True,
                        resources_list_changed=True,
                        prompts_list_changed=True,
                        resource_subscriptions=sorted(self._watched),
                    ) as subscription:
                        async for event in subscription:
                            self._announce(event)
                except Exception as exc:  # older protocol, or the upstream does not offer it
                    _log.debug("no list-change subscription", upstream=self.name, error=repr(exc))
                    return
            if not scope.cancelled_caught:
                return  # the stream ended; a new connection listens anew

    def _announce(self, event: ServerEvent) -> None:
        # Not inline: the caller is the connection's receive loop, which must stay free to
        # deliver the answer to our tools/list.
        if self._tg is not None and isinstance(event, ToolsListChanged):
            self._tg.start_soon(self._relist)
        elif self._tg is not None:
            self._tg.start_soon(self._changed, event)

    async def _relist(self) -> None:
        client = self._client
        if client is None:
            return
        try:
            self.tools = await list_tools(client)
        except MCPError as exc:
            _log.warning("upstream tools/list failed", upstream=self.name, error=str(exc))
            return
        await self._changed(ToolsListChanged())

    async def _changed(self, event: ServerEvent) -> None:
        if self._on_change is not None:
            await self._on_change(event)

    def offers(self, capability: str) -> bool:
        """True when connected and the upstream declared `capability` ("resources", "prompts")."""
        client = self._client
        if self.state != "running" or client is None:
            return False
        return getattr(client.server_capabilities, capability, None) is not None

    @property
    def resources_subscribe(self) -> bool:
        """True when connected and the upstream lets clients subscribe to its resources."""
        client = self.live_client()
        resources = client.server_capabilities.resources if client is not None else None
        return bool(resources and resources.subscribe)

    def live_client(self) -> Client | None:
        """The connection when it is up (no restart)."""
        return self._client if self.state == "running" else None

    async def watch_resource(self, uri: str, *, watch: bool = True) -> None:
        """Subscribe to (or unsubscribe from) updates of `uri`: `resources/subscribe` on a
        2025-era connection, the listen stream's resource subscriptions on a 2026-07-28 one.

        Raises:
            MCPError: the upstream refused.
            UpstreamError: it cannot be started.
        """
        client = await self.client()
        if self.modern:
            changed = (uri not in self._watched) if watch else (uri in self._watched)
            (self._watched.add if watch else self._watched.discard)(uri)
            if changed and self._listen_scope is not None:
                self._listen_scope.cancel()  # the listen loop opens a new stream with the new set
            return
        request: types.ClientRequest = (
            types.SubscribeRequest(params=types.SubscribeRequestParams(uri=uri))
            if watch
            else types.UnsubscribeRequest(params=types.UnsubscribeRequestParams(uri=uri))
        )
        await client.session.send_request(request, types.EmptyResult)

    async def client(self) -> Client:
        """The live connection, (re)starting the upstream when it is down.

        Raises:
            UpstreamError: it cannot be started.
        """
        if self.state != "running":
            await self.start()
        if self._client is None:
            raise UpstreamError(f"upstream {self.name!r} is not connected; try again")
        return self._client

    def _transport(self) -> Any:
        settings = self.settings
        if settings.command is not None:
            self._process = StdioProcess(
                self.name,
                settings.command,
                list(settings.args),
                env=dict(settings.env),
                cwd=str(settings.cwd) if settings.cwd else None,
            )
            return self._process
        assert settings.url is not None
        return _http_transport(settings.url, dict(settings.headers))

    def _target(self) -> str:
        if self.settings.url is not None:
            return self.settings.url
        return " ".join([self.settings.command or "", *self.settings.args])


@asynccontextmanager
async def _http_transport(url: str, headers: dict[str, str]) -> AsyncIterator[Any]:
    """Streamable HTTP with the configured headers; the HTTP client closes with the transport."""
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    async with (
        create_mcp_http_client(headers=headers) as http,
        streamable_http_client(url, http_client=http) as streams,
    ):
        yield streams


def _list_change(message: Any) -> ServerEvent | None:
    """The change a notification announces — a list, or one resource's content — (not on a
    listen stream: `_listen` has those)."""
    params = getattr(message, "params", None)
    if params is not None and SUBSCRIPTION_ID_META_KEY in (params.meta or {}):
        return None
    wire = params.model_dump(by_alias=True, mode="json") if params is not None else None
    return event_from_wire(getattr(message, "method", ""), wire)


def _explain_start(upstream: Upstream, exc: Exception) -> str:
    process = upstream._process
    if isinstance(exc, FileNotFoundError):
        return f"command not found: {upstream.settings.command!r} (check `command` and PATH)"
    if process is not None and process.returncode is not None:
        code = describe_exit(process.returncode)
        return f"exited while starting ({code}); see its stderr in nocp's log"
    text = _describe(exc)
    if upstream.settings.url is not None:
        text = f"cannot reach {upstream.settings.url}: {text}"
    return text[:500]


def _refused(exc: BaseException) -> bool:
    """True when the server answered the handshake with an error (it is alive, but speaks
    another protocol era), not when it died or could not be reached."""
    if isinstance(exc, BaseExceptionGroup):
        return any(_refused(inner) for inner in exc.exceptions)
    return isinstance(exc, MCPError) and exc.code != CONNECTION_CLOSED


def _describe(exc: BaseException) -> str:
    """The message of `exc`, or of the errors inside an exception group."""
    if isinstance(exc, BaseExceptionGroup):
        return "; ".join(_describe(inner) for inner in exc.exceptions)
    return str(exc) or type(exc).__name__
