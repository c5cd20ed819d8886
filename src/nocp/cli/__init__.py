"""The `nocp` command: serve | wrap | install | uninstall | demo | stats | test."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from nocp.errors import NocpError

REPO = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"


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
    serve.add_argument(
        "--root",
        type=Path,
        action="append",
        default=[],
        metavar="DIR",
        help="a directory the built-in tools may read (repeatable; default: the working directory)",
    )
    serve.set_defaults(run=_serve)
    _add_upstream_commands(commands)
    demo = commands.add_parser("demo", help="run the example tools through a real client")
    demo.set_defaults(run=_demo)
    stats = commands.add_parser("stats", help="print the token savings so far")
    stats.add_argument("--config", type=Path, help="a nocp.toml (default: ./nocp.toml)")
    stats.add_argument("--json", action="store_true", help="print nocp://stats as JSON")
    stats.set_defaults(run=_stats)
    inspect = commands.add_parser("inspect", help="show what nocp would send for a stored result")
    inspect.add_argument("file", help="a file holding a tool result (JSON or text), or - for stdin")
    inspect.add_argument("--focus", help="what the agent is looking for")
    inspect.add_argument("--budget", type=int, help="token budget for this run")
    inspect.add_argument("--tool", default="inspect", help="tool name (for [per_tool] settings)")
    inspect.add_argument("--config", type=Path, help="a nocp.toml (default: ./nocp.toml)")
    inspect.set_defaults(run=_inspect)
    bench = commands.add_parser("bench", help="token reduction and fact recall over a corpus")
    bench.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder with manifest.json")
    bench.add_argument("--out", type=Path, default=Path("bench-report.md"), help="Markdown report")
    bench.add_argument("--no-perf", action="store_true", help="skip the 1 MB and 50 MB timings")
    bench.add_argument("--config", type=Path, help="a nocp.toml (default: ./nocp.toml)")
    bench.set_defaults(run=_bench)
    test = commands.add_parser("test", help="run the test suite (extra args go to pytest)")
    test.set_defaults(run=_test)
    return parser


def _serve(args: argparse.Namespace, _: list[str]) -> int:
    import anyio

    from nocp.config import load_settings
    from nocp.logs import configure_logging

    settings = load_settings(args.config)  # a bad config fails before the SDK is imported
    configure_logging(settings.log.level, settings.log.file)
    from nocp.server import NocpServer
    from nocp.sources.builtin import with_roots

    settings = with_roots(settings, args.root)
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


def _inspect(args: argparse.Namespace, _: list[str]) -> int:
    from nocp.config import load_settings
    from nocp.inspect import inspect_result

    settings = load_settings(args.config)
    if args.budget is not None:
        settings = settings.model_copy(
            update={"prune": settings.prune.model_copy(update={"budget": args.budget})}
        )
    text = sys.stdin.read() if args.file == "-" else _read(Path(args.file))
    inspect_result(text, settings, tool=args.tool, focus=args.focus)
    return 0


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise NocpError(f"cannot read {str(path)!r}: {exc}") from None


def _bench(args: argparse.Namespace, _: list[str]) -> int:
    from nocp import bench
    from nocp.config import load_settings

    if not (args.corpus / "manifest.json").is_file():
        raise NocpError(f"no corpus at {args.corpus} (a folder with manifest.json); pass --corpus DIR")
    settings = load_settings(args.config)
    results = bench.run_corpus(args.corpus, settings)
    timing = None if args.no_perf else bench.time_large_json(settings)
    huge = None if args.no_perf else bench.measure_huge(settings)
    command = "nocp bench " + " ".join(sys.argv[2:])
    report = bench.report(results, timing, huge, command.strip())
    args.out.write_text(report, encoding="utf-8")
    print(report)
    print(f"report written to {args.out}", file=sys.stderr)
    return 0


def _test(args: argparse.Namespace, rest: list[str]) -> int:
    import subprocess

    tests = REPO / "tests"
    if not tests.is_dir():
        raise NocpError(f"no tests at {tests}: `nocp test` runs from a checkout of nocp")
    # A fresh interpreter: pytest must import its plugins (anyio) before nocp does.
    command = [sys.executable, "-m", "pytest", str(tests), "-p", "no:cacheprovider", *rest]
    return subprocess.call(command, cwd=REPO)
