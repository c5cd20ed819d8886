"""Opening the configured store: PostgreSQL when `[store] url` (or `NOCP_STORE_URL`) is set,
else the SQLite file of `[stats] db`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nocp.store.base import Stores

if TYPE_CHECKING:
    from nocp.config import Settings
    from nocp.store.stats import StatsStore


def open_stores(settings: Settings, *, stats: StatsStore | None = None) -> Stores:
    """The stores `settings` name (`stats`: an already open SQLite stats store to use), in
    `[store] namespace` ("" when unset: `NocpServer.from_settings` sets it for a sandbox).

    Raises:
        StoreError: the database cannot be opened (the message names it and what to set).
    """
    namespace = settings.store.namespace or ""
    if settings.store.url is not None and stats is None:
        from nocp.store.postgres import postgres_stores

        return postgres_stores(settings.store, settings.outputs, namespace)
    from nocp.store.sqlite import sqlite_stores

    return sqlite_stores(settings.stats.path(), settings.outputs, stats=stats, namespace=namespace)
