"""Stage 2 — prune: lossless clean-up first, then, only while over the token budget, the
lossy steps in their fixed order (`JSON_STEPS` for JSON, `TEXT_STEPS` for text).

Every lossy step records what it did in the stage note and leaves a marker for the agent.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from nocp.pipeline.model import CallContext, Payload, StageResult
from nocp.pipeline.prune.budget import Budget
from nocp.pipeline.prune.json import JSON_STEPS, precut
from nocp.pipeline.prune.lossless import clean_text, drop_empty, prune_lossless
from nocp.pipeline.prune.text import TEXT_STEPS, line_map, text_steps
from nocp.pipeline.prune.text.numbering import LineMap

__all__ = ["JSON_STEPS", "TEXT_STEPS", "clean_text", "drop_empty", "prune", "prune_lossless"]


def prune(payload: Payload, ctx: CallContext, *, first_line: int = 0) -> StageResult:
    """Apply the lossless steps, then the lossy ones while the result is over budget.

    A text payload's markers count the lines of the stored original (`prune.text.numbering`);
    `first_line` is where the payload starts in it, when it is a selection of it.

    Example:
        >>> prune(Payload("json", {"a": 1, "b": None}), ctx).payload.value
        {'a': 1}
    """
    budget = Budget(ctx.budget, ctx.counter, ctx.last_encoding)
    notes = []
    if payload.kind == "json" and budget.clearly_over(payload):
        cut = precut(payload, ctx, budget)
        notes += ["precut"] if cut is not payload else []
        payload = cut
    result = prune_lossless(payload)
    notes += [result.note] if result.note else []
    current = result.payload
    steps = JSON_STEPS if current.kind == "json" else text_steps(_lines_of(payload, current, first_line))
    if current.kind == "text" and ctx.distiller is not None and budget.over(current):
        cut, cut_notes = _lossy(current, steps, ctx, budget)
        # a summary must not cost more than the cut it replaces
        distilled = ctx.distiller(current, ctx, min(budget.limit, budget.tokens(cut)))
        if distilled is None:
            return StageResult(cut, "; ".join(notes + cut_notes))
        notes.append("distilled")
        current = distilled
    current, lossy_notes = _lossy(current, steps, ctx, budget)
    return StageResult(current, "; ".join(notes + lossy_notes))


def _lines_of(original: Payload, cleaned: Payload, first_line: int) -> Callable[[], LineMap]:
    """The line numbering of the cleaned text in the original, worked out when first asked."""
    return functools.cache(lambda: line_map(original.text, first_line, cleaned.text))


def _lossy(
    current: Payload, steps: tuple[tuple[str, Any], ...], ctx: CallContext, budget: Budget
) -> tuple[Payload, list[str]]:
    """The lossy steps in order, while over budget: (payload, names of the steps that cut)."""
    notes: list[str] = []
    for name, step in steps:
        if not budget.over(current):
            break
        changed = step(current, ctx, budget)
        if changed is not current:
            notes.append(name)
            current = changed
    return current, notes
