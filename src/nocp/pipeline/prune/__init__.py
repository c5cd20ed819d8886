"""Stage 2 — prune: lossless clean-up first, then, only while over the token budget, the
lossy steps in their fixed order (`JSON_STEPS` for JSON, `TEXT_STEPS` for text).

Every lossy step records what it did in the stage note and leaves a marker for the agent.
"""

from __future__ import annotations

from nocp.pipeline.model import CallContext, Payload, StageResult
from nocp.pipeline.prune.budget import Budget
from nocp.pipeline.prune.lossless import clean_text, drop_empty, prune_lossless
from nocp.pipeline.prune.structured import JSON_STEPS, precut
from nocp.pipeline.prune.text import TEXT_STEPS

__all__ = ["JSON_STEPS", "TEXT_STEPS", "clean_text", "drop_empty", "prune", "prune_lossless"]


def prune(payload: Payload, ctx: CallContext) -> StageResult:
    """Apply the lossless steps, then the lossy ones while the result is over budget.

    Example:
        >>> prune(Payload("json", {"a": 1, "b": None}), ctx).payload.value
        {'a': 1}
    """
    budget = Budget(ctx.budget, ctx.counter)
    notes = []
    if payload.kind == "json" and budget.clearly_over(payload):
        cut = precut(payload, ctx, budget)
        notes += ["precut"] if cut is not payload else []
        payload = cut
    result = prune_lossless(payload)
    notes += [result.note] if result.note else []
    current = result.payload
    steps = JSON_STEPS if current.kind == "json" else TEXT_STEPS
    for name, step in steps:
        if not budget.over(current):
            break
        changed = step(current, ctx, budget)
        if changed is not current:
            notes.append(name)
            current = changed
    return StageResult(current, "; ".join(notes))
