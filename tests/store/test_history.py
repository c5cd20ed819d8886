"""The window of calls the views aggregate (both back ends), and the summaries of it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from nocp.errors import NocpError
from nocp.insights.summary import key_of, since, summarize
from nocp.pipeline.model import StageReport
from nocp.store import history
from nocp.store.history import Call
from nocp.store.sql import Sql
from nocp.store.stats import CallRecord, StatsStore


def test_calls_since_a_time_with_pipeline_ms_and_cuts(db: Sql) -> None:
    stats = StatsStore(db)
    db.ready()
    stages = (StageReport("normalize", 90, 1.5, "json"), StageReport("encode", 40, 2.0, "toon"))
    stats.record(CallRecord("old", 10, 5, "json", 9.0, ts="2026-01-01T00:00:00.000+00:00"))
    stats.record(
        CallRecord(
            "new", 100, 40, "toon", 9.0, stages=stages, handle="h1", ts="2026-02-01T00:00:00.000+00:00"
        )
    )
    stats.record(CallRecord("bad", 7, 7, "text", 1.0, is_error=True, ts="2026-02-02T00:00:00.000+00:00"))
    window = history.calls(db, "2026-01-15T00:00:00.000+00:00")
    assert [c.tool for c in window] == ["new", "bad"]
    assert window[0].pipeline_ms == 3.5 and window[0].cut and not window[1].cut
    assert window[1].is_error and window[1].pipeline_ms == 0.0
    assert len(history.calls(db)) == 3


def _call(tool: str, raw: int, sent: int, ts: str, **kw: object) -> Call:
    fields: dict[str, object] = dict(upstream=None, format="json", is_error=False, pipeline_ms=1.0, cut=False)
    fields.update(kw)
    return Call(ts=ts, tool=tool, raw_tokens=raw, sent_tokens=sent, **fields)  # type: ignore[arg-type]


def test_summary_rows_percentiles_expansions_and_upstream_keys() -> None:
    calls = [
        _call("list", 1000, 100, f"2026-03-0{1 + i % 3}T00:00:00+00:00", upstream="git", cut=True,
              pipeline_ms=float(i + 1))
        for i in range(20)
    ]  # fmt: skip
    calls += [_call("list", 50, 50, "2026-03-03T01:00:00+00:00", upstream="fs", is_error=True)]
    calls += [
        _call("nocp_expand", 300, 300, "2026-03-03T02:00:00+00:00", expanded_tool="list", upstream="git")
    ]
    doc = summarize(calls, "tool")
    assert list(doc["rows"]) == ["fs/list", "git/list"]  # same-named tools of two upstreams stay apart
    git = doc["rows"]["git/list"]
    assert git["calls"] == 21 and git["cuts"] == 20 and git["expansions"] == 1
    assert git["expansions_per_cut"] == 0.05 and git["p50_ms"] == 10.0 and git["p95_ms"] == 19.0
    assert doc["rows"]["fs/list"]["errors"] == 1 and doc["rows"]["fs/list"]["p50_ms"] is None
    assert sum(git["series"]) == git["saved_tokens"] == 18000
    assert doc["net_saved_tokens"] is None  # the store does not count nocp's costs here
    net = summarize(calls, "upstream", {("git", "list"): 500})
    assert net["rows"]["git"]["net_saved_tokens"] == 18000 - 500 - 300
    assert list(summarize(calls, "day")["rows"]) == ["2026-03-01", "2026-03-02", "2026-03-03"]
    assert key_of(calls[0], "format") == "json"


def test_since_spans_and_dates() -> None:
    now = datetime(2026, 7, 28, 12, 0, tzinfo=UTC)
    assert since("1h", now) == "2026-07-28T11:00:00.000+00:00"
    assert since("7d", now) == "2026-07-21T12:00:00.000+00:00"
    assert since("2026-07-01", now) == "2026-07-01T00:00:00.000+00:00"
    with pytest.raises(NocpError, match="expected a span"):
        since("yesterday", now)


def test_a_shape_change_raises_a_reduction_alert_within_a_few_calls() -> None:
    from nocp.config.models import DriftSettings
    from nocp.insights.drift import detect

    settings = DriftSettings(window=20)
    before = [_call("list", 1000, 100, f"2026-03-01T00:{i:02d}:00+00:00") for i in range(40)]
    after = [_call("list", 1000, 950, f"2026-03-01T01:{i:02d}:00+00:00") for i in range(20)]
    alerts = detect(before + after, settings)
    (alert,) = alerts  # fires once, not on every later call
    assert alert.tool == "list" and alert.kind == "reduction" and alert.before == 90.0
    assert alert.call - 40 == 5  # calls after the change until it fires (window 20, 20 points)
    assert detect(before, settings) == []  # steady: nothing
    failing = [_call("t", 10, 5, "2026-03-02T00:00:00+00:00", is_error=i >= 30) for i in range(40)]
    assert [a.kind for a in detect(failing, settings)] == ["errors"]
