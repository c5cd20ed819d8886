"""The ways back to nocp's client, for what an upstream asks (`sources.upstream.relay`).

`CallChannel` serves one `tools/call`: a request an upstream makes meanwhile (sampling,
elicitation, roots) goes to the client as part of that call and its answer goes back unchanged;
its log messages go with the call. `ConnectionChannel` serves what comes outside any call (an
upstream that asks for roots as soon as it starts, its logs between calls), on the connection
of the client that is there.

Protocol eras: a client before 2026-07-28 has a back-channel — the request is sent to it at
once, related to the call. A 2026-07-28 client has none within a call: nocp answers the call
with `input_required` and waits for the client's retry (`server.input_required`). Outside a call
a 2026-07-28 client cannot be asked anything; that answer says so.
"""

from __future__ import annotations

from typing import Any

import anyio
import mcp_types as types
from mcp.server.connection import allowed_log_levels
from mcp.server.context import ServerRequestContext
from mcp.server.session import ServerSession
from mcp.shared.exceptions import MCPError, NoBackChannelError
from mcp.shared.message import ServerMessageMetadata
from mcp_types import LOG_LEVEL_META_KEY
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from nocp.logs import get_logger
from nocp.server.input_required import PendingInput

_log = get_logger(__name__)

CLIENT_WAIT_S = 10.0
"""How long a request outside any call waits for a client to connect (an upstream may ask for
roots while nocp starts, before its client has said hello)."""

_RESULT: dict[str, type[Any]] = {
    "sampling/createMessage": types.CreateMessageResult,
    "elicitation/create": types.ElicitResult,
    "roots/list": types.ListRootsResult,
}

_NEEDS: dict[str, tuple[str, types.ClientCapabilities]] = {
    "sampling/createMessage": ("sampling", types.ClientCapabilities(sampling=types.SamplingCapability())),
    "elicitation/create": (
        "elicitation",
        types.ClientCapabilities(elicitation=types.ElicitationCapability()),
    ),
    "roots/list": ("roots", types.ClientCapabilities(roots=types.RootsCapability())),
}


def refusal(request: types.InputRequest, why: str) -> types.ErrorData:
    """The answer to a request nocp cannot pass on: what was asked and why not."""
    return types.ErrorData(code=types.INVALID_REQUEST, message=f"{request.method}: {why}")


def _result_type(request: types.InputRequest) -> type[Any]:
    params = getattr(request, "params", None)
    if isinstance(request, types.CreateMessageRequest) and params is not None and params.tools:
        return types.CreateMessageResultWithTools
    return _RESULT[request.method]


async def send_to(
    session: ServerSession, request: types.InputRequest, related: types.RequestId | None
) -> types.InputResponse | types.ErrorData:
    """Send `request` on the client's back-channel (related to call `related`) and return its
    answer, or the client's error, or why it could not be asked."""
    what, capability = _NEEDS[request.method]
    if not session.check_client_capability(capability):
        return refusal(request, f"the client connected to nocp does not support {what}")
    try:
        return await session.send_request(
            request, _result_type(request), metadata=ServerMessageMetadata(related_request_id=related)
        )
    except MCPError as exc:
        return exc.error
    except NoBackChannelError:
        return refusal(request, "the client's connection has no channel for a request from nocp")


def log_notification(params: types.LoggingMessageNotificationParams) -> types.LoggingMessageNotification:
    """The `notifications/message` that carries `params`."""
    return types.LoggingMessageNotification(params=params)


class CallChannel:
    """The client of one `tools/call`."""

    def __init__(self, request: ServerRequestContext[Any], connection: ConnectionChannel) -> None:
        self.request, self.connection = request, connection
        self.pending: PendingInput | None = None
        """Set for a 2026-07-28 client: requests wait there for the client's retry."""
        self._levels = allowed_log_levels(request.protocol_version, request.meta)

    @property
    def modern(self) -> bool:
        """True when the client speaks 2026-07-28 (no back-channel within a call)."""
        return self.request.protocol_version in MODERN_PROTOCOL_VERSIONS

    @property
    def log_level(self) -> types.LoggingLevel | None:
        """The level the client asked for: in this request (2026-07-28), else `logging/setLevel`."""
        level = (self.request.meta or {}).get(LOG_LEVEL_META_KEY) if self.modern else None
        return level if isinstance(level, str) else self.connection.log_level  # type: ignore[return-value]

    async def ask(self, request: types.InputRequest) -> types.InputResponse | types.ErrorData:
        """Ask the client, within this call."""
        if not self.modern:
            return await send_to(self.request.session, request, self.request.request_id)
        what, capability = _NEEDS[request.method]
        if not self.request.session.check_client_capability(capability):
            return refusal(request, f"the client connected to nocp does not support {what}")
        if self.pending is None:
            return refusal(request, "this call cannot wait for the client's answer")
        return await self.pending.ask(request)

    async def log(self, params: types.LoggingMessageNotificationParams) -> None:
        """Send the log message with this call (a 2026-07-28 client: only at the levels it opted
        into for this request)."""
        if params.level not in self._levels or not self.connection.wants(params.level):
            return
        try:
            await self.request.session.send_notification(log_notification(params), self.request.request_id)
        except Exception as exc:  # the client may be gone; the call's answer still counts
            _log.info("could not pass on an upstream log message", error=repr(exc), exc_info=True)


class ConnectionChannel:
    """The client's connection, for what comes outside any call."""

    def __init__(self) -> None:
        self.log_level: types.LoggingLevel | None = None
        """Set by the client's `logging/setLevel` (clients before 2026-07-28)."""
        self._session: ServerSession | None = None
        self._connected = anyio.Event()

    def connect(self, session: ServerSession) -> None:
        """The client of `session` is the one to ask from now on."""
        self._session = session
        self._connected.set()

    def wants(self, level: types.LoggingLevel) -> bool:
        """True when `level` is at or above the one the client set (all, when it set none):
        nocp passes the level on, but not every upstream filters by it."""
        return self.log_level is None or _LEVELS.index(level) >= _LEVELS.index(self.log_level)

    async def ask(self, request: types.InputRequest) -> types.InputResponse | types.ErrorData:
        """Ask the client outside any call (waiting a little for one to connect)."""
        with anyio.move_on_after(CLIENT_WAIT_S):
            await self._connected.wait()
        session = self._session
        if session is None:
            return refusal(request, f"no client connected to nocp within {CLIENT_WAIT_S:g} s")
        if session.protocol_version in MODERN_PROTOCOL_VERSIONS:
            return refusal(
                request,
                "the client connected to nocp speaks MCP 2026-07-28, where a server can ask it "
                "something only while answering one of its requests, and no call is in flight",
            )
        return await send_to(session, request, None)

    async def log(self, params: types.LoggingMessageNotificationParams) -> None:
        """Send the log message on the connection (clients before 2026-07-28)."""
        session = self._session
        if session is None or session.protocol_version in MODERN_PROTOCOL_VERSIONS:
            return  # 2026-07-28: logs exist only within a request that opted in
        if not self.wants(params.level):
            return
        try:
            await session.send_notification(log_notification(params))
        except Exception as exc:  # the client may be gone
            _log.info("could not pass on an upstream log message", error=repr(exc), exc_info=True)


_LEVELS: list[types.LoggingLevel] = [
    "debug",
    "info",
    "notice",
    "warning",
    "error",
    "critical",
    "alert",
    "emergency",
]
