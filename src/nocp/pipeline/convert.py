"""Stage — convert: a result over budget in a format the agent reads better another way is
converted before anything is cut or summarised: an HTML page becomes readable Markdown, its
title and metadata first (`formats.html.page_text`). Within budget it is sent as it came.
"""

from __future__ import annotations

from nocp.formats.html import looks_like_html, page_text
from nocp.pipeline.budget import Budget
from nocp.pipeline.markers import marker
from nocp.pipeline.model import CallContext, Payload, StageResult


def convert(payload: Payload, ctx: CallContext) -> StageResult:
    """An HTML page over budget as Markdown, with a marker naming the original.

    Example:
        >>> convert(Payload("text", long_page), ctx).note
        'html → text'
    """
    if payload.kind != "text" or not looks_like_html(payload.text) or not Budget.of(ctx).over(payload):
        return StageResult(payload)
    source = payload.text
    text = page_text(source)
    note = marker(f"HTML converted to text ({len(source):,} → {len(text):,} chars)", ctx.handle)
    return StageResult(Payload("text", text, (*payload.markers, note), True), "html → text")
