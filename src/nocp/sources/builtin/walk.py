"""Walking a directory inside the sandbox: `.git` and `.gitignore` patterns skipped by default,
symlinks listed but never followed (a symlinked directory could lead out of the roots)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pathspec

from nocp.sources.builtin.sandbox import kind_of

ALWAYS_SKIPPED = frozenset({".git"})


@dataclass(frozen=True, slots=True)
class Entry:
    """One directory entry met on a walk."""

    path: Path
    depth: int
    mode: int
    size: int

    @property
    def is_dir(self) -> bool:
        return stat.S_ISDIR(self.mode)

    @property
    def is_file(self) -> bool:
        return stat.S_ISREG(self.mode)

    @property
    def kind(self) -> str:
        if self.is_dir or self.is_file:
            return "dir" if self.is_dir else "file"
        return _SHORT.get(kind_of(self.mode), "other")


_SHORT = {
    "symlink": "symlink",
    "FIFO (named pipe)": "fifo",
    "socket": "socket",
    "character device": "device",
    "block device": "device",
}


class IgnoreRules:
    """The `.gitignore` files from `top` down to each path, read once and cached."""

    def __init__(self, top: Path, *, enabled: bool = True) -> None:
        self.top = top
        self.enabled = enabled
        self._specs: dict[Path, pathspec.GitIgnoreSpec | None] = {}

    def ignored(self, path: Path, is_dir: bool) -> bool:
        """Whether `path` (inside `top`) is skipped: `.git`, or matched by a `.gitignore`."""
        if not self.enabled:
            return False
        if path.name in ALWAYS_SKIPPED:
            return True
        if not path.is_relative_to(self.top) or path == self.top:
            return False
        directory = path.parent
        while True:
            spec = self._spec(directory)
            if spec is not None:
                rel = path.relative_to(directory).as_posix() + ("/" if is_dir else "")
                if spec.match_file(rel):
                    return True
            if directory == self.top:
                return False
            directory = directory.parent

    def _spec(self, directory: Path) -> pathspec.GitIgnoreSpec | None:
        if directory not in self._specs:
            try:
                lines = (directory / ".gitignore").read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                lines = []
            self._specs[directory] = pathspec.GitIgnoreSpec.from_lines(lines) if lines else None
        return self._specs[directory]


def walk(base: Path, max_depth: int, rules: IgnoreRules, depth: int = 1) -> Iterator[Entry]:
    """Entries under `base`, depth-first in name order, down to `max_depth` (1 = base's own).

    Unreadable directories are skipped silently: a listing shows what can be read.
    """
    try:
        with os.scandir(base) as it:
            children = sorted(it, key=lambda e: e.name)
    except OSError:
        return
    for child in children:
        path = Path(child.path)
        try:
            info = child.stat(follow_symlinks=False)
        except OSError:
            continue
        is_dir = stat.S_ISDIR(info.st_mode)
        if rules.ignored(path, is_dir):
            continue
        yield Entry(path, depth, info.st_mode, info.st_size)
        if is_dir and depth < max_depth:
            yield from walk(path, max_depth, rules, depth + 1)
