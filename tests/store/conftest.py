"""The store tests run on both back ends: `db` is a fresh SQLite file, or a fresh schema of a
private PostgreSQL cluster (tests/services.py), for every test. Starting the cluster takes
seconds, so the PostgreSQL runs are slow-marked: `./nocp test --slow` and CI run both."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nocp.config import StoreSettings
from nocp.store.db import open_database
from nocp.store.sql import Sql
from tests.services import Postgres


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.slow)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Sql]:
    """A new, empty database of each back end."""
    if request.param == "sqlite":
        database: Sql = open_database(tmp_path / "nocp.db")
    else:
        from nocp.store.postgres import PgDatabase

        server: Postgres = request.getfixturevalue("pg")
        database = PgDatabase(StoreSettings(url=server.url(), pool_min=0, pool_max=2))
    try:
        yield database
    finally:
        database.close()
