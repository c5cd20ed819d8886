"""`nocp bench`: token reduction and fact recall over a corpus of real tool outputs.

A corpus is a folder with `manifest.json` (a list of items: `file`, `kind`, `questions` of
`q` and `a`) and the files it names. For each item the benchmark reports raw and sent
tokens, the reduction, the milliseconds, and the fact recall — the share of questions whose
answer appears in what was sent (strings verbatim, numbers equal in value) — without focus
and with each question as the focus, plus the share reachable with one `nocp_expand` call.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    started = time.perf_counter()
    plain = optimize(value, tool=name, settings=settings)
    ms = (time.perf_counter() - started) * 1000
    questions = entry["questions"]
    hits = [found(q["a"], plain.text) for q in questions]
    focused = [optimize(value, tool=name, focus=q["q"], settings=settings) for q in questions]
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
        ms=ms,
        recall=sum(hits) / len(hits),
        focus_tokens=statistics.mean(r.tokens for r in focused),
        focus_recall=sum(focus_hits) / len(focus_hits),
        expand_recall=sum(expand_hits) / len(expand_hits),
        missed=[q["q"] for q, h in zip(questions, focus_hits, strict=True) if not h],
    )


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


def time_large_json(settings: Settings, megabytes: float = 1.0, runs: int = 5) -> dict[str, float]:
    """Pipeline time on a JSON result of about `megabytes`, against tiktoken counting the raw
    text (the SDK's serialisation: one text block per record) once — both measured here,
    interleaved, medians of `runs`."""
    from nocp.pipeline.normalize import sdk_default_texts
    from nocp.pipeline.tokens import TokenCounter

    value = synthetic_records(megabytes)
    raw_texts = sdk_default_texts(value)
    raw_text = "".join(raw_texts)
    counter = TokenCounter(settings.tokens.encoding)
    counter.count("warm up")
    count_times, pipeline_times = [], []
    for _ in range(runs):
        started = time.perf_counter()
        counter.count_all(raw_texts)  # the text blocks the SDK sends, as the pipeline counts them
        count_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        optimize(value, tool="bench", settings=settings)
        pipeline_times.append(time.perf_counter() - started)
    count_ms = statistics.median(count_times) * 1000
    pipeline_ms = statistics.median(pipeline_times) * 1000
    return {
        "raw_mb": len(raw_text.encode()) / 1e6,
        "count_ms": count_ms,
        "pipeline_ms": pipeline_ms,
        "ratio": pipeline_ms / count_ms,
    }


TOPICS = ("timeout", "retry", "cache")


def synthetic_records(megabytes: float) -> list[dict[str, Any]]:
    """Deterministic API-like records whose pretty-printed JSON is about `megabytes`."""
    rows: list[dict[str, Any]] = []
    size = 0
    index = 0
    while size < megabytes * 1e6:
        row = {
            "id": 100_000 + index,
            "number": index,
            "title": f"Request {index}: handle the {TOPICS[index % 3]} case in module {index % 17}",
            "state": ("open", "closed")[index % 2],
            "user": {"login": f"user{index % 97}", "id": 5000 + index % 97, "type": "User"},
            "labels": [{"name": ("bug", "docs", "feature")[index % 3], "color": "ededed"}],
            "comments": (index * 7) % 23,
            "created_at": f"2026-{1 + index % 12:02d}-{1 + index % 28:02d}T10:{index % 60:02d}:00Z",
            "url": f"https://api.example.com/repos/acme/widgets/issues/{index}",
            "body": "Steps to reproduce: "
            + "call the endpoint twice and compare the results. " * (1 + index % 4),
        }
        rows.append(row)
        size += len(json.dumps(row, indent=2)) + 4
        index += 1
    return rows


def measure_huge(settings: Settings, megabytes: float = 50.0) -> dict[str, float]:
    """Optimise a result of `megabytes` in a fresh process: seconds and peak memory (MB)."""
    import subprocess

    script = (
        "import json, resource, sys, time\n"
        "from nocp.cli.bench import synthetic_records\n"
        "from nocp.pipeline import optimize\n"
        f"value = synthetic_records({megabytes})\n"
        "started = time.perf_counter()\n"
        "optimize(value, tool='bench')\n"
        "seconds = time.perf_counter() - started\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(json.dumps({'seconds': seconds, 'peak_mb': peak}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return {"megabytes": megabytes, **figures}


def report(
    results: list[ItemResult], timing: dict[str, float] | None, huge: dict[str, float] | None, command: str
) -> str:
    """The Markdown report: summary against the targets, then one row per item."""
    summary = summarise(results)
    lines = [
        "# nocp bench",
        "",
        f"Command: `{command}`",
        "",
        "| measure | value | target |",
        "|---|---|---|",
        f"| median token reduction | {summary['median_reduction']:.1%} | ≥ 80% |",
        f"| fact recall without focus | {summary['recall']:.1%} | ≥ 70% |",
        f"| fact recall with focus | {summary['focus_recall']:.1%} | ≥ 95% |",
        f"| fact recall within one nocp_expand | {summary['expand_recall']:.1%} | 100% |",
        f"| score (reduction × recall) without focus | {summary['score']:.3f} | ≥ 0.60 |",
        f"| score with focus | {summary['focus_score']:.3f} | ≥ 0.85 |",
    ]
    if timing:
        lines.append(
            f"| pipeline time on a {timing['raw_mb']:.1f} MB JSON result ÷ tiktoken count of its raw text "
            f"| {timing['ratio']:.2f} ({timing['pipeline_ms']:.0f} ms / {timing['count_ms']:.0f} ms) | ≤ 2 |"
        )
    if huge:
        lines.append(
            f"| {huge['megabytes']:.0f} MB result: time, peak memory | {huge['seconds']:.1f} s, "
            f"{huge['peak_mb']:.0f} MB | < 10 s, < 1 GB |"
        )
    lines += [
        "",
        "| item | kind | raw tokens | sent | reduction | recall | with focus: sent | recall | ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.name} | {r.kind} | {r.raw_tokens:,} | {r.tokens:,} | {r.reduction:.1%} | {r.recall:.2f} "
            f"| {r.focus_tokens:,.0f} | {r.focus_recall:.2f} | {r.ms:.0f} |"
        )
    missed = [(r.name, q) for r in results for q in r.missed]
    if missed:
        lines += ["", "Questions missed with focus:", ""] + [f"- {name}: {q}" for name, q in missed]
    return "\n".join(lines) + "\n"


def main(args: argparse.Namespace, _: list[str]) -> int:
    """`nocp bench`: run the corpus (and, unless --no-perf, the timings); write the report."""
    from nocp.config import load_settings

    if not (args.corpus / "manifest.json").is_file():
        raise NocpError(f"no corpus at {args.corpus} (a folder with manifest.json); pass --corpus DIR")
    settings = load_settings(args.config)
    results = run_corpus(args.corpus, settings)
    timing = None if args.no_perf else time_large_json(settings)
    huge = None if args.no_perf else measure_huge(settings)
    command = "nocp bench " + " ".join(sys.argv[2:])
    text = report(results, timing, huge, command.strip())
    args.out.write_text(text, encoding="utf-8")
    print(text)
    print(f"report written to {args.out}", file=sys.stderr)
    return 0
