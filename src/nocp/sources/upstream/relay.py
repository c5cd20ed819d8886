"""What an upstream asks of the client on the other side of nocp, and how it gets there.

An upstream may ask nocp, its client, for things only the real client can give — a model's
answer (`sampling/createMessage`), the user's input (`elicitation/create`), the client's roots
(`roots/list`) — and it sends log messages meant for that client. nocp passes each on through a
`ClientChannel`: the channel of the call in flight (its answer goes back to the upstream
unchanged), else the channel of the connection itself (`relaying_by_default`).

    ClientChannel.ask(request)   an input request, answered by the client (or an ErrorData
                                 that says why it cannot be)
    ClientChannel.log(params)    a log message for the client
    ClientChannel.log_level      the level the client asked for (None: none asked)

How a request reaches the client depends on the client's protocol era; that is the server's
business (`nocp.server.channel`). The connection (`connection.py`) only picks the channel.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Protocol

import mcp_types as types

__all__ = ["NO_CLIENT", "ClientChannel", "current_channel", "relaying"]


class ClientChannel(Protocol):
    """The way to nocp's own client, for one call or for the whole connection."""

    @property
    def log_level(self) -> types.LoggingLevel | None:
        """The log level the client asked for (None: it asked for none)."""
        ...

    async def ask(self, request: types.InputRequest) -> types.InputResponse | types.ErrorData:
        """The client's answer to `request`, or an `ErrorData` saying why there is none."""
        ...

    async def log(self, params: types.LoggingMessageNotificationParams) -> None:
        """Pass a log message on to the client (dropped when it cannot take it)."""
        ...


class _NoClient:
    """The channel while no client is connected: every request is refused, saying why."""

    log_level: types.LoggingLevel | None = None

    async def ask(self, request: types.InputRequest) -> types.InputResponse | types.ErrorData:
        return types.ErrorData(
            code=types.INVALID_REQUEST,
            message=f"{request.method}: no client is connected to nocp yet, so nothing can answer",
        )

    async def log(self, params: types.LoggingMessageNotificationParams) -> None:
        return None


NO_CLIENT: ClientChannel = _NoClient()

_channel: ContextVar[ClientChannel | None] = ContextVar("nocp_client_channel", default=None)


@contextmanager
def relaying(channel: ClientChannel) -> Iterator[None]:
    """Within this block, what an upstream asks during a call goes through `channel`.

    Example:
        >>> with relaying(CallChannel(ctx)):
        ...     result = await source.call(name, arguments)
    """
    token = _channel.set(channel)
    try:
        yield
    finally:
        _channel.reset(token)


def current_channel() -> ClientChannel | None:
    """The channel of the call this task serves, if any."""
    return _channel.get()
