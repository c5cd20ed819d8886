"""The calls table and its aggregates (the documents behind nocp://stats)."""

from __future__ import annotations

import json

from nocp.pipeline.model import StageReport
from nocp.store import scope
from nocp.store.sql import Sql
from nocp.store.stats import CallRecord, Overhead, StatsStore


def test_a_record_fills_the_per_stage_columns(db: Sql) -> None:
    stats = StatsStore(db)
    stages = (StageReport("normalize", 90, 1.23456, "json"), StageReport("encode", 40, 2.0, "x"))
    stats.record(CallRecord("t", 100, 40, "toon", 5.5, stages=stages, ts="2026-01-01T00:00:00Z"))
    row = stats.db.query("SELECT * FROM calls")[0]
    assert row["normalize_tokens"] == 90 and row["normalize_ms"] == 1.235
    assert row["encode_tokens"] == 40 and row["prune_tokens"] is None
    assert json.loads(row["stages"])[0] == {
        "stage": "normalize",
        "tokens": 90,
        "ms": 1.235,
        "note": "json",
    }
    assert row["ts"] == "2026-01-01T00:00:00Z" and row["is_error"] == 0


def test_totals_by_format_and_tool_add_up(db: Sql) -> None:
    stats = StatsStore(db)
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
        "calls": 2, "raw_tokens": 150, "sent_tokens": 90, "errors": 0, "cuts": 0,
        "saved_tokens": 60, "saved_pct": 40.0, "overhead_tokens": 0, "expansions": 0,
        "expand_tokens": 0, "net_saved_tokens": 60, "net_saved_pct": 40.0,
    }  # fmt: skip
    only_b = stats.totals(tool="b")
    assert only_b["calls"] == 1 and list(only_b["tools"]) == ["b"] and only_b["saved_pct"] == 0.0


def test_recent_is_newest_first_and_limited(db: Sql) -> None:
    stats = StatsStore(db)
    for i in range(5):
        stats.record(CallRecord(f"t{i}", 10, 4, "json", 1.0, error=None))
    recent = stats.recent(3)
    assert [r["tool"] for r in recent] == ["t4", "t3", "t2"]
    assert recent[0]["saved_tokens"] == 6 and recent[0]["is_error"] is False
    assert recent[0]["stages"] == []


def test_a_tenant_sees_only_its_own_calls(db: Sql) -> None:
    stats = StatsStore(db)
    with scope.serving("alice"):
        stats.record(CallRecord("a", 100, 10, "json", 1.0, handle="h-alice"))
    with scope.serving("bob"):
        stats.record(CallRecord("b", 7, 7, "text", 1.0, is_error=True))
        assert stats.totals()["calls"] == 1 and list(stats.totals()["tools"]) == ["b"]
        assert [r["tool"] for r in stats.recent()] == ["b"]
        assert stats.totals(tool="a")["calls"] == 0
    with scope.serving("alice"):
        assert [r["handle"] for r in stats.recent()] == ["h-alice"]
        assert stats.totals()["raw_tokens"] == 100 and stats.totals()["errors"] == 0
    assert stats.totals()["calls"] == 0  # stdio's tenant ""


def test_distill_totals_count_each_decision(db: Sql) -> None:
    from dataclasses import dataclass

    @dataclass
    class Outcome:
        backend: str = "extractive"
        decision: str = "distilled"
        saved_tokens: int = 100
        value_usd: float = 0.01
        cost_usd: float = 0.002
        cached: bool = False
        reason: str = ""

    stats = StatsStore(db)
    for outcome in (Outcome(), Outcome(cached=True), Outcome(decision="declined", saved_tokens=0),
                    Outcome(decision="failed", saved_tokens=0)):  # fmt: skip
        stats.record(CallRecord("t", 500, 100, "text", 1.0, distillation=outcome))
    assert stats.totals()["distill"] == {
        "calls": 1, "cached": 1, "cost_usd": 0.002, "saved_tokens": 200,
        "declined": 1, "rejected": 0, "failed": 1,
    }  # fmt: skip
    assert stats.recent(1)[0]["distill"]["decision"] == "failed"


def test_a_namespace_sees_only_its_own_calls_and_the_owner_sees_all(db: Sql) -> None:
    a, b = StatsStore(db, "ns-a"), StatsStore(db, "ns-b")
    a.record(CallRecord("read_file", 100, 10, "json", 1.0, handle="h-a"))
    with scope.serving("alice"):
        a.record(CallRecord("read_file", 50, 5, "json", 1.0, handle="h-a-alice"))
        assert [r["handle"] for r in a.recent()] == ["h-a-alice"]
        assert b.recent() == [] and b.totals()["calls"] == 0
    b.record(CallRecord("query_sqlite", 7, 7, "text", 1.0))
    assert [r["handle"] for r in a.recent()] == ["h-a"]
    assert [r["tool"] for r in b.recent()] == ["query_sqlite"]
    assert StatsStore(db).totals()["calls"] == 0  # no namespace: neither of them
    assert StatsStore(db, everyone=True).totals()["calls"] == 3  # `nocp stats`: the file's owner


def test_net_savings_count_the_session_overhead_and_the_expansions(db: Sql) -> None:
    stats = StatsStore(db)
    stats.record(CallRecord("git_log", 5000, 800, "toon", 1.0, handle="h1", upstream="git"))
    stats.record(CallRecord("git_status", 40, 30, "text", 1.0, upstream="git"))
    stats.record(CallRecord("list_users", 100, 60, "json", 1.0))  # one of nocp's own tools
    stats.record(CallRecord("nocp_expand", 300, 300, "text", 1.0, expands="h1"))
    stats.record(CallRecord("nocp_expand", 20, 20, "text", 1.0, is_error=True, expands="unknown"))
    stats.record_overhead(
        [Overhead("s1", "git_log", 30, "git"), Overhead("s1", "git_diff", 30, "git"),
         Overhead("s1", "nocp_expand", 200, "git"), Overhead("s2", "git_log", 30, "git")]
    )  # fmt: skip
    totals = stats.totals()
    assert totals["saved_tokens"] == 4250 and totals["sessions"] == 2
    assert (totals["overhead_tokens"], totals["expansions"], totals["expand_tokens"]) == (290, 2, 320)
    assert totals["net_saved_tokens"] == 4250 - 290 - 320
    assert totals["net_saved_pct"] == round(100 * 3640 / 5140, 1) and totals["cuts"] == 1
    log = totals["tools"]["git_log"]
    assert (log["overhead_tokens"], log["expand_tokens"], log["net_saved_tokens"]) == (60, 300, 4200 - 360)
    assert (
        totals["tools"]["git_diff"]["calls"] == 0 and totals["tools"]["git_diff"]["net_saved_tokens"] == -30
    )
    expand = totals["tools"]["nocp_expand"]  # its schema, and the expansion of nothing known
    assert (expand["saved_tokens"], expand["net_saved_tokens"], expand["net_saved_pct"]) == (0, -220, 0.0)
    assert sum(t["net_saved_tokens"] for t in totals["tools"].values()) == totals["net_saved_tokens"]
    git = totals["upstreams"]["git"]
    assert (git["calls"], git["raw_tokens"], git["sent_tokens"]) == (2, 5040, 830)
    assert (git["overhead_tokens"], git["expand_tokens"]) == (290, 300)
    assert git["net_saved_tokens"] == 4210 - 290 - 300 and list(totals["upstreams"]) == ["git"]
    one = stats.totals(tool="git_log")
    assert one["net_saved_tokens"] == log["net_saved_tokens"] and list(one["tools"]) == ["git_log"]


def test_peaks_are_the_largest_result_of_each_upstream_tool(db: Sql) -> None:
    stats = StatsStore(db)
    for tool, raw, upstream, error in [
        ("read", 100, "fs", False), ("read", 9000, "fs", False), ("read", 50, "other", False),
        ("big_error", 99999, "fs", True), ("mine", 5000, None, False),
    ]:  # fmt: skip
        stats.record(CallRecord(tool, raw, raw, "text", 1.0, is_error=error, upstream=upstream))
    assert stats.peaks() == {("fs", "read"): 9000, ("other", "read"): 50}
    with scope.serving("other tenant"):
        assert stats.peaks() == {}
