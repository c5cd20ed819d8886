"""Every string nocp sends is valid UTF-8: lone surrogates from each source (file names, tool
results, upstream results, error messages) are replaced with U+FFFD and marked, and the server
keeps serving. Over real stdio: the SDK's writer dies on a surrogate, so only the wire proves it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.security.conftest import raw_upstream, write_config
from tests.wire import WireServer

pytestmark = pytest.mark.slow  # a real server process per module: seconds

REPLACEMENT = "\ufffd"
MARKER = "not valid in UTF-8"


def text(result: dict[str, Any]) -> str:
    return "\n".join(block["text"] for block in result["content"] if block["type"] == "text")


def bad_name(root: Path, name: bytes, content: bytes = b"needle here\n") -> None:
    """A file whose name is not UTF-8 (os.fsdecode turns it into lone surrogates)."""
    with open(os.path.join(os.fsencode(root), name), "wb") as file:
        file.write(content)


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("list_directory", {"path": "."}),
        ("directory_tree", {"path": "."}),
        ("search_text", {"pattern": "needle"}),
    ],
)
def test_file_names_that_are_not_utf8(served: WireServer, tool: str, arguments: dict[str, Any]) -> None:
    bad_name(served.root, b"report-\xff\xfe.txt")  # type: ignore[attr-defined]
    result = served.call(tool, arguments)
    assert not result.get("isError"), result
    assert f"report-{REPLACEMENT}{REPLACEMENT}.txt" in text(result)
    assert MARKER in text(result)
    assert served.alive()


@pytest.mark.parametrize("tool", ["surrogate_text", "surrogate_records"])
def test_python_tool_results_with_surrogates(served: WireServer, tool: str) -> None:
    result = served.call(tool)
    assert not result.get("isError"), result
    assert REPLACEMENT in text(result) and MARKER in text(result)
    assert served.alive()


def test_error_messages_with_surrogates(served: WireServer) -> None:
    result = served.call("surrogate_error")
    assert result["isError"] is True
    assert f"bad-{REPLACEMENT}.txt" in text(result) and MARKER in text(result)
    assert served.alive()


def test_the_stats_of_calls_with_surrogates_read_back(served: WireServer) -> None:
    served.call("surrogate_text")
    recent = served.request("resources/read", {"uri": "nocp://calls/recent"})
    assert "surrogate_text" in recent["contents"][0]["text"]


@pytest.mark.parametrize("mode", ["surrogates", "badbytes"])
def test_upstream_results_with_surrogates_or_bad_bytes(tmp_path: Path, mode: str) -> None:
    config = write_config(tmp_path, raw_upstream("raw", mode) + "call_timeout_s = 5\n")
    with WireServer(tmp_path, "--config", str(config), "--root", str(tmp_path)) as server:
        server.initialize()
        names = [tool["name"] for tool in server.request("tools/list")["tools"]]
        assert "raw__echo" in names
        result = server.call("raw__echo")
        assert REPLACEMENT in text(result) or result.get("isError"), result
        assert server.alive()
        assert server.call("surrogate_text")["content"]  # and the others still serve
