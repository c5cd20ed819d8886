"""The sandbox every built-in file tool goes through: paths resolved against the allowed roots.

A path is accepted only when its *real* location (every symlink followed) lies inside one of the
roots. Relative paths are resolved against the first root. Nothing is URL-decoded and `~` is not
expanded: `%2e%2e` is a file name like any other.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from nocp.errors import SandboxError

_KINDS = {
    stat.S_IFDIR: "directory",
    stat.S_IFREG: "file",
    stat.S_IFLNK: "symlink",
    stat.S_IFCHR: "character device",
    stat.S_IFBLK: "block device",
    stat.S_IFIFO: "FIFO (named pipe)",
    stat.S_IFSOCK: "socket",
}


def kind_of(mode: int) -> str:
    """A human name for the file type in `mode` (from `os.stat`)."""
    return _KINDS.get(stat.S_IFMT(mode), "special file")


@dataclass(frozen=True, slots=True)
class Sandbox:
    """The directories the built-in tools may read, as real (symlink-free) absolute paths.

    Example:
        >>> sandbox = Sandbox.of([Path(".")])
        >>> sandbox.resolve("src/nocp/cli.py")
        PosixPath('/…/src/nocp/cli.py')
    """

    roots: tuple[Path, ...]

    @classmethod
    def of(cls, roots: Iterable[Path]) -> Sandbox:
        """Build a sandbox; every root must be an existing directory.

        Raises:
            SandboxError: a root does not exist or is not a directory.
        """
        real: list[Path] = []
        for root in roots:
            path = Path(os.path.realpath(root.expanduser()))
            if not path.is_dir():
                raise SandboxError(f"sandbox root {str(root)!r} is not an existing directory")
            if path not in real:
                real.append(path)
        if not real:
            raise SandboxError("the sandbox needs at least one root directory")
        return cls(tuple(real))

    def describe(self) -> str:
        """The roots, for error messages."""
        return ", ".join(str(r) for r in self.roots)

    def resolve(self, path: str) -> Path:
        """The real path of `path`, which must lie inside a root (it need not exist).

        Raises:
            SandboxError: the path is empty, holds a NUL byte, or leads outside the roots
                (through `..`, as an absolute path, or through a symlink).
        """
        if not path or "\x00" in path:
            raise SandboxError(f"invalid path {path!r}: give a non-empty path without NUL bytes")
        given = Path(path)
        joined = given if given.is_absolute() else self.roots[0] / given
        lexical = Path(os.path.normpath(joined))
        real = Path(os.path.realpath(joined))
        if self._inside(real):
            return real
        if self._inside(lexical):
            raise SandboxError(
                f"path {path!r} leads through a symlink to {str(real)!r}, outside the allowed "
                f"roots ({self.describe()}); only paths inside the roots can be read"
            )
        raise SandboxError(
            f"path {path!r} resolves to {str(lexical)!r}, outside the allowed roots "
            f"({self.describe()}); relative paths start at {self.roots[0]}"
        )

    def relative(self, real: Path) -> str:
        """`real` as the tools accept it back: relative to the first root when inside it
        (relative paths start there), else absolute."""
        first = self.roots[0]
        if real == first or real.is_relative_to(first):
            return str(real.relative_to(first))
        return str(real)

    def root_of(self, real: Path) -> Path:
        """The root that holds `real` (which `resolve` returned)."""
        return next(r for r in self.roots if real == r or real.is_relative_to(r))

    def _inside(self, path: Path) -> bool:
        return any(path == root or path.is_relative_to(root) for root in self.roots)


def stat_existing(real: Path, shown: str) -> os.stat_result:
    """`os.stat` of a resolved path, with a clear error when it does not exist."""
    try:
        return os.stat(real)
    except FileNotFoundError:
        raise SandboxError(f"no such file or directory: {shown!r}") from None
    except OSError as exc:
        raise SandboxError(f"cannot access {shown!r}: {exc.strerror}") from None


def require_kind(info: os.stat_result, shown: str, wanted: Sequence[int]) -> None:
    """Refuse anything whose type is not in `wanted` (e.g. devices, FIFOs, sockets)."""
    if stat.S_IFMT(info.st_mode) not in wanted:
        names = " or ".join(_KINDS[w] for w in wanted)
        raise SandboxError(f"{shown!r} is a {kind_of(info.st_mode)}, not a {names}; it will not be read")


def open_regular(real: Path, shown: str) -> int:
    """Open a resolved path for reading and return the descriptor, refusing non-regular files.

    Opened without following a final symlink and without blocking (a FIFO would otherwise hang
    the open), then checked again on the descriptor itself.

    Raises:
        SandboxError: no such file, or not a regular file (device, FIFO, socket, directory).
    """
    require_kind(stat_existing(real, shown), shown, [stat.S_IFREG])
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(real, flags)
    except OSError as exc:
        raise SandboxError(f"cannot open {shown!r}: {exc.strerror}") from None
    try:
        require_kind(os.fstat(fd), shown, [stat.S_IFREG])
    except BaseException:
        os.close(fd)
        raise
    return fd
