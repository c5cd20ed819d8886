"""The report of `nocp bench`: per corpus, the figures per kind against the targets, then one
row per item; the 1 MB speed ratio of every kind; the 50 MB figures."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nocp.cli.bench import ItemResult
    from nocp.cli.bench_speed import SpeedResult


def summarise(results: list[ItemResult]) -> dict[str, float]:
    """Medians, means and scores over a group of items."""
    return {
        "items": len(results),
        "median_reduction": statistics.median(r.reduction for r in results),
        "median_focus_reduction": statistics.median(r.focus_reduction for r in results),
        "recall": statistics.mean(r.recall for r in results),
        "focus_recall": statistics.mean(r.focus_recall for r in results),
        "expand_recall": statistics.mean(r.expand_recall for r in results),
        "score": statistics.mean(r.reduction * r.recall for r in results),
        "focus_score": statistics.mean(r.focus_reduction * r.focus_recall for r in results),
        "ms": statistics.mean(r.ms for r in results),
        "max_ms": max(r.max_ms for r in results),
    }


def by_kind(results: list[ItemResult]) -> dict[str, dict[str, float]]:
    """`summarise` per kind of item, kinds in the order they first appear."""
    kinds = dict.fromkeys(r.kind for r in results)
    return {kind: summarise([r for r in results if r.kind == kind]) for kind in kinds}


_KIND_HEADER = [
    "| kind | items | recall, no focus | recall, focus | within one nocp_expand | score, no focus "
    "| score, focus | median reduction | ms per call | slowest call (ms) |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
]


def _kind_row(name: str, s: dict[str, float]) -> str:
    return (
        f"| {name} | {s['items']:.0f} | {s['recall']:.2f} | {s['focus_recall']:.2f} "
        f"| {s['expand_recall']:.2f} "
        f"| {s['score']:.3f} | {s['focus_score']:.3f} | {s['median_reduction']:.1%} | {s['ms']:,.0f} "
        f"| {s['max_ms']:,.0f} |"
    )


def corpus_section(corpus: Path, results: list[ItemResult]) -> list[str]:
    """One corpus: the per-kind table (with the whole corpus last), the items, the misses."""
    lines = [f"## {corpus.name} ({corpus})", "", *_KIND_HEADER]
    lines += [_kind_row(kind, s) for kind, s in by_kind(results).items()]
    lines += [_kind_row("**all**", summarise(results)), ""]
    lines += [
        "| item | kind | raw tokens | sent | reduction | recall | with focus: sent | recall "
        "| expand | slowest ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r.name} | {r.kind} | {r.raw_tokens:,} | {r.tokens:,} | {r.reduction:.1%} | {r.recall:.2f} "
        f"| {r.focus_tokens:,.0f} | {r.focus_recall:.2f} | {r.expand_recall:.2f} | {r.max_ms:,.0f} |"
        for r in results
    ]
    missed = [(r.name, q) for r in results for q in r.missed]
    if missed:
        lines += ["", "Questions missed with focus:", ""] + [f"- {name}: {q}" for name, q in missed]
    return [*lines, ""]


def speed_section(speeds: list[SpeedResult], huge: dict[str, float] | None) -> list[str]:
    """The 1 MB ratios (target ≤ 2) and the 50 MB figures (targets < 10 s, < 1 GB)."""
    lines = [
        "## Speed: a 1 MB input of every kind ÷ tiktoken counting its raw text",
        "",
        "Both timed here, interleaved, median of 5 (target ≤ 2).",
        "",
        "| kind | raw MB | pipeline ms | tiktoken ms | ratio |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {s.kind} | {s.megabytes:.2f} | {s.pipeline_ms:,.0f} | {s.count_ms:,.0f} | {s.ratio:.2f} |"
        for s in speeds
    ]
    if huge:
        lines += [
            "",
            f"A {huge['megabytes']:.0f} MB result in a fresh process: {huge['seconds']:.1f} s, "
            f"peak memory {huge['peak_mb']:.0f} MB (targets < 10 s, < 1 GB).",
        ]
    return [*lines, ""]


def report(
    results: dict[Path, list[ItemResult]],
    speeds: list[SpeedResult],
    huge: dict[str, float] | None,
    command: str,
) -> str:
    """The Markdown report of one `nocp bench` run."""
    lines = [
        "# nocp bench",
        "",
        f"Command: `{command}`",
        "",
        "Targets: with focus recall ≥ 0.90 and score ≥ 0.85; without focus recall ≥ 0.60 (set-1-like "
        "kinds) / ≥ 0.50 (others); median reduction ≥ 90%; no call over 2 s. Score = mean over items "
        "of reduction × recall; reduction counts every sent token, markers included.",
        "",
    ]
    for corpus, items in results.items():
        lines += corpus_section(corpus, items)
    if speeds or huge:
        lines += speed_section(speeds, huge)
    return "\n".join(lines).rstrip() + "\n"
