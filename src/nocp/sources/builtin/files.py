"""Built-in file tools: `read_file`, `list_directory`, `directory_tree` — read-only, sandboxed."""

from __future__ import annotations

import codecs
import csv
import itertools
import json
import os
import re
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from nocp.errors import SandboxError
from nocp.sources.builtin.sandbox import (
    Sandbox,
    open_regular,
    require_kind,
    stat_existing,
)
from nocp.sources.builtin.settings import FilesSettings
from nocp.sources.builtin.walk import Entry, IgnoreRules, count_entries, walk

BINARY_SNIFF = 8192
MAX_COUNTED = 100_000
"""Entries past the limit are counted up to this many, so a huge tree cannot stall a listing."""
_INT = re.compile(r"-?(0|[1-9][0-9]{0,17})")
_FLOAT = re.compile(r"-?(0|[1-9][0-9]*)\.[0-9]+")


def read_text(fd: int, shown: str, limit: int) -> tuple[str, int, bool]:
    """Read at most `limit` bytes of an open regular file as UTF-8 text.

    Returns:
        (text, size of the file in bytes, whether the text stops before the end of the file).

    Raises:
        SandboxError: the file holds NUL bytes (binary) or is not UTF-8 text.
    """
    with os.fdopen(fd, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        data = file.read(limit + 1)
    truncated = len(data) > limit
    data = data[:limit]
    if b"\x00" in data:
        raise SandboxError(f"{shown!r} is a binary file (it holds NUL bytes); only text files are read")
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        text = decoder.decode(data, final=not truncated)  # a cut multi-byte char is not an error
    except UnicodeDecodeError as exc:
        raise SandboxError(
            f"{shown!r} is not UTF-8 text (bad byte at offset {exc.start}); only text files are read"
        ) from None
    return text, max(size, len(data)), truncated


def file_tools(sandbox: Sandbox, limits: FilesSettings) -> list[Callable[..., Any]]:
    """The three file tools, bound to `sandbox` and `limits`."""

    def read_file(path: str) -> Any:
        """Read a text file inside the sandbox roots.

        JSON files come back as their value, JSON Lines as a list, CSV/TSV as rows (one object
        per line, keyed by the header), everything else (code, logs, Markdown…) as text. Large
        files are read up to a limit and marked as cut. Binary files, devices and FIFOs are
        refused. Relative paths start at the first root.
        """
        real = sandbox.resolve(path)
        fd = open_regular(sandbox, real, path)
        text, size, truncated = read_text(fd, path, limits.max_file_bytes)
        note = (
            f"… file is {size:,} bytes; only the first {limits.max_file_bytes:,} were read "
            "(search_text finds lines anywhere in it)"
            if truncated
            else ""
        )
        return _shape(real.suffix.lower(), text, note)

    def list_directory(path: str = ".", depth: int = 1, include_ignored: bool = False) -> Any:
        """List a directory inside the sandbox: one row per entry with its path (relative to
        the listed directory), kind (file, dir, symlink, fifo, device, socket) and size (bytes
        for files, number of entries for directories). `depth` > 1 lists subdirectories too.
        `.git` and `.gitignore`d entries are left out unless `include_ignored` is true.
        """
        base = _directory(sandbox, path)
        if depth < 1:
            raise SandboxError(f"depth must be 1 or more, got {depth}")
        rules = IgnoreRules(sandbox.root_of(base), enabled=not include_ignored)
        entries, more = _take(walk(sandbox, base, min(depth, limits.max_depth), rules), limits.max_entries)
        rows = [
            {"path": e.path.relative_to(base).as_posix(), "kind": e.kind, "size": _size(sandbox, e, rules)}
            for e in entries
        ]
        if not rows:
            return f"{path!r} is an empty directory" + (" (after .gitignore)" if not include_ignored else "")
        if more:
            return {
                "entries": rows,
                "note": f"… {_count(more)} more entries not listed "
                f"(limit {limits.max_entries:,}); list a subdirectory or use less depth",
            }
        return rows

    def directory_tree(path: str = ".", include_ignored: bool = False) -> str:
        """The tree of a directory inside the sandbox, as indented text: directories end in
        `/`, files show their size. `.git` and `.gitignore`d entries are left out unless
        `include_ignored` is true. Bounded in entries and depth; cuts are marked.
        """
        base = _directory(sandbox, path)
        rules = IgnoreRules(sandbox.root_of(base), enabled=not include_ignored)
        entries, more = _take(walk(sandbox, base, limits.max_depth, rules), limits.max_entries)
        lines = [f"{sandbox.relative(base)}/"]
        lines += ["  " * entry.depth + _tree_label(entry) for entry in entries]
        if more:
            lines.append(f"… {_count(more)} more entries not shown (limit {limits.max_entries:,})")
        return "\n".join(lines)

    return [read_file, list_directory, directory_tree]


def _directory(sandbox: Sandbox, path: str) -> Path:
    real = sandbox.resolve(path)
    require_kind(stat_existing(real, path), path, [stat.S_IFDIR])
    return real


def _take(entries: Iterator[Entry], limit: int) -> tuple[list[Entry], int]:
    """The first `limit` entries, and how many more there are (counted up to MAX_COUNTED)."""
    taken = list(itertools.islice(entries, limit))
    more = sum(1 for _ in itertools.islice(entries, MAX_COUNTED))
    return taken, more


def _count(more: int) -> str:
    return f"at least {more:,}" if more >= MAX_COUNTED else f"{more:,}"


def _size(sandbox: Sandbox, entry: Entry, rules: IgnoreRules) -> int:
    return count_entries(sandbox, entry.path, rules) if entry.is_dir else entry.size


def _tree_label(entry: Entry) -> str:
    name = entry.path.name
    if entry.is_dir:
        return name + "/"
    if entry.is_file:
        return f"{name}  {_human(entry.size)}"
    return f"{name}  ({entry.kind})"


def _human(size: int) -> str:
    value = float(size)
    for unit in ("B", "K", "M", "G"):
        if value < 1024 or unit == "G":
            return f"{size} B" if unit == "B" else f"{value:.1f}{unit}"
        value /= 1024
    return f"{size} B"  # unreachable; keeps type checkers content


def _shape(suffix: str, text: str, note: str) -> Any:
    """The value an agent reads best for a file of this type."""
    shaped: Any = text
    if suffix == ".json" and not note:
        try:
            shaped = json.loads(text)
        except ValueError:
            shaped = text
    elif suffix in (".jsonl", ".ndjson"):
        shaped = [_json_or_text(line) for line in _whole_lines(text, note) if line.strip()]
    elif suffix in (".csv", ".tsv"):
        shaped = _rows(_whole_lines(text, note), "\t" if suffix == ".tsv" else ",") or text
    if isinstance(shaped, str):
        return f"{shaped}\n{note}" if note else shaped
    return {"rows": shaped, "note": note} if note else shaped


def _whole_lines(text: str, note: str) -> list[str]:
    lines = text.splitlines()
    return lines[:-1] if note and lines else lines  # the last line of a cut file is partial


def _json_or_text(line: str) -> Any:
    try:
        return json.loads(line)
    except ValueError:
        return line


def _rows(lines: list[str], delimiter: str) -> list[dict[str, Any]] | None:
    """CSV/TSV lines as objects keyed by the header; None when the text is not a usable table."""
    try:
        records = list(csv.reader(lines, delimiter=delimiter))
    except csv.Error:
        return None
    if not records or not records[0]:
        return None
    header = unique_names([name.strip() or f"column{i + 1}" for i, name in enumerate(records[0])])
    rows = []
    for record in records[1:]:
        row: dict[str, Any] = {name: _cell(value) for name, value in zip(header, record, strict=False)}
        if len(record) > len(header):
            row["_extra"] = record[len(header) :]
        rows.append(row)
    return rows


def unique_names(names: list[str]) -> list[str]:
    """Column names made unique: a repeated `id` becomes `id_2`, `id_3`…"""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return out


def _cell(value: str) -> Any:
    """Numbers as numbers when the text round-trips exactly; everything else as text."""
    if _INT.fullmatch(value):
        return int(value)
    if _FLOAT.fullmatch(value) and repr(float(value)) == value.lstrip("+"):
        return float(value)
    return value
