"""query_sqlite only reads: every write, ATTACH, state-changing PRAGMA, extension load and
hidden write is refused before it runs; the database file and its directory stay as they were."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from nocp.sources.builtin.sqlite import authorize
from tests.sources.builtin.conftest import call, disk_state, still_serving, value_of

pytestmark = pytest.mark.anyio

WRITES = {
    "insert": "INSERT INTO users (name) VALUES ('mallory')",
    "update": "UPDATE users SET name = 'mallory'",
    "delete": "DELETE FROM users",
    "drop": "DROP TABLE users",
    "create": "CREATE TABLE evil (x)",
    "create_temp": "CREATE TEMP TABLE evil (x)",
    "create_view": "CREATE VIEW evil AS SELECT 1",
    "create_trigger": "CREATE TRIGGER t AFTER INSERT ON users BEGIN DELETE FROM users; END",
    "alter": "ALTER TABLE users ADD COLUMN evil TEXT",
    "attach_file": "ATTACH DATABASE 'attached.db' AS evil",
    "attach_memory": "ATTACH DATABASE ':memory:' AS evil",
    "detach": "DETACH DATABASE main",
    "pragma_writable_schema": "PRAGMA writable_schema = ON",
    "pragma_user_version": "PRAGMA user_version = 99",
    "pragma_journal_mode": "PRAGMA journal_mode = WAL",
    "pragma_query_only_off": "PRAGMA query_only = OFF",
    "pragma_page_size": "PRAGMA page_size = 512",
    "load_extension": "SELECT load_extension('/tmp/evil.so')",
    "write_in_cte_insert": "WITH c(n) AS (SELECT 'm') INSERT INTO users (name) SELECT n FROM c",
    "write_in_cte_delete": "WITH c AS (SELECT 1) DELETE FROM users WHERE id IN (SELECT * FROM c)",
    "replace": "REPLACE INTO users (id, name) VALUES (1, 'mallory')",
    "upsert_returning": "INSERT INTO users (name) VALUES ('m') RETURNING id",
    "vacuum_into": "VACUUM INTO 'copy.db'",
    "vacuum": "VACUUM",
    "reindex": "REINDEX",
    "analyze": "ANALYZE",
    "begin": "BEGIN IMMEDIATE",
    "savepoint": "SAVEPOINT s",
    "virtual_table": "CREATE VIRTUAL TABLE v USING fts5(x)",
}


@pytest.fixture
def database(layout: dict[str, Path]) -> Path:
    path = layout["root"] / "app.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, team TEXT)")
        db.executemany(
            "INSERT INTO users (name, team) VALUES (?, ?)",
            [(f"user{i}", "core" if i % 2 else "web") for i in range(1200)],
        )
        db.execute("CREATE INDEX users_team ON users (team)")
        db.execute("PRAGMA user_version = 7")
    db.close()
    return path


@pytest.mark.parametrize("case", sorted(WRITES))
async def test_writes_are_refused_and_nothing_changes(
    builtin_server, connect, layout, database, case: str
) -> None:
    before = disk_state(layout["tmp"])
    async with connect(builtin_server()) as client:
        is_error, text = await call(client, "query_sqlite", {"database": "app.db", "sql": WRITES[case]})
        count = await call(
            client, "query_sqlite", {"database": "app.db", "sql": "SELECT count(*) AS n FROM users"}
        )
        await still_serving(client)
    assert is_error
    assert "query_sqlite only reads" in text
    assert count[0] is False and value_of(count[1]) == [{"n": 1200}]
    assert disk_state(layout["tmp"]) == before  # no file written, created (attached.db, -wal) or touched


async def test_more_than_one_statement_is_refused(builtin_server, connect, layout, database) -> None:
    before = disk_state(layout["tmp"])
    async with connect(builtin_server()) as client:
        is_error, text = await call(
            client, "query_sqlite", {"database": "app.db", "sql": "SELECT 1; DROP TABLE users"}
        )
    assert is_error and "You can only execute one statement at a time" in text
    assert disk_state(layout["tmp"]) == before


async def test_the_authorizer_alone_denies_writes(tmp_path: Path) -> None:
    """The second guard holds even on a connection opened read-write."""
    db = sqlite3.connect(tmp_path / "rw.db")
    db.execute("CREATE TABLE t (x)")
    db.set_authorizer(authorize)
    for sql in (
        WRITES["insert"].replace("users (name)", "t (x)"),
        "DROP TABLE t",
        "ATTACH ':memory:' AS a",
        "PRAGMA writable_schema = ON",
        "PRAGMA user_version = 3",
    ):
        with pytest.raises(sqlite3.DatabaseError, match="not authorized"):
            db.execute(sql)
    assert db.execute("SELECT count(*) FROM t").fetchone() == (0,)
    db.close()


async def test_reads_work_with_params_row_cap_and_true_total(
    builtin_server, connect, layout, database
) -> None:
    async with connect(builtin_server(sqlite={"max_rows": 3})) as client:
        capped = await call(
            client, "query_sqlite", {"database": "app.db", "sql": "SELECT id, name FROM users"}
        )
        params = await call(
            client,
            "query_sqlite",
            {
                "database": "app.db",
                "sql": "SELECT name FROM users WHERE id = ?",
                "params": [2],
            },
        )
        bad_params = await call(
            client,
            "query_sqlite",
            {
                "database": "app.db",
                "sql": "SELECT name FROM users WHERE id = ?",
                "params": [1, 2],
            },
        )
        named = await call(
            client,
            "query_sqlite",
            {
                "database": "app.db",
                "sql": "SELECT name FROM users WHERE team = :team AND id < 5",
                "params": {"team": "web"},
            },
        )
        pragma = await call(client, "query_sqlite", {"database": "app.db", "sql": "PRAGMA table_info(users)"})
        version = await call(client, "query_sqlite", {"database": "app.db", "sql": "PRAGMA user_version"})
        recursive = await call(
            client,
            "query_sqlite",
            {
                "database": "app.db",
                "sql": "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 2)"
                " SELECT n FROM c",
            },
        )
    assert value_of(capped[1]) == {
        "rows": [
            {"id": 1, "name": "user0"},
            {"id": 2, "name": "user1"},
            {"id": 3, "name": "user2"},
        ],
        "total_rows": 1200,
        "note": "… first 3 of 1,200 rows; narrow with WHERE or page with LIMIT/OFFSET",
    }
    assert value_of(params[1]) == [{"name": "user1"}]
    assert bad_params[0] and "Incorrect number of bindings supplied" in bad_params[1]
    assert value_of(named[1]) == [{"name": "user0"}, {"name": "user2"}]
    assert [c["name"] for c in value_of(pragma[1])] == ["id", "name", "team"]
    assert value_of(version[1]) == [{"user_version": 7}]
    assert value_of(recursive[1]) == [{"n": 1}, {"n": 2}]


async def test_a_file_that_is_not_a_database_is_refused(builtin_server, connect, layout) -> None:
    async with connect(builtin_server()) as client:
        is_error, text = await call(client, "query_sqlite", {"database": "hello.txt", "sql": "select 1"})
        missing = await call(client, "query_sqlite", {"database": "nope.db", "sql": "select 1"})
    assert is_error and "'hello.txt' is not a SQLite database" in text
    assert missing[0] and "no such file or directory: 'nope.db'" in missing[1]
    assert not (layout["root"] / "nope.db").exists()
