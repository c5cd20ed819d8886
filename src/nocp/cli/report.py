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
        f"({totals['saved_pct']}%)[/green]"
    )
    if not totals["tools"]:
        return
    table = Table("tool", "calls", "errors", "raw tokens", "sent tokens", "saved")
    for name, row in totals["tools"].items():
        table.add_row(
            name,
            f"{row['calls']:,}",
            f"{row['errors']:,}",
            f"{row['raw_tokens']:,}",
            f"{row['sent_tokens']:,}",
            f"{row['saved_pct']}%",
        )
    console.print(table)
