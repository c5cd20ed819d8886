"""Stage — precut: the rows of a huge JSON collection that could never be sent are set aside
before any per-row work runs on them (the steps after it would spend seconds on rows that go
anyway). The choice is the one `keep_rows` makes; kept rows are numbered by "#".
"""

from __future__ import annotations

from nocp.pipeline.budget import Budget
from nocp.pipeline.model import CallContext, Payload, StageResult
from nocp.pipeline.prune.json.rows import precut_rows


def precut(payload: Payload, ctx: CallContext) -> StageResult:
    """A JSON payload far over budget with its huge collections cut to what could fit.

    Example:
        >>> precut(Payload("json", [{"id": i} for i in range(100_000)]), ctx).note
        'precut'
    """
    budget = Budget.of(ctx)
    if payload.kind != "json" or not budget.clearly_over(payload):
        return StageResult(payload)
    cut = precut_rows(payload, ctx, budget)
    return StageResult(cut, "precut" if cut is not payload else "")
