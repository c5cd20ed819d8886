"""The SQLite back end, nocp's embedded default: one file (WAL) for every concern."""

from __future__ import annotations

from pathlib import Path

from nocp.config import OutputsSettings
from nocp.store.base import Stores
from nocp.store.cache import DistillCache, ResultCache, sqlite_cache_db
from nocp.store.db import Database, open_database
from nocp.store.handles import HandleStore
from nocp.store.stats import StatsStore


def sqlite_stores(
    path: Path, outputs: OutputsSettings, *, stats: StatsStore | None = None, namespace: str = ""
) -> Stores:
    """The stores in the SQLite file at `path` (or around the already open `stats`), seeing
    the rows of `namespace` (`store.scope.namespace_of`).

    Raises:
        StoreError: the file cannot be created or opened.
    """
    db = stats.db if stats is not None else open_database(path)
    if not isinstance(db, Database):
        raise TypeError(f"expected a StatsStore on a SQLite database, got one on {type(db).__name__}")
    stats = stats or StatsStore(db, namespace)
    db_file = db.path
    return Stores(
        stats=stats,
        handles=HandleStore(db, outputs, namespace),
        results=ResultCache(sqlite_cache_db(db_file), namespace) if db_file else None,
        summaries=DistillCache(sqlite_cache_db(db_file)) if db_file else None,
        prepare=db.ready,
    )
