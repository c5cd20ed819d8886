"""What crosses the wire is well formed: every string nocp sends is valid UTF-8, and a line the
client sends that is not JSON-RPC gets the standard error instead of silence.

Python strings may hold lone surrogates (`os.listdir` turns a file name that is not UTF-8 into
`\\udcff`-style escapes; a tool may return them); serialising such a string raises, and in the
SDK's stdout writer that ends the process. `clean_text` and `clean_value` replace each lone
surrogate with U+FFFD (`�`) and count them, so the caller can say so (`mark`); `SafeWrite` is
the net under everything else the server sends.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Any

import mcp_types as types
from mcp.shared._stream_protocols import ReadStream, WriteStream
from mcp.shared.message import SessionMessage
from pydantic import ValidationError
from pydantic_core import PydanticSerializationError

from nocp.logs import get_logger

_log = get_logger(__name__)

REPLACEMENT = "\ufffd"


def clean_text(text: str) -> tuple[str, int]:
    """`text` with its lone surrogates replaced by U+FFFD, and how many were replaced (a
    well-formed pair of surrogates becomes the character it encodes).

    Example:
        >>> clean_text("report\\udcff.txt")
        ('report�.txt', 1)
    """
    if text.isascii():
        return text, 0
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        joined = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
        return joined, joined.count(REPLACEMENT) - text.count(REPLACEMENT)
    return text, 0


def clean_value(value: Any) -> tuple[Any, int]:
    """`value` (JSON-like: dicts, lists, tuples, strings; keys too) with every string cleaned
    (`clean_text`), and the count of characters replaced; other values, and a container that
    holds itself or nests too deep (left for the pipeline to refuse), are kept as they are."""
    try:
        return _clean(value, set())
    except RecursionError:
        return value, 0


def _clean(value: Any, path: set[int]) -> tuple[Any, int]:
    if isinstance(value, str):
        return clean_text(value)
    if not isinstance(value, Mapping | list | tuple) or id(value) in path:
        return value, 0
    path.add(id(value))
    try:
        if isinstance(value, Mapping):
            pairs = [
                (clean_text(k) if isinstance(k, str) else (k, 0), _clean(v, path)) for k, v in value.items()
            ]
            total = sum(nk + nv for (_, nk), (_, nv) in pairs)
            return ({k: v for (k, _), (v, _) in pairs}, total) if total else (value, 0)
        items = [_clean(item, path) for item in value]
        total = sum(n for _, n in items)
        if not total:
            return value, 0
        cleaned = [item for item, _ in items]
        return (tuple(cleaned) if isinstance(value, tuple) else cleaned), total
    finally:
        path.discard(id(value))


def mark(count: int) -> str:
    """The marker line saying `count` characters were replaced."""
    return (
        f"[nocp: {count} character{'s' if count != 1 else ''} not valid in UTF-8 (lone surrogates, "
        f"e.g. from a file name that is not UTF-8) replaced with {REPLACEMENT}]"
    )


def clean_result(result: types.CallToolResult) -> types.CallToolResult:
    """`result` with its text blocks cleaned and, when something was replaced, a marker line
    after the last text block."""
    total, content = 0, []
    for block in result.content:
        if isinstance(block, types.TextContent):
            text, n = clean_text(block.text)
            total += n
            block = block.model_copy(update={"text": text}) if n else block
        content.append(block)
    if not total:
        return result
    last = max(i for i, b in enumerate(content) if isinstance(b, types.TextContent))
    block = content[last]
    assert isinstance(block, types.TextContent)
    content[last] = block.model_copy(update={"text": f"{block.text}\n{mark(total)}"})
    return result.model_copy(update={"content": content})


def safe_message(message: SessionMessage) -> SessionMessage:
    """`message`, or a copy with every lone surrogate replaced when it would not serialise."""
    try:
        message.message.model_dump_json(by_alias=True, exclude_unset=True)
    except PydanticSerializationError:
        data, count = clean_value(message.message.model_dump(by_alias=True, exclude_unset=True))
        _log.warning("replaced characters not valid in UTF-8 in a reply", count=count)
        fixed = types.jsonrpc_message_adapter.validate_python(data, by_alias=True, by_name=False)
        return SessionMessage(fixed, metadata=message.metadata)
    return message


class SafeWrite:
    """The write stream of a connection, sending only what serialises as valid UTF-8."""

    def __init__(self, inner: WriteStream[SessionMessage]) -> None:
        self._inner = inner

    async def send(self, item: SessionMessage, /) -> None:
        """Send `item`, cleaned if it must be (`safe_message`)."""
        await self._inner.send(safe_message(item))

    async def aclose(self) -> None:
        """Close the underlying stream."""
        await self._inner.aclose()

    async def __aenter__(self) -> SafeWrite:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


class AnsweredRead:
    """The read stream of a connection; a line that is not a JSON-RPC message is answered
    (`-32700` parse error or `-32600` invalid request, `id: null`) and not passed on."""

    def __init__(
        self, inner: ReadStream[SessionMessage | Exception], write: WriteStream[SessionMessage]
    ) -> None:
        self._inner, self._write = inner, write

    @property
    def last_context(self) -> Any:
        """The sender's context of the last message (the SDK reads it when the stream has it)."""
        return getattr(self._inner, "last_context", None)

    async def receive(self) -> SessionMessage | Exception:
        """The next message that is one (answering the lines that are not)."""
        while True:
            item = await self._inner.receive()
            if not isinstance(item, Exception):
                return item
            await self._write.send(SessionMessage(_rejection(item)))

    async def _next(self) -> SessionMessage | Exception:
        while True:
            item = await self._inner.__anext__()
            if not isinstance(item, Exception):
                return item
            await self._write.send(SessionMessage(_rejection(item)))

    async def aclose(self) -> None:
        """Close the underlying stream."""
        await self._inner.aclose()

    def __aiter__(self) -> AnsweredRead:
        return self

    async def __anext__(self) -> SessionMessage | Exception:
        return await self._next()

    async def __aenter__(self) -> AnsweredRead:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


def _rejection(exc: Exception) -> types.JSONRPCError:
    """The error reply to a line that is not a JSON-RPC message."""
    invalid_json = isinstance(exc, ValidationError) and any(e["type"] == "json_invalid" for e in exc.errors())
    if invalid_json or not isinstance(exc, ValidationError):
        code, message = types.PARSE_ERROR, "Parse error: the line is not valid JSON"
    else:
        code, message = types.INVALID_REQUEST, "Invalid request: the message is not JSON-RPC 2.0"
    _log.info("rejected a message", code=code, error=str(exc)[:300])
    return types.JSONRPCError(jsonrpc="2.0", id=None, error=types.ErrorData(code=code, message=message))
