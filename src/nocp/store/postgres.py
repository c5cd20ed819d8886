"""The PostgreSQL back end: one database shared by every nocp process (replicas behind a load
balancer), through psycopg 3 and a connection pool (psycopg_pool).

The same stores as SQLite's run on it (`StatsStore`, `HandleStore`, `ResultCache`,
`DistillCache`: they speak `store.sql.Sql`); `PgDatabase` is that interface over the pool.
Every statement takes a connection from the pool, checked before use, in autocommit: a
connection that PostgreSQL dropped (a restart) is replaced, and a statement waits up to
`[store] connect_timeout_s` for one. The schema is brought up to date by the numbered
migrations of `pg_migrations.py` on first use, under an advisory lock, so replicas that start
together apply each migration once.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from nocp.config import OutputsSettings, StoreSettings
from nocp.errors import StoreError
from nocp.logs import get_logger
from nocp.store.base import Stores
from nocp.store.cache import DistillCache, ResultCache
from nocp.store.handles import HandleStore
from nocp.store.stats import StatsStore

if TYPE_CHECKING:
    from psycopg_pool import ConnectionPool

_log = get_logger(__name__)

KEYS = {"outputs": ("tenant", "handle"), "results": ("tenant", "key"), "distillations": ("key",)}
"""The primary key of each table rows are inserted into with `replace` or `ignore`."""

T = TypeVar("T")
_PLACEHOLDER = re.compile(r"\?")
_MIGRATION_LOCK = 0x6E6F6370  # "nocp": the advisory lock migrations run under


class _Done:
    """What a statement left (rows read at once: the connection goes back to the pool)."""

    def __init__(self, rowcount: int, rows: list[tuple[Any, ...]]) -> None:
        self.rowcount, self._rows = rowcount, rows

    def fetchone(self) -> Any:
        return self._rows[0] if self._rows else None

    def fetchall(self) -> list[Any]:
        return list(self._rows)


class PgDatabase:
    """`store.sql.Sql` over a psycopg connection pool."""

    path = None  # no file: the caches share the pool instead of opening their own

    def __init__(self, settings: StoreSettings) -> None:
        from psycopg_pool import ConnectionPool

        assert settings.url is not None
        self.settings = settings
        self._pool: ConnectionPool[Any] = ConnectionPool(
            settings.url,
            min_size=settings.pool_min,
            max_size=settings.pool_max,
            timeout=settings.connect_timeout_s,
            kwargs={"autocommit": True, "connect_timeout": max(1, int(settings.connect_timeout_s))},
            check=ConnectionPool.check_connection,
            open=True,
            name="nocp",
        )
        self._ready = False
        self._lock = threading.Lock()

    def ready(self) -> object:
        """Apply the missing migrations (once per process)."""
        if not self._ready:
            with self._lock:
                if not self._ready:
                    from nocp.store.pg_migrations import migrate

                    self._guarded(lambda: migrate(self._pool, _MIGRATION_LOCK))
                    self._ready = True
        return self

    def execute(self, sql: str, params: Sequence[Any] = ()) -> _Done:
        """Run one statement; its rows, if any, are read at once."""
        self.ready()

        def run() -> _Done:
            with self._pool.connection() as conn, conn.cursor() as cur:
                cur.execute(_PLACEHOLDER.sub("%s", sql), list(params))
                rows = cur.fetchall() if cur.description else []
                return _Done(cur.rowcount, rows)

        return self._guarded(run)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """The rows of a query, as dicts by column name."""
        self.ready()

        def run() -> list[dict[str, Any]]:
            from psycopg.rows import dict_row

            with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
                cur.execute(_PLACEHOLDER.sub("%s", sql), list(params))
                return list(cur.fetchall())

        return self._guarded(run)

    def insert(self, table: str, row: dict[str, Any], *, replace: bool = False, ignore: bool = False) -> None:
        """Insert one row; `replace` / `ignore` act on a row with the same key (`KEYS`)."""
        columns = list(row)
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        if replace or ignore:
            key = KEYS[table]
            updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c not in key)
            action = f"DO UPDATE SET {updates}" if replace and updates else "DO NOTHING"
            sql += f" ON CONFLICT ({', '.join(key)}) {action}"
        self.execute(sql, list(row.values()))

    def rows(self, table: str, where: str, params: Sequence[Any], select: str = "*") -> list[dict[str, Any]]:
        """The rows of `table` matching `where`."""
        return self.query(f"SELECT {select} FROM {table} WHERE {where}", params)

    def close(self) -> None:
        """Close the pool."""
        self._pool.close()

    def _guarded(self, run: Callable[[], T]) -> T:
        import psycopg

        try:
            return run()
        except (psycopg.OperationalError, psycopg.errors.ConnectionTimeout) as exc:
            raise StoreError(f"PostgreSQL store unreachable ({_safe(self.settings.url)}): {exc}") from exc
        except psycopg.Error as exc:
            raise StoreError(f"PostgreSQL store failed: {exc}") from exc


def _safe(url: str | None) -> str:
    from nocp.redact import redact_text

    return redact_text(url or "")


def postgres_stores(settings: StoreSettings, outputs: OutputsSettings, namespace: str = "") -> Stores:
    """Every store in the PostgreSQL database `settings.url`, over one pool, seeing the rows
    of `namespace` (`store.scope.namespace_of`).

    The pool connects in the background; the first use (or the warm-up) applies the
    migrations, and fails with a `StoreError` naming the server when it cannot be reached.

    Raises:
        StoreError: psycopg is not installed (it is the `postgres` extra).
    """
    import importlib.util

    if importlib.util.find_spec("psycopg_pool") is None:
        raise StoreError(
            "[store] url names a PostgreSQL store but psycopg is not installed: "
            "install the extra (`pip install 'nocp-mcp[postgres]'`) or unset [store] url"
        )
    db = PgDatabase(settings)
    return Stores(
        stats=StatsStore(db, namespace),
        handles=HandleStore(db, outputs, namespace),
        results=ResultCache(db, namespace),
        summaries=DistillCache(db),
        prepare=db.ready,
    )
