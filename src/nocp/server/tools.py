"""The tool index: every source's tools by exposed name, as advertised (with `focus` added)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import mcp_types as types

from nocp.logs import get_logger
from nocp.sources.base import Source, ToolDefinition

FOCUS_SCHEMA = {
    "type": "string",
    "description": (
        "Optional. What you are looking for in this result; when the result must be "
        "shortened, the parts most relevant to it are kept."
    ),
}

_log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class ToolEntry:
    """One served tool: its source, its definition, and whether nocp adds `focus` to it."""

    source: Source
    definition: ToolDefinition
    adds_focus: bool


def index_tools(sources: Sequence[Source]) -> dict[str, ToolEntry]:
    """Every source's tools by name, in source order; a duplicate name: the first one wins."""
    tools: dict[str, ToolEntry] = {}
    for source in sources:
        for definition in source.tools():
            if definition.name in tools:
                _log.warning("duplicate tool name; the first one wins", tool=definition.name)
                continue
            properties = definition.input_schema.get("properties") or {}
            tools[definition.name] = ToolEntry(source, definition, "focus" not in properties)
    return tools


def advertise(entry: ToolEntry) -> types.Tool:
    """The tool as listed to the client, with the optional `focus` argument where nocp adds it."""
    schema = dict(entry.definition.input_schema)
    if entry.adds_focus:
        schema["properties"] = {**(schema.get("properties") or {}), "focus": FOCUS_SCHEMA}
    definition = entry.definition
    return types.Tool(
        name=definition.name,
        title=definition.title,
        description=definition.description,
        input_schema=schema,
        output_schema=definition.output_schema,
        annotations=(types.ToolAnnotations(**definition.annotations) if definition.annotations else None),
    )
