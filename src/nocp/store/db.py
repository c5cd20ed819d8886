"""Opening the SQLite file: WAL mode, a busy timeout, and numbered migrations.

Each migration runs once, in its own transaction, and is recorded in `_migrations`. Add new
ones at the end of `MIGRATIONS`; never edit one that has shipped.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from nocp.errors import StoreError

Database = sqlite3.Connection
"""The stats database: a plain sqlite3 connection in autocommit mode (`isolation_level=None`)."""

Migration = Callable[[Database], None]


def _m001_calls(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE calls (
            id INTEGER PRIMARY KEY,
            ts TEXT NOT NULL,
            tool TEXT NOT NULL,
            raw_tokens INTEGER NOT NULL,
            sent_tokens INTEGER NOT NULL,
            format TEXT NOT NULL,
            is_error INTEGER NOT NULL DEFAULT 0,
            total_ms REAL NOT NULL,
            normalize_tokens INTEGER, normalize_ms REAL,
            prune_tokens INTEGER, prune_ms REAL,
            distill_tokens INTEGER, distill_ms REAL,
            encode_tokens INTEGER, encode_ms REAL,
            stages TEXT,
            error TEXT
        )
        """
    )
    db.execute("CREATE INDEX calls_tool ON calls (tool)")


def _m002_outputs(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE outputs (
            handle TEXT PRIMARY KEY,
            created_at REAL NOT NULL,
            tool TEXT NOT NULL,
            kind TEXT NOT NULL,
            size INTEGER NOT NULL,
            data BLOB NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX outputs_created ON outputs (created_at)")
    db.execute("ALTER TABLE calls ADD COLUMN handle TEXT")


def _m003_distill(db: Database) -> None:
    for column, kind in (
        ("distill_backend", "TEXT"),
        ("distill_decision", "TEXT"),
        ("distill_saved_tokens", "INTEGER"),
        ("distill_value_usd", "REAL"),
        ("distill_cost_usd", "REAL"),
        ("distill_cached", "INTEGER"),
        ("distill_reason", "TEXT"),
        ("cache_hit", "INTEGER NOT NULL DEFAULT 0"),
    ):
        db.execute(f"ALTER TABLE calls ADD COLUMN {column} {kind}")
    db.execute(
        """
        CREATE TABLE distillations (
            key TEXT PRIMARY KEY,
            backend TEXT NOT NULL,
            prompt_version TEXT NOT NULL,
            summary TEXT NOT NULL,
            cost_usd REAL NOT NULL,
            created_at REAL NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE results (
            key TEXT PRIMARY KEY,
            tool TEXT NOT NULL,
            created_at REAL NOT NULL,
            text TEXT NOT NULL,
            format TEXT NOT NULL,
            raw_tokens INTEGER NOT NULL,
            sent_tokens INTEGER NOT NULL,
            handle TEXT
        )
        """
    )


MIGRATIONS: tuple[tuple[str, Migration], ...] = (
    ("calls", _m001_calls),
    ("outputs", _m002_outputs),
    ("distill", _m003_distill),
)
"""(name, function) in order; the position + 1 is the migration's number."""


def open_database(path: Path) -> Database:
    """Open (or create) the database at `path` and bring its schema up to date.

    Raises:
        NocpError: the file cannot be created or opened; the message names it.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, timeout=10, isolation_level=None)
        db.execute("PRAGMA busy_timeout = 10000")
        _enable_wal(db)
        db.execute("PRAGMA synchronous = NORMAL")  # WAL stays consistent; no fsync per call
        migrate(db)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(
            f"cannot open the stats database {str(path)!r}: {exc} "
            "(set NOCP_DB or [stats] db to a writable file)"
        ) from exc
    return db


def _enable_wal(db: Database, attempts: int = 100) -> None:
    """Switch to WAL. Two processes creating the same file at once can get "database is
    locked" here at once — SQLite does not wait on the busy timeout for a journal-mode
    change — so the switch is retried for up to ~5 s."""
    for attempt in range(attempts):
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.05)


def migrate(db: Database) -> int:
    """Apply the migrations not yet applied; return how many ran."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS _migrations "
        "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    done = {row[0] for row in db.execute("SELECT version FROM _migrations").fetchall()}
    ran = 0
    for version, (name, migration) in enumerate(MIGRATIONS, start=1):
        if version in done:
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            if db.execute("SELECT 1 FROM _migrations WHERE version = ?", [version]).fetchone():
                db.execute("ROLLBACK")  # another process got there first
                continue
            migration(db)
            db.execute(
                "INSERT INTO _migrations VALUES (?, ?, ?)",
                [version, name, datetime.now(UTC).isoformat(timespec="seconds")],
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        ran += 1
    return ran
