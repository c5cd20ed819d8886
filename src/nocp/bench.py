"""`nocp bench`: token reduction and fact recall over a corpus of real tool outputs.

A corpus is a folder with `manifest.json` (a list of items: `file`, `kind`, `questions` of
`q` and `a`) and the files it names. For each item the benchmark reports raw and sent
tokens, the reduction, the milliseconds, and the fact recall — the share of questions whose
answer appears in what was sent (strings verbatim, numbers equal in value) — without focus
and with each question as the focus, plus the share reachable with one `nocp_expand` call.
"""

from __future__ import annotations

import json
import math
import re
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nocp.config import Settings
from nocp.pipeline import optimize
from nocp.pipeline.model import Optimized

_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?|-?\.\d+")
_SPACE = re.compile(r"\s+")


def found(answer: Any, text: str) -> bool:
    """Does `answer` appear in `text`? Strings verbatim (whitespace-insensitive, or as JSON
    would escape them); numbers — and strings that are just a number — equal in value."""
    answer_text = str(answer)
    hay = _SPACE.sub(" ", text)
    needle = _SPACE.sub(" ", answer_text).strip()
    if needle in hay or json.dumps(needle, ensure_ascii=False)[1:-1] in hay:
        return True
    return _is_number(answer_text) and _number_in(float(answer_text.replace(",", "")), text)


def _is_number(text: str) -> bool:
    return bool(re.fullmatch(r"\s*-?\d[\d,]*(?:\.\d+)?\s*", text))


def _number_in(value: float, text: str) -> bool:
    for match in _NUMBER.finditer(text):
        try:
            candidate = float(match.group().replace(",", ""))
        except ValueError:
            continue
        if math.isclose(candidate, value, rel_tol=1e-9) or math.isclose(abs(candidate), value, rel_tol=1e-9):
            return True
    return False


@dataclass
class ItemResult:
    """The figures of one corpus item."""

    name: str
    kind: str
    raw_tokens: int
    tokens: int
    ms: float
    recall: float
    focus_tokens: float
    focus_recall: float
    expand_recall: float
    missed: list[str] = field(default_factory=list)

    @property
    def reduction(self) -> float:
        return 1 - self.tokens / self.raw_tokens if self.raw_tokens else 0.0

    @property
    def focus_reduction(self) -> float:
        return 1 - self.focus_tokens / self.raw_tokens if self.raw_tokens else 0.0


def load_item(corpus: Path, entry: dict[str, Any]) -> Any:
    """The value a tool would have returned: parsed JSON for JSON files, else the text."""
    text = (corpus / entry["file"]).read_text(encoding="utf-8")
    if text.lstrip()[:1] in ("{", "["):
        try:
            return json.loads(text)
        except ValueError:
            pass
    return text


def run_item(corpus: Path, entry: dict[str, Any], settings: Settings) -> ItemResult:
    """Optimise one item without focus and with each question as the focus."""
    value = load_item(corpus, entry)
    name = Path(entry["file"]).stem
    started = time.perf_counter()
    plain = optimize(value, tool=name, settings=settings)
    ms = (time.perf_counter() - started) * 1000
    questions = entry["questions"]
    hits = [found(q["a"], plain.text) for q in questions]
    focused = [optimize(value, tool=name, focus=q["q"], settings=settings) for q in questions]
    focus_hits = [found(q["a"], r.text) for q, r in zip(questions, focused, strict=True)]
    expand_hits = [h or f or _reachable(value, q, r, settings) for q, h, f, r in zip(questions, hits, focus_hits, focused, strict=True)]
    return ItemResult(
        name=name,
        kind=entry.get("kind", ""),
        raw_tokens=plain.raw_tokens,
        tokens=plain.tokens,
        ms=ms,
        recall=sum(hits) / len(hits),
        focus_tokens=statistics.mean(r.tokens for r in focused),
        focus_recall=sum(focus_hits) / len(focus_hits),
        expand_recall=sum(expand_hits) / len(expand_hits),
        missed=[q["q"] for q, h in zip(questions, focus_hits, strict=True) if not h],
    )


def _reachable(value: Any, question: dict[str, Any], result: Optimized, settings: Settings) -> bool:
    """Would one `nocp_expand(handle, focus=question)` call bring the answer?"""
    if result.handle is None or result.original is None:
        return False
    from nocp.expand import expand_payload

    text = expand_payload(result.original, focus=question["q"], settings=settings, tool="")
    return found(question["a"], text)


def summarise(results: list[ItemResult]) -> dict[str, float]:
    """Medians, means and scores over all items."""
    return {
        "items": len(results),
        "median_reduction": statistics.median(r.reduction for r in results),
        "median_focus_reduction": statistics.median(r.focus_reduction for r in results),
        "recall": statistics.mean(r.recall for r in results),
        "focus_recall": statistics.mean(r.focus_recall for r in results),
        "expand_recall": statistics.mean(r.expand_recall for r in results),
        "score": statistics.mean(r.reduction * r.recall for r in results),
        "focus_score": statistics.mean(r.focus_reduction * r.focus_recall for r in results),
    }


def run_corpus(corpus: Path, settings: Settings) -> list[ItemResult]:
    """Every item of the corpus's manifest."""
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    return [run_item(corpus, entry, settings) for entry in manifest]
