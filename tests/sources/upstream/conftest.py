"""Fixtures of the upstream tests: the SDK test server (`upstream_server.py`) and a nocp over it."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nocp.config import Settings
from nocp.server import NocpServer

__all__ = ["SERVER", "nocp", "stdio"]

SERVER = str(Path(__file__).with_name("upstream_server.py"))
"""The upstream MCP server of these tests (written with the SDK)."""


def stdio(*flags: str, **extra: Any) -> dict[str, Any]:
    """An `[upstream.NAME]` table that starts `SERVER` (with `flags`) over stdio."""
    return {"command": sys.executable, "args": [SERVER, *flags], **extra}


@pytest.fixture
def nocp(db_path: Path) -> Callable[..., NocpServer]:
    """`nocp(NAME=stdio(), …)`: a NocpServer over those upstreams, built-ins off."""

    def build(**upstream: dict[str, Any]) -> NocpServer:
        settings = Settings(stats={"db": db_path}, upstream=upstream, builtins={"enabled": False})
        return NocpServer.from_settings(settings)

    return build
