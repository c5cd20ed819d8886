"""Walking a directory inside the sandbox: `.git` and `.gitignore` patterns skipped by default,
symlinks listed but never followed (a symlinked directory could lead out of the roots).

Each directory is opened relative to its parent's descriptor without following symlinks
(`Sandbox.open_beneath` for the top), so a subdirectory swapped for a symlink during the walk
is skipped, not followed."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pathspec

from nocp.errors import SandboxError
from nocp.sources.builtin.sandbox import Sandbox, kind_of

MAX_GITIGNORE_BYTES = 1_000_000
_DIRECTORY = (
    os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
)
_GITIGNORE = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)

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
            lines = _gitignore_lines(directory / ".gitignore")
            self._specs[directory] = pathspec.GitIgnoreSpec.from_lines(lines) if lines else None
        return self._specs[directory]


def _gitignore_lines(path: Path) -> list[str]:
    """The lines of a `.gitignore` that is a regular file (a symlink to `/dev/zero` or a FIFO
    must not hang a listing), read up to a bound."""
    try:
        fd = os.open(path, _GITIGNORE)
    except OSError:
        return []
    with os.fdopen(fd, "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            return []
        data = file.read(MAX_GITIGNORE_BYTES)
    return data.decode("utf-8", errors="replace").splitlines()


def walk(sandbox: Sandbox, base: Path, max_depth: int, rules: IgnoreRules) -> Iterator[Entry]:
    """Entries under `base` (which `sandbox.resolve` returned), depth-first in name order, down
    to `max_depth` (1 = base's own).

    Unreadable directories, and directories swapped for a symlink on the way, are skipped
    silently: a listing shows what can be read.

    Raises:
        SandboxError: `base` itself cannot be opened as a directory.
    """
    yield from _walk(sandbox.open_beneath(base, str(base), directory=True), base, max_depth, rules, 1)


def _walk(fd: int, base: Path, max_depth: int, rules: IgnoreRules, depth: int) -> Iterator[Entry]:
    """The entries of the open directory `fd` (named `base`; closed here) and below."""
    try:
        try:
            with os.scandir(fd) as it:
                children = sorted(it, key=lambda e: e.name)
        except OSError:
            return
        for child in children:
            path = base / child.name
            try:
                info = child.stat(follow_symlinks=False)
            except OSError:
                continue
            is_dir = stat.S_ISDIR(info.st_mode)
            if rules.ignored(path, is_dir):
                continue
            yield Entry(path, depth, info.st_mode, info.st_size)
            if is_dir and depth < max_depth:
                try:
                    below = os.open(child.name, _DIRECTORY, dir_fd=fd)
                except OSError:  # gone, unreadable, or swapped for a symlink since it was listed
                    continue
                yield from _walk(below, path, max_depth, rules, depth + 1)
    finally:
        os.close(fd)


def count_entries(sandbox: Sandbox, directory: Path, rules: IgnoreRules) -> int:
    """How many entries of `directory` a listing would show (0 when it cannot be opened)."""
    try:
        fd = sandbox.open_beneath(directory, str(directory), directory=True)
    except SandboxError:
        return 0
    try:
        with os.scandir(fd) as it:
            return sum(
                1 for e in it if not rules.ignored(directory / e.name, e.is_dir(follow_symlinks=False))
            )
    except OSError:
        return 0
    finally:
        os.close(fd)
