"""The security suites drive a real `nocp serve` over stdio (`tests.wire.WireServer`)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.wire import WireServer

HERE = Path(__file__).resolve().parent
RAW_UPSTREAM = HERE.parent / "faults" / "raw_upstream.py"


def write_config(folder: Path, extra: str = "") -> Path:
    """A config serving the hostile tools (and `extra` TOML), written into `folder`."""
    config = folder / "nocp.toml"
    modules = [str(HERE / "hostile_tools.py")]
    config.write_text(f"[tools]\nmodules = {modules!r}\n{extra}".replace("'", '"'))
    return config


def raw_upstream(name: str, mode: str, *args: str) -> str:
    """The TOML table of an upstream `raw_upstream.py MODE ARGS`."""
    argv = [str(RAW_UPSTREAM), mode, *args]
    return f'[upstream.{name}]\ncommand = "{sys.executable}"\nargs = {argv!r}\n'.replace("'", '"')


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WireServer]:
    """One server for the module: the hostile tools and the file tools on a root of its own."""
    folder = tmp_path_factory.mktemp("served")
    root = folder / "root"
    root.mkdir()
    with WireServer(folder, "--config", str(write_config(folder)), "--root", str(root)) as server:
        server.root = root  # type: ignore[attr-defined]
        server.initialize()
        server.request("tools/list")  # as clients do; the warm-up (tokenizer, store) starts
        yield server
