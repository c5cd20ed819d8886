"""`nocp install | uninstall`: real files in a temporary directory, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nocp.cli import main
from nocp.cli.install import config_path

EXISTING = {
    "globalShortcut": "Ctrl+Space",
    "mcpServers": {
        "git": {"command": "uvx", "args": ["mcp-server-git"], "env": {"GIT_X": "1"}},
        "web": {
            "type": "http",
            "url": "https://example.com/mcp",
            "headers": {"Authorization": "Bearer t"},
        },
    },
}


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "claude_desktop_config.json"
    path.write_text(json.dumps(EXISTING, indent=2))
    return path


def test_install_adds_nocp_keeps_the_rest_backs_up_and_prints_the_diff(config: Path, capsys) -> None:
    assert main(["install", "claude-desktop", "--config-path", str(config)]) == 0
    out = capsys.readouterr().out
    data = json.loads(config.read_text())
    assert data["globalShortcut"] == "Ctrl+Space"
    assert data["mcpServers"]["git"] == EXISTING["mcpServers"]["git"]
    assert data["mcpServers"]["nocp"]["args"] == ["-m", "nocp", "serve"]
    assert '+    "nocp": {' in out and "backup:" in out
    backups = list(config.parent.glob("claude_desktop_config.json.bak-*"))
    assert len(backups) == 1 and json.loads(backups[0].read_text()) == EXISTING


def test_install_is_idempotent(config: Path, capsys) -> None:
    main(["install", "cursor", "--config-path", str(config)])
    first = config.read_text()
    capsys.readouterr()
    assert main(["install", "cursor", "--config-path", str(config)]) == 0
    assert "nothing to change (already installed)" in capsys.readouterr().out
    assert config.read_text() == first
    assert len(list(config.parent.glob("*.bak-*"))) == 1


def test_dry_run_writes_nothing(config: Path, capsys) -> None:
    assert main(["install", "claude-code", "--config-path", str(config), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert '+    "nocp": {' in out and "--dry-run" in out
    assert json.loads(config.read_text()) == EXISTING
    assert not list(config.parent.glob("*.bak-*"))


def test_install_creates_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "new" / "mcp.json"
    assert main(["install", "cursor", "--config-path", str(path)]) == 0
    assert list(json.loads(path.read_text())["mcpServers"]) == ["nocp"]


def test_wrap_existing_then_uninstall_restores_the_original(config: Path, capsys) -> None:
    assert main(["install", "claude-desktop", "--config-path", str(config), "--wrap-existing"]) == 0
    servers = json.loads(config.read_text())["mcpServers"]
    assert servers["git"]["args"][1:] == [
        "nocp",
        "wrap",
        "--name",
        "git",
        "--",
        "uvx",
        "mcp-server-git",
    ]
    assert servers["git"]["env"] == {"GIT_X": "1"}
    assert servers["web"]["args"][1:] == [
        "nocp",
        "wrap",
        "--name",
        "web",
        "--url",
        "https://example.com/mcp",
        "--header=Authorization: Bearer t",
    ]
    again = config.read_text()
    assert main(["install", "claude-desktop", "--config-path", str(config), "--wrap-existing"]) == 0
    assert config.read_text() == again  # wrapping twice changes nothing
    assert main(["uninstall", "claude-desktop", "--config-path", str(config)]) == 0
    assert json.loads(config.read_text()) == EXISTING
    assert not config.with_name(config.name + ".nocp-wrapped.json").exists()
    capsys.readouterr()
    assert main(["uninstall", "claude-desktop", "--config-path", str(config)]) == 0
    assert "nothing to change (nocp is not in it)" in capsys.readouterr().out


def test_a_broken_config_file_is_a_clear_error(tmp_path: Path, capsys) -> None:
    path = tmp_path / "mcp.json"
    path.write_text("{not json")
    assert main(["install", "cursor", "--config-path", str(path)]) == 2
    assert "cannot read it as JSON" in capsys.readouterr().err
    assert path.read_text() == "{not json"


@pytest.mark.parametrize(
    ("client", "platform", "expected"),
    [
        (
            "claude-desktop",
            "darwin",
            "/h/Library/Application Support/Claude/claude_desktop_config.json",
        ),
        ("claude-desktop", "linux", "/h/.config/Claude/claude_desktop_config.json"),
        ("claude-desktop", "win32", "/appdata/Claude/claude_desktop_config.json"),
        ("cursor", "linux", "/h/.cursor/mcp.json"),
        ("claude-code", "darwin", "/h/.claude.json"),
    ],
)
def test_client_config_paths(client, platform: str, expected: str) -> None:
    path = config_path(client, platform=platform, home=Path("/h"), env={"APPDATA": "/appdata"})
    assert path.as_posix() == expected
