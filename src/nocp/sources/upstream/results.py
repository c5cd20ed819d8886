"""An upstream server's tool result, as received, into the pipeline and back out.

The SDK checks an upstream's result against the protocol once; nocp then reads it as plain
JSON (`WireResult`) instead of building a model per content block — a large result holds
thousands of blocks, and only their text is needed.

The result stays what it was apart from the optimised text: the blocks keep their order. A run
of adjacent text blocks is the pipeline's input (as `TextBlocks`) and its optimised text takes
that run's place; when non-text blocks split the text into several runs, the largest run is
optimised and the others are sent exactly as they came (so no text moves across an image).
Image, audio, resource and resource-link blocks pass through untouched; `isError` and (when
kept) `structuredContent` are preserved. A result with no content at all is sent as the text
`(no content)`, so the agent reads that it is empty.
"""

from __future__ import annotations

import json
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

NO_CONTENT = "(no content)"
"""What an empty result (`content: []`) is sent as."""


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
        """The text of the run of adjacent text blocks that is optimised (the largest)."""
        start, end = self._optimised_run()
        return TextBlocks(b["text"] for b in self.content[start:end])

    @property
    def text_only(self) -> bool:
        """True when every block is text (so the optimised text is the whole result)."""
        return all(_is_text(b) for b in self.content)

    def sent_as_is(self) -> str:
        """What is sent beside the optimised text, unchanged: the other text runs and a kept
        `structuredContent` (as JSON), for the token counts."""
        start, end = self._optimised_run()
        texts = [b["text"] for i, b in enumerate(self.content) if _is_text(b) and not start <= i < end]
        if self.structured_content is not None:
            texts.append(json.dumps(self.structured_content, ensure_ascii=False, separators=(",", ":")))
        return "\n".join(texts)

    def rebuild(self, text: str) -> types.CallToolResult:
        """The result with its optimised run of text blocks replaced by one block holding
        `text`; every other block in its place (an empty result: the text `(no content)`).

        The upstream's `_meta` is not forwarded: it describes the upstream's connection.
        """
        start, end = self._optimised_run()
        content: list[types.ContentBlock] = []
        for i, block in enumerate(self.content):
            if i == start and text:
                annotations = block.get("annotations")
                content.append(types.TextContent(type="text", text=text, annotations=annotations))
            if not start <= i < end:
                content.append(_CONTENT_BLOCK.validate_python(block, by_name=False))
        if not content:
            content.append(types.TextContent(type="text", text=NO_CONTENT))
        return types.CallToolResult(
            content=content, structured_content=self.structured_content, is_error=self.is_error
        )

    def _optimised_run(self) -> tuple[int, int]:
        """`[start, end)` of the largest run of adjacent text blocks (the first of equals)."""
        best, size, start, chars = (0, 0), -1, 0, 0
        for i, block in enumerate([*self.content, None]):
            if block is not None and _is_text(block):
                chars += len(block["text"])
                continue
            if i > start and chars > size:
                best, size = (start, i), chars
            start, chars = i + 1, 0
        return best

    def for_schema_check(self) -> types.CallToolResult:
        """Just enough of a `CallToolResult` for the SDK's output-schema check."""
        fields: dict[str, Any] = {"content": [], "is_error": self.is_error}
        if self.structured_content is not None:
            fields["structured_content"] = self.structured_content
        return types.CallToolResult.model_construct(**fields)


def _is_text(block: dict[str, Any]) -> bool:
    return block.get("type") == "text" and isinstance(block.get("text"), str)
