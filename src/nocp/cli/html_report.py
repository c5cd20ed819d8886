"""`nocp report [--out FILE.html]`: the stats as one self-contained HTML page."""

from __future__ import annotations

import argparse
from pathlib import Path

from nocp.config.models import DriftSettings
from nocp.store import history


def main(args: argparse.Namespace, _: list[str]) -> int:
    """Write the page (default: nocp-report.html) and print its path."""
    import sys

    from nocp.cli.stats import _database
    from nocp.config import load_settings
    from nocp.insights.summary import since
    from nocp.store.open import open_stores

    settings = load_settings(args.config)
    start = since(args.since) if args.since else None
    db = _database(settings, open_stores)
    db.ready()
    out: Path = args.out or Path("nocp-report.html")
    out.write_text(
        page(history.calls(db, start), history.overhead(db, start), settings.drift), encoding="utf-8"
    )
    print(out, file=sys.stdout)
    return 0


def page(
    calls: list[history.Call], overhead: dict[tuple[str | None, str], int] | None, drift: DriftSettings
) -> str:
    """The HTML of the report over `calls`."""
    from nocp.insights.drift import detect
    from nocp.insights.report import build
    from nocp.insights.summary import summarize

    docs = {by: summarize(calls, by, overhead) for by in ("day", "tool", "upstream", "format")}
    return build(docs["day"], docs["tool"], docs["upstream"], docs["format"], detect(calls, drift))
