"""Per-kind figures from `nocp bench` Markdown reports: items, mean recall without and with
focus, median reduction without focus, scores (mean of reduction × recall) and the slowest call.

Usage: python3 per_kind.py REPORT.md [REPORT.md ...]   (prints a Markdown table)
"""

import statistics
import sys
from collections import defaultdict
from pathlib import Path


def rows(report: Path) -> list[dict[str, str | float]]:
    """The per-item rows of a report: name, kind, reduction, recall, focus recall."""
    found: list[dict[str, str | float]] = []
    for line in report.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 9 or not cells[4].endswith("%"):
            continue
        raw, focus_sent = float(cells[2].replace(",", "")), float(cells[6].replace(",", ""))
        found.append({"name": cells[0], "kind": cells[1], "reduction": float(cells[4][:-1]) / 100,
                      "focus_reduction": 1 - focus_sent / raw if raw else 0.0,
                      "recall": float(cells[5]), "focus_recall": float(cells[7]), "ms": float(cells[8].replace(",", ""))})
    return found


def table(items: list[dict[str, str | float]]) -> str:
    """One Markdown row per kind, then the total."""
    by_kind: dict[str, list[dict[str, str | float]]] = defaultdict(list)
    for item in items:
        by_kind[str(item["kind"])].append(item)
    lines = ["| kind | items | recall, no focus | recall, with focus | median reduction | score | score with focus "
             "| slowest call, ms |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    ordered = sorted(by_kind.items(), key=lambda kv: statistics.mean(float(i["recall"]) for i in kv[1]))
    for kind, group in [*ordered, ("**all**", items)]:
        lines.append(
            f"| {kind} | {len(group)} | {statistics.mean(float(i['recall']) for i in group):.2f} "
            f"| {statistics.mean(float(i['focus_recall']) for i in group):.2f} "
            f"| {statistics.median(float(i['reduction']) for i in group):.1%} "
            f"| {statistics.mean(float(i['reduction']) * float(i['recall']) for i in group):.2f} "
            f"| {statistics.mean(float(i['focus_reduction']) * float(i['focus_recall']) for i in group):.2f} "
            f"| {max(float(i['ms']) for i in group):,.0f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(table([row for path in sys.argv[1:] for row in rows(Path(path))]))
