"""An MCP `CallToolResult` (from an upstream server) into the pipeline and back out.

Text blocks are the pipeline's input (as `TextBlocks`); the optimised text takes the place of
the first text block. Image, audio, resource and resource-link blocks pass through untouched
and in order; `isError` and (when the source kept it) `structuredContent` are preserved.
"""

from __future__ import annotations

import mcp_types as types

from nocp.pipeline.normalize import TextBlocks


def text_blocks(result: types.CallToolResult) -> TextBlocks:
    """The text of every text block, in order.

    Example:
        >>> text_blocks(types.CallToolResult(content=[types.TextContent(type="text", text="a")]))
        ('a',)
    """
    return TextBlocks(b.text for b in result.content if isinstance(b, types.TextContent))


def rebuild(original: types.CallToolResult, text: str) -> types.CallToolResult:
    """`original` with its text blocks replaced by one block holding `text`.

    The upstream's `_meta` is not forwarded: it describes the upstream's connection, not nocp's.
    """
    content: list[types.ContentBlock] = []
    placed = False
    for block in original.content:
        if not isinstance(block, types.TextContent):
            content.append(block)
        elif not placed:
            placed = True
            if text:
                content.append(types.TextContent(type="text", text=text, annotations=block.annotations))
    return types.CallToolResult(
        content=content,
        structured_content=original.structured_content,
        is_error=original.is_error,
    )
