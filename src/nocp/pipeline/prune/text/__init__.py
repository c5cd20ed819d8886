"""The lossy steps for text results: logs, documents, outlines (code, man pages, configs),
records and plain lines.

Text is cut into blocks (lines, groups of similar log lines, paragraphs under their
headings); the blocks that matter most are kept in their original order, and every gap
becomes one marker naming the original lines it stands for (`path="lines[120:240]"`).
"""

from __future__ import annotations

from collections.abc import Callable

from nocp.formats.html import page_text
from nocp.formats.textkind import SCAN, text_kind
from nocp.pipeline.budget import Budget, LossyStep
from nocp.pipeline.markers import marker
from nocp.pipeline.model import CallContext, Payload
from nocp.pipeline.prune.lossless import clean_text
from nocp.pipeline.prune.text.blocks import Cut, keep_blocks
from nocp.pipeline.prune.text.documents import document_blocks
from nocp.pipeline.prune.text.important import clip
from nocp.pipeline.prune.text.logs import log_blocks
from nocp.pipeline.prune.text.numbering import SAME_LINES, LineMap, line_origins, split_lines
from nocp.pipeline.prune.text.outline import outline_blocks
from nocp.pipeline.prune.text.records import record_blocks

__all__ = ["TEXT_STEPS", "addressable_lines", "line_map", "prune_text", "text_steps"]


def prune_text(payload: Payload, ctx: CallContext, budget: Budget, lines: LineMap = SAME_LINES) -> Payload:
    """Keep the blocks that matter most, within budget, in their original order.

    `lines` says which lines of the stored original the lines of `payload` are, for markers.
    """
    text = payload.text
    original = text.split("\n")
    clipped = [i for i, line in enumerate(original) if len(line) > SCAN]
    if clipped:
        what = f"{len(clipped):,} long line{'s' if len(clipped) > 1 else ''} cut to {SCAN:,} characters"
        note = marker(what, ctx.handle, lines.path(clipped[0], clipped[0] + 1))
        payload = Payload("text", text, (*payload.markers, note), True)
    clipped_lines = list(original)
    for i in clipped:
        clipped_lines[i] = clip(original[i], lines.path(i, i + 1))
    kind = text_kind(text)
    blocks = (
        log_blocks(clipped_lines)
        if kind == "log"
        else document_blocks(clipped_lines)
        if kind == "document"
        else outline_blocks(clipped_lines)
        if kind == "outline"
        else record_blocks(clipped_lines) or log_blocks(clipped_lines, stamped=False)
    )
    return keep_blocks(payload, blocks, Cut(clipped_lines, lines, ctx.handle, budget), ctx.query)


def text_steps(lines: Callable[[], LineMap] = lambda: SAME_LINES) -> tuple[tuple[str, LossyStep], ...]:
    """The lossy text steps, in order, numbering lines in markers by `lines()` (asked only
    when a step cuts lines). An HTML page is converted before (the `convert` stage)."""
    return (("keep_blocks", lambda p, c, b: prune_text(p, c, b, lines=lines())),)


TEXT_STEPS = text_steps()


def line_map(original: str, offset: int = 0, cleaned: str | None = None) -> LineMap:
    """How the lines of `cleaned` (`clean_text(original)`, computed when not given) are
    numbered in markers (see `numbering`)."""
    if text_kind(clean_text(original) if cleaned is None else cleaned) == "html":
        return LineMap(offset=offset)
    lines = split_lines(original)
    total = None if offset else len(lines) - (len(lines) > 1 and not lines[-1])  # "a\nb\n": 2 lines
    return LineMap(line_origins(original), offset, total)


def addressable_lines(original: str) -> list[str]:
    """The lines `lines[a:b]` selects in a stored text original (see `numbering`)."""
    cleaned = clean_text(original)
    if text_kind(cleaned) == "html":
        return page_text(cleaned).split("\n")
    return split_lines(original)
