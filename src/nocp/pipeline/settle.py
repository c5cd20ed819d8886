"""The counts only the accounting needs, made after the reply (`settle`): the tokens the MCP
SDK would have sent for the raw result, and the tokens after normalize and each middle stage.
"""

from __future__ import annotations

import dataclasses
import time

from nocp.pipeline.encode import serialise
from nocp.pipeline.model import Optimized, Payload, StageReport, Uncounted
from nocp.pipeline.normalize import sdk_default_texts
from nocp.pipeline.tokens import TokenCounter


def settle(optimized: Optimized, counter: TokenCounter) -> Optimized:
    """`optimized` with the counts `reduce_result` left out: the raw tokens (the text blocks
    the MCP SDK would have sent), the tokens after normalize and after each middle stage.

    A text longer than 256,000 characters is not counted but estimated from the raw count by
    its length (counting would cost as much again as the raw count).
    """
    pending = optimized.uncounted
    if pending is None:
        return optimized
    start = time.perf_counter()
    raw_texts = sdk_default_texts(pending.raw)
    raw_tokens = counter.count_all(raw_texts)
    raw_chars = sum(len(text) for text in raw_texts)
    if raw_texts == [pending.normalized]:  # text that normalize left as it was
        tokens, note = raw_tokens, ""
    else:
        tokens, note = _normalized_tokens(pending.normalized, raw_chars, raw_tokens, counter)
    first, *middle, last = optimized.stages
    normalized = dataclasses.replace(
        first, tokens=tokens, ms=first.ms + _ms_since(start), note=first.note + note
    )
    counted = _stage_tokens(middle, pending, tokens, (raw_chars, raw_tokens), counter)
    stages = (normalized, *counted, last)
    return dataclasses.replace(optimized, raw_tokens=raw_tokens, stages=stages, uncounted=None)


def _stage_tokens(
    reports: list[StageReport],
    pending: Uncounted,
    normalized_tokens: int,
    raw: tuple[int, int],
    counter: TokenCounter,
) -> list[StageReport]:
    """The middle stages' reports with the tokens after each: an output the stage left as it
    was (the same object, or the same text) has the tokens before it."""
    counted: list[StageReport] = []
    text, tokens = pending.normalized, normalized_tokens
    previous: Payload | None = None
    for report, output in zip(reports, pending.outputs, strict=True):
        if output is not previous:
            serialised = serialise(output)
            if serialised != text:
                text = serialised
                tokens = _normalized_tokens(text, raw[0], raw[1], counter)[0]
            previous = output
        counted.append(dataclasses.replace(report, tokens=tokens))
    return counted


_EXACT_LIMIT = 256_000


def _normalized_tokens(
    serialised: str, raw_chars: int, raw_tokens: int, counter: TokenCounter
) -> tuple[int, str]:
    """Tokens after normalize: counted, or — for large results, where counting would cost as
    much again as the raw count — estimated from the raw count by length."""
    if len(serialised) <= _EXACT_LIMIT or not raw_chars:
        return counter.count(serialised), ""
    return round(raw_tokens * len(serialised) / raw_chars), " (≈, estimated from the raw count)"


def _ms_since(start: float) -> float:
    return (time.perf_counter() - start) * 1000
