"""The stats database: numbered migrations run once, WAL mode, safe to open concurrently."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from nocp.errors import NocpError
from nocp.store.db import MIGRATIONS, migrate, open_database
from tests.conftest import REPO


def test_a_new_file_gets_every_migration_once_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "dir" / "nocp.db"  # missing parents are created
    db = open_database(path)
    rows = db.execute("SELECT version, name FROM _migrations ORDER BY version").fetchall()
    assert rows == [(i, name) for i, (name, _) in enumerate(MIGRATIONS, start=1)]
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "calls" in tables
    assert {row[1] for row in db.execute("PRAGMA table_info(calls)")} >= {
        "ts",
        "tool",
        "raw_tokens",
        "sent_tokens",
        "format",
        "is_error",
        "total_ms",
        "normalize_tokens",
        "normalize_ms",
        "prune_tokens",
        "prune_ms",
        "distill_tokens",
        "distill_ms",
        "encode_tokens",
        "encode_ms",
        "stages",
        "error",
    }


def test_reopening_does_not_run_migrations_again(tmp_path: Path) -> None:
    path = tmp_path / "nocp.db"
    db = open_database(path)
    db.execute(
        "INSERT INTO calls (ts, tool, raw_tokens, sent_tokens, format, total_ms) "
        "VALUES ('t', 'x', 2, 1, 'json', 1)"
    )
    applied = db.execute("SELECT applied_at FROM _migrations").fetchall()
    db.close()
    again = open_database(path)
    assert migrate(again) == 0
    assert again.execute("SELECT applied_at FROM _migrations").fetchall() == applied
    count = again.execute("SELECT count(*) FROM calls").fetchone()[0]
    assert count == 1  # the data is still there: nothing was re-created


def test_a_file_that_is_not_sqlite_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "nocp.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(NocpError, match=r"cannot open the stats database .*nocp\.db.* NOCP_DB"):
        open_database(path)


def test_an_unwritable_location_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(NocpError, match="set NOCP_DB or \\[stats\\] db to a writable file"):
        open_database(blocker / "nocp.db")


OPEN_AND_WRITE = """
import sys, time
from pathlib import Path
from nocp.store.db import open_database
print("ready", flush=True)
go = Path(sys.argv[1] + ".go")
while not go.exists():  # start together: the imports above take a while
    time.sleep(0.005)
db = open_database(Path(sys.argv[1]))
for i in range(20):
    db.execute("INSERT INTO calls (ts, tool, raw_tokens, sent_tokens, format, total_ms) "
               "VALUES ('t', ?, 2, 1, 'json', 1)", [sys.argv[2]])
"""


def test_processes_opening_the_same_new_file_at_once_do_not_fail(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_AND_WRITE, str(path), f"p{i}"],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for i in range(2)
    ]
    for process in processes:
        assert process.stdout is not None
        assert process.stdout.readline() == b"ready\n"
    Path(f"{path}.go").touch()
    errors = [p.communicate(timeout=60)[1].decode() for p in processes]
    assert [p.returncode for p in processes] == [0, 0], errors
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM _migrations").fetchone()[0] == len(MIGRATIONS)
    assert conn.execute("SELECT count(*) FROM calls").fetchone()[0] == 40
