"""`nocp stats`: the token savings recorded so far (`--json`: the `nocp://stats` document)."""

from __future__ import annotations

import argparse
import json


def main(args: argparse.Namespace, _: list[str]) -> int:
    """Print the totals of the stats database the configuration names."""
    from nocp.config import load_settings
    from nocp.store.db import open_database
    from nocp.store.stats import StatsStore

    settings = load_settings(args.config)
    store = StatsStore(open_database(settings.stats.path()), everyone=True)  # the file's owner
    totals = store.totals()
    if args.json:
        print(json.dumps(totals, indent=2))
        return 0
    from nocp.cli.report import print_stats

    print_stats(totals, settings.stats.path())
    return 0
