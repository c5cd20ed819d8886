"""Stage — distill: summarise a text result still over budget after the lossless clean-up,
when it pays; off by default (`[distill] enabled`).

The call's `Distiller` (`CallContext.distiller`) picks the backend (`[distill] model`:
"extractive", "sampling", or a litellm model), asks the cost gate, looks in the cache, runs the
backend within `timeout_s`, and checks the summary is faithful. Whenever it declines or fails,
the payload goes on unchanged and `prune_lossy` cuts it; every outcome is in the stage's
`StageResult.distillation`.
"""

from __future__ import annotations

import time
from dataclasses import replace

from nocp.config import DistillMode, DistillSettings
from nocp.errors import BackendError
from nocp.pipeline.budget import Budget
from nocp.pipeline.distill.backends import (
    PROMPT_VERSION,
    Sampler,
    litellm_summary,
    sampling_summary,
)
from nocp.pipeline.distill.cache import SummaryCache, summary_key
from nocp.pipeline.distill.extractive import summarise
from nocp.pipeline.distill.faithful import unfaithful
from nocp.pipeline.distill.gate import judge
from nocp.pipeline.markers import marker
from nocp.pipeline.model import CallContext, Distillation, Payload, StageResult

__all__ = ["PROMPT_VERSION", "Distiller", "SummaryCache", "distill"]

_MAX_CHARS = 2_000_000
"""Longer texts are left to pruning: counting and ranking them would cost seconds."""

_MARKER_TOKENS = 40
"""Tokens kept free for the marker line that names the handle of the original."""


def distill(payload: Payload, ctx: CallContext) -> StageResult:
    """A faithful summary of a text payload over budget, when the call has a distiller and the
    tool allows it; else the payload unchanged.

    Example:
        >>> distill(payload, ctx).note  # e.g. "extractive: distilled; 5210→880 tokens; …"
    """
    if ctx.distiller is None or payload.kind != "text":
        return StageResult(payload)
    mode = ctx.settings.distill_mode(ctx.tool)
    budget = Budget.of(ctx)
    if mode == "never" or not budget.over(payload):
        return StageResult(payload)
    start = time.perf_counter()
    room = budget.limit - budget.marker_tokens(payload) - _MARKER_TOKENS
    record, summary = ctx.distiller(payload, ctx, max(room, 1), mode)
    record = replace(record, ms=(time.perf_counter() - start) * 1000)
    return StageResult(summary or payload, record.note(), distillation=record)


class Distiller:
    """The summariser of the distill stage: backend, gate, cache and faithfulness check.

    Example:
        >>> ctx = CallContext("read_doc", settings, counter, distiller=Distiller(settings.distill))
    """

    def __init__(
        self,
        settings: DistillSettings,
        cache: SummaryCache | None = None,
        sampler: Sampler | None = None,
    ) -> None:
        self.settings = settings
        self.cache = cache
        self.sampler = sampler

    @property
    def backend(self) -> str:
        """ "extractive", "sampling", or the litellm model name."""
        return self.settings.model

    def __call__(
        self, payload: Payload, ctx: CallContext, limit: int, mode: DistillMode
    ) -> tuple[Distillation, Payload | None]:
        """What was decided for `payload`, and its summary within `limit` tokens (None: the
        gate said no, the backend failed, or the summary was not faithful or not shorter)."""
        text = payload.text
        if len(text) > _MAX_CHARS:
            reason = f"over {_MAX_CHARS:,} characters: left to pruning"
            return Distillation(self.backend, "declined", len(text) // 4, reason=reason), None
        tokens_in = ctx.counter.count(text)
        backend = self.backend
        if backend == "sampling" and self.sampler is None:
            return Distillation(
                backend, "unavailable", tokens_in, reason="the client does not offer sampling"
            ), None
        verdict = judge(backend, self.settings, tokens_in, limit)
        base = Distillation(
            backend,
            "declined",
            tokens_in,
            saved_tokens=verdict.saved_tokens,
            value_usd=verdict.value_usd,
            cost_usd=verdict.cost_usd,
            reason=verdict.reason,
        )
        if mode == "auto" and not verdict.worth_it:
            return base, None
        focus = ctx.query
        key = summary_key(text, backend, PROMPT_VERSION, focus, limit)
        summary = self.cache.get(key) if self.cache else None
        cost = 0.0
        if summary is None:
            try:
                summary, cost = self._run(backend, text, focus, limit, ctx)
            except BackendError as exc:
                return replace(base, decision="failed", reason=str(exc)), None
            invented = unfaithful(summary, text)
            if invented is not None:
                return replace(
                    base,
                    decision="rejected",
                    cost_usd=cost,
                    reason=f"{invented!r} is not in the source",
                ), None
            if self.cache:
                self.cache.put(key, backend, PROMPT_VERSION, summary, cost)
            base = replace(base, cost_usd=cost)
        else:
            base = replace(base, cost_usd=0.0, cached=True)
        tokens_out = ctx.counter.count(summary)
        if tokens_out >= tokens_in:
            return replace(base, decision="failed", reason="the summary is not shorter"), None
        done = replace(
            base,
            decision="distilled",
            tokens_out=tokens_out,
            saved_tokens=tokens_in - tokens_out,
            reason="",
        )
        what = f"distilled ({backend}) from {tokens_in:,} to {tokens_out:,} tokens; the original"
        return done, Payload("text", summary, (*payload.markers, marker(what, ctx.handle)), True)

    def _run(self, backend: str, text: str, focus: str, limit: int, ctx: CallContext) -> tuple[str, float]:
        if backend == "extractive":
            return summarise(text, focus, limit, ctx.counter)[0], 0.0
        if backend == "sampling":
            assert self.sampler is not None
            return sampling_summary(self.sampler, self.settings, text, focus, limit)
        return litellm_summary(self.settings, text, focus, limit)
