"""Which rows a cut keeps: a small table whole beside a long one, the totals row, the
largest value beside it, the rows that differ from the rest."""

from __future__ import annotations

from typing import Any

from nocp import optimize
from nocp.pipeline.prune.json.row_choice import notable
from nocp.pipeline.prune.json.rows import fair_shares


def packages(count: int) -> list[dict[str, Any]]:
    return [
        {
            "name": f"package-{i}",
            "version": f"1.{i}.0",
            "section": ("libs", "utils", "web")[i % 3],
            "kb": (i * 37) % 1000,
        }
        for i in range(count)
    ]


def test_a_small_collection_is_kept_whole_beside_a_long_one() -> None:
    summary = [
        {"section": s, "packages": 100 + i, "total_kb": 9000 + i} for i, s in enumerate("abcdefghijkl")
    ]
    result = optimize({"summary": summary, "packages": packages(800)})
    assert all(f"{9000 + i}" in result.text for i in range(12))
    assert "summary" not in "".join(line for line in result.text.splitlines() if line.startswith("[…"))
    assert fair_shares([100, 1000], 500) == [1.0, 0.4]


def test_a_totals_row_is_kept_and_the_largest_row_beside_it() -> None:
    rows = [
        {"maintainer": f"team {i}", "packages": 1 + i % 4, "kb": 100 + (i * 53) % 900} for i in range(300)
    ]
    rows[211]["kb"] = 99_999
    rows.append(
        {
            "maintainer": "TOTAL",
            "packages": sum(r["packages"] for r in rows),
            "kb": sum(r["kb"] for r in rows),
        }
    )
    text = optimize(rows).text
    assert "TOTAL" in text and str(rows[-1]["kb"]) in text
    assert "team 211" in text  # the largest value, not only the total's
    unlabelled = [
        {**r, "maintainer": "(all)" if r["maintainer"] == "TOTAL" else r["maintainer"]} for r in rows
    ]
    assert notable(unlabelled)[0] == len(rows) - 1  # the sum of the others tells it too


def test_a_rare_value_of_a_column_of_few_is_kept() -> None:
    pods = [
        {"name": f"pod-{i:03d}", "status": "Running", "restarts": 0, "node": f"n{i % 3}"} for i in range(400)
    ]
    pods[237]["status"] = "CrashLoopBackOff"
    pods[301]["status"] = "Pending"
    text = optimize(pods).text
    assert "pod-237" in text and "CrashLoopBackOff" in text and "pod-301" in text
