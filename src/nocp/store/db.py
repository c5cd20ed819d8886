"""Opening the SQLite file: WAL mode, a busy timeout, and numbered migrations.

The store's library is sqlite-utils (table creation, inserts, queries; `transform` for a
schema change a plain `ALTER TABLE` cannot make). Importing it costs ≈0.65 s: it imports numpy
when numpy is installed (bm25s installs it), for its column-type map, and dateutil and click.
So it stays off the start-up path: `open_database` only opens the file with the standard
library (a bad path still fails at once, before the first request), and the schema is brought
up to date, with sqlite-utils, by `Database.ready()` — on first use, or in the warm-up the
server runs in a worker thread after its first `tools/list` reply.

Each migration runs once, in its own transaction, and is recorded in `_migrations`. Add new
ones at the end of `MIGRATIONS`; never edit one that has shipped.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nocp.errors import StoreError

if TYPE_CHECKING:
    import sqlite_utils
    from sqlite_utils.db import Table

Migration = Callable[["sqlite_utils.Database"], None]


def _table(db: sqlite_utils.Database, name: str) -> Table:
    """The table `name` (`db[name]` may also be a view in sqlite-utils' types)."""
    return db.table(name)


_STAGE_COLUMNS = {
    f"{stage}_{kind}": t
    for stage in ("normalize", "prune", "distill", "encode")
    for kind, t in (("tokens", int), ("ms", float))
}


def _m001_calls(db: sqlite_utils.Database) -> None:
    _table(db, "calls").create(
        {
            "id": int,
            "ts": str,
            "tool": str,
            "raw_tokens": int,
            "sent_tokens": int,
            "format": str,
            "is_error": int,
            "total_ms": float,
            **_STAGE_COLUMNS,
            "stages": str,
            "error": str,
        },
        pk="id",
        not_null={"ts", "tool", "raw_tokens", "sent_tokens", "format", "is_error", "total_ms"},
        defaults={"is_error": 0},
    )
    _table(db, "calls").create_index(["tool"], index_name="calls_tool")


def _m002_outputs(db: sqlite_utils.Database) -> None:
    _table(db, "outputs").create(
        {"handle": str, "created_at": float, "tool": str, "kind": str, "size": int, "data": bytes},
        pk="handle",
        not_null={"created_at", "tool", "kind", "size", "data"},
    )
    _table(db, "outputs").create_index(["created_at"], index_name="outputs_created")
    _table(db, "calls").add_column("handle", str)


def _m003_distill(db: sqlite_utils.Database) -> None:
    calls = _table(db, "calls")
    for column, kind in (
        ("distill_backend", str),
        ("distill_decision", str),
        ("distill_saved_tokens", int),
        ("distill_value_usd", float),
        ("distill_cost_usd", float),
        ("distill_cached", int),
        ("distill_reason", str),
    ):
        calls.add_column(column, kind)
    calls.add_column("cache_hit", int, not_null_default=0)
    _table(db, "distillations").create(
        {
            "key": str,
            "backend": str,
            "prompt_version": str,
            "summary": str,
            "cost_usd": float,
            "created_at": float,
        },
        pk="key",
        not_null={"backend", "prompt_version", "summary", "cost_usd", "created_at"},
    )
    _table(db, "results").create(
        {
            "key": str,
            "tool": str,
            "created_at": float,
            "text": str,
            "format": str,
            "raw_tokens": int,
            "sent_tokens": int,
            "handle": str,
        },
        pk="key",
        not_null={"tool", "created_at", "text", "format", "raw_tokens", "sent_tokens"},
    )


def _m004_tenant(db: sqlite_utils.Database) -> None:
    """Every call, stored original and cached result belongs to a tenant (`store/scope.py`):
    "" over stdio, a token's tenant over HTTP. Handles and result keys are unique per tenant."""
    _table(db, "calls").add_column("tenant", str, not_null_default="")
    _table(db, "calls").create_index(["tenant", "id"], index_name="calls_tenant")
    for name, key in (("outputs", "handle"), ("results", "key")):
        table = _table(db, name)
        table.add_column("tenant", str, not_null_default="")
        table.transform(pk=("tenant", key))
    _table(db, "outputs").create_index(["created_at"], index_name="outputs_created", if_not_exists=True)


def _m005_net(db: sqlite_utils.Database) -> None:
    """Net accounting: the upstream of each call (for an expansion: of the tool whose
    original it read, named in `expanded_tool`), and `overhead`, what nocp adds to a
    session's context (schema tokens of `focus` and of `nocp_expand`, once per session)."""
    calls = _table(db, "calls")
    calls.add_column("upstream", str)
    calls.add_column("expanded_tool", str)
    calls.create_index(["handle"], index_name="calls_handle")
    _table(db, "overhead").create(
        {"id": int, "ts": str, "tenant": str, "session": str, "tool": str, "upstream": str, "tokens": int},
        pk="id",
        not_null={"ts", "tenant", "session", "tool", "tokens"},
        defaults={"tenant": ""},
    )
    _table(db, "overhead").create_index(["tenant", "tool"], index_name="overhead_tenant_tool")


MIGRATIONS: tuple[tuple[str, Migration], ...] = (
    ("calls", _m001_calls),
    ("outputs", _m002_outputs),
    ("distill", _m003_distill),
    ("tenant", _m004_tenant),
    ("net", _m005_net),
)
"""(name, function) in order; the position + 1 is the migration's number."""


class Database:
    """One SQLite file: a standard-library connection (opened at start-up, cheap) and, from
    the first use on, the sqlite-utils view of it with an up-to-date schema.

    Usable from any thread: every statement runs under one lock.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path | None) -> None:
        self.path = path
        self._conn = conn
        self._lock = threading.RLock()
        self._utils: sqlite_utils.Database | None = None

    def ready(self) -> sqlite_utils.Database:
        """The sqlite-utils database, the migrations applied (imports sqlite-utils once)."""
        with self._lock:
            if self._utils is None:
                import sqlite_utils

                utils = sqlite_utils.Database(self._conn)
                _migrate(utils)
                self._utils = utils
            return self._utils

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Run one statement (autocommit) on the up-to-date schema."""
        with self._lock:
            self.ready()
            return self._conn.execute(sql, params)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """The rows of a query, as dicts by column name."""
        with self._lock:
            return list(self.ready().query(sql, params))

    def insert(self, table: str, row: dict[str, Any], *, replace: bool = False, ignore: bool = False) -> None:
        """Insert one row (`replace`: or replace it; `ignore`: or keep the one there)."""
        with self._lock:
            _table(self.ready(), table).insert(row, replace=replace, ignore=ignore)

    def rows(self, table: str, where: str, params: Sequence[Any], select: str = "*") -> list[dict[str, Any]]:
        """The rows of `table` matching `where`."""
        with self._lock:
            return list(_table(self.ready(), table).rows_where(where, params, select=select))

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()


def open_database(path: Path) -> Database:
    """Open (or create) the database at `path`; its schema is brought up to date on first use.

    Raises:
        StoreError: the file cannot be created or opened; the message names it.
    """
    try:
        _private_file(path)
        conn = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 10000")
        _enable_wal(conn)
        conn.execute("PRAGMA synchronous = NORMAL")  # WAL stays consistent; no fsync per call
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(
            f"cannot open the stats database {str(path)!r}: {exc} "
            "(set NOCP_DB or [stats] db to a writable file)"
        ) from exc
    return Database(conn, path)


def _private_file(path: Path) -> None:
    """Create the database file (and any missing folder) readable by its owner only — 0600 in
    0700 folders — and tighten a file of ours created looser: stored originals can hold
    passwords. SQLite gives its -wal and -shm files the database file's permissions."""
    missing = []
    folder = path.parent
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for created in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it first
            created.mkdir(mode=0o700)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        info = os.fstat(fd)
        if stat.S_ISREG(info.st_mode) and info.st_uid == os.getuid() and info.st_mode & 0o077:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
    for extra in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(OSError):
            if extra.stat().st_uid == os.getuid():
                extra.chmod(0o600)


def _enable_wal(conn: sqlite3.Connection, attempts: int = 100) -> None:
    """Switch to WAL. Two processes creating the same file at once can get "database is
    locked" here at once — SQLite does not wait on the busy timeout for a journal-mode
    change — so the switch is retried for up to ~5 s."""
    for attempt in range(attempts):
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.05)


def migrate(db: Database) -> int:
    """Apply the migrations not yet applied; return how many ran."""
    with db._lock:
        import sqlite_utils

        return _migrate(sqlite_utils.Database(db._conn))


def _migrate(db: sqlite_utils.Database) -> int:
    try:
        return _apply(db)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot bring the stats database up to date: {exc}") from exc


def _apply(db: sqlite_utils.Database) -> int:
    conn = db.conn
    conn.execute(
        "CREATE TABLE IF NOT EXISTS _migrations "
        "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    done = {row[0] for row in conn.execute("SELECT version FROM _migrations").fetchall()}
    ran = 0
    for version, (name, migration) in enumerate(MIGRATIONS, start=1):
        if version in done:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            if conn.execute("SELECT 1 FROM _migrations WHERE version = ?", [version]).fetchone():
                conn.execute("ROLLBACK")  # another process got there first
                continue
            migration(db)
            conn.execute(
                "INSERT INTO _migrations VALUES (?, ?, ?)",
                [version, name, datetime.now(UTC).isoformat(timespec="seconds")],
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        ran += 1
    return ran
