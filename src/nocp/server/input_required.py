"""Calls of 2026-07-28 clients that wait for the client's input (SEP-2322, `input_required`).

A 2026-07-28 client cannot be sent a request in the middle of a call. When an upstream asks
for something during such a call (a 2025-era upstream mid-call, a 2026-07-28 one by returning
`input_required` itself), nocp answers the client's `tools/call` with an `InputRequiredResult`
holding those requests and an unguessable `requestState`, while the call goes on waiting in the
background; the client's retry (same tool, `inputResponses`, that `requestState`) hands the
answers to the waiting requests, and is answered with the result — or with the next requests.

    InputCalls.run(params, start)   one tools/call: a new call, or the retry of a waiting one
    PendingInput.ask(request)       a request of the call in flight, waiting for the client
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import anyio
import mcp_types as types
from anyio.abc import TaskGroup

MAX_WAITING = 256
"""Calls that may wait for a client's retry at once; the oldest is dropped past that."""

WAIT_FOR_RETRY_S = 600.0
"""How long a call waits for the client's retry before it is abandoned."""


@dataclass
class _Ask:
    request: types.InputRequest
    done: anyio.Event = field(default_factory=anyio.Event)
    answer: types.InputResponse | types.ErrorData | None = None


class PendingInput:
    """The requests one call has put to its 2026-07-28 client, waiting for the answers."""

    def __init__(self) -> None:
        self._open: dict[str, _Ask] = {}
        self._keys = itertools.count(1)
        self.changed = anyio.Event()

    async def ask(self, request: types.InputRequest) -> types.InputResponse | types.ErrorData:
        """Wait for the client's answer to `request` (it comes with the client's retry)."""
        ask = _Ask(request)
        self._open[f"nocp-{next(self._keys)}"] = ask
        self.changed.set()
        await ask.done.wait()
        assert ask.answer is not None
        return ask.answer

    def requests(self) -> dict[str, types.InputRequest]:
        """The requests still waiting for an answer, by key."""
        return {key: ask.request for key, ask in self._open.items()}

    def answer(self, responses: types.InputResponses) -> list[str]:
        """Hand each response to its request; the keys still unanswered are returned."""
        for key in list(self._open):
            if key in responses:
                ask = self._open.pop(key)
                ask.answer = responses[key]
                ask.done.set()
        return list(self._open)

    def refuse_all(self, message: str) -> None:
        """Answer every waiting request with an error (the client is gone)."""
        for ask in self._open.values():
            ask.answer = types.ErrorData(code=types.INVALID_REQUEST, message=message)
            ask.done.set()
        self._open.clear()


@dataclass
class _Waiting:
    pending: PendingInput
    finished: anyio.Event = field(default_factory=anyio.Event)
    result: types.CallToolResult | None = None
    tool: str = ""
    scope: anyio.CancelScope = field(default_factory=anyio.CancelScope)


Start = Callable[[PendingInput], Awaitable[types.CallToolResult]]
"""Runs the call, putting what it asks to the given `PendingInput`."""


class InputCalls:
    """The calls of 2026-07-28 clients that may wait for input, keyed by `requestState`."""

    def __init__(self) -> None:
        self._waiting: dict[str, _Waiting] = {}
        self._tg: TaskGroup | None = None

    def attach(self, tg: TaskGroup) -> None:
        """Run the calls in `tg` (the server's: they outlive the request that started them)."""
        self._tg = tg

    async def run(
        self, params: types.CallToolRequestParams, start: Start
    ) -> types.CallToolResult | types.InputRequiredResult:
        """Answer one `tools/call`: start the call, or resume the one `requestState` names;
        then return its result, or what it asks for meanwhile.
        """
        if params.request_state is not None:
            waiting = self._waiting.pop(params.request_state, None)
            if waiting is None or waiting.tool != params.name:
                return _error(
                    "this call's requestState is unknown or expired (nocp keeps a waiting call "
                    f"{WAIT_FOR_RETRY_S:g} s); call the tool again without it"
                )
            waiting.pending.answer(params.input_responses or {})
        elif self._tg is None:
            return await start(PendingInput())
        else:
            waiting = _Waiting(PendingInput(), tool=params.name)
            self._tg.start_soon(self._run, waiting, start)
        try:
            return await self._next(waiting)
        except anyio.get_cancelled_exc_class():
            waiting.scope.cancel()  # the client gave up on the call: so does nocp, upstream too
            raise

    async def _run(self, waiting: _Waiting, start: Start) -> None:
        try:
            with waiting.scope:
                waiting.result = await start(waiting.pending)
        finally:
            waiting.finished.set()
            waiting.pending.changed.set()

    async def _next(self, waiting: _Waiting) -> types.CallToolResult | types.InputRequiredResult:
        """The call's result, or the requests it waits on (it stays waiting for the retry)."""
        pending = waiting.pending
        while not waiting.finished.is_set() and not pending.requests():
            pending.changed = anyio.Event()
            await pending.changed.wait()
        if waiting.finished.is_set():
            return waiting.result or _error("the call ended without a result")
        state = secrets.token_urlsafe(24)
        self._keep(state, waiting)
        return types.InputRequiredResult(input_requests=pending.requests(), request_state=state)

    def _keep(self, state: str, waiting: _Waiting) -> None:
        while len(self._waiting) >= MAX_WAITING:
            oldest = next(iter(self._waiting))
            self._waiting.pop(oldest).pending.refuse_all("the client did not answer in time")
        self._waiting[state] = waiting
        if self._tg is not None:
            self._tg.start_soon(self._expire, state, waiting)

    async def _expire(self, state: str, waiting: _Waiting) -> None:
        with anyio.move_on_after(WAIT_FOR_RETRY_S):
            await waiting.finished.wait()
            return
        if self._waiting.get(state) is waiting:
            del self._waiting[state]
            waiting.pending.refuse_all(f"the client did not answer within {WAIT_FOR_RETRY_S:g} s")


def _error(text: str) -> types.CallToolResult:
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=f"Error: {text}")], is_error=True
    )
