"""An upstream server's tool result, as received, into the pipeline and back out.

The SDK checks an upstream's result against the protocol once; nocp then reads it as plain
JSON (`WireResult`) instead of building a model per content block — a large result holds
thousands of blocks, and only their text is needed. Text blocks are the pipeline's input
(as `TextBlocks`); the optimised text takes the place of the first text block. Image, audio,
resource and resource-link blocks pass through untouched and in order; `isError` and (when
kept) `structuredContent` are preserved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import mcp_types as types
from pydantic import BaseModel, ConfigDict, TypeAdapter

from nocp.pipeline.normalize import TextBlocks


class RawResult(BaseModel):
    """A result as the SDK delivers it after its protocol check: every field kept as plain
    JSON (`model_extra`), no model built per content block."""

    model_config = ConfigDict(extra="allow")


_CONTENT_BLOCK: TypeAdapter[types.ContentBlock] = TypeAdapter(types.ContentBlock)


@dataclass(frozen=True, slots=True)
class WireResult:
    """A `CallToolResult` as JSON: its content blocks, `isError`, and the structure if kept."""

    content: list[dict[str, Any]]
    is_error: bool = False
    structured_content: dict[str, Any] | None = None

    @classmethod
    def parse(cls, raw: dict[str, Any], *, keep_structure: bool) -> WireResult:
        """Read a result the SDK has already checked against the protocol.

        Raises:
            ValueError: it is not a tool result (e.g. the upstream asks for input instead).

        Example:
            >>> WireResult.parse({"content": [{"type": "text", "text": "a"}]}, keep_structure=False)
            WireResult(content=[{'type': 'text', 'text': 'a'}], is_error=False, structured_content=None)
        """
        content = raw.get("content")
        if not isinstance(content, list) or not all(isinstance(b, dict) for b in content):
            raise ValueError(f"expected a tool result with `content` blocks, got fields {sorted(raw)}")
        structure = raw.get("structuredContent") if keep_structure else None
        return cls(content, bool(raw.get("isError", False)), structure)

    def text_blocks(self) -> TextBlocks:
        """The text of every text block, in order."""
        return TextBlocks(b["text"] for b in self.content if _is_text(b))

    @property
    def text_only(self) -> bool:
        """True when every block is text (so the optimised text is the whole result)."""
        return all(_is_text(b) for b in self.content)

    def rebuild(self, text: str) -> types.CallToolResult:
        """The result with its text blocks replaced by one block holding `text`.

        The upstream's `_meta` is not forwarded: it describes the upstream's connection.
        """
        content: list[types.ContentBlock] = []
        placed = False
        for block in self.content:
            if not _is_text(block):
                content.append(_CONTENT_BLOCK.validate_python(block, by_name=False))
            elif not placed:
                placed = True
                if text:
                    annotations = block.get("annotations")
                    content.append(types.TextContent(type="text", text=text, annotations=annotations))
        return types.CallToolResult(
            content=content, structured_content=self.structured_content, is_error=self.is_error
        )

    def for_schema_check(self) -> types.CallToolResult:
        """Just enough of a `CallToolResult` for the SDK's output-schema check."""
        fields: dict[str, Any] = {"content": [], "is_error": self.is_error}
        if self.structured_content is not None:
            fields["structured_content"] = self.structured_content
        return types.CallToolResult.model_construct(**fields)


def _is_text(block: dict[str, Any]) -> bool:
    return block.get("type") == "text" and isinstance(block.get("text"), str)
