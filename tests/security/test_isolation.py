"""Two sandboxes sharing one database (the user's default stats file) never see each other's
originals or calls; a restarted instance of the same sandbox sees its own; the file is 0600 in
a 0700 folder. Real servers (`NocpServer.from_settings`, as `nocp serve` builds them) on a real
SQLite file, driven by the SDK client in memory."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest
from mcp import Client

from nocp.config import Settings
from nocp.server import NocpServer
from nocp.sources.builtin import with_roots
from nocp.store.scope import namespace_of

pytestmark = pytest.mark.anyio

HANDLE = re.compile(r'handle="(h[0-9a-f]{32})"')


def _text(result: object) -> str:
    return "".join(getattr(block, "text", "") for block in getattr(result, "content", []))


def _project(root: Path, secret: str) -> Path:
    root.mkdir()
    rows = [
        {"id": i, "name": f"user {i}", "note": f"{secret} {i}" if i == 555 else "x" * 40} for i in range(800)
    ]
    (root / "users.json").write_text(json.dumps(rows))
    return root


def _server(db: Path, root: Path) -> NocpServer:
    return NocpServer.from_settings(Settings(stats={"db": db}), roots=[root])


async def _handle_of_read(client: Client) -> str:
    result = await client.call_tool("read_file", {"path": "users.json"})
    found = HANDLE.search(_text(result))
    assert found, _text(result)
    return found.group(1)


async def test_a_sandbox_never_sees_anothers_originals_or_calls(tmp_path: Path) -> None:
    db = tmp_path / "shared" / "stats.db"
    a_root, b_root = _project(tmp_path / "a", "A-SECRET"), _project(tmp_path / "b", "B-OWN")
    async with Client(_server(db, a_root).mcp_server) as a:
        handle = await _handle_of_read(a)
        mine = await a.call_tool("nocp_expand", {"handle": handle, "path": "[555]"})
        assert "A-SECRET 555" in _text(mine)
    async with Client(_server(db, b_root).mcp_server) as b:
        expanded = await b.call_tool("nocp_expand", {"handle": handle, "path": "[555]"})
        assert expanded.is_error and "A-SECRET" not in _text(expanded)
        assert f"no stored output under handle {handle!r}" in _text(expanded)
        with pytest.raises(Exception, match="no stored output"):
            await b.read_resource(f"nocp://outputs/{handle}")
        recent = json.loads((await b.read_resource("nocp://calls/recent")).contents[0].text)  # type: ignore[union-attr]
        assert [row["tool"] for row in recent] == ["nocp_expand"]  # its own failed try, not A's read
        assert all(row["handle"] is None for row in recent)
        stats = json.loads((await b.read_resource("nocp://stats")).contents[0].text)  # type: ignore[union-attr]
        assert stats["calls"] == 1 and "read_file" not in stats["tools"]
    async with Client(_server(db, a_root).mcp_server) as again:  # the same sandbox, restarted
        expanded = await again.call_tool("nocp_expand", {"handle": handle, "path": "[555]"})
        assert "A-SECRET 555" in _text(expanded)
        recent = await again.read_resource("nocp://calls/recent")
        assert handle in recent.contents[0].text  # type: ignore[union-attr]


def test_the_namespace_follows_the_roots_and_what_is_served(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (tmp_path / "link").symlink_to(a)
    of = lambda settings, root: namespace_of(with_roots(settings, [root]))  # noqa: E731
    assert of(Settings(), a) == of(Settings(), a) == of(Settings(), tmp_path / "link")
    assert of(Settings(), a) != of(Settings(), b)
    assert of(Settings(), a) != of(Settings(tools={"modules": ["x.py"]}), a)
    assert (
        of(Settings(store={"namespace": "team"}), a) == of(Settings(store={"namespace": "team"}), b) == "team"
    )


async def test_the_database_is_private_to_its_owner(tmp_path: Path) -> None:
    db = tmp_path / "new" / "deeper" / "stats.db"
    os.umask(old := os.umask(0o022))  # the usual umask: files 0644 unless made otherwise
    server = _server(db, _project(tmp_path / "p", "s"))
    async with Client(server.mcp_server) as client:
        await _handle_of_read(client)
    for folder in (db.parent, db.parent.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    for file in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
    assert old == 0o022


def test_an_existing_database_made_readable_to_all_is_tightened(tmp_path: Path) -> None:
    from nocp.store.db import open_database

    db = tmp_path / "old.db"
    db.touch(mode=0o644)
    db.chmod(0o644)
    open_database(db).close()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
