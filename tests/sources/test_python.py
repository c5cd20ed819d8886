"""Python tools: the `@tool` decorator, schemas from hints, and `[tools] modules` loading."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from nocp import tool
from nocp.errors import ToolArgumentError, ToolLoadError
from nocp.sources.python import PythonSource, load_tool_modules, tool_options

pytestmark = pytest.mark.anyio


@tool
def add(a: int, b: int = 2) -> int:
    """Add two numbers.

    More detail here.
    """
    return a + b


@tool(name="shout", description="Upper-case a word.", timeout_s=3)
async def loud(word: str) -> str:
    return word.upper()


def not_a_tool() -> None:
    """Plain function."""


def test_the_decorator_leaves_an_ordinary_function() -> None:
    assert add(1) == 3
    assert tool_options(add) is not None
    assert tool_options(not_a_tool) is None


def test_definitions_come_from_hints_and_docstrings() -> None:
    first, second = PythonSource([add, loud]).tools()
    assert first.name == "add"
    assert first.description == "Add two numbers.\n\nMore detail here."
    assert first.input_schema["required"] == ["a"]
    assert first.input_schema["properties"]["a"]["type"] == "integer"
    assert first.input_schema["properties"]["b"]["default"] == 2
    assert first.timeout_s is None
    assert (second.name, second.description, second.timeout_s) == ("shout", "Upper-case a word.", 3)


async def test_sync_and_async_tools_are_called_with_validated_arguments() -> None:
    source = PythonSource([add, loud])
    assert await source.call("add", {"a": "40"}) == 42  # coerced like the SDK does
    assert await source.call("shout", {"word": "hi"}) == "HI"
    with pytest.raises(ToolArgumentError, match="a: Field required"):
        await source.call("add", {})


def test_two_tools_with_one_name_are_refused() -> None:
    @tool(name="add")
    def other() -> int:
        return 0

    with pytest.raises(ToolLoadError, match="two tools are named 'add'; rename one"):
        PythonSource([add, other])


def test_modules_load_by_path_and_by_dotted_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "helpers_for_nocp_test.py").write_text("FACTOR = 10\n")
    (tmp_path / "file_tools.py").write_text(
        "from nocp import tool\n"
        "from helpers_for_nocp_test import FACTOR\n"  # a sibling import works
        "@tool\n"
        "def scaled(x: int) -> int:\n"
        "    '''x times ten.'''\n"
        "    return x * FACTOR\n"
        "def helper() -> None: ...\n"
    )
    package = tmp_path / "pkg_for_nocp_test"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "tools.py").write_text(
        "from nocp import tool\n@tool\nasync def ping() -> str:\n    '''Pong.'''\n    return 'pong'\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        functions = load_tool_modules([str(tmp_path / "file_tools.py"), "pkg_for_nocp_test.tools"])
        assert [f.__name__ for f in functions] == ["scaled", "ping"]
        assert functions[0](4) == 40
    finally:
        for name in [n for n in sys.modules if "nocp_test" in n or n == "nocp_tools_file_tools"]:
            del sys.modules[name]


def test_modules_that_cannot_load_name_the_entry(tmp_path: Path) -> None:
    with pytest.raises(ToolLoadError, match=r"no such file '.*missing\.py'"):
        load_tool_modules([str(tmp_path / "missing.py")])
    with pytest.raises(ToolLoadError, match="cannot import 'no_such_package_x': ModuleNotFoundError"):
        load_tool_modules(["no_such_package_x"])
    broken = tmp_path / "broken.py"
    broken.write_text("raise RuntimeError('boom at import')\n")
    with pytest.raises(ToolLoadError, match=r"broken\.py': RuntimeError: boom at import"):
        load_tool_modules([str(broken)])
