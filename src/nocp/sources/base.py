"""The contract every tool source meets: list its tools, call one, and say how its results
are treated — the server never asks which kind of source it holds.

    Source.tools()            the tool definitions, in a stable order
    Source.call(name, args)   the raw result (any Python value, text or JSON)
    Source.outcome(name, raw) the policy for that result: optimise it or send it as it is,
                              is it an error, may it be cached, how the reply is finished
    Source.reads_store        True when a call reads nocp's stores (wait for the accounting
                              of the calls already answered first)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import mcp_types as types


@dataclass(frozen=True, slots=True)
class ToolDefinition:
    """A tool as advertised to the client (before nocp adds its `focus` argument)."""

    name: str
    description: str
    input_schema: dict[str, Any]
    timeout_s: float | None = None
    annotations: dict[str, Any] = field(default_factory=dict)
    output_schema: dict[str, Any] | None = None
    title: str | None = None


Finish = Callable[[str], "types.CallToolResult"]
"""Builds the reply around the optimised text (an upstream's other blocks, a kept structure)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """How the server treats one raw result: the policy its source attaches to it.

    Attributes:
        value: what the pipeline reads (or, when not `optimise`, the text sent as it is).
        optimise: False: `value` is text already fit to send (an expansion), never pruned.
        is_error: the result is an `isError` result, still optimised and counted as an error.
        cacheable: the reply may be reused by the result cache (`cache_ttl_s`).
        finish: the reply around the optimised text; None: one text block.
        beside: text the reply carries unchanged beside the optimised text (an upstream's
            other text blocks, a kept `structuredContent`): counted in both the raw and the
            sent tokens, since the agent receives it either way.
        expands: the handle of the stored original this result comes from (an expansion):
            its tokens are a cost of the tool that stored it, in the net savings.
    """

    value: Any
    optimise: bool = True
    is_error: bool = False
    cacheable: bool = True
    finish: Finish | None = None
    beside: str = ""
    expands: str | None = None


class Source(Protocol):
    """A provider of tools: local Python functions, built-ins, an upstream MCP server, or
    `nocp_expand`."""

    reads_store: bool
    """True when a call reads what calls already answered have stored (their accounting runs
    after their replies, so the server waits for it first)."""

    origin: str | None
    """The upstream server its tools forward to (None: nocp's own); the stats key by it."""

    adds_tools: bool
    """True when its tools are nocp's own addition to the client's context (`nocp_expand`):
    their whole schema counts as nocp's cost in the net savings."""

    def tools(self) -> list[ToolDefinition]:
        """The tools this source offers, in a stable order."""
        ...

    async def call(self, name: str, arguments: Mapping[str, Any]) -> Any:
        """Run tool `name` and return its raw result (any Python value, text or JSON).

        Raises:
            ToolArgumentError: the arguments are invalid.
            Exception: whatever the tool raised; the server reports it as `isError`.
        """
        ...

    def outcome(self, name: str, raw: Any) -> Outcome:
        """The policy for `raw`, a result of tool `name`."""
        ...
