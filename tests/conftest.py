"""Shared fixtures: a server on a real SQLite file, driven by the real MCP client in memory."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from nocp.config import Settings
from nocp.pipeline.tokens import use_bundled_bpe_files
from nocp.server import NocpServer
from nocp.sources.python import PythonSource
from nocp.store.db import open_database
from nocp.store.stats import StatsStore
from tests.services import Postgres, postgres

REPO = Path(__file__).resolve().parents[1]
SHARED = next((p / "shared" for p in REPO.parents if (p / "shared").is_dir()), REPO.parent / "shared")
"""The workspace's shared folder (TOON spec, corpus): beside the repository, or above a worktree."""

use_bundled_bpe_files()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true", help="also run the tests marked slow (CI does)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `slow` run only with `--slow` (or NOCP_SLOW_TESTS=1): the default run stays short."""
    if config.getoption("--slow") or os.environ.get("NOCP_SLOW_TESTS") == "1":
        return
    skip = pytest.mark.skip(reason="slow: run with `./nocp test --slow`")
    for item in items:
        if item.get_closest_marker("slow") is not None:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def pg() -> Iterator[Postgres]:
    """A private PostgreSQL cluster for the whole run (started on first use)."""
    with postgres() as server:
        yield server


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "nocp.db"


@pytest.fixture
def make_server(db_path: Path) -> Callable[..., NocpServer]:
    """Build a NocpServer over the given functions, with its stats in a temporary file."""

    def build(*functions: Callable[..., Any], **settings: Any) -> NocpServer:
        config = Settings(stats={"db": db_path}, **settings)
        stats = StatsStore(open_database(db_path))
        return NocpServer(config, sources=[PythonSource(functions)], stats=stats)

    return build


@pytest.fixture
async def connect() -> AsyncIterator[Callable[[NocpServer], Client]]:
    """`async with connect(server) as client:` — the SDK's in-memory client."""

    def open_client(server: NocpServer) -> Client:
        return Client(server.mcp_server)

    yield open_client


def text_of(result: Any) -> str:
    """All text blocks of a tool or resource result, joined."""
    blocks = getattr(result, "content", None) or getattr(result, "contents", [])
    return "".join(getattr(block, "text", "") for block in blocks)
