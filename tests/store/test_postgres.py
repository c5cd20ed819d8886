"""The PostgreSQL back end: its migrations mirror SQLite's, replicas starting together apply
each once, the stores survive a server restart, and a server that cannot be reached is a
StoreError that names it (without its password)."""

from __future__ import annotations

import threading

import pytest

from nocp.config import StoreSettings
from nocp.errors import StoreError
from nocp.store import db as sqlite_db
from nocp.store import pg_migrations
from nocp.store.postgres import PgDatabase
from nocp.store.stats import CallRecord, StatsStore
from tests.services import Postgres

pytestmark = pytest.mark.slow  # a PostgreSQL cluster starts for them


def test_the_migrations_have_the_same_numbers_and_names_as_sqlite() -> None:
    assert [name for name, _ in pg_migrations.MIGRATIONS] == [name for name, _ in sqlite_db.MIGRATIONS]


def test_replicas_starting_at_once_apply_each_migration_once(pg: Postgres) -> None:
    url = pg.url()
    replicas = [PgDatabase(StoreSettings(url=url, pool_min=0, pool_max=1)) for _ in range(4)]
    errors: list[BaseException] = []

    def start(db: PgDatabase) -> None:
        try:
            db.ready()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(db,)) for db in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    rows = replicas[0].query("SELECT version, name FROM _migrations ORDER BY version")
    assert [(r["version"], r["name"]) for r in rows] == [
        (i, name) for i, (name, _) in enumerate(pg_migrations.MIGRATIONS, start=1)
    ]
    for db in replicas:
        db.close()


def test_the_stores_reconnect_after_a_restart(pg: Postgres) -> None:
    db = PgDatabase(StoreSettings(url=pg.url(), pool_min=1, pool_max=2))
    stats = StatsStore(db)
    stats.record(CallRecord("before", 10, 5, "json", 1.0))
    pg.restart()  # every pooled connection is cut
    stats.record(CallRecord("after", 10, 5, "json", 1.0))
    assert [r["tool"] for r in stats.recent()] == ["after", "before"]
    db.close()


def test_an_unreachable_server_is_a_store_error_without_the_password() -> None:
    from tests.services import free_port

    url = f"postgresql://nocp:hunter2-secret@127.0.0.1:{free_port()}/nocp"
    db = PgDatabase(StoreSettings(url=url, pool_min=0, connect_timeout_s=1))
    with pytest.raises(StoreError, match="unreachable") as caught:
        db.ready()
    assert "hunter2-secret" not in str(caught.value)
    db.close()
