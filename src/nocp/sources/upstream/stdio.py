"""The stdio transport to an upstream server: a subprocess whose exit code and stderr nocp keeps.

The SDK's `stdio_client` hides the process, so nocp could neither tell an agent *how* an
upstream died nor route its stderr into nocp's log. This transport does both:

- stdout carries JSON-RPC, one message a line (other lines are logged and skipped);
- stderr goes line by line to nocp's log, never to nocp's own stdout;
- `returncode` is the exit code once the process has ended, and `exited` is set then.

Shutdown follows the MCP spec: close stdin, wait, then terminate the process group.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from types import TracebackType
from typing import Any

import anyio
import mcp_types as types
from anyio.abc import ByteReceiveStream, Process
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from anyio.streams.text import TextReceiveStream
from mcp.client._transport import TransportStreams
from mcp.shared.message import SessionMessage

from nocp.logs import get_logger

_log = get_logger(__name__)

EXIT_GRACE_S = 2.0
"""Time an upstream gets to exit after its stdin closes, and again after SIGTERM."""

_POLL_S = 0.01


class StdioProcess(AbstractAsyncContextManager[TransportStreams]):
    """An MCP `Transport` that runs `command` and keeps hold of the process.

    Example:
        >>> transport = StdioProcess("git", "uvx", ["mcp-server-git"])
        >>> async with mcp.Client(transport) as client: ...
        >>> transport.returncode
        0
    """

    def __init__(
        self,
        name: str,
        command: str,
        args: list[str],
        *,
        env: dict[str, str] | None = None,
        cwd: str | None = None,
    ) -> None:
        self.name = name
        self.command, self.args, self.env, self.cwd = command, args, env or {}, cwd
        self.process: Process | None = None
        self.exited = anyio.Event()
        self._context: AbstractAsyncContextManager[TransportStreams] | None = None

    @property
    def returncode(self) -> int | None:
        """The exit code once the process has ended (negative: killed by that signal)."""
        return self.process.returncode if self.process is not None else None

    async def wait_exit(self, timeout: float) -> int | None:
        """The exit code, waiting up to `timeout` seconds for the process to end."""
        with anyio.move_on_after(timeout):
            while self.returncode is None and self.process is not None:
                await anyio.sleep(_POLL_S)
        return self.returncode

    async def __aenter__(self) -> TransportStreams:
        self._context = _run(self)
        return await self._context.__aenter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        assert self._context is not None
        return await self._context.__aexit__(exc_type, exc, tb)


def _environment(extra: dict[str, str]) -> dict[str, str]:
    # The whole environment nocp got (the client already chose it), then the upstream's own env.
    return {**os.environ, **extra}


async def _spawn(transport: StdioProcess) -> Process:
    env = _environment(transport.env)
    command = shutil.which(transport.command, path=env.get("PATH")) or transport.command
    return await anyio.open_process(
        [command, *transport.args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=transport.cwd,
        start_new_session=sys.platform != "win32",
    )


@asynccontextmanager
async def _run(transport: StdioProcess) -> AsyncIterator[TransportStreams]:
    process = await _spawn(transport)
    transport.process = process
    read_send, read_recv = anyio.create_memory_object_stream[SessionMessage | Exception](0)
    write_send, write_recv = anyio.create_memory_object_stream[SessionMessage](0)
    async with anyio.create_task_group() as tg:
        tg.start_soon(_read_stdout, transport, process, read_send)
        tg.start_soon(_write_stdin, process, write_recv, read_send)
        tg.start_soon(_log_stderr, transport.name, process)
        try:
            yield read_recv, write_send
        finally:
            with anyio.CancelScope(shield=True):
                await _stop(process)
                for stream in (read_recv, write_send, read_send, write_recv):
                    await stream.aclose()
            tg.cancel_scope.cancel()


async def _read_stdout(
    transport: StdioProcess,
    process: Process,
    sink: MemoryObjectSendStream[SessionMessage | Exception],
) -> None:
    assert process.stdout is not None
    try:
        async with sink:
            async for line in _lines(process.stdout):
                message = _parse(transport.name, line)
                if message is not None:
                    await sink.send(message)
            # EOF: the process is ending. Wait for its exit code before the session
            # learns the connection closed, so the failing call can name it.
            await transport.wait_exit(EXIT_GRACE_S)
    except (anyio.ClosedResourceError, anyio.BrokenResourceError):
        pass  # our own shutdown closed the streams
    finally:
        transport.exited.set()


async def _write_stdin(
    process: Process,
    source: MemoryObjectReceiveStream[SessionMessage],
    reader: MemoryObjectSendStream[SessionMessage | Exception],
) -> None:
    assert process.stdin is not None
    try:
        async with source:
            async for message in source:
                data = message.message.model_dump_json(by_alias=True, exclude_unset=True)
                await process.stdin.send((data + "\n").encode())
    except (anyio.ClosedResourceError, anyio.BrokenResourceError, OSError):
        await reader.aclose()  # the process is gone: let pending requests fail now


async def _log_stderr(name: str, process: Process) -> None:
    """Each stderr record of the upstream to nocp's log at info level: one record a line, a
    traceback or any line followed by indented ones (a stack, a warning's source line) as one.

    Most servers write start-up notes and request logs there; it is not an error channel
    (the client, without nocp, would show these lines as the server's log)."""
    stderr = process.stderr
    assert stderr is not None
    send, receive = anyio.create_memory_object_stream[str](256)

    async def read() -> None:
        async with send:
            with suppress(anyio.ClosedResourceError, anyio.BrokenResourceError, OSError):
                async for line in _lines(stderr):
                    await send.send(line)

    async with anyio.create_task_group() as tg:
        tg.start_soon(read)
        records = StderrRecords()
        async with receive:
            while True:
                with anyio.move_on_after(RECORD_IDLE_S):
                    try:
                        line = await receive.receive()
                    except anyio.EndOfStream:
                        break
                    for record in records.add(line):
                        _log.info("upstream stderr", upstream=name, line=record)
                    continue
                for record in records.flush():  # nothing more came: the record is complete
                    _log.info("upstream stderr", upstream=name, line=record)
        for record in records.flush():
            _log.info("upstream stderr", upstream=name, line=record)


RECORD_IDLE_S = 0.2
"""A record of several lines is logged once this long passes without another line."""


class StderrRecords:
    r"""Groups stderr lines into log records.

    Example:
        >>> records = StderrRecords()
        >>> records.add("Traceback (most recent call last):"), records.add('  File "x.py"')
        ([], [])
        >>> records.add("ValueError: bad"), records.add("next")
        (['Traceback (most recent call last):\n  File "x.py"\nValueError: bad'], [])
        >>> records.flush()
        ['next']
    """

    def __init__(self) -> None:
        self._lines: list[str] = []
        self._traceback = False

    def add(self, line: str) -> list[str]:
        """Take one line; return the records it completes."""
        if not self._lines:
            self._start(line)
            return []
        if line[:1].isspace() or (self._traceback and line.startswith("During handling")):
            self._lines.append(line)
            return []
        if self._traceback and not line.startswith("Traceback"):
            self._lines.append(line)  # the exception line closes a traceback
            return self.flush()
        done = self.flush()
        self._start(line)
        return done

    def flush(self) -> list[str]:
        """The record being built, if any, as complete."""
        done = ["\n".join(self._lines)] if self._lines else []
        self._lines, self._traceback = [], False
        return done

    def _start(self, line: str) -> None:
        self._lines = [line]
        self._traceback = line.startswith("Traceback (most recent call last)")


async def _lines(stream: ByteReceiveStream) -> AsyncIterator[str]:
    """Lines of text; a long line arriving in many chunks is joined once, not per chunk."""
    parts: list[str] = []
    async for chunk in TextReceiveStream(stream, errors="replace"):
        if "\n" not in chunk:
            parts.append(chunk)
            continue
        first, *middle, last = chunk.split("\n")
        yield ("".join(parts) + first).rstrip("\r")
        for line in middle:
            yield line.rstrip("\r")
        parts = [last] if last else []
    if parts:
        yield "".join(parts)


def _parse(name: str, line: str) -> SessionMessage | None:
    if not line.strip():
        return None
    try:
        data = json.loads(line)
        message = _response(data) or types.jsonrpc_message_adapter.validate_python(data, by_name=False)
        return SessionMessage(message)
    except (ValueError, RecursionError):
        _log.warning("upstream wrote a non-JSON-RPC line on stdout; skipped", upstream=name, line=line[:200])
        return None


def _response(data: Any) -> types.JSONRPCResponse | None:
    """A plain successful response, built without validating its result a first time: the
    client session checks the result against the protocol when it reads it (and a large
    result would be checked twice). Anything else: None, for the full check."""
    if not (isinstance(data, dict) and data.keys() == {"jsonrpc", "id", "result"}):
        return None
    request_id, result = data["id"], data["result"]
    valid_id = isinstance(request_id, str) or (type(request_id) is int)
    if data["jsonrpc"] != "2.0" or not valid_id or not isinstance(result, dict):
        return None
    return types.JSONRPCResponse.model_construct(jsonrpc="2.0", id=request_id, result=result)


async def _stop(process: Process) -> None:
    if process.stdin is not None:
        with suppress(OSError, anyio.BrokenResourceError, anyio.ClosedResourceError):
            await process.stdin.aclose()
    if await _exited_within(process, EXIT_GRACE_S):
        return
    await _terminate(process)
    if not await _exited_within(process, EXIT_GRACE_S):
        with suppress(ProcessLookupError):
            process.kill()


async def _terminate(process: Process) -> None:
    if sys.platform == "win32":
        with suppress(ProcessLookupError):
            process.terminate()
        return
    from mcp.os.posix.utilities import terminate_posix_process_tree

    await terminate_posix_process_tree(process, EXIT_GRACE_S)


async def _exited_within(process: Process, timeout: float) -> bool:
    with anyio.move_on_after(timeout):
        while process.returncode is None:
            await anyio.sleep(_POLL_S)
    return process.returncode is not None


def describe_exit(code: int | None) -> str:
    """`exit code 3`, `killed by signal 9`, or `no exit code yet`."""
    if code is None:
        return "no exit code yet"
    if code < 0:
        return f"killed by signal {-code}"
    return f"exit code {code}"
