"""`nocp install | uninstall`: real files in a temporary directory, through the real CLI."""

from __future__ import annotations

import base64
import json
import os
import stat
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from nocp.cli import main
from nocp.cli.clients import launcher
from nocp.cli.install import choose_roots, config_path
from nocp.errors import NocpError

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


@pytest.fixture(autouse=True)
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current folder is a project folder (the root an install writes by default); no
    `claude` CLI on PATH unless a test puts one there."""
    folder = tmp_path / "project"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.setenv("PATH", os.defpath)
    return folder.resolve()


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
    assert data["mcpServers"]["nocp"]["command"] == sys.executable
    assert data["mcpServers"]["nocp"]["args"] == ["-m", "nocp", "serve", "--root", str(Path.cwd())]
    assert '+    "nocp": {' in out and "backup:" in out and f'"{Path.cwd()}"' in out
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


@pytest.mark.parametrize(
    ("client", "platform", "expected"),
    [
        ("cursor", "darwin", "/h/.cursor/mcp.json"),
        ("cursor", "win32", "/h/.cursor/mcp.json"),
        ("claude-code", "linux", "/h/.claude.json"),
        ("claude-code", "win32", "/h/.claude.json"),
    ],
)
def test_client_config_paths_on_every_system(client, platform: str, expected: str) -> None:
    assert config_path(client, platform=platform, home=Path("/h"), env={}).as_posix() == expected


def test_windows_without_appdata_uses_the_roaming_folder() -> None:
    path = config_path("claude-desktop", platform="win32", home=Path("/h"), env={})
    assert path.as_posix() == "/h/AppData/Roaming/Claude/claude_desktop_config.json"


def test_the_root_is_always_written_as_given(config: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    assert main(["install", "cursor", "--config-path", str(config), "--root", str(other)]) == 0
    args = json.loads(config.read_text())["mcpServers"]["nocp"]["args"]
    assert args[args.index("--root") :] == ["--root", str(other.resolve())]


def test_no_root_is_guessed_from_the_home_folder_or_slash(config: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(Path.home())
    assert main(["install", "claude-desktop", "--config-path", str(config)]) == 2
    assert "pass --root DIR" in capsys.readouterr().err
    assert json.loads(config.read_text()) == EXISTING
    with pytest.raises(NocpError, match="pass --root"):
        choose_roots([], cwd=Path("/"))
    with pytest.raises(NocpError, match="not /, not your home"):
        choose_roots([Path.home()])


def test_the_root_is_asked_for_on_a_terminal(tmp_path: Path) -> None:
    asked: list[str] = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return str(tmp_path)

    assert choose_roots([], cwd=Path.home(), ask=ask) == [tmp_path.resolve()]
    assert "is not allowed" in asked[0]


def test_wrapped_servers_get_no_root(config: Path) -> None:
    assert main(["install", "claude-desktop", "--config-path", str(config), "--wrap-existing"]) == 0
    servers = json.loads(config.read_text())["mcpServers"]
    assert "--root" in servers["nocp"]["args"] and "--root" not in servers["git"]["args"]


def test_backups_are_never_overwritten(config: Path) -> None:
    """An install and an uninstall in the same second used to share one backup name, so the
    user's original was lost; every backup now has a name of its own."""
    for command in ("install", "uninstall", "install", "uninstall"):
        assert main([command, "cursor", "--config-path", str(config)]) == 0
    backups = sorted(config.parent.glob("*.bak-*"))
    assert len(backups) == 4 == len({b.name for b in backups})
    assert EXISTING in [json.loads(b.read_text()) for b in backups]


def test_cursor_gets_its_install_link(config: Path, capsys) -> None:
    assert main(["install", "cursor", "--config-path", str(config)]) == 0
    link = capsys.readouterr().out.split("open ")[-1].strip()
    url = urlparse(link)
    assert (url.scheme, url.netloc, url.path) == ("cursor", "anysphere.cursor-deeplink", "/mcp/install")
    query = parse_qs(url.query)
    assert query["name"] == ["nocp"]
    entry = json.loads(base64.b64decode(query["config"][0]))
    assert entry == json.loads(config.read_text())["mcpServers"]["nocp"]


CLAUDE = """#!{python}
# Stands in for Claude Code's CLI: logs its arguments and edits ~/.claude.json as `claude mcp` does.
import json, os, sys
from pathlib import Path
home = Path(os.environ["HOME"])
with open(home / "claude-calls.jsonl", "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
path = home / ".claude.json"
data = json.loads(path.read_text()) if path.exists() else {{}}
servers = data.setdefault("mcpServers", {{}})
args = sys.argv[1:]
if args[:2] == ["mcp", "add-json"]:
    if args[-2] in servers:
        sys.exit("MCP server " + args[-2] + " already exists in user config")
    servers[args[-2]] = {{**json.loads(args[-1]), "env": {{}}}}
elif args[:2] == ["mcp", "remove"]:
    servers.pop(args[-1])
path.write_text(json.dumps(data))
"""


def test_claude_code_goes_through_its_cli_when_on_path(tmp_path: Path, monkeypatch, capsys) -> None:
    home, bin_dir = tmp_path / "home", tmp_path / "bin"
    home.mkdir(), bin_dir.mkdir()
    claude = bin_dir / "claude"
    claude.write_text(CLAUDE.format(python=sys.executable))
    claude.chmod(claude.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.defpath}")
    (home / ".claude.json").write_text(json.dumps({"numStartups": 3}))

    assert main(["install", "claude-code"]) == 0
    out = capsys.readouterr().out
    assert "running: " + str(claude) + " mcp add-json --scope user nocp" in out
    calls = [json.loads(line) for line in (home / "claude-calls.jsonl").read_text().splitlines()]
    assert calls[0][:5] == ["mcp", "add-json", "--scope", "user", "nocp"]
    entry = json.loads(calls[0][5])
    assert entry["type"] == "stdio" and entry["args"][-2:] == ["--root", str(Path.cwd())]
    assert json.loads((home / ".claude.json").read_text())["numStartups"] == 3

    assert main(["install", "claude-code"]) == 0  # the same command line: nothing to run
    assert "nothing to change" in capsys.readouterr().out
    assert main(["uninstall", "claude-code"]) == 0
    calls = [json.loads(line) for line in (home / "claude-calls.jsonl").read_text().splitlines()]
    assert calls[1] == ["mcp", "remove", "--scope", "user", "nocp"] and len(calls) == 2
    assert json.loads((home / ".claude.json").read_text())["mcpServers"] == {}


def test_the_launcher_of_a_uvx_run_is_uvx() -> None:
    assert launcher("/c/uv/archive-v0/AbC", "/c/uv/archive-v0/AbC/bin/python")[-1] == "nocp-mcp"
    assert launcher(sys.prefix, sys.executable) == [sys.executable, "-m", "nocp"]
