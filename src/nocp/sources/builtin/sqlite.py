"""Built-in `query_sqlite`: read-only SQL on a SQLite file inside the sandbox.

Two independent guards: the file is opened read-only (`mode=ro` URI, so SQLite itself refuses to
write), and an authorizer allows only reading — every write, schema change, ATTACH/DETACH,
transaction statement, `load_extension` call and state-changing PRAGMA is denied before it runs.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from nocp.errors import QueryRefused, SandboxError
from nocp.sources.builtin.files import unique_names as _unique
from nocp.sources.builtin.sandbox import Sandbox, open_regular
from nocp.sources.builtin.settings import SqliteSettings

HEADER = b"SQLite format 3\x00"

_ALLOWED_ACTIONS = frozenset({sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_RECURSIVE})

READ_ONLY_PRAGMAS = frozenset(
    {
        "table_info",
        "table_xinfo",
        "table_list",
        "index_list",
        "index_info",
        "index_xinfo",
        "foreign_key_list",
        "foreign_key_check",
        "database_list",
        "collation_list",
        "function_list",
        "module_list",
        "pragma_list",
        "compile_options",
        "integrity_check",
        "quick_check",
    }
)
"""PRAGMAs that only read, whatever their argument (the argument names a table or a limit)."""

QUERY_PRAGMAS = frozenset(
    {
        "user_version",
        "application_id",
        "schema_version",
        "data_version",
        "page_count",
        "page_size",
        "freelist_count",
        "encoding",
        "journal_mode",
        "auto_vacuum",
        "max_page_count",
    }
)
"""PRAGMAs that read without an argument but change state with one (`user_version = 7`)."""

DENIED_FUNCTIONS = frozenset({"load_extension", "readfile", "writefile", "edit", "fts3_tokenizer"})


def authorize(action: int, arg1: str | None, arg2: str | None, _db: str | None, _trigger: str | None) -> int:
    """The SQLite authorizer: allow reading, deny everything else (see the module docstring)."""
    if action in _ALLOWED_ACTIONS:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_FUNCTION:
        return sqlite3.SQLITE_DENY if (arg2 or "").lower() in DENIED_FUNCTIONS else sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA:
        name = (arg1 or "").lower()
        if name in READ_ONLY_PRAGMAS or (name in QUERY_PRAGMAS and arg2 is None):
            return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def sqlite_tools(sandbox: Sandbox, limits: SqliteSettings) -> list[Callable[..., Any]]:
    """`query_sqlite`, bound to `sandbox` and `limits`."""

    def query_sqlite(database: str, sql: str, params: list[Any] | dict[str, Any] | None = None) -> Any:
        """Run one read-only SQL statement (SELECT, WITH … SELECT, or a read-only PRAGMA such as
        `PRAGMA table_info(t)`) on a SQLite file inside the sandbox. `params` fills `?` (a list)
        or `:name` (an object) placeholders. Returns rows (one object per row); past the row
        limit, the first rows and the true total. Writes, ATTACH, state-changing PRAGMAs and
        extensions are refused. Start with `SELECT name, sql FROM sqlite_schema` to see tables.
        """
        real = sandbox.resolve(database)
        _check_header(sandbox, real, database)
        connection = _connect(real, limits)
        try:
            return _run(connection, sql, params, limits)
        finally:
            connection.close()

    return [query_sqlite]


def _check_header(sandbox: Sandbox, real: Path, shown: str) -> None:
    fd = open_regular(sandbox, real, shown)
    with open(fd, "rb") as file:
        head = file.read(len(HEADER))
    if head != HEADER and head:
        raise SandboxError(f"{shown!r} is not a SQLite database (its header is not 'SQLite format 3')")


def _connect(real: Path, limits: SqliteSettings) -> sqlite3.Connection:
    uri = f"file:{quote(str(real))}?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
    except sqlite3.Error as exc:
        raise SandboxError(f"cannot open {str(real)!r} read-only: {exc}") from None
    connection.execute("PRAGMA query_only = ON")
    connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, limits.max_bytes)  # no GB-long value in memory
    deadline = time.monotonic() + limits.timeout_s
    # Return non-zero to interrupt a runaway query; checked every 10,000 virtual-machine steps.
    connection.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    connection.set_authorizer(authorize)
    return connection


def _run(
    connection: sqlite3.Connection,
    sql: str,
    params: list[Any] | dict[str, Any] | None,
    limits: SqliteSettings,
) -> Any:
    try:
        cursor = connection.execute(sql, params if params is not None else ())
        columns = _unique([d[0] for d in cursor.description or ()])
        rows: list[dict[str, Any]] = []
        size = 0
        for values in cursor:
            size += sum(len(v) if isinstance(v, (str, bytes)) else 8 for v in values)
            if len(rows) == limits.max_rows or size > limits.max_bytes:
                break
            rows.append(_row(columns, values))
        else:
            values = None
        total = len(rows) + (0 if values is None else 1 + sum(1 for _ in cursor))  # one row at a time
    except sqlite3.DatabaseError as exc:
        raise _explain(exc, sql, limits) from None
    except sqlite3.ProgrammingError as exc:
        raise SandboxError(f"cannot run this SQL: {exc}") from None
    if not columns:
        return "the statement returned no columns"
    if not rows and total:
        raise SandboxError(
            f"the first row alone is over the {limits.max_bytes:,}-byte cap ([builtins.sqlite] max_bytes); "
            "select fewer columns or substr() long values"
        )
    if not rows:
        return f"no rows (columns: {', '.join(columns)})"
    if total > len(rows):
        how = "narrow with WHERE or page with LIMIT/OFFSET"
        if size > limits.max_bytes:
            how = f"the {limits.max_bytes:,}-byte cap; select fewer columns, substr() long values or page"
        return {"rows": rows, "total_rows": total, "note": f"… first {len(rows):,} of {total:,} rows; {how}"}
    return rows


def _explain(exc: sqlite3.DatabaseError, sql: str, limits: SqliteSettings) -> SandboxError:
    message = str(exc)
    if any(word in message for word in ("not authorized", "authorization denied", "prohibited")):
        return QueryRefused(
            f"query_sqlite only reads: this statement writes, attaches a database, loads an "
            f"extension or changes state, and was refused before running ({message})"
        )
    if "readonly" in message:
        return QueryRefused(f"query_sqlite only reads: the database is opened read-only ({message})")
    if "too big" in message:
        return SandboxError(
            f"a value in the result is over the {limits.max_bytes:,}-byte cap ([builtins.sqlite] "
            "max_bytes); select substr(column, 1, N) or length(column) instead"
        )
    if "interrupted" in message:
        return SandboxError(f"query stopped after {limits.timeout_s:g} s; narrow it or add a LIMIT")
    return SandboxError(f"SQLite error: {message} (in: {sql[:200]})")


def _row(columns: list[str], values: tuple[Any, ...]) -> dict[str, Any]:
    return {
        name: f"<blob, {len(v):,} bytes>" if isinstance(v, bytes) else v
        for name, v in zip(columns, values, strict=True)
    }
