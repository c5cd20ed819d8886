"""The contract every tool source meets: list tool definitions, call one, get a raw result."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


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


class Source(Protocol):
    """A provider of tools: local Python functions, built-ins, or an upstream MCP server."""

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
