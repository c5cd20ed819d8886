"""`nocp install | uninstall CLIENT`: add nocp to an MCP client's config file (and take it out).

Claude Desktop, Cursor and Claude Code keep their servers in the same `{"mcpServers": {…}}`
shape. Installing adds an entry named `nocp` that runs `nocp serve`; `--wrap-existing` also puts
every other server behind nocp by rewriting its entry to `nocp wrap --name NAME -- CMD ARGS…`
(same name, same env, so the agent sees the same tool names) and keeps the original entries in
a sidecar file, which `uninstall` puts back.

Every change: a backup of the file first (a new name each time, never overwritten), other
entries and keys untouched, the diff printed, and nothing written when nothing changes (running
it twice is a no-op) or with `--dry-run`.

The entry always names its sandbox: `--root DIR` as given, else the current folder — unless that
is `/` or the home directory, which nocp will not expose: then it asks (or, with no terminal,
fails saying to pass `--root`). For Claude Code, `claude mcp add-json` is used when its CLI is on
PATH; Cursor also gets its one-click install link printed (`clients.py`).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import count
from pathlib import Path
from typing import Any, Literal

from nocp.cli.clients import (
    Runner,
    claude_add,
    claude_cli,
    claude_remove,
    cursor_link,
    launcher,
    run_all,
    shown,
)
from nocp.errors import ConfigError, NocpError
from nocp.version import DISTRIBUTION

ClientName = Literal["claude-desktop", "cursor", "claude-code"]
CLIENTS: tuple[ClientName, ...] = ("claude-desktop", "cursor", "claude-code")
ENTRY = "nocp"
SIDECAR_SUFFIX = ".nocp-wrapped.json"


def config_path(
    client: ClientName,
    *,
    platform: str = sys.platform,
    home: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Path:
    """Where `client` keeps its MCP servers on this platform (user scope).

    Example:
        >>> config_path("cursor", platform="linux", home=Path("/home/ada"))
        PosixPath('/home/ada/.cursor/mcp.json')
    """
    home = home or Path.home()
    env = os.environ if env is None else env
    if client == "cursor":
        return home / ".cursor" / "mcp.json"
    if client == "claude-code":
        return home / ".claude.json"
    if platform == "darwin":
        return home / "Library" / "Application Support" / "Claude" / "claude_desktop_config.json"
    if platform == "win32":
        appdata = Path(env.get("APPDATA") or home / "AppData" / "Roaming")
        return appdata / "Claude" / "claude_desktop_config.json"
    xdg = Path(env.get("XDG_CONFIG_HOME") or home / ".config")
    return xdg / "Claude" / "claude_desktop_config.json"


def nocp_command(config: Path | None = None, roots: Sequence[Path] = ()) -> list[str]:
    """The command line a client runs for nocp: `… serve [--config FILE] [--root DIR]…`, started
    the way this nocp was (`launcher`: this Python with `-m nocp`, or `uvx nocp-mcp`)."""
    command = [*launcher(), "serve"]
    if config:
        command += ["--config", str(config.resolve())]
    for root in roots:
        command += ["--root", str(root)]
    return command


def choose_roots(
    given: Sequence[Path],
    *,
    cwd: Path | None = None,
    home: Path | None = None,
    ask: Callable[[str], str] | None = None,
) -> list[Path]:
    """The sandbox roots the entry names: `given`, else `cwd` unless it is `/` or `home`, else
    what `ask` answers (None: no terminal to ask on).

    Raises:
        NocpError: a root is not a directory, or none can be settled without asking.
    """
    cwd = (cwd or Path.cwd()).resolve()
    home = (home or Path.home()).resolve()
    roots = [Path(p).expanduser().resolve() for p in given]
    if not roots and cwd not in (Path(cwd.anchor), home):
        roots = [cwd]
    if not roots:
        if ask is None:
            raise NocpError(
                f"the current folder is {cwd}, which nocp's file tools will not expose; "
                "pass --root DIR (the project folder they may read)"
            )
        answer = ask(f"The folder nocp's file tools may read ({cwd} is not allowed): ").strip()
        roots = [Path(answer).expanduser().resolve()] if answer else []
    for root in roots:
        if not root.is_dir() or root in (Path(root.anchor), home):
            raise NocpError(f"--root {root}: expected a project folder (not /, not your home)")
    if not roots:
        raise NocpError("no root given: pass --root DIR")
    return roots


@dataclass(frozen=True, slots=True)
class Change:
    """What an install or uninstall does to one config file."""

    path: Path
    before: dict[str, Any]
    after: dict[str, Any]
    sidecar: dict[str, Any] | None
    """Original entries of wrapped servers to keep ({} = delete the sidecar; None = leave it)."""

    @property
    def changed(self) -> bool:
        """True when the file's content would change."""
        return self.before != self.after

    def diff(self) -> str:
        """A unified diff of the file's JSON, before → after."""
        old, new = _dump(self.before), _dump(self.after)
        lines = difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=f"{self.path} (before)",
            tofile=f"{self.path} (after)",
        )
        return "".join(lines)


def plan_install(path: Path, command: list[str], *, wrap_existing: bool = False) -> Change:
    """The change that adds nocp (and, with `wrap_existing`, wraps the other servers).

    Raises:
        ConfigError: the file is not JSON, or its `mcpServers` is not an object.
    """
    before = _read(path)
    after = json.loads(json.dumps(before))
    servers = _servers(after, path)
    servers[ENTRY] = {"command": command[0], "args": command[1:]}
    sidecar = None
    if wrap_existing:
        sidecar = _read_sidecar(path)
        for name, entry in list(servers.items()):
            if name == ENTRY or _is_wrapped(entry) or not isinstance(entry, dict):
                continue
            sidecar[name] = entry
            servers[name] = _wrapped(name, entry, command)
    return Change(path, before, after, sidecar)


def plan_uninstall(path: Path) -> Change:
    """The change that removes nocp and puts wrapped servers back as they were.

    Raises:
        ConfigError: the file is not JSON, or a wrapped server's original entry is lost.
    """
    before = _read(path)
    after = json.loads(json.dumps(before))
    servers = _servers(after, path)
    servers.pop(ENTRY, None)
    originals = _read_sidecar(path)
    for name, entry in list(servers.items()):
        if not _is_wrapped(entry):
            continue
        if name not in originals:
            raise ConfigError(
                str(path),
                f"mcpServers.{name}",
                f"wrapped by nocp but its original entry is not in {_sidecar_path(path)}; "
                "restore it from one of the backups next to the file",
            )
        servers[name] = originals[name]
    return Change(path, before, after, {})


def apply(change: Change) -> Path | None:
    """Write the change (backup first); returns the backup's path, None if there was no file."""
    backup = _backup(change.path) if change.path.exists() else None
    _write_atomic(change.path, _dump(change.after))
    if change.sidecar:
        _write_atomic(_sidecar_path(change.path), _dump(change.sidecar))
    elif change.sidecar == {}:
        _sidecar_path(change.path).unlink(missing_ok=True)
    return backup


def _backup(path: Path) -> Path:
    """Copy `path` to a backup name no other backup has (`NAME.bak-STAMP[-N]`, created
    exclusively, so two installs in the same instant keep both originals)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    for n in count():
        backup = path.with_name(f"{path.name}.bak-{stamp}" + (f"-{n}" if n else ""))
        try:
            with backup.open("xb") as copy:
                copy.write(path.read_bytes())
        except FileExistsError:
            continue
        shutil.copystat(path, backup)
        return backup
    raise AssertionError("unreachable")


def run(
    action: Literal["install", "uninstall"],
    path: Path,
    *,
    command: list[str] | None = None,
    wrap_existing: bool = False,
    dry_run: bool = False,
    out: Callable[[str], None] = print,
) -> int:
    """Plan, print the diff, and (unless `dry_run`) apply. Returns the exit code."""
    if action == "install":
        change = plan_install(path, command or nocp_command(), wrap_existing=wrap_existing)
    else:
        change = plan_uninstall(path)
    if not change.changed:
        out(
            f"{path}: nothing to change "
            f"({'already installed' if action == 'install' else 'nocp is not in it'})"
        )
        return 0
    out(change.diff().rstrip("\n"))
    if dry_run:
        out(f"--dry-run: {path} not written")
        return 0
    backup = apply(change)
    out(f"wrote {path}" + (f" (backup: {backup})" if backup else "") + "; restart the client to load it")
    return 0


def add_command(commands: Any) -> None:
    """Register `install` and `uninstall` on the CLI's subcommand parser."""
    for action in ("install", "uninstall"):
        parser = commands.add_parser(action, help=f"{action} nocp in an MCP client's config")
        parser.add_argument("client", choices=CLIENTS)
        parser.add_argument("--config-path", type=Path, help="the client's config file")
        parser.add_argument("--dry-run", action="store_true", help="print the diff, write nothing")
        if action == "install":
            parser.add_argument(
                "--wrap-existing",
                action="store_true",
                help="put the servers already configured behind nocp",
            )
            parser.add_argument("--config", type=Path, help="the nocp.toml nocp serve should read")
            parser.add_argument(
                "--root",
                type=Path,
                action="append",
                default=[],
                metavar="DIR",
                help="a folder the file tools may read (repeatable; default: the current folder)",
            )
        parser.set_defaults(module="nocp.cli.install")


def main(args: argparse.Namespace, _: list[str]) -> int:
    """`nocp install CLIENT` / `nocp uninstall CLIENT`."""
    path = args.config_path or config_path(args.client)
    claude = claude_cli() if args.client == "claude-code" and not args.config_path else None
    if args.command == "uninstall":
        if claude and not _sidecar_path(path).exists():
            return via_claude("uninstall", claude, path, dry_run=args.dry_run)
        return run("uninstall", path, dry_run=args.dry_run)
    ask = input if sys.stdin.isatty() else None
    command = nocp_command(args.config, choose_roots(args.root, ask=ask))
    if claude and not args.wrap_existing:
        return via_claude("install", claude, path, command=command, dry_run=args.dry_run)
    code = run("install", path, command=command, wrap_existing=args.wrap_existing, dry_run=args.dry_run)
    if args.client == "cursor":
        link = cursor_link({"command": command[0], "args": command[1:]})
        print(f"or let Cursor add it: open {link}")
    return code


def via_claude(
    action: Literal["install", "uninstall"],
    claude: str,
    path: Path,
    *,
    command: list[str] | None = None,
    dry_run: bool = False,
    out: Callable[[str], None] = print,
    runner: Runner | None = None,
) -> int:
    """Install or uninstall through Claude Code's CLI (`claude mcp add-json`/`remove`, user
    scope): the same diff of `path` is shown, the CLI makes the change."""
    change = plan_install(path, command or nocp_command()) if action == "install" else plan_uninstall(path)
    if not change.changed or (action == "install" and _same_launch(change)):
        out(f"{path}: nothing to change ({'already installed' if command else 'nocp is not in it'})")
        return 0
    out(change.diff().rstrip("\n"))
    present = ENTRY in (change.before.get("mcpServers") or {})
    if action == "install":
        entry = change.after["mcpServers"][ENTRY]
        lines = claude_add(claude, ENTRY, entry, replace=present)
    else:
        lines = [claude_remove(claude, ENTRY)]
    for line in lines:
        out(f"{'--dry-run: would run' if dry_run else 'running'}: {shown(line)}")
    if not dry_run:
        run_all(lines, runner)
        out("done; restart Claude Code sessions to load it")
    return 0


def _wrapped(name: str, entry: dict[str, Any], command: list[str]) -> dict[str, Any]:
    base = [*_serve_to_wrap(command), "--name", name]
    kept = {k: v for k, v in entry.items() if k in ("env", "cwd")}
    if "url" in entry:
        headers = [f"--header={k}: {v}" for k, v in (entry.get("headers") or {}).items()]
        return {"command": base[0], "args": [*base[1:], "--url", entry["url"], *headers], **kept}
    original = [entry.get("command", ""), *entry.get("args", [])]
    return {"command": base[0], "args": [*base[1:], "--", *original], **kept}


def _same_launch(change: Change) -> bool:
    """The nocp entry already runs the same command line (the CLI adds keys of its own, `type`)."""
    before, after = (c.get("mcpServers", {}).get(ENTRY) for c in (change.before, change.after))
    same = isinstance(before, dict) and isinstance(after, dict)
    return same and all(before.get(k) == after.get(k) for k in ("command", "args"))


def _serve_to_wrap(command: list[str]) -> list[str]:
    """`… serve --config X --root R` → `… wrap --config X` (wrap serves no file tools, so no root)."""
    if "serve" not in command:
        return [*command, "wrap"]
    at = command.index("serve")
    options = command[at + 1 :]
    kept = [o for i, o in enumerate(options) if o != "--root" and (i == 0 or options[i - 1] != "--root")]
    return [*command[:at], "wrap", *kept]


def _is_wrapped(entry: Any) -> bool:
    if not isinstance(entry, dict) or not isinstance(entry.get("args"), list):
        return False
    args, command = entry["args"], str(entry.get("command", ""))
    launched = "nocp" in args or DISTRIBUTION in args or Path(command).stem == "nocp"
    return "wrap" in args and launched


def _servers(data: dict[str, Any], path: Path) -> dict[str, Any]:
    servers = data.setdefault("mcpServers", {})
    if not isinstance(servers, dict):
        raise ConfigError(str(path), "mcpServers", "expected an object of servers by name")
    return servers


def _read(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(str(path), "", f"cannot read it as JSON ({exc}); fix or move it first") from None
    if not isinstance(data, dict):
        raise ConfigError(str(path), "", "expected a JSON object")
    return data


def _sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR_SUFFIX)


def _read_sidecar(path: Path) -> dict[str, Any]:
    return _read(_sidecar_path(path))


def _dump(data: Mapping[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
