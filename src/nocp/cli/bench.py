"""`nocp bench`: token reduction and fact recall over corpora of real tool outputs, per kind,
and the speed of a 1 MB input of every kind against tiktoken (`bench_speed`).

A corpus is a folder with `manifest.json` (a list of items: `file`, `kind`, `questions` of
`q` and `a`) and the files it names. By default both corpora run: the shared one
(`../shared/corpus`, when present) and the repository's own (`benchmarks/corpus`). For each
item: raw and sent tokens (markers count: they are sent), the reduction, the milliseconds of
every call, and the fact recall — the share of questions whose answer appears verbatim in
what was sent (numbers equal in value) — without focus, with each question as the focus,
and within one `nocp_expand` call. Progress goes to stderr; the report to `--out` only.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from nocp.cli import REPO
from nocp.cli.bench_report import report
from nocp.cli.bench_speed import KINDS, SpeedResult, measure_huge, time_kind
from nocp.config import Settings
from nocp.errors import NocpError
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
    max_ms: float = 0.0
    """The slowest call of the item (without or with a focus)."""

    @property
    def reduction(self) -> float:
        return 1 - self.tokens / self.raw_tokens if self.raw_tokens else 0.0

    @property
    def focus_reduction(self) -> float:
        return 1 - self.focus_tokens / self.raw_tokens if self.raw_tokens else 0.0


def load_item(corpus: Path, entry: dict[str, Any]) -> Any:
    """The value a tool would have returned: parsed JSON for JSON files, else the text."""
    from nocp.cli.inspect import parse_result

    return parse_result((corpus / entry["file"]).read_text(encoding="utf-8"))


def run_item(corpus: Path, entry: dict[str, Any], settings: Settings) -> ItemResult:
    """Optimise one item without focus and with each question as the focus."""
    value = load_item(corpus, entry)
    name = Path(entry["file"]).stem
    questions = entry["questions"]
    plain, ms = _timed(value, name, None, settings)
    focused_timed = [_timed(value, name, q["q"], settings) for q in questions]
    focused = [r for r, _ in focused_timed]
    hits = [found(q["a"], plain.text) for q in questions]
    focus_hits = [found(q["a"], r.text) for q, r in zip(questions, focused, strict=True)]
    expand_hits = [
        h or f or _reachable(value, q, r, settings)
        for q, h, f, r in zip(questions, hits, focus_hits, focused, strict=True)
    ]
    return ItemResult(
        name=name,
        kind=entry.get("kind", ""),
        raw_tokens=plain.raw_tokens,
        tokens=plain.tokens,
        ms=statistics.mean([ms, *(t for _, t in focused_timed)]),
        recall=sum(hits) / len(hits),
        focus_tokens=statistics.mean(r.tokens for r in focused),
        focus_recall=sum(focus_hits) / len(focus_hits),
        expand_recall=sum(expand_hits) / len(expand_hits),
        missed=[q["q"] for q, h in zip(questions, focus_hits, strict=True) if not h],
        max_ms=max([ms, *(t for _, t in focused_timed)]),
    )


def _timed(value: Any, tool: str, focus: str | None, settings: Settings) -> tuple[Optimized, float]:
    started = time.perf_counter()
    result = optimize(value, tool=tool, focus=focus, settings=settings)
    return result, (time.perf_counter() - started) * 1000


def _reachable(value: Any, question: dict[str, Any], result: Optimized, settings: Settings) -> bool:
    """Would one `nocp_expand` call bring the answer: with the question as its focus, or with
    the path one of the sent markers names (its first page)?"""
    if result.handle is None or result.original is None:
        return False
    from nocp.errors import ExpandError
    from nocp.sources.expand import expand_payload

    calls: list[dict[str, Any]] = [{"focus": question["q"]}]
    paths = _MARKER_PATH.findall(result.text) + _GAP_PATH.findall(result.text)
    calls += [{"path": path} for path in dict.fromkeys(paths) if "START" not in path]
    for call in calls:
        try:
            text = expand_payload(result.original, settings=settings, tool="", **call)
        except ExpandError:
            continue
        if found(question["a"], text):
            return True
    return False


_GAP_PATH = re.compile(r"\[… (lines\[\d+:\d+\])\]")
_MARKER_PATH = re.compile(r'nocp_expand\(handle="h[0-9a-f]+", path="([^"]+)"')


def run_corpus(corpus: Path, settings: Settings, progress: TextIO | None = None) -> list[ItemResult]:
    """Every item of the corpus's manifest, each reported on `progress` as it ends."""
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    results = []
    for number, entry in enumerate(manifest, start=1):
        if progress:
            print(
                f"nocp bench: {corpus.name} [{number}/{len(manifest)}] {entry['file']} …",
                end="",
                file=progress,
                flush=True,
            )
        result = run_item(corpus, entry, settings)
        results.append(result)
        if progress:
            figures = f"{result.reduction:.1%} · recall {result.recall:.2f} / {result.focus_recall:.2f}"
            print(f" {figures} · slowest call {result.max_ms:,.0f} ms", file=progress, flush=True)
    return results


def default_corpora() -> list[Path]:
    """The shared corpus (`shared/corpus` beside the repository or above a worktree) and the
    repository's own `benchmarks/corpus`, those that exist."""
    shared = [p / "shared" / "corpus" for p in REPO.parents]
    found_shared = [p for p in shared if (p / "manifest.json").is_file()][:1]
    own = REPO / "benchmarks" / "corpus"
    return found_shared + ([own] if (own / "manifest.json").is_file() else [])


def default_out() -> Path:
    """Where the report goes unless `--out` says: a temporary folder, never the checkout."""
    return Path(tempfile.gettempdir()) / "nocp-bench" / "report.md"


def main(args: argparse.Namespace, _: list[str]) -> int:
    """`nocp bench`: run the corpora (and, unless --no-perf, the timings); write the report."""
    from nocp.config import load_settings

    corpora: list[Path] = args.corpus or default_corpora()
    if not corpora:
        raise NocpError(
            "no corpus found (../shared/corpus, benchmarks/corpus of a checkout; an installed "
            "nocp ships none): run `./nocp bench` in a checkout, or pass --corpus DIR"
        )
    for corpus in corpora:
        if not (corpus / "manifest.json").is_file():
            raise NocpError(f"no corpus at {corpus} (a folder with manifest.json); pass --corpus DIR")
    settings = load_settings(args.config)
    results = {corpus: run_corpus(corpus, settings, sys.stderr) for corpus in corpora}
    speeds: list[SpeedResult] = []
    huge = None
    if not args.no_perf:
        for kind in KINDS:
            print(f"nocp bench: 1 MB of {kind} against tiktoken …", end="", file=sys.stderr, flush=True)
            speeds.append(time_kind(kind, settings))
            print(f" ×{speeds[-1].ratio:.2f}", file=sys.stderr, flush=True)
        print("nocp bench: a 50 MB result in a fresh process …", file=sys.stderr, flush=True)
        huge = measure_huge(settings)
    command = "nocp bench " + " ".join(sys.argv[2:])
    text = report(results, speeds, huge, command.strip())
    out: Path = args.out or default_out()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(text)
    print(f"nocp bench: report written to {out}", file=sys.stderr)
    return 0
