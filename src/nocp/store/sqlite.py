"""The SQLite back end, nocp's embedded default: one file (WAL) for every concern."""

from __future__ import annotations

from pathlib import Path

from nocp.config import OutputsSettings
from nocp.store.base import Stores
from nocp.store.cache import DistillCache, ResultCache
from nocp.store.db import open_database
from nocp.store.handles import HandleStore
from nocp.store.stats import StatsStore


def sqlite_stores(path: Path, outputs: OutputsSettings, *, stats: StatsStore | None = None) -> Stores:
    """The stores in the SQLite file at `path` (or around the already open `stats`).

    Raises:
        StoreError: the file cannot be created or opened.
    """
    stats = stats or StatsStore(open_database(path))
    db_file = stats.db.path
    return Stores(
        stats=stats,
        handles=HandleStore(stats.db, outputs),
        results=ResultCache(db_file) if db_file else None,
        summaries=DistillCache(db_file) if db_file else None,
        prepare=stats.db.ready,
    )
