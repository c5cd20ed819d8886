"""Path traversal: every way out of the sandbox roots is refused, names the path and the roots,
changes nothing on disk, and leaves the server serving — for every tool that takes a path."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sources.builtin.conftest import SECRET, call, disk_state, still_serving

pytestmark = pytest.mark.anyio

# (path as given, what the refusal must say) — relative paths start at the root tmp/proj.
ESCAPES = {
    "dotdot": ("../outside/secret.txt", "outside the allowed roots"),
    "dotdot_deep": ("../../../../../../../../etc/passwd", "outside the allowed roots"),
    "dotdot_after_descent": ("sub/../../outside/secret.txt", "outside the allowed roots"),
    "dotdot_to_prefix_sibling": ("../proj-secret/secret.txt", "outside the allowed roots"),
    "symlinked_file": ("link_file", "through a symlink"),
    "symlinked_parent": ("link_dir/secret.txt", "through a symlink"),
    "symlink_chain": ("link_chain", "through a symlink"),
    "symlink_to_etc": ("etc_link/passwd", "through a symlink"),
}
ABSOLUTE = {
    "absolute_outside": ("{tmp}/outside/secret.txt", "outside the allowed roots"),
    "absolute_prefix_sibling": ("{tmp}/proj-secret/secret.txt", "outside the allowed roots"),
    "absolute_etc": ("/etc/passwd", "outside the allowed roots"),
    "absolute_with_dotdot": ("{tmp}/proj/../outside/secret.txt", "outside the allowed roots"),
    "absolute_through_symlink": ("{tmp}/proj/link_dir/secret.txt", "through a symlink"),
}
# Never decoded or expanded: these name files that do not exist inside the root.
LITERAL = [
    "%2e%2e/outside/secret.txt",
    "..%2foutside%2fsecret.txt",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "..\\outside\\secret.txt",
    "~/../outside/secret.txt",
    "file:///etc/passwd",
    "../OUTSIDE/secret.txt",  # case tricks: Linux paths are case-sensitive, so still refused
    "../Outside/secret.txt",
]


def _paths(layout: dict[str, Path]) -> dict[str, tuple[str, str]]:
    cases = dict(ESCAPES)
    for name, (path, message) in ABSOLUTE.items():
        cases[name] = (path.format(tmp=layout["tmp"]), message)
    return cases


@pytest.mark.parametrize("case", [*ESCAPES, *ABSOLUTE])
async def test_read_file_escapes_are_refused(builtin_server, connect, layout, case: str) -> None:
    path, message = _paths(layout)[case]
    before = disk_state(layout["tmp"])
    async with connect(builtin_server()) as client:
        is_error, text = await call(client, "read_file", {"path": path})
        await still_serving(client)
    assert is_error
    assert message in text
    assert repr(path) in text and str(layout["root"]) in text  # names the path and the roots
    assert SECRET not in text
    assert disk_state(layout["tmp"]) == before


@pytest.mark.parametrize("path", LITERAL)
async def test_encoded_and_tricky_paths_are_not_decoded(builtin_server, connect, layout, path) -> None:
    before = disk_state(layout["tmp"])
    async with connect(builtin_server()) as client:
        is_error, text = await call(client, "read_file", {"path": path})
        await still_serving(client)
    assert is_error
    assert "no such file" in text or "outside the allowed roots" in text
    assert SECRET not in text and "root:" not in text
    assert disk_state(layout["tmp"]) == before


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("list_directory", {"path": "../outside"}),
        ("list_directory", {"path": "link_dir"}),
        ("directory_tree", {"path": "../outside"}),
        ("directory_tree", {"path": "/"}),
        ("search_text", {"pattern": "SECRET", "path": "../outside"}),
        ("search_text", {"pattern": "SECRET", "path": "link_dir"}),
        ("search_text", {"pattern": "SECRET", "path": "link_file"}),
        ("query_sqlite", {"database": "../outside/secret.txt", "sql": "select 1"}),
        ("query_sqlite", {"database": "link_file", "sql": "select 1"}),
    ],
)
async def test_every_path_taking_tool_is_sandboxed(
    builtin_server, connect, layout, tool: str, arguments: dict[str, str]
) -> None:
    before = disk_state(layout["tmp"])
    async with connect(builtin_server()) as client:
        is_error, text = await call(client, tool, arguments)
        await still_serving(client)
    assert is_error
    assert "outside the allowed roots" in text
    assert SECRET not in text
    assert disk_state(layout["tmp"]) == before


async def test_walks_list_symlinks_but_never_follow_them(builtin_server, connect, layout) -> None:
    async with connect(builtin_server()) as client:
        _, listing = await call(client, "list_directory", {"path": ".", "depth": 5})
        _, tree = await call(client, "directory_tree", {"path": "."})
        _, found = await call(client, "search_text", {"pattern": "SECRET|nothing secret"})
    assert "link_dir,symlink" in listing and "secret.txt" not in listing
    assert "link_dir  (symlink)" in tree and "secret.txt" not in tree
    assert "notes.md" in found and SECRET not in found


async def test_a_symlink_that_stays_inside_is_followed(builtin_server, connect, layout) -> None:
    async with connect(builtin_server()) as client:
        is_error, text = await call(client, "read_file", {"path": "inside_link"})
    assert (is_error, text) == (False, "hello from inside")


async def test_a_second_root_is_reachable_by_absolute_path(builtin_server, connect, layout) -> None:
    server = builtin_server(roots=[layout["root"], layout["outside"]])
    async with connect(server) as client:
        via_absolute = await call(client, "read_file", {"path": str(layout["outside"] / "secret.txt")})
        via_link = await call(client, "read_file", {"path": "link_file"})
        sibling = await call(client, "read_file", {"path": str(layout["sibling"] / "secret.txt")})
    assert via_absolute == (False, SECRET) and via_link == (False, SECRET)
    assert sibling[0] and "outside the allowed roots" in sibling[1]


@pytest.mark.parametrize("path", ["", "a\x00b", "hello.txt\x00.png"])
async def test_empty_and_nul_paths_are_refused(builtin_server, connect, layout, path: str) -> None:
    async with connect(builtin_server()) as client:
        is_error, text = await call(client, "read_file", {"path": path})
        await still_serving(client)
    assert is_error and "invalid path" in text
