"""`nocp stats`: the token savings recorded so far, over a window (`--since`), one row per tool,
upstream, day or format (`--by`); `--json` prints the same document for scripts."""

from __future__ import annotations

import argparse
import json
from typing import Any

SPARKS = "▁▂▃▄▅▆▇█"


def main(args: argparse.Namespace, _: list[str]) -> int:
    """Print the summary of the stats store the configuration names."""
    from nocp.config import load_settings
    from nocp.insights.summary import since, summarize
    from nocp.store import history
    from nocp.store.open import open_stores

    settings = load_settings(args.config)
    start = since(args.since) if args.since else None
    db = _database(settings, open_stores)
    db.ready()
    from nocp.insights.drift import detect

    calls = history.calls(db, start)
    document = summarize(calls, args.by, history.overhead(db, start))
    document["alerts"] = [alert.as_dict() for alert in detect(calls, settings.drift)]
    document["since"] = start
    document["store"] = "postgresql" if settings.store.url else str(settings.stats.path())
    if args.json:
        print(json.dumps(document, indent=2))
        return 0
    from rich.console import Console

    render(document, Console())
    return 0


def _database(settings: Any, open_stores: Any) -> Any:
    """The `Sql` behind the configured store (SQLite file or PostgreSQL)."""
    if settings.store.url:
        from nocp.store.postgres import PgDatabase

        return PgDatabase(settings.store)
    from nocp.store.db import open_database

    return open_database(settings.stats.path())


def render(document: dict[str, Any], console: Any) -> None:
    """The totals line, then one row per key with a bar (its share of the tokens saved) and a
    sparkline (tokens saved over the window)."""
    from rich.table import Table

    window = f"since {document['since']}" if document.get("since") else "all time"
    window += f", {document['store']}" if document.get("store") else ""
    net = document["net_saved_tokens"]
    console.print(
        f"[bold]{document['calls']:,} calls[/bold] ({window}): {document['raw_tokens']:,} raw tokens → "
        f"{document['sent_tokens']:,} sent, [green]{document['saved_tokens']:,} saved "
        f"({document['saved_pct']}%)[/green]"
        + (f", net {net:,} ({document['net_saved_pct']}%)" if net is not None else "")
        + f"; {document['errors']:,} errors"
    )
    for alert in document.get("alerts", []):
        console.print(
            f"[yellow]⚠ drift[/yellow] {alert['tool']}: {alert['kind']} {alert['before']} → "
            f"{alert['after']} (at {alert['ts']}, call {alert['call']})"
        )
    drifted = {alert["tool"] for alert in document.get("alerts", [])}
    rows = document["rows"]
    if not rows:
        return
    table = Table(document["by"], "calls", "errors", "saved", "net", "exp/cut", "p50 ms", "p95 ms",
                  "share of saved", "over time", expand=False)  # fmt: skip
    table.columns[0].overflow = "fold"  # long names wrap whole, never cut to "…"
    table.columns[0].min_width = 12
    top = max((max(r["saved_tokens"], 0) for r in rows.values()), default=0) or 1
    for name, row in rows.items():
        table.add_row(
            f"[yellow]⚠[/yellow] {name}" if document["by"] == "tool" and name in drifted else name,
            f"{row['calls']:,}",
            f"{row['errors']:,}" if not row["errors"] else f"[red]{row['errors']:,}[/red]",
            f"{row['saved_tokens']:,} ({row['saved_pct']}%)",
            "–" if row["net_saved_tokens"] is None else f"{row['net_saved_pct']}%",
            "–" if row["expansions_per_cut"] is None else f"{row['expansions_per_cut']:.2f}",
            _ms(row["p50_ms"]),
            _ms(row["p95_ms"]),
            bar(max(row["saved_tokens"], 0) / top),
            sparkline(row["series"]),
        )
    console.print(table)


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def bar(fraction: float, width: int = 16) -> str:
    """A horizontal bar of `fraction` (0..1) of `width` cells, in eighths."""
    eighths = round(max(0.0, min(1.0, fraction)) * width * 8)
    full, part = divmod(eighths, 8)
    return "[green]" + "█" * full + (" ▏▎▍▌▋▊▉"[part] if part else "") + "[/green]"


def sparkline(values: list[int]) -> str:
    """One block character per value, scaled to the largest."""
    top = max(values, default=0)
    if top <= 0:
        return SPARKS[0] * len(values)
    return "".join(SPARKS[min(7, int(7 * max(v, 0) / top))] for v in values)
