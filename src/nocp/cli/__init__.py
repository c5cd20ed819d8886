"""The `nocp` command: one module per subcommand, each with `main(args, rest) -> int`.

    serve    serve MCP over stdio, or HTTP with --http         serve.py (http.py for --http)
    wrap     serve one MCP server through nocp               wrap.py
    install  install / uninstall nocp in a client's config   install.py
    demo     the example tools through a real client         demo.py
    stats    the token savings so far                        stats.py
    report   the stats as one HTML page                      html_report.py
    inspect  what nocp would send for a stored result        inspect.py
    bench    token reduction and fact recall over a corpus   bench.py
    test     the test suite                                  test.py

The parser is built here and imports no command module: a command's module (and whatever it
needs, the MCP SDK, rich, the pipeline) is imported only when that command runs.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from importlib import import_module
from pathlib import Path
from typing import Any

from nocp.errors import NocpError

REPO = Path(__file__).resolve().parents[3]

Command = Callable[[argparse.Namespace, list[str]], int]
"""A subcommand: the parsed arguments and the ones it takes through (`test`, `wrap`) → exit code."""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `nocp` command. Returns the process exit code."""
    parser = _parser()
    args, rest = parser.parse_known_args(argv)
    if rest and args.command not in ("test", "wrap"):
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    try:
        command: Command = import_module(args.module).main
        code = command(args, rest)
        sys.stdout.flush()  # inside the try: a reader that left raises here, not at exit
        return code
    except NocpError as exc:
        print(f"nocp: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `nocp stats --json | head`: the reader left, so end quietly
        _silence_stdout()
        return 141  # 128 + SIGPIPE, as a shell reports a command a pipe ended


def _silence_stdout() -> None:
    """Point stdout at devnull so the interpreter's last flush cannot raise again (Python docs'
    advice for SIGPIPE)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _parser() -> argparse.ArgumentParser:
    from nocp.version import DISTRIBUTION, version

    parser = argparse.ArgumentParser(
        prog="nocp", description="An MCP server that makes tool output cheap to read."
    )
    parser.add_argument("--version", action="version", version=f"nocp ({DISTRIBUTION}) {version()}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = _command(commands, "serve", "serve MCP over stdio (what clients run), or --http")
    _http_options(serve)
    _log_options(serve)
    serve.add_argument(
        "--root",
        type=Path,
        action="append",
        default=[],
        metavar="DIR",
        help="a directory the built-in tools may read (repeatable; default: the working directory)",
    )
    wrap = _command(
        commands, "wrap", "serve one MCP server through nocp: `nocp wrap -- CMD ARGS…` or `--url URL`"
    )
    wrap.add_argument("--name", default="upstream", help="its name in logs and stats")
    wrap.add_argument("--url", help="a streamable HTTP server instead of a command")
    wrap.add_argument("--header", action="append", default=[], help="NAME: VALUE (HTTP only)")
    _http_options(wrap)
    _log_options(wrap)
    from nocp.cli.install import add_command

    add_command(commands)
    _command(commands, "demo", "run the example tools through a real client", config=False)
    stats = _command(commands, "stats", "print the token savings so far")
    stats.add_argument("--json", action="store_true", help="print the summary as JSON (for scripts)")
    stats.add_argument("--since", metavar="SPAN|DATE", help="calls since 30m, 1h, 7d or a date")
    stats.add_argument(
        "--by",
        choices=("tool", "upstream", "day", "format"),
        default="tool",
        help="one row per (default: tool)",
    )
    report = _command(commands, "report", "write the stats as one self-contained HTML page")
    report.add_argument("--out", type=Path, metavar="FILE.html", help="where (default: nocp-report.html)")
    report.add_argument("--since", metavar="SPAN|DATE", help="calls since 30m, 1h, 7d or a date")
    report.set_defaults(module="nocp.cli.html_report")  # nocp.cli.report is the terminal rendering
    inspect = _command(commands, "inspect", "show what nocp would send for a stored result")
    inspect.add_argument("file", help="a file holding a tool result (JSON or text), or - for stdin")
    inspect.add_argument("--focus", help="what the agent is looking for")
    inspect.add_argument("--budget", type=int, help="token budget for this run")
    inspect.add_argument("--tool", default="inspect", help="tool name (for [per_tool] settings)")
    bench = _command(commands, "bench", "token reduction and fact recall over a corpus")
    bench.add_argument(
        "--corpus",
        type=Path,
        action="append",
        help="a folder with manifest.json (repeatable; default: ../shared/corpus and benchmarks/corpus)",
    )
    bench.add_argument("--out", type=Path, help="the Markdown report (default: a temporary folder)")
    bench.add_argument("--no-perf", action="store_true", help="skip the 1 MB and 50 MB timings")
    _command(commands, "test", "run the test suite (extra args go to pytest)", config=False)
    return parser


def _http_options(parser: argparse.ArgumentParser) -> None:
    """--http, --host, --port: serve streamable HTTP instead of stdio (docs/deployment.md)."""
    parser.add_argument("--http", action="store_true", help="serve streamable HTTP on /mcp instead of stdio")
    parser.add_argument("--host", help="address to listen on (default: [http] host, 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (default: [http] port, 8000)")


def _log_options(parser: argparse.ArgumentParser) -> None:
    """--log-format, --log-file: override `[log] format` and `[log] file` (never stdout)."""
    parser.add_argument("--log-format", choices=("console", "json"), help="log lines (default: [log] format)")
    parser.add_argument("--log-file", type=Path, metavar="FILE", help="append the log here, not to stderr")


def with_log_options(settings: Any, args: argparse.Namespace) -> Any:
    """`settings` with `--log-format` / `--log-file` in `[log]`."""
    update = {k: v for k, v in (("format", args.log_format), ("file", args.log_file)) if v is not None}
    if not update:
        return settings
    return settings.model_copy(update={"log": settings.log.model_copy(update=update)})


def _command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    help: str,
    *,
    config: bool = True,
) -> argparse.ArgumentParser:
    """A subcommand run by `nocp.cli.NAME.main`; with `--config` unless `config` is False."""
    parser = commands.add_parser(name, help=help)
    if config:
        parser.add_argument("--config", type=Path, help="a nocp.toml (default: ./nocp.toml)")
    parser.set_defaults(module=f"nocp.cli.{name}")
    return parser
