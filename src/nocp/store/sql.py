"""What the stores ask of a database, whichever back end holds it: the SQLite `Database`
(`db.py`) and PostgreSQL's `PgDatabase` (`postgres.py`) both answer it.

The stores write one SQL for both: `?` placeholders (PostgreSQL's back end turns them into
`%s`), no boolean arithmetic (`sum(CASE WHEN … THEN 1 ELSE 0 END)`, not `sum(a = b)`), and
integer token columns, so sums come back as Python ints from either.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol


class Executed(Protocol):
    """What one statement left: its row count and, for a query, its rows."""

    @property
    def rowcount(self) -> int: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...


class Sql(Protocol):
    """One database the stores use; every method commits at once and is thread-safe."""

    def ready(self) -> object:
        """Bring the schema up to date (once)."""
        ...

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Executed:
        """Run one statement."""
        ...

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """The rows of a query, as dicts by column name."""
        ...

    def insert(self, table: str, row: dict[str, Any], *, replace: bool = False, ignore: bool = False) -> None:
        """Insert one row (`replace`: or replace the row with its key; `ignore`: or keep it)."""
        ...

    def rows(self, table: str, where: str, params: Sequence[Any], select: str = "*") -> list[dict[str, Any]]:
        """The rows of `table` matching `where`."""
        ...

    def close(self) -> None:
        """Release the connection(s)."""
        ...
