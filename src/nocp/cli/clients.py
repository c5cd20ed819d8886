"""What `nocp install` knows of each client beyond its config file, and how nocp is launched.

- **Claude Code**: its CLI (`claude mcp add-json` / `claude mcp remove`) is the supported way to
  change its servers, used when `claude` is on PATH; otherwise the file is edited.
- **Cursor**: an install deep link (`cursor://…/mcp/install?name=…&config=…`), printed so a user
  can also add nocp with one click.
- **The launcher**: the command a client runs. From a `uvx` run (an environment in uv's cache,
  gone at the next clean) that is `uvx nocp-mcp`; otherwise this Python with `-m nocp` (a venv,
  `pipx`, `uv tool install`, a checkout's `.venv`).
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from nocp.errors import NocpError
from nocp.version import DISTRIBUTION

CURSOR_LINK = "cursor://anysphere.cursor-deeplink/mcp/install"
Runner = Callable[[list[str]], "subprocess.CompletedProcess[str]"]
"""Runs a command line and returns what it printed (tests pass a real one, with a PATH of theirs)."""


def launcher(prefix: str = sys.prefix, executable: str = sys.executable) -> list[str]:
    """The start of the command line a client runs to start nocp.

    Example:
        >>> launcher("/home/ada/.cache/uv/archive-v0/Xy12", "/x/bin/python")[-1]
        'nocp-mcp'
        >>> launcher("/home/ada/nocp/.venv", "/home/ada/nocp/.venv/bin/python")
        ['/home/ada/nocp/.venv/bin/python', '-m', 'nocp']
    """
    if _in_uv_cache(Path(prefix)):
        return [shutil.which("uvx") or "uvx", DISTRIBUTION]
    return [executable, "-m", "nocp"]


def _in_uv_cache(prefix: Path) -> bool:
    """A `uvx` environment lives in uv's cache (`…/uv/archive-v0/HASH`), which uv may clean."""
    return any(part.startswith("archive-v") for part in prefix.parts)


def cursor_link(entry: dict[str, Any], name: str = "nocp") -> str:
    """Cursor's one-click install link for a server entry (its config as base64 JSON).

    Example:
        >>> cursor_link({"command": "uvx", "args": ["nocp-mcp", "serve"]})[:47]
        'cursor://anysphere.cursor-deeplink/mcp/install'
    """
    config = base64.b64encode(json.dumps(entry, separators=(",", ":")).encode()).decode()
    return f"{CURSOR_LINK}?name={quote(name)}&config={quote(config)}"


def claude_cli() -> str | None:
    """The `claude` command when it is on PATH (Claude Code's CLI), else None."""
    return shutil.which("claude")


def claude_add(claude: str, name: str, entry: dict[str, Any], *, replace: bool) -> list[list[str]]:
    """The `claude mcp` command lines that add `entry` as `name` (user scope)."""
    add = [claude, "mcp", "add-json", "--scope", "user", name, json.dumps({"type": "stdio", **entry})]
    return [claude_remove(claude, name), add] if replace else [add]


def claude_remove(claude: str, name: str) -> list[str]:
    """The `claude mcp` command line that removes `name` from the user scope."""
    return [claude, "mcp", "remove", "--scope", "user", name]


def run_all(commands: Sequence[list[str]], runner: Runner | None = None) -> None:
    """Run each command line in turn.

    Raises:
        NocpError: one failed (its output in the message).
    """
    run = runner or _run
    for command in commands:
        done = run(command)
        if done.returncode != 0:
            said = (done.stderr or done.stdout or "").strip()
            raise NocpError(f"`{shown(command)}` failed (exit {done.returncode}): {said}")


def shown(command: Sequence[str]) -> str:
    """A command line as a user would type it (POSIX quoting)."""
    import shlex

    return shlex.join(command)


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL)
