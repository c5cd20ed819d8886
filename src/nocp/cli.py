"""The `nocp` command: serve | wrap | install | uninstall | demo | stats | test."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from nocp.errors import NocpError

REPO = Path(__file__).resolve().parents[2]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `nocp` command. Returns the process exit code."""
    parser = _parser()
    args, rest = parser.parse_known_args(argv)
    if rest and args.command not in ("test", "wrap"):
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    command: Callable[[argparse.Namespace, list[str]], int] = args.run
    try:
        return command(args, rest)
    except NocpError as exc:
        print(f"nocp: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nocp", description="An MCP server that makes tool output cheap to read."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve MCP over stdio (what clients run)")
    serve.add_argument("--config", type=Path, help="a nocp.toml (default: ./nocp.toml)")
    serve.set_defaults(run=_serve)
    _add_upstream_commands(commands)
    demo = commands.add_parser("demo", help="run the example tools through a real client")
    demo.set_defaults(run=_demo)
    stats = commands.add_parser("stats", help="print the token savings so far")
    stats.add_argument("--config", type=Path, help="a nocp.toml (default: ./nocp.toml)")
    stats.add_argument("--json", action="store_true", help="print nocp://stats as JSON")
    stats.set_defaults(run=_stats)
    test = commands.add_parser("test", help="run the test suite (extra args go to pytest)")
    test.set_defaults(run=_test)
    return parser


def _serve(args: argparse.Namespace, _: list[str]) -> int:
    import anyio

    from nocp.config import load_settings
    from nocp.logs import configure_logging
    from nocp.server import NocpServer

    settings = load_settings(args.config)
    configure_logging(settings.log.level, settings.log.file)
    server = NocpServer.from_settings(settings)
    anyio.run(server.serve_stdio)
    return 0


def _add_upstream_commands(commands: Any) -> None:
    wrap = commands.add_parser(
        "wrap",
        help="serve one MCP server through nocp: `nocp wrap -- CMD ARGS…` or `--url URL`",
    )
    wrap.add_argument("--name", default="upstream", help="its name in logs and stats")
    wrap.add_argument("--url", help="a streamable HTTP server instead of a command")
    wrap.add_argument("--header", action="append", default=[], help="NAME: VALUE (HTTP only)")
    wrap.add_argument("--config", type=Path, help="a nocp.toml (default: ./nocp.toml)")
    wrap.set_defaults(run=_wrap)
    from nocp.install import add_install_commands

    add_install_commands(commands)


def _wrap(args: argparse.Namespace, rest: list[str]) -> int:
    import anyio

    from nocp.config import load_settings
    from nocp.logs import configure_logging
    from nocp.server import NocpServer
    from nocp.sources.upstream_config import wrap_settings

    command = rest[1:] if rest[:1] == ["--"] else rest
    settings = wrap_settings(
        load_settings(args.config), args.name, command, url=args.url, headers=args.header
    )
    configure_logging(settings.log.level, settings.log.file)
    server = NocpServer.from_settings(settings)
    anyio.run(server.serve_stdio)
    return 0


def _demo(args: argparse.Namespace, _: list[str]) -> int:
    from nocp.demo import run_demo

    return run_demo()


def _stats(args: argparse.Namespace, _: list[str]) -> int:
    import json

    from nocp.config import load_settings
    from nocp.store.db import open_database
    from nocp.store.stats import StatsStore

    settings = load_settings(args.config)
    store = StatsStore(open_database(settings.stats.path()))
    totals = store.totals()
    if args.json:
        print(json.dumps(totals, indent=2))
        return 0
    from nocp.report import print_stats

    print_stats(totals, settings.stats.path())
    return 0


def _test(args: argparse.Namespace, rest: list[str]) -> int:
    import pytest

    tests = REPO / "tests"
    if not tests.is_dir():
        raise NocpError(f"no tests at {tests}: `nocp test` runs from a checkout of nocp")
    return int(pytest.main([str(tests), "-p", "no:cacheprovider", *rest]))
