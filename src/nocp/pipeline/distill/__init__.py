"""Stage 3 — distill: summarise a text result that is still over budget, when it pays.

The work happens inside prune, between its lossless and its lossy text steps: prune calls the
call's `Distiller` (the `CallContext.distiller` hook). The distiller picks the backend
(`[distill] model`: "extractive", "sampling", or a litellm model), asks the cost gate, looks in
the cache, runs the backend within `timeout_s`, and checks the summary is faithful. Whenever it
declines or fails it returns None and the lossy steps cut the text as before; every outcome is
recorded in `ctx.distilled`, which the `distill` stage reports.
"""

from __future__ import annotations

import time
from dataclasses import replace

from nocp.config import DistillSettings
from nocp.formats.textkind import text_kind
from nocp.pipeline.distill.backends import (
    PROMPT_VERSION,
    BackendError,
    Sampler,
    litellm_summary,
    sampling_summary,
)
from nocp.pipeline.distill.extractive import summarise
from nocp.pipeline.distill.faithful import unfaithful
from nocp.pipeline.distill.gate import judge
from nocp.pipeline.markers import marker
from nocp.pipeline.model import CallContext, Distillation, Payload, StageResult
from nocp.pipeline.prune.budget import Budget
from nocp.pipeline.prune.text import html_to_text
from nocp.store.cache import DistillCache, distill_key

__all__ = ["PROMPT_VERSION", "Distiller", "distill"]

_MAX_CHARS = 2_000_000
"""Longer texts are left to pruning: counting and ranking them would cost seconds."""

_MARKER_TOKENS = 40
"""Tokens kept free for the marker line that names the handle of the original."""


def distill(payload: Payload, ctx: CallContext) -> StageResult:
    """Report what distillation did for this call (it ran inside prune, see the module doc).

    Example:
        >>> distill(payload, ctx).note  # e.g. "extractive: distilled; 5210→880 tokens; …"
    """
    if not ctx.distilled:
        return StageResult(payload)
    return StageResult(payload, ctx.distilled[-1].note())


class Distiller:
    """The distill hook for calls: backend, gate, cache and faithfulness check.

    Example:
        >>> ctx = CallContext("read_doc", settings, counter, distiller=Distiller(settings.distill))
    """

    def __init__(
        self,
        settings: DistillSettings,
        cache: DistillCache | None = None,
        sampler: Sampler | None = None,
    ) -> None:
        self.settings = settings
        self.cache = cache
        self.sampler = sampler

    @property
    def backend(self) -> str:
        """ "extractive", "sampling", or the litellm model name."""
        return self.settings.model

    def __call__(self, payload: Payload, ctx: CallContext, limit: int) -> Payload | None:
        """A faithful summary of `payload` within `limit` tokens, or None (then prune cuts)."""
        mode = ctx.settings.distill_mode(ctx.tool)
        if mode == "never":
            return None
        start = time.perf_counter()
        if text_kind(payload.text) == "html":
            payload = html_to_text(payload, ctx, Budget(limit, ctx.counter))
        outcome = self._distill(payload, ctx, max(limit - _MARKER_TOKENS, 1), mode)
        result, distilled = outcome
        ctx.distilled.append(replace(result, ms=(time.perf_counter() - start) * 1000))
        return distilled

    def _distill(
        self, payload: Payload, ctx: CallContext, limit: int, mode: str
    ) -> tuple[Distillation, Payload | None]:
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
        key = distill_key(text, backend, PROMPT_VERSION, focus, limit)
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
