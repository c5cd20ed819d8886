"""Terminal rendering of stats and call figures (rich), for `nocp stats` and `nocp demo`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table


def print_stats(totals: dict[str, Any], db: Path | None = None, console: Console | None = None) -> None:
    """Print the totals line and the per-tool table of a `nocp://stats` document."""
    console = console or Console()
    where = f" ({db})" if db else ""
    console.print(
        f"[bold]{totals['calls']:,} calls[/bold]{where}: {totals['raw_tokens']:,} raw tokens → "
        f"{totals['sent_tokens']:,} sent, [green]{totals['saved_tokens']:,} saved "
        f"({totals['saved_pct']}%)[/green]" + _net_line(totals)
    )
    if not totals["tools"]:
        return
    table = Table("tool", "calls", "errors", "raw tokens", "sent tokens", "saved", "nocp's cost", "net saved")
    for name, row in totals["tools"].items():
        table.add_row(
            name,
            f"{row['calls']:,}",
            f"{row['errors']:,}",
            f"{row['raw_tokens']:,}",
            f"{row['sent_tokens']:,}",
            f"{row['saved_pct']}%",
            f"{row.get('overhead_tokens', 0) + row.get('expand_tokens', 0):,}",
            f"{row.get('net_saved_tokens', row['saved_tokens']):,}",
        )
    console.print(table)
    if totals.get("upstreams"):
        upstreams = Table("upstream", "calls", "raw tokens", "sent tokens", "nocp's cost", "net saved")
        for name, row in totals["upstreams"].items():
            cost = row["overhead_tokens"] + row["expand_tokens"]
            net = f"{row['net_saved_tokens']:,} ({row['net_saved_pct']}%)"
            upstreams.add_row(name, f"{row['calls']:,}", f"{row['raw_tokens']:,}", f"{row['sent_tokens']:,}",
                              f"{cost:,}", net)  # fmt: skip
        console.print(upstreams)


def _net_line(totals: dict[str, Any]) -> str:
    """`; net N (P%)` after the schema tokens nocp added and its expansions ("" for an older
    document without them)."""
    if "net_saved_tokens" not in totals:
        return ""
    return (
        f"; net [bold]{totals['net_saved_tokens']:,}[/bold] ({totals['net_saved_pct']}%) after "
        f"{totals['overhead_tokens']:,} schema tokens over {totals['sessions']:,} sessions and "
        f"{totals['expand_tokens']:,} in {totals['expansions']:,} expansions"
    )
