"""What nocp adds to each session's context, counted once per session for the net savings:
the schema tokens of the `focus` argument it adds to a tool, and of the whole `nocp_expand`
tool. Counted after the `tools/list` reply (the tokenizer may still be loading), one stats
row per tool (`StatsBackend.record_overhead`).

A session is a client connection: the SDK hands each request its own `ServerSession`, a
proxy over the connection, so the connection is the key. A 2026-07-28 client without a
session has one per request: each of its listings counts.
"""

from __future__ import annotations

import json
import secrets
import weakref
from collections.abc import Mapping
from typing import Any

import mcp_types as types

from nocp.pipeline.tokens import TokenCounter
from nocp.server.after_reply import AfterReply
from nocp.server.tools import FOCUS_SCHEMA, ToolEntry
from nocp.store.base import StatsBackend
from nocp.store.stats import Overhead

FOCUS_PROPERTY = '"focus":' + json.dumps(FOCUS_SCHEMA, separators=(",", ":"), ensure_ascii=False) + ","
"""The text the `focus` argument adds to a tool's input schema (compact JSON)."""


class SessionCosts:
    """Records, once per session, what listing the tools added to the client's context."""

    def __init__(self, stats: StatsBackend, counter: TokenCounter, after: AfterReply) -> None:
        self.stats, self.counter, self.after = stats, counter, after
        self._seen: weakref.WeakSet[Any] = weakref.WeakSet()

    async def listed(self, session: object, tools: Mapping[str, ToolEntry], sent: list[types.Tool]) -> None:
        """`sent` was listed to the client of `session`: record its cost if this session
        has not been counted yet (after the reply)."""
        connection = getattr(session, "_connection", session)
        try:
            if connection in self._seen:
                return
            self._seen.add(connection)
        except TypeError:  # not weak-referenceable: count each listing
            pass
        key = secrets.token_hex(8)

        async def write() -> None:
            self.stats.record_overhead(costs(key, tools, sent, self.counter))

        await self.after.defer(write)


def costs(
    session: str, tools: Mapping[str, ToolEntry], sent: list[types.Tool], counter: TokenCounter
) -> list[Overhead]:
    """One row per listed tool nocp added something to: `focus` (its tokens), or the whole
    tool when nocp added the tool itself; the tool's upstream (for nocp's own tool: the one
    upstream all other listed tools come from, if there is exactly one)."""
    origins = {
        tools[t.name].source.origin for t in sent if t.name in tools and not tools[t.name].source.adds_tools
    }
    sole = next(iter(origins)) if len(origins) == 1 else None
    focus_tokens = counter.count(FOCUS_PROPERTY)
    rows = []
    for tool in sent:
        entry = tools.get(tool.name)
        if entry is None:
            continue
        if entry.source.adds_tools:
            text = tool.model_dump_json(by_alias=True, exclude_none=True)
            rows.append(Overhead(session, tool.name, counter.count(text), sole))
        elif entry.adds_focus:
            rows.append(Overhead(session, tool.name, focus_tokens, entry.source.origin))
    return rows
