"""Built-in `search_text`: a regex over the text files of a directory, ripgrep-like, bounded in
files scanned, matches returned and time spent."""

from __future__ import annotations

import os
import re
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pathspec

from nocp.errors import SandboxError
from nocp.sources.builtin.files import BINARY_SNIFF
from nocp.sources.builtin.sandbox import Sandbox, stat_existing
from nocp.sources.builtin.settings import SearchSettings
from nocp.sources.builtin.walk import IgnoreRules, walk

MAX_LINE_CHARS = 300
MAX_PATTERN_CHARS = 1_000


@dataclass(slots=True)
class _Scan:
    limits: SearchSettings
    deadline: float
    rows: list[dict[str, Any]] = field(default_factory=list)
    files: int = 0
    skipped: int = 0
    stopped: str = ""

    def over(self) -> bool:
        if len(self.rows) >= self.limits.max_matches:
            self.stopped = f"stopped at {self.limits.max_matches:,} matches"
        elif self.files >= self.limits.max_files:
            self.stopped = f"stopped after {self.limits.max_files:,} files"
        elif time.monotonic() > self.deadline:
            self.stopped = f"stopped after {self.limits.timeout_s:g} s"
        return bool(self.stopped)


def search_tools(sandbox: Sandbox, limits: SearchSettings) -> list[Callable[..., Any]]:
    """`search_text`, bound to `sandbox` and `limits`."""

    def search_text(pattern: str, path: str = ".", glob: str | None = None, ignore_case: bool = False) -> Any:
        """Search text files for a regular expression (Python `re` syntax), like ripgrep: one
        row per matching line with its file (relative to its root), line number and text.
        `path` is a directory (searched recursively) or a file; `glob` limits the files searched
        (e.g. `*.py`, `src/**/*.md`). `.git`, `.gitignore`d files and binary files are skipped.
        Bounded in files, matches and time; a cut is marked.
        """
        regex = _compile(pattern, ignore_case)
        base = sandbox.resolve(path)
        info = stat_existing(base, path)
        scan = _Scan(limits, time.monotonic() + limits.timeout_s)
        root = sandbox.root_of(base)
        for file in _files(sandbox, base, info, glob, IgnoreRules(root)):
            if scan.over():
                break
            _search_file(file, regex, sandbox, scan)
        return _result(pattern, path, scan)

    return [search_text]


def _compile(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    if len(pattern) > MAX_PATTERN_CHARS:
        raise SandboxError(f"pattern is {len(pattern):,} characters; the limit is {MAX_PATTERN_CHARS:,}")
    try:
        return re.compile(pattern, re.IGNORECASE if ignore_case else 0)
    except re.error as exc:
        raise SandboxError(f"invalid regular expression {pattern!r}: {exc}") from None


def _files(
    sandbox: Sandbox, base: Path, info: os.stat_result, glob: str | None, rules: IgnoreRules
) -> Iterator[Path]:
    if stat.S_ISREG(info.st_mode):
        yield base
        return
    if not stat.S_ISDIR(info.st_mode):
        raise SandboxError(f"{str(base)!r} is neither a file nor a directory; nothing to search")
    spec = pathspec.GitIgnoreSpec.from_lines([glob]) if glob else None
    for entry in walk(sandbox, base, 64, rules):
        if not entry.is_file:
            continue
        if spec is None or spec.match_file(entry.path.relative_to(base).as_posix()):
            yield entry.path


def _search_file(file: Path, regex: re.Pattern[str], sandbox: Sandbox, scan: _Scan) -> None:
    scan.files += 1
    try:
        fd = sandbox.open_beneath(file, str(file))  # no symlink followed, not hard-linked
    except SandboxError:
        scan.skipped += 1
        return
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > scan.limits.max_file_bytes:
            scan.skipped += 1
            return
        data = handle.read(scan.limits.max_file_bytes)
    if b"\x00" in data[:BINARY_SNIFF]:
        scan.skipped += 1
        return
    shown = sandbox.relative(file)
    for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), 1):
        if regex.search(line):
            text = line.strip()
            if len(text) > MAX_LINE_CHARS:
                text = text[:MAX_LINE_CHARS] + "…"
            scan.rows.append({"file": shown, "line": number, "text": text})
            if len(scan.rows) >= scan.limits.max_matches:
                return
        if number % 2048 == 0 and time.monotonic() > scan.deadline:
            return


def _result(pattern: str, path: str, scan: _Scan) -> Any:
    skipped = (
        f", {scan.skipped:,} skipped (binary, too large, hard-linked or unreadable)" if scan.skipped else ""
    )
    if not scan.rows:
        cut = f"; {scan.stopped}" if scan.stopped else ""
        return f"no matches for {pattern!r} in {path!r} ({scan.files:,} files searched{skipped}{cut})"
    if scan.stopped or scan.over():
        return {
            "matches": scan.rows,
            "note": f"… search {scan.stopped} ({scan.files:,} files searched{skipped}); "
            "narrow it with path, glob or a more specific pattern",
        }
    return scan.rows
