"""Real third-party MCP servers behind nocp: mcp-server-git (PyPI) and the npm filesystem server."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters

from nocp.config import Settings
from nocp.pipeline.tokens import TokenCounter
from nocp.server import NocpServer
from tests.conftest import text_of

pytestmark = [pytest.mark.slow, pytest.mark.anyio]

GIT_SERVER = str(Path(sys.executable).with_name("mcp-server-git"))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "repo"
    path.mkdir()
    git = ["git", "-C", str(path), "-c", "user.name=Ada", "-c", "user.email=ada@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    for i in range(12):
        (path / f"file{i}.txt").write_text(f"line {i}\n")
        subprocess.run([*git, "add", "."], check=True)
        subprocess.run([*git, "commit", "-q", "-m", f"change number {i}"], check=True)
    return path


async def _through_nocp(db: Path, name: str, upstream: dict[str, Any], tool: str, args: dict[str, Any]):
    settings = Settings(stats={"db": db}, upstream={name: upstream})
    async with Client(NocpServer.from_settings(settings).mcp_server) as client:
        result = await client.call_tool(f"{name}__{tool}", args)
        tools = [t.name for t in (await client.list_tools()).tools]
    return result, tools


async def _direct(upstream: dict[str, Any], tool: str, args: dict[str, Any]):
    params = StdioServerParameters(command=upstream["command"], args=upstream["args"])
    async with Client(params, cache=None) as client:
        return await client.call_tool(tool, args)


async def test_mcp_server_git_log_through_nocp(repo: Path, db_path: Path) -> None:
    upstream = {"command": GIT_SERVER, "args": ["--repository", str(repo)]}
    args = {"repo_path": str(repo), "max_count": 12}
    proxied, tools = await _through_nocp(db_path, "git", upstream, "git_log", args)
    direct = await _direct(upstream, "git_log", args)
    counter = TokenCounter()
    assert "git__git_status" in tools and "git__git_log" in tools
    assert not proxied.is_error
    sent, raw = text_of(proxied), text_of(direct)
    hashes = [line.split()[1] for line in raw.splitlines() if line.startswith("Commit: ")]
    assert len(hashes) == 12 and all(h in sent for h in hashes)  # nothing lost
    assert all(f"change number {i}" in sent for i in range(12))
    assert counter.count(sent) < counter.count(raw)


@pytest.mark.skipif(
    shutil.which("npx") is None,
    reason="node/npx not installed: the npm filesystem server cannot run",
)
async def test_npm_filesystem_server_directory_tree_through_nocp(tmp_path: Path, db_path: Path) -> None:
    root = tmp_path / "tree"
    for i in range(6):
        (root / f"pkg{i}" / "src").mkdir(parents=True)
        for j in range(4):
            (root / f"pkg{i}" / "src" / f"module{j}.py").write_text("x = 1\n")
    upstream = {
        "command": "npx",
        "args": ["-y", "@modelcontextprotocol/server-filesystem", str(root)],
        "start_timeout_s": 120,
    }
    args = {"path": str(root)}
    try:
        with anyio.fail_after(180):
            direct = await _direct(upstream, "directory_tree", args)
    except Exception as exc:  # npx present but the package cannot be fetched (offline registry)
        pytest.skip(f"npx could not run @modelcontextprotocol/server-filesystem directly: {exc!r}")
    proxied, _ = await _through_nocp(db_path, "fs", upstream, "directory_tree", args)
    counter = TokenCounter()
    assert not proxied.is_error, text_of(proxied)
    sent, raw = text_of(proxied), text_of(direct)
    assert all(f"module{j}.py" in sent for j in range(4)) and all(f"pkg{i}" in sent for i in range(6))
    assert counter.count(sent) < counter.count(raw) * 0.8
