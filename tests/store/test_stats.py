"""The calls table and its aggregates (the documents behind nocp://stats)."""

from __future__ import annotations

import json
from pathlib import Path

from nocp.pipeline.model import StageReport
from nocp.store.db import open_database
from nocp.store.stats import CallRecord, StatsStore


def store(tmp_path: Path) -> StatsStore:
    return StatsStore(open_database(tmp_path / "nocp.db"))


def test_a_record_fills_the_per_stage_columns(tmp_path: Path) -> None:
    stats = store(tmp_path)
    stages = (StageReport("normalize", 90, 1.23456, "json"), StageReport("encode", 40, 2.0, "x"))
    stats.record(CallRecord("t", 100, 40, "toon", 5.5, stages=stages, ts="2026-01-01T00:00:00Z"))
    cursor = stats.db.execute("SELECT * FROM calls")
    row = dict(zip([c[0] for c in cursor.description], cursor.fetchone(), strict=True))
    assert row["normalize_tokens"] == 90 and row["normalize_ms"] == 1.235
    assert row["encode_tokens"] == 40 and row["prune_tokens"] is None
    assert json.loads(row["stages"])[0] == {
        "stage": "normalize",
        "tokens": 90,
        "ms": 1.235,
        "note": "json",
    }
    assert row["ts"] == "2026-01-01T00:00:00Z" and row["is_error"] == 0


def test_totals_by_format_and_tool_add_up(tmp_path: Path) -> None:
    stats = store(tmp_path)
    for tool, raw, sent, fmt, error in [
        ("a", 100, 40, "toon", False),
        ("a", 50, 50, "json", False),
        ("b", 10, 10, "text", True),
    ]:
        stats.record(CallRecord(tool, raw, sent, fmt, 1.0, is_error=error))
    totals = stats.totals()
    assert {k: totals[k] for k in ("calls", "raw_tokens", "sent_tokens", "errors")} == {
        "calls": 3, "raw_tokens": 160, "sent_tokens": 100, "errors": 1,
    }  # fmt: skip
    assert totals["saved_tokens"] == 60 and totals["saved_pct"] == 37.5
    assert list(totals["by_format"]) == ["json", "text", "toon"]
    assert totals["by_format"]["toon"]["saved_pct"] == 60.0
    assert totals["tools"]["a"] == {
        "calls": 2, "raw_tokens": 150, "sent_tokens": 90, "errors": 0,
        "saved_tokens": 60, "saved_pct": 40.0,
    }  # fmt: skip
    only_b = stats.totals(tool="b")
    assert only_b["calls"] == 1 and list(only_b["tools"]) == ["b"] and only_b["saved_pct"] == 0.0


def test_recent_is_newest_first_and_limited(tmp_path: Path) -> None:
    stats = store(tmp_path)
    for i in range(5):
        stats.record(CallRecord(f"t{i}", 10, 4, "json", 1.0, error=None))
    recent = stats.recent(3)
    assert [r["tool"] for r in recent] == ["t4", "t3", "t2"]
    assert recent[0]["saved_tokens"] == 6 and recent[0]["is_error"] is False
    assert recent[0]["stages"] == []
