"""Devices, FIFOs, binary and huge files: refused or bounded with a clear message, never a hang,
nothing changed on disk, the server still serving."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.sources.builtin.conftest import call, disk_state, still_serving

pytestmark = pytest.mark.anyio


async def test_dev_zero_is_refused_outside_the_roots(builtin_server, connect, layout) -> None:
    async with connect(builtin_server()) as client:
        is_error, text = await call(client, "read_file", {"path": "/dev/zero"})
        await still_serving(client)
    assert is_error and "'/dev/zero' resolves to '/dev/zero', outside the allowed roots" in text


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
async def test_devices_are_refused_even_inside_a_root(builtin_server, connect, layout, device) -> None:
    server = builtin_server(roots=[layout["root"], Path("/dev")])
    async with connect(server) as client:
        is_error, text = await call(client, "read_file", {"path": device})
        sql = await call(client, "query_sqlite", {"database": device, "sql": "select 1"})
        await still_serving(client)
    assert is_error and f"{device!r} is a character device, not a file; it will not be read" in text
    assert sql[0] and "character device" in sql[1]


async def test_a_fifo_is_refused_without_blocking(builtin_server, connect, layout) -> None:
    fifo = layout["root"] / "pipe"
    os.mkfifo(fifo)
    before = disk_state(layout["tmp"])
    async with connect(builtin_server()) as client:
        read = await call(client, "read_file", {"path": "pipe"})
        sql = await call(client, "query_sqlite", {"database": "pipe", "sql": "select 1"})
        listing = await call(client, "list_directory", {"path": "."})
        found = await call(client, "search_text", {"pattern": "hello"})
        await still_serving(client)
    assert read == (
        True,
        "Error: tool 'read_file' raised SandboxError: "
        "'pipe' is a FIFO (named pipe), not a file; it will not be read",
    )
    assert sql[0] and "FIFO" in sql[1]
    assert "pipe,fifo" in listing[1]
    assert found == (False, "[1]{file,line,text}:\n  hello.txt,1,hello from inside")
    assert disk_state(layout["tmp"]) == before


async def test_a_directory_is_not_a_file(builtin_server, connect, layout) -> None:
    async with connect(builtin_server()) as client:
        is_error, text = await call(client, "read_file", {"path": "sub"})
        listed = await call(client, "list_directory", {"path": "hello.txt"})
    assert is_error and "'sub' is a directory, not a file" in text
    assert listed[0] and "'hello.txt' is a file, not a directory" in listed[1]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is a binary file (it holds NUL bytes)"),
        (b"caf\xe9 latin-1 text", "is not UTF-8 text (bad byte at offset 3)"),
    ],
)
async def test_binary_files_are_refused(builtin_server, connect, layout, content, message) -> None:
    (layout["root"] / "blob.bin").write_bytes(content)
    before = disk_state(layout["tmp"])
    async with connect(builtin_server()) as client:
        is_error, text = await call(client, "read_file", {"path": "blob.bin"})
        found = await call(client, "search_text", {"pattern": "PNG|IHDR"})
        await still_serving(client)
    assert is_error and message in text
    assert found[0] is False and "blob.bin" not in found[1]
    assert disk_state(layout["tmp"]) == before


async def test_a_huge_text_file_is_read_up_to_the_limit_and_marked(builtin_server, connect, layout) -> None:
    line = "2026-11-22 03:00:00 INFO request served in 12 ms\n"
    (layout["root"] / "huge.log").write_text(line * 40_000)  # ~2 MB
    size = (layout["root"] / "huge.log").stat().st_size
    before = disk_state(layout["tmp"])
    server = builtin_server(files={"max_file_bytes": 100_000})
    async with connect(server) as client:
        is_error, text = await call(client, "read_file", {"path": "huge.log"})
        await still_serving(client)
    assert not is_error
    notice = f"… file is {size:,} bytes; only the first 100,000 were read (search_text finds lines anywhere in it)"
    content = [line for line in text.split("\n") if not line.startswith("[")]  # markers are "[…]" lines
    assert content[-1] == notice  # the notice closes what is shown, before the markers
    assert len(text.encode()) < 101_000
    assert disk_state(layout["tmp"]) == before


async def test_a_sparse_multi_gigabyte_file_is_bounded(builtin_server, connect, layout) -> None:
    huge = layout["root"] / "sparse.txt"
    with huge.open("wb") as file:
        file.write(b"header line\n")
        file.truncate(4 * 1024**3)  # 4 GiB of (unallocated) zeros
    before = disk_state(layout["tmp"])
    async with connect(builtin_server(files={"max_file_bytes": 1_000_000})) as client:
        is_error, text = await call(client, "read_file", {"path": "sparse.txt"})
        found = await call(client, "search_text", {"pattern": "header"})
        await still_serving(client)
    assert is_error and "binary file" in text  # the zeros past the header are NUL bytes
    assert found == (
        False,
        "no matches for 'header' in '.' (3 files searched, 1 skipped (binary, too large, hard-linked or unreadable))",
    )
    assert disk_state(layout["tmp"]) == before
