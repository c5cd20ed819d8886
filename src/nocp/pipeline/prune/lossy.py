"""Stage — prune_lossy: while what would be sent is over the token budget, the lossy steps in
their fixed order (`JSON_STEPS` for JSON, `TEXT_STEPS` for text), each leaving a marker.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

from nocp.pipeline.budget import Budget, LossyStep
from nocp.pipeline.model import CallContext, Payload, StageResult
from nocp.pipeline.prune.json import JSON_STEPS
from nocp.pipeline.prune.text import line_map, text_steps
from nocp.pipeline.prune.text.numbering import LineMap


def prune_lossy(payload: Payload, ctx: CallContext) -> StageResult:
    """The lossy steps in order, each only while over budget; the note names the ones that cut.

    Text markers count the lines of `ctx.original` (see `prune.text.numbering`).

    Example:
        >>> prune_lossy(Payload("json", rows), ctx).note
        'drop_noise; keep_rows'
    """
    budget = Budget.of(ctx)
    steps: Sequence[tuple[str, LossyStep]] = (
        JSON_STEPS if payload.kind == "json" else text_steps(_lines(ctx.original or payload, ctx.first_line))
    )
    notes: list[str] = []
    for name, step in steps:
        if not budget.over(payload):
            break
        changed = step(payload, ctx, budget)
        if changed is not payload:
            notes.append(name)
            payload = changed
    return StageResult(payload, "; ".join(notes))


def _lines(original: Payload, first_line: int) -> Callable[[], LineMap]:
    """The line numbering of the cleaned text in the original, worked out when first asked."""
    return functools.cache(lambda: line_map(original.text, first_line))
