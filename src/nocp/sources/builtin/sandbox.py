"""The sandbox every built-in file tool goes through: paths resolved against the allowed roots.

A path is accepted only when its *real* location (every symlink followed) lies inside one of the
roots. Relative paths are resolved against the first root. Nothing is URL-decoded and `~` is not
expanded: `%2e%2e` is a file name like any other.

What is checked is also what is opened: `Sandbox.open_beneath` opens the resolved path from its
root down, one directory at a time, each relative to its parent's descriptor (`dir_fd`) and
none following a symlink (`O_NOFOLLOW`), so a directory swapped for a symlink between the check
and the open is refused instead of followed (a TOCTOU race). A regular file with more than one
hard link is refused unless `[builtins] allow_hard_links`: a hard link can make a file outside
the roots appear inside them, and nothing tells which name is the original.
"""

from __future__ import annotations

import errno
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
    allow_hard_links: bool = False
    """Read regular files with more than one hard link (`[builtins] allow_hard_links`)."""

    @classmethod
    def of(cls, roots: Iterable[Path], *, allow_hard_links: bool = False) -> Sandbox:
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
        return cls(tuple(real), allow_hard_links)

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

    def open_beneath(self, real: Path, shown: str, *, directory: bool = False) -> int:
        """Open `real` (which `resolve` returned) from its root down without following any
        symlink, and return the descriptor: a directory (`directory`) or a regular file, never
        blocking on a FIFO; a file with several hard links only when they are allowed.

        Raises:
            SandboxError: no such file; a symlink appeared on the way since the path was
                checked; not the kind wanted; hard-linked.
        """
        root = self.root_of(real)
        parts = real.relative_to(root).parts
        fd = os.open(root, _DIRECTORY)
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            fd = _step(fd, part, _DIRECTORY if not last or directory else _FILE, shown)  # closes fd
        try:
            require_kind(os.fstat(fd), shown, [stat.S_IFDIR] if directory else [stat.S_IFREG])
            if not directory:
                self.require_single_link(os.fstat(fd), shown)
        except BaseException:
            os.close(fd)
            raise
        return fd

    def require_single_link(self, info: os.stat_result, shown: str) -> None:
        """Refuse a regular file with more than one hard link, unless they are allowed."""
        if info.st_nlink > 1 and not self.allow_hard_links and stat.S_ISREG(info.st_mode):
            raise SandboxError(
                f"{shown!r} has {info.st_nlink} hard links; a hard link can make a file outside the "
                "roots appear inside them, so it is not read (set [builtins] allow_hard_links = true "
                "to read hard-linked files)"
            )


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_DIRECTORY = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NOFOLLOW
_FILE = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | _NOFOLLOW


def _step(parent: int, name: str, flags: int, shown: str) -> int:
    """Open `name` in the directory `parent` (closed here, whatever happens)."""
    try:
        return os.open(name, flags, dir_fd=parent)
    except FileNotFoundError:
        raise SandboxError(f"no such file or directory: {shown!r}") from None
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK) or (
            exc.errno == errno.ENOTDIR and _is_link(parent, name)
        ):
            raise SandboxError(
                f"{shown!r} changed while it was opened: {name!r} is now a symlink; symlinks are "
                "not followed once a path is checked, so it was not opened"
            ) from None
        if exc.errno == errno.ENOTDIR:
            raise SandboxError(f"{shown!r}: {name!r} is not a directory") from None
        raise SandboxError(f"cannot open {shown!r}: {exc.strerror}") from None
    finally:
        os.close(parent)


def _is_link(parent: int, name: str) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=parent, follow_symlinks=False).st_mode)
    except OSError:
        return False


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


def open_regular(sandbox: Sandbox, real: Path, shown: str) -> int:
    """Open a resolved path for reading and return the descriptor, refusing non-regular files.

    Checked first by name (a clear error for a device or a directory), then opened from the
    root down without following symlinks and without blocking (a FIFO would otherwise hang the
    open), and checked again on the descriptor itself (`Sandbox.open_beneath`).

    Raises:
        SandboxError: no such file, not a regular file (device, FIFO, socket, directory), a
            symlink swapped in since the check, or hard-linked.
    """
    require_kind(stat_existing(real, shown), shown, [stat.S_IFREG])
    return sandbox.open_beneath(real, shown)
