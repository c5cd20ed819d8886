"""The optimisation pipeline: normalize → parse → precut → prune_lossless → convert → distill →
prune_lossy → encode.

`STAGES` is the ordered list of the middle stages (one contract, `Stage`: payload and call
context in, payload and a note out); normalize opens the pipeline (any Python value in) and
encode closes it (text out). A stage that fails is skipped: the previous payload goes on and
its report says why. Every stage has its own report: its time, and (after `settle`) the
tokens after it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Mapping
from typing import Any

from nocp.config import Settings
from nocp.errors import ResultError
from nocp.logs import get_logger
from nocp.pipeline.convert import convert
from nocp.pipeline.distill import Distiller, distill
from nocp.pipeline.encode import encode, serialise
from nocp.pipeline.model import (
    CallContext,
    Distillation,
    Optimized,
    Payload,
    Stage,
    StageReport,
    StageResult,
    Uncounted,
)
from nocp.pipeline.normalize import normalize
from nocp.pipeline.parse import parse
from nocp.pipeline.prune import precut, prune_lossless, prune_lossy
from nocp.pipeline.settle import settle
from nocp.pipeline.tokens import TokenCounter

__all__ = [
    "STAGES",
    "CallContext",
    "Optimized",
    "optimize",
    "reduce_result",
    "run_pipeline",
    "run_stages",
    "settle",
]

STAGES: tuple[tuple[str, Stage], ...] = (
    ("parse", parse),
    ("precut", precut),
    ("prune_lossless", prune_lossless),
    ("convert", convert),
    ("distill", distill),
    ("prune_lossy", prune_lossy),
)
"""The middle of the pipeline, in the order the stages run; normalize opens it (any Python
value in), encode closes it (text out). No stage calls another."""

_log = get_logger(__name__)


def optimize(
    value: Any,
    *,
    tool: str = "",
    focus: str | None = None,
    settings: Settings | None = None,
    arguments: Mapping[str, Any] | None = None,
) -> Optimized:
    """Run a tool result through the whole pipeline, without a server.

    Same input, same settings → byte-identical output.

    Raises:
        ResultError: the value cannot be sent at all (circular, too deep, not UTF-8).

    Example:
        >>> rows = [{"id": i, "name": f"user{i}", "active": True} for i in range(100)]
        >>> result = optimize(rows)
        >>> result.format, result.tokens < result.raw_tokens
        ('toon', True)
    """
    settings = settings or Settings()
    ctx = CallContext(
        tool=tool,
        settings=settings,
        counter=TokenCounter(settings.tokens.encoding),
        focus=focus,
        arguments=dict(arguments or {}),
    )
    return run_pipeline(value, ctx)


def run_pipeline(raw: Any, ctx: CallContext) -> Optimized:
    """The pipeline proper, with a ready call context; every count in the result is exact."""
    return settle(reduce_result(raw, ctx), ctx.counter)


def reduce_result(raw: Any, ctx: CallContext) -> Optimized:
    """The pipeline without the counts only the accounting needs, so a reply can go first:
    `raw_tokens` and the tokens after normalize and after each middle stage are 0 until
    `settle` counts them.

    Raises:
        ResultError: the value cannot be sent at all (circular, too deep, not UTF-8).
    """
    start = time.perf_counter()
    original = normalize(raw)
    serialised = serialise(original)
    ctx = dataclasses.replace(ctx, handle=handle_for(serialised), original=original)
    if ctx.distiller is None and ctx.settings.distill.enabled:
        ctx = dataclasses.replace(ctx, distiller=Distiller(ctx.settings.distill))
    opening = StageReport("normalize", 0, _ms_since(start), original.kind)
    run = run_stages(original, ctx)
    start = time.perf_counter()
    encoded = encode(run.payload, ctx)
    note = ", ".join(f"{fmt}={n}" for fmt, n in sorted(encoded.candidates.items()))
    closing = StageReport("encode", encoded.tokens, _ms_since(start), note)
    kept = run.payload.omitted
    return Optimized(
        encoded.text,
        encoded.format,
        0,
        encoded.tokens,
        (opening, *run.reports, closing),
        handle=ctx.handle if kept else None,
        original=original if kept else None,
        original_text=serialised if kept else None,
        distillation=run.distillation,
        uncounted=Uncounted(raw, serialised, run.outputs),
    )


@dataclasses.dataclass(frozen=True, slots=True)
class StagesRun:
    """What the middle stages made of a payload: the last payload, one report per stage
    (tokens 0: `settle` counts them from `outputs`), each stage's output, what distill did."""

    payload: Payload
    reports: tuple[StageReport, ...]
    outputs: tuple[Payload, ...]
    distillation: Distillation | None


def run_stages(payload: Payload, ctx: CallContext) -> StagesRun:
    """The middle stages (`STAGES`) in order on a normalized payload; `ctx.original` is
    `payload` unless set (e.g. `nocp_expand`'s focus on a selection of a stored original).

    Raises:
        ResultError: the payload is nested too deeply to process.
    """
    if ctx.original is None:
        ctx = dataclasses.replace(ctx, original=payload)
    reports: list[StageReport] = []
    outputs: list[Payload] = []
    distillation = None
    for name, stage in STAGES:
        start = time.perf_counter()
        result = _run_stage(name, stage, payload, ctx)
        payload = result.payload
        distillation = result.distillation or distillation
        reports.append(StageReport(name, 0, _ms_since(start), result.note))
        outputs.append(payload)
    return StagesRun(payload, tuple(reports), tuple(outputs), distillation)


HANDLE_HEX_DIGITS = 32
"""128 bits of the content hash: two originals never share a handle (a birthday collision
needs ~2**64 originals), and a handle cannot be guessed without the content it names."""


def handle_for(serialised: str) -> str:
    """The handle of an original: "h" and the first 128 bits of its SHA-256, in hex (same
    content, same handle, so output stays byte-identical)."""
    digest = hashlib.sha256(serialised.encode("utf-8", "surrogatepass")).hexdigest()
    return "h" + digest[:HANDLE_HEX_DIGITS]


def _run_stage(name: str, stage: Stage, payload: Payload, ctx: CallContext) -> StageResult:
    try:
        return stage(payload, ctx)
    except RecursionError:
        raise ResultError("result is nested too deeply to process; return a flatter structure") from None
    except Exception as exc:  # a broken stage must not lose the result: keep the last payload
        _log.warning("stage failed", stage=name, tool=ctx.tool, error=repr(exc), exc_info=True)
        return StageResult(payload, f"failed ({type(exc).__name__}: {exc}); kept its input")


def _ms_since(start: float) -> float:
    return (time.perf_counter() - start) * 1000
