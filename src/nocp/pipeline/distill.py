"""Stage 3 — distill: summarise a text-like result that is still over budget, when it pays.

The backends (a litellm model, MCP sampling, an extractive default) and the cost gate come
later; for now the stage keeps its place in the pipeline and passes the payload through.
"""

from __future__ import annotations

from nocp.pipeline.model import CallContext, Payload, StageResult


def distill(payload: Payload, ctx: CallContext) -> StageResult:
    """Return a shorter, faithful payload when distillation is enabled and worth it.

    Example:
        >>> distill(payload, ctx).payload is payload  # no backend configured yet
        True
    """
    return StageResult(payload)
