"""`nocp test`: the test suite of this checkout (extra arguments go to pytest)."""

from __future__ import annotations

import argparse
import subprocess
import sys

from nocp.cli import REPO
from nocp.errors import NocpError


def main(args: argparse.Namespace, rest: list[str]) -> int:
    """Run pytest over `tests/` (or the test paths given) in a fresh interpreter; its exit code
    is the command's."""
    tests = REPO / "tests"
    if not tests.is_dir():
        raise NocpError(
            f"no tests at {tests}: an installed nocp has no test suite; "
            "`nocp test` runs in a checkout of the repository (clone it, then `./nocp test`)"
        )
    # A fresh interpreter: pytest must import its plugins (anyio) before nocp does.
    targets = [] if any(_is_target(a) for a in rest) else [str(tests)]
    command = [sys.executable, "-m", "pytest", *targets, "-p", "no:cacheprovider", *rest]
    return subprocess.call(command, cwd=REPO)


def _is_target(arg: str) -> bool:
    """Whether a pytest argument names tests to run (`tests/x.py`, `tests/x.py::test_y`)."""
    return not arg.startswith("-") and (REPO / arg.split("::")[0]).exists()
