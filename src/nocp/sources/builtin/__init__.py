"""The built-in tools, nocp's embedded default: files, search, SQLite and HTTP.

Each group is a `PythonSource` over plain functions bound to the sandbox and the group's limits
(`settings.py`: `[builtins]` and each group's section); `[builtins]` switches groups or single
tools off (see docs/builtins.md). The groups are imported when the sources are built, so reading
the configuration does not pay for them (`http` imports httpx).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nocp.sources.builtin.settings import BUILTIN_GROUPS

if TYPE_CHECKING:
    from nocp.config import Settings
    from nocp.sources.base import Source
    from nocp.sources.builtin.http import Resolver

__all__ = ["BUILTIN_GROUPS", "builtin_sources", "with_roots"]


def with_roots(settings: Settings, roots: Sequence[Path] = (), *, cwd: Path | None = None) -> Settings:
    """`settings` with the effective sandbox roots filled in: `roots` (from `--root`) when
    given, else the configured ones, else the working directory — absolute, so
    `nocp://config` shows exactly what the tools may read."""
    chosen = tuple(roots) or settings.builtins.roots or (cwd or Path.cwd(),)
    absolute = tuple(Path(r).expanduser().absolute() for r in chosen)
    builtins = settings.builtins.model_copy(update={"roots": absolute})
    return settings.model_copy(update={"builtins": builtins})


def builtin_sources(settings: Settings, *, resolver: Resolver | None = None) -> list[Source]:
    """One source per enabled group of built-in tools, reading inside `settings.builtins.roots`
    (the working directory when empty).

    Args:
        resolver: how `http_get` resolves host names (the system resolver by default).

    Raises:
        SandboxError: a root is not an existing directory.
    """
    from nocp.sources.builtin.files import file_tools
    from nocp.sources.builtin.http import http_tools
    from nocp.sources.builtin.sandbox import Sandbox
    from nocp.sources.builtin.search import search_tools
    from nocp.sources.builtin.sqlite import sqlite_tools
    from nocp.sources.python import PythonSource

    config = settings.builtins
    if not config.enabled:
        return []
    sandbox = Sandbox.of(config.roots or (Path.cwd(),), allow_hard_links=config.allow_hard_links)
    groups: dict[str, Callable[[], list[Callable[..., Any]]]] = {
        "files": lambda: file_tools(sandbox, config.files),
        "search": lambda: search_tools(sandbox, config.search),
        "sqlite": lambda: sqlite_tools(sandbox, config.sqlite),
        "http": lambda: http_tools(config.http, resolver),
    }
    sources: list[Source] = []
    for group in BUILTIN_GROUPS:
        functions = [f for f in groups[group]() if config.tool_enabled(f.__name__)]
        if functions:
            sources.append(PythonSource(functions))
    return sources
