"""`query_sqlite` is bounded in bytes, not only rows: big values never fill the server's memory,
and write-like statements (REINDEX, VACUUM, VACUUM INTO) are refused before they run."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from nocp.errors import QueryRefused, SandboxError
from nocp.sources.builtin.sandbox import Sandbox
from nocp.sources.builtin.settings import SqliteSettings
from nocp.sources.builtin.sqlite import sqlite_tools


@pytest.fixture
def query(tmp_path: Path):  # type: ignore[no-untyped-def]
    conn = sqlite3.connect(tmp_path / "big.db")
    conn.execute("CREATE TABLE t (id INTEGER, body TEXT)")
    conn.execute("CREATE INDEX t_id ON t (id)")
    conn.executemany("INSERT INTO t VALUES (?, ?)", [(i, "x" * 400_000) for i in range(5)])
    conn.commit()
    conn.close()
    return sqlite_tools(Sandbox.of([tmp_path]), SqliteSettings(max_bytes=1_000_000))[0]


def test_rows_stop_at_the_byte_cap_and_say_so(query) -> None:  # type: ignore[no-untyped-def]
    result = query("big.db", "SELECT id, body FROM t")
    assert len(result["rows"]) == 2 and result["total_rows"] == 5
    assert "1,000,000-byte cap" in result["note"]


def test_a_value_over_the_cap_is_a_clear_error(query) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SandboxError, match="over the 1,000,000-byte cap"):
        query("big.db", "SELECT group_concat(body) FROM t")
    with pytest.raises(SandboxError, match="over the 1,000,000-byte cap"):
        query("big.db", "SELECT zeroblob(2000000)")


@pytest.mark.parametrize("sql", ["REINDEX", "REINDEX t_id", "VACUUM", "VACUUM INTO 'copy.db'", "ANALYZE"])
def test_write_like_statements_are_refused_and_change_nothing(query, tmp_path: Path, sql: str) -> None:  # type: ignore[no-untyped-def]
    before = hashlib.sha256((tmp_path / "big.db").read_bytes()).hexdigest()
    with pytest.raises(QueryRefused):
        query("big.db", sql)
    assert hashlib.sha256((tmp_path / "big.db").read_bytes()).hexdigest() == before
    assert not (tmp_path / "copy.db").exists()
