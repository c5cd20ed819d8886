"""The `nocp` command as a process: bad configuration is one line on stderr and exit code 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def run_nocp(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NOCP_")}
    return subprocess.run(
        [sys.executable, "-m", "nocp", *args],
        cwd=cwd,
        env={**clean, "NOCP_DB": str(cwd / "nocp.db"), **(env or {})},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_one_line_exit_2(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""  # stdout is the protocol: nothing else may appear there
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


BAD_CONFIGS = {
    "bad_toml": ("[tools\n", "invalid TOML"),
    "unknown_key": ("[tools]\ntimeot_s = 3\n", "tools.timeot_s: unknown key"),
    "bad_value": (
        '[tools]\ntimeout_s = "soon"\n',
        "tools.timeout_s: Input should be a valid number",
    ),
    "missing_module": (
        '[tools]\nmodules = ["missing.py"]\n',
        "[tools] modules: no such file",
    ),
    "module_that_fails": (
        '[tools]\nmodules = ["broken.py"]\n',
        "[tools] modules: cannot import",
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(BAD_CONFIGS))
def test_serve_with_a_bad_config_prints_one_line_and_exits_2(tmp_path: Path, case: str) -> None:
    text, problem = BAD_CONFIGS[case]
    config = tmp_path / "bad.toml"
    config.write_text(text, encoding="utf-8")
    (tmp_path / "broken.py").write_text("import not_a_module_anywhere\n", encoding="utf-8")
    line = assert_one_line_exit_2(run_nocp("serve", "--config", str(config), cwd=tmp_path))
    assert line.startswith("nocp: ")
    assert problem in line
    if case == "module_that_fails":
        assert "broken.py" in line and "ModuleNotFoundError" in line
    elif "module" not in case:
        assert str(config) in line


@pytest.mark.slow  # a real upstream / subprocess: seconds
def test_serve_with_a_bad_environment_variable(tmp_path: Path) -> None:
    result = run_nocp("serve", cwd=tmp_path, env={"NOCP_TOOLS__TIMEOUT_S": "0"})
    line = assert_one_line_exit_2(result)
    assert line == (
        "nocp: environment variable NOCP_TOOLS__TIMEOUT_S: tools.timeout_s: "
        "Input should be greater than 0 (got '0')"
    )


@pytest.mark.slow  # a real upstream / subprocess: seconds
def test_stats_json_on_an_empty_database(tmp_path: Path) -> None:
    result = run_nocp("stats", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["calls"] == 0 and stats["rows"] == {} and stats["by"] == "tool"


@pytest.mark.slow  # a real upstream / subprocess: seconds
def test_serve_with_an_unwritable_log_file(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    log = tmp_path / "a-file" / "nocp.log"
    line = assert_one_line_exit_2(run_nocp("serve", cwd=tmp_path, env={"NOCP_LOG__FILE": str(log)}))
    assert line.startswith(f"nocp: cannot open the log file '{log}': ")
    assert line.endswith("(set [log] file, --log-file or NOCP_LOG__FILE to a writable path)")


@pytest.mark.slow  # a real upstream / subprocess: seconds
def test_stats_prints_the_totals_and_the_per_tool_table(tmp_path: Path) -> None:
    from nocp.pipeline.model import StageReport
    from nocp.store.db import open_database
    from nocp.store.stats import CallRecord, StatsStore

    store = StatsStore(open_database(tmp_path / "nocp.db"))
    stages = (StageReport("normalize", 20_000, 4.0, "json"), StageReport("encode", 11_936, 8.0, "toon"))
    store.record(CallRecord("query_orders", 27_579, 11_936, "toon", 30.0, stages=stages))
    store.record(CallRecord("explode", 12, 12, "text", 1.0, is_error=True))
    store.db.close()
    result = run_nocp("stats", cwd=tmp_path, env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    words = " ".join(result.stdout.split())  # independent of the terminal width
    assert words.startswith(
        f"2 calls (all time, {tmp_path / 'nocp.db'}): 27,591 raw tokens → 11,948 sent, 15,643 saved (56.7%)"
    )
    assert "│ query_orders │ 1 │ 0 │ 15,643 (56.7%) │ 56.7% │ – │ 12.0 │ 12.0 │ ████████████████ │" in words
    assert "│ explode │ 1 │ 1 │ 0 (0.0%) │ 0.0% │ – │ – │ – │" in words
    later = run_nocp("stats", "--since", "2999-01-01", "--json", cwd=tmp_path)
    assert json.loads(later.stdout)["calls"] == 0


def test_version_names_the_distribution(tmp_path: Path) -> None:
    from nocp.version import version

    done = run_nocp("--version", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"nocp (nocp-mcp) {version()}"


def test_a_reader_that_leaves_ends_the_command_quietly(tmp_path: Path) -> None:
    """`nocp stats --json | head`: the pipe's reader is gone before nocp writes (it is closed
    right away; nocp takes far longer to start), so the write fails with EPIPE."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NOCP_")}
    read, write = os.pipe()
    os.close(read)
    process = subprocess.Popen(
        [sys.executable, "-m", "nocp", "stats", "--json"],
        cwd=tmp_path,
        env={**clean, "NOCP_DB": str(tmp_path / "nocp.db")},
        stdin=subprocess.DEVNULL,
        stdout=write,
        stderr=subprocess.PIPE,
        text=True,
    )
    os.close(write)
    _, err = process.communicate(timeout=60)
    assert err == ""  # no BrokenPipeError traceback, no "Exception ignored"
    assert process.returncode == 141
