"""`nocp report`: one self-contained HTML page (inline SVG drawn here, no script, no network):
savings over time, per tool and per upstream, formats chosen, expansion rate, drift alerts."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from nocp.insights.drift import Alert

WIDTH, BAR_H = 720, 22
_CSS = """body{font:14px system-ui,sans-serif;margin:24px;color:#222;background:#fff}
h1{font-size:22px}h2{font-size:16px;margin-top:28px}table{border-collapse:collapse}
td,th{padding:3px 10px;border-bottom:1px solid #ddd;text-align:right}
td:first-child,th:first-child{text-align:left}
.alert{color:#a15c00}svg text{font:12px system-ui,sans-serif;fill:#333}"""


def build(by_day: dict[str, Any], by_tool: dict[str, Any], by_upstream: dict[str, Any],
          by_format: dict[str, Any], alerts: Sequence[Alert]) -> str:  # fmt: skip
    """The page, from the `nocp stats --json` documents of each grouping and the drift alerts."""
    total = by_day
    parts = [
        f"<h1>nocp: {total['saved_tokens']:,} tokens saved ({total['saved_pct']}%)</h1>",
        f"<p>{total['calls']:,} calls from {escape(str(total['from']))} to {escape(str(total['to']))}; "
        f"{total['errors']:,} errors; expansions per cut: {_or_dash(total['expansions_per_cut'])}"
        + (
            f"; net saved {total['net_saved_tokens']:,} ({total['net_saved_pct']}%)"
            if total["net_saved_tokens"] is not None
            else ""
        )
        + "</p>",
        "<h2>Tokens saved per day</h2>",
        _columns({k: v["saved_tokens"] for k, v in by_day["rows"].items()}),
        "<h2>Per tool</h2>",
        _bars({k: v["saved_tokens"] for k, v in by_tool["rows"].items()}),
        _table(by_tool["rows"]),
        "<h2>Per upstream</h2>",
        _bars({k: v["saved_tokens"] for k, v in by_upstream["rows"].items()}),
        "<h2>Formats chosen (calls)</h2>",
        _bars({k: v["calls"] for k, v in by_format["rows"].items()}),
        "<h2>Drift alerts</h2>",
        _alerts(alerts),
    ]
    body = "\n".join(parts)
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>nocp report</title>"
        f"<style>{_CSS}</style></head><body>{body}</body></html>"
    )


def _bars(values: dict[str, int]) -> str:
    """Horizontal bars, one per key, scaled to the largest."""
    if not values:
        return "<p>(none)</p>"
    top = max(max(values.values()), 1)
    label_w, bar_w = 300, WIDTH - 300 - 90
    rows = []
    for i, (name, value) in enumerate(sorted(values.items(), key=lambda kv: -kv[1])):
        y = i * BAR_H
        w = max(0, value) * bar_w / top
        rows.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{escape(name[:48])}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{BAR_H - 6}" fill="#3b8d5a"/>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + 15}">{value:,}</text>'
        )
    height = len(values) * BAR_H
    return f'<svg width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}">{"".join(rows)}</svg>'


def _columns(values: dict[str, int]) -> str:
    """Vertical columns over time (one per key, in key order)."""
    if not values:
        return "<p>(no calls)</p>"
    height, top = 180, max(max(values.values()), 1)
    step = WIDTH / len(values)
    cols = []
    for i, (name, value) in enumerate(values.items()):
        h = max(0, value) * (height - 30) / top
        cols.append(
            f'<rect x="{i * step + 2:.1f}" y="{height - 20 - h:.1f}" width="{max(step - 4, 1):.1f}" '
            f'height="{h:.1f}" fill="#2f6fb0"><title>{escape(name)}: {value:,}</title></rect>'
        )
        if len(values) <= 31:
            cols.append(f'<text x="{i * step + 2:.1f}" y="{height - 5}">{escape(name[5:])}</text>')
    return f'<svg width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}">{"".join(cols)}</svg>'


def _table(rows: dict[str, Any]) -> str:
    head = "<tr><th>tool</th><th>calls</th><th>errors</th><th>saved %</th><th>expansions/cut</th>"
    head += "<th>p50 ms</th><th>p95 ms</th></tr>"
    body = "".join(
        f"<tr><td>{escape(name)}</td><td>{r['calls']:,}</td><td>{r['errors']:,}</td><td>{r['saved_pct']}</td>"
        f"<td>{_or_dash(r['expansions_per_cut'])}</td><td>{_or_dash(r['p50_ms'])}</td>"
        f"<td>{_or_dash(r['p95_ms'])}</td></tr>"
        for name, r in rows.items()
    )
    return f"<table>{head}{body}</table>"


def _alerts(alerts: Sequence[Alert]) -> str:
    if not alerts:
        return "<p>No drift.</p>"
    items = "".join(
        f"<li class=alert>{escape(a.tool)}: {a.kind} {a.before} → {a.after} "
        f"at {escape(a.ts)} (call {a.call})</li>"
        for a in alerts
    )
    return f"<ul>{items}</ul>"


def _or_dash(value: Any) -> str:
    return "–" if value is None else str(value)
