"""The file sandbox opens what it checked: a directory swapped for a symlink between the check
and the open is refused, not followed; hard-linked files are refused unless allowed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nocp.errors import SandboxError
from nocp.sources.builtin.files import file_tools
from nocp.sources.builtin.sandbox import Sandbox
from nocp.sources.builtin.search import search_tools
from nocp.sources.builtin.settings import FilesSettings, SearchSettings


def _setup(tmp_path: Path) -> tuple[Path, Path]:
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "dir").mkdir(parents=True)
    outside.mkdir()
    (root / "dir" / "notes.txt").write_text("inside")
    (outside / "notes.txt").write_text("OUTSIDE SECRET")
    return root, outside


def test_a_directory_swapped_for_a_symlink_after_the_check_is_not_followed(tmp_path: Path) -> None:
    root, outside = _setup(tmp_path)
    sandbox = Sandbox.of([root])
    real = sandbox.resolve("dir/notes.txt")  # checked: inside
    os.rename(root / "dir", root / "moved")
    (root / "dir").symlink_to(outside)  # the swap, between the check and the open
    with pytest.raises(SandboxError, match="now a symlink"):
        sandbox.open_beneath(real, "dir/notes.txt")
    with pytest.raises(SandboxError, match="symlink"):  # and by the tool, from the start
        file_tools(sandbox, FilesSettings())[0]("dir/notes.txt")


def test_a_walk_does_not_follow_a_directory_swapped_for_a_symlink(tmp_path: Path) -> None:
    root, outside = _setup(tmp_path)
    (root / "dir" / "sub").mkdir()
    sandbox = Sandbox.of([root])
    search = search_tools(sandbox, SearchSettings())[0]
    os.rename(root / "dir", root / "moved")
    (root / "dir").symlink_to(outside)
    found = search("SECRET", ".")
    assert "OUTSIDE" not in str(found)


def test_hard_linked_files_are_refused_unless_allowed(tmp_path: Path) -> None:
    root, outside = _setup(tmp_path)
    os.link(outside / "notes.txt", root / "linked.txt")
    read = file_tools(Sandbox.of([root]), FilesSettings())[0]
    with pytest.raises(SandboxError, match=r"2 hard links.*allow_hard_links"):
        read("linked.txt")
    assert "OUTSIDE" not in str(search_tools(Sandbox.of([root]), SearchSettings())[0]("SECRET"))
    allowed = file_tools(Sandbox.of([root], allow_hard_links=True), FilesSettings())[0]
    assert allowed("linked.txt") == "OUTSIDE SECRET"
