"""The one logging path: nocp's structlog loggers and stdlib loggers through one handler, one
formatter (tracebacks, redaction, console or JSON), never stdout — also as a library."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from nocp.logs import configure_logging, get_logger
from tests.server.test_stdio import PROTOCOL_VERSION, RawClient


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        yield
    finally:
        for handler in root.handlers:
            if handler not in handlers:
                handler.close()  # the log file
        root.handlers[:], root.level = handlers, level


def test_json_lines_carry_fields_tracebacks_and_redact_both_paths(
    tmp_path: Path, restore_logging: None
) -> None:
    log = tmp_path / "nocp.log"
    configure_logging("INFO", log, "json")
    try:
        raise ValueError("token=hunter2hunter2 in a traceback")
    except ValueError:
        get_logger("nocp.test").error("it failed", url="https://bob:pw123@example.com/", exc_info=True)
    # Not "httpx": once litellm is imported (other tests do), its own filter rewrites httpx's records.
    logging.getLogger("some.library").warning("GET https://alice:secret9@example.com/x")
    get_logger("nocp.test").info("fields named like record attributes", name="n", module="m")
    records = [json.loads(line) for line in log.read_text().splitlines()]
    first, second, third = records
    assert first["event"] == "it failed" and first["level"] == "error" and first["logger"] == "nocp.test"
    assert first["url"] == "https://bob:***@example.com/"
    assert "ValueError" in first["exception"] and "hunter2" not in first["exception"]
    assert second["event"] == "GET https://alice:***@example.com/x" and second["logger"] == "some.library"
    assert third["name_"] == "n" and third["module_"] == "m"


def test_console_format_is_one_readable_line(tmp_path: Path, restore_logging: None) -> None:
    log = tmp_path / "nocp.log"
    configure_logging("WARNING", log, "console")
    get_logger("nocp.test").warning("upstream slow", upstream="git", api_key="sk-abcdefghijklmnopqrstuv")
    get_logger("nocp.test").info("not shown")
    (line,) = log.read_text().splitlines()
    assert "upstream slow" in line and "upstream=git" in line and "api_key=***" in line


LIBRARY_SERVER = """
import logging, structlog
from nocp import NocpServer, Settings, tool
from nocp.logs import get_logger

@tool
def noisy(n: int) -> list[dict]:
    get_logger("nocp.user").warning("nocp logger warning")
    structlog.get_logger().warning("structlog default logger")  # would print to stdout
    logging.getLogger("some.library").error("stdlib error")
    return [{"i": i, "text": "row " * 20} for i in range(n)]

@tool
def broken() -> str:
    raise RuntimeError("boom")

NocpServer(Settings(), tools=[noisy, broken]).run()
"""


@pytest.mark.slow  # a subprocess: seconds
def test_the_library_entry_point_writes_only_json_rpc_on_stdout(tmp_path: Path) -> None:
    script = tmp_path / "server.py"
    script.write_text(LIBRARY_SERVER)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOCP_")}
    env.update(NOCP_DB=str(tmp_path / "nocp.db"))
    process = subprocess.Popen(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    client = RawClient(process)
    try:
        client.request(
            "initialize",
            {
                "protocolVersion": PROTOCOL_VERSION,
                "capabilities": {},
                "clientInfo": {"name": "t", "version": "0"},
            },
        )
        client.notify("notifications/initialized")
        client.request("tools/list")
        noisy = client.request("tools/call", {"name": "noisy", "arguments": {"n": 400}})
        broken = client.request("tools/call", {"name": "broken", "arguments": {}})
    finally:
        rest, errors = process.communicate(timeout=30)
    client.lines.extend(rest.splitlines(keepends=True))
    assert not noisy.get("isError") and broken["isError"] is True
    for line in client.lines:
        message = json.loads(line)
        assert message["jsonrpc"] == "2.0" and ("id" in message or "method" in message)
    for said in ("nocp logger warning", "structlog default logger", "stdlib error"):
        assert said in errors  # on stderr, not lost
    assert process.returncode == 0, errors


def test_log_options_override_the_log_section(tmp_path: Path) -> None:
    from nocp.cli import _parser, with_log_options
    from nocp.config import Settings

    args = _parser().parse_args(["serve", "--log-format", "json", "--log-file", str(tmp_path / "l.log")])
    log = with_log_options(Settings(), args).log
    assert log.format == "json" and log.file == tmp_path / "l.log"
    assert with_log_options(Settings(), _parser().parse_args(["wrap"])).log.format == "console"
