"""Before and after for real third-party MCP servers: one tool call, direct and through `nocp wrap`.

Each case starts the same server command twice as a stdio subprocess driven by the SDK client,
once directly and once as `python -m nocp wrap -- <command>`, and calls the same tool with the
same arguments. "Without nocp" is the text of every text block the server sent; "with nocp" is
the text nocp sent. Both are counted with `nocp.pipeline.tokens.TokenCounter` (`o200k_base`), as
nocp counts for its stats; the format is the one nocp recorded (`nocp://calls/recent`). Default
settings (budget 2,000 tokens, no `focus`): `NOCP_*` variables are ignored, the stats go to a
temporary `NOCP_DB`, and nocp runs in an empty directory, so no `./nocp.toml` is read.

    .venv/bin/python benchmarks/wrapped_before_after.py [--lines 5]

Every case reads fixed input, so the numbers are the same on any machine:

- `mcp-server-git` (the locked test dependency) `git_log` on a repository built here: 60 commits
  of a made-up HTTP client library with fixed authors, messages and dates, hence fixed hashes
  (HEAD is printed). A clone of this project at a fixed commit would also do, but only where
  that history exists (not in an archive, not after a rewrite); the built one needs only `git`.
- `@modelcontextprotocol/server-filesystem` (pinned, through `npx -y`) `directory_tree` on copies
  of two locked packages' installed sources without `__pycache__`: `mcp` (144 entries) and
  `litellm` (4,287). The server lists directories sorted by name. Skipped, with the reason,
  when `npx` is missing or cannot fetch the package.

After the table: the first `--lines` lines of what the agent receives through nocp for
`git_log`, then the closing marker that says what was left out and how to get it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from importlib.metadata import version
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

from nocp.pipeline.tokens import TokenCounter, use_bundled_bpe_files

FILESYSTEM_SERVER = "@modelcontextprotocol/server-filesystem@2026.8.31"
START = datetime(2025, 9, 1, 9, 12, tzinfo=timezone(timedelta(hours=2)))
STEPS_MIN = (47, 185, 1130, 64, 352, 2890, 23, 461)  # gaps between commits, cycled
AUTHORS = (
    "Maya Lindqvist <maya.lindqvist@example.org>",
    "Tom Okafor <tom@okafor.example.net>",
    "Priya Raman <priya.raman@example.org>",
    "Release Bot <release-bot@example.org>",
)
FILES = ("src/relay/client.py", "src/relay/retry.py", "src/relay/cli.py", "tests/test_retry.py", "README.md")
# (author index, subject, body): the history of a small HTTP client library, oldest first.
COMMITS = (
    (0, "Initial commit: Client with get/post and a default timeout", ""),
    (0, "Add RetryPolicy with a fixed number of attempts", ""),
    (1, "Retry on 502, 503 and 504 only", "Retrying 500 hid real server bugs in our own staging runs."),
    (0, "Add exponential backoff with jitter", "Full jitter, as in the AWS architecture blog post."),
    (2, "CLI: relay get URL prints the body", ""),
    (2, "CLI: --header may be given more than once", ""),
    (1, "Fix off-by-one in max_attempts", "max_attempts=3 made four requests. Closes #4."),
    (3, "Release 0.1.0", ""),
    (0, "Honour Retry-After in seconds and as an HTTP date", ""),
    (2, "Tests: backoff sequence with a seeded random", ""),
    (1, "Do not retry a POST unless idempotent=True", "A retried payment request charged twice. Closes #9."),
    (0, "Client.close() and context manager support", ""),
    (2, "README: retry examples", ""),
    (1, "Cap the backoff at 30 s", ""),
    (3, "Release 0.2.0", ""),
    (0, "Stream large downloads to disk instead of memory", "Fixes the 2 GB MemoryError in #14."),
    (2, "CLI: --output FILE writes the body to a file", ""),
    (1, "Retry on connection reset during the request body", ""),
    (0, "Type hints for the public API; py.typed", ""),
    (2, "CI: test on Python 3.11, 3.12 and 3.13", ""),
    (
        1,
        "Fix Retry-After parsing of dates without a weekday",
        "Seen from an nginx in front of S3. Closes #17.",
    ),
    (0, "Per-request timeout overrides the client default", ""),
    (3, "Release 0.3.0", ""),
    (2, "CLI: exit code 22 on HTTP errors, like curl -f", ""),
    (0, "Hooks: on_retry(attempt, exc, delay) callback", ""),
    (1, "Log each retry at INFO with the delay and the reason", ""),
    (2, "Tests: hooks get the same attempt numbers as the logs", ""),
    (
        0,
        "Refactor: one _send() for sync and streaming paths",
        "No behaviour change; the two copies had drifted.",
    ),
    (
        1,
        "Fix: streaming responses were retried after partial reads",
        "Now only before the first byte. Closes #23.",
    ),
    (3, "Release 0.4.0", ""),
    (2, "Docs: a page on idempotency and retries", ""),
    (0, "Proxy support from HTTPS_PROXY and NO_PROXY", ""),
    (1, "NO_PROXY accepts CIDR ranges", ""),
    (2, "CLI: --proxy overrides the environment", ""),
    (0, "Drop Python 3.9 and 3.10", "Both are past end of life for our users; 3.11 gives us TaskGroup."),
    (1, "Async client with the same API as Client", ""),
    (1, "Async retries share the backoff code with sync", ""),
    (2, "Tests: async client against a local test server", ""),
    (3, "Release 0.5.0", ""),
    (0, "Circuit breaker: open after N failures in a window", ""),
    (1, "Breaker state is per host, not per client", "One bad host opened the breaker for all. Closes #31."),
    (2, "CLI: relay stats prints retries and breaker state", ""),
    (0, "Fix a race when two tasks half-open the breaker", ""),
    (1, "Metrics: retry and breaker counters via a callback", ""),
    (3, "Release 0.6.0", ""),
    (2, "Docs: migrating from requests + urllib3 Retry", ""),
    (0, "Default timeout 10 s connect, 30 s read", "The single 60 s timeout hid slow DNS. Closes #38."),
    (1, "Retry DNS failures once, without backoff", ""),
    (2, "Tests: DNS failures with a fake resolver", ""),
    (0, "Deprecate Client(retries=int) in favour of RetryPolicy", ""),
    (3, "Release 0.7.0", ""),
    (1, "Fix: Retry-After above the cap was ignored, not capped", ""),
    (2, "CLI: --verbose shows each attempt with its timing", ""),
    (0, "HTTP/2 support behind relay[http2]", ""),
    (1, "Keep-alive pool size per host is configurable", ""),
    (2, "Docs: configuration reference generated from the code", ""),
    (
        0,
        "Fix a leak of pooled connections after a timeout",
        "Found with the soak test in #44; the pool now closes them.",
    ),
    (1, "Remove the deprecated retries=int argument", ""),
    (2, "README: badges and a shorter quick start", ""),
    (3, "Release 1.0.0", ""),
)


@dataclass(frozen=True)
class Case:
    server: str
    shown: str  # the tool and its arguments, as the table shows them
    command: list[str]
    tool: str
    args: dict[str, Any]


def build_repository(path: Path) -> str:
    """Build the fixed history in `path`; return its HEAD hash (the same on every machine)."""
    env = {"PATH": os.environ.get("PATH", ""), "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    git = ["git", "-C", str(path)]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True, env=env)
    when = START
    for i, (author, subject, body) in enumerate(COMMITS):
        name, email = AUTHORS[author].removesuffix(">").split(" <")
        file = path / FILES[i % len(FILES)]
        file.parent.mkdir(parents=True, exist_ok=True)
        with file.open("a") as f:
            f.write(f"# {subject}\n")
        who = {"NAME": name, "EMAIL": email, "DATE": when.isoformat()}
        env_i = env | {f"GIT_{role}_{k}": v for role in ("AUTHOR", "COMMITTER") for k, v in who.items()}
        message = f"{subject}\n\n{body}" if body else subject
        subprocess.run([*git, "add", "."], check=True, env=env_i)
        subprocess.run([*git, "commit", "-q", "-m", message], check=True, env=env_i)
        when += timedelta(minutes=STEPS_MIN[i % len(STEPS_MIN)])
    head = subprocess.run([*git, "rev-parse", "HEAD"], check=True, env=env, capture_output=True, text=True)
    return head.stdout.strip()


def git_case(work: Path) -> tuple[Case, str]:
    repo = work / "repo"
    repo.mkdir()
    head = build_repository(repo)
    command = [sys.executable, "-m", "mcp_server_git", "--repository", str(repo)]
    args = {"repo_path": str(repo), "max_count": 50}
    case = Case("mcp-server-git", "`git_log` max_count=50", command, "git_log", args)
    return case, f"git_log: the fixed repository of {len(COMMITS)} commits, HEAD {head}"


def tree_case(work: Path, package: str) -> Case:
    """`directory_tree` of a copy of an installed package's sources (no bytecode)."""
    spec = find_spec(package)
    if spec is None or spec.origin is None:
        raise SystemExit(f"{package} is not installed here: run `uv sync --frozen` first")
    tree = work / package
    shutil.copytree(Path(spec.origin).parent, tree, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shown = f"`directory_tree` of `{package}` {version(package)} ({_entries(tree):,} entries)"
    command = ["npx", "-y", FILESYSTEM_SERVER, str(tree)]
    return Case("server-filesystem", shown, command, "directory_tree", {"path": str(tree)})


def _entries(root: Path) -> int:
    return sum(1 for _ in root.rglob("*"))


def _text(blocks: list[Any]) -> str:
    return "".join(getattr(block, "text", "") for block in blocks)


async def _direct(case: Case, env: dict[str, str], cwd: Path) -> str:
    params = StdioServerParameters(command=case.command[0], args=case.command[1:], env=env, cwd=cwd)
    async with Client(params, cache=None) as client:
        return _text((await client.call_tool(case.tool, case.args)).content)


async def _through_nocp(case: Case, env: dict[str, str], cwd: Path) -> tuple[str, dict[str, Any]]:
    args = ["-m", "nocp", "wrap", "--", *case.command]
    params = StdioServerParameters(command=sys.executable, args=args, env=env, cwd=cwd)
    async with Client(params, cache=None) as client:
        sent = _text((await client.call_tool(case.tool, case.args)).content)
        recent = await client.read_resource("nocp://calls/recent")
    return sent, json.loads(_text(recent.contents))[0]  # newest first: this call


async def _direct_within(case: Case, env: dict[str, str], cwd: Path) -> str:
    with anyio.fail_after(300):  # the first `npx -y` downloads the package
        return await _direct(case, env, cwd)


async def _measure(work: Path, env: dict[str, str]) -> tuple[list[tuple[Case, dict[str, Any]]], list[str]]:
    cwd = work / "cwd"
    cwd.mkdir()
    git, note = git_case(work)
    cases, notes = [(git, await _direct_within(git, env, cwd))], [note]
    if shutil.which("npx") is None:
        notes.append(f"skipped {FILESYSTEM_SERVER}: npx is not on PATH")
    for package in ("mcp", "litellm") if shutil.which("npx") else ():
        case = tree_case(work, package)
        try:  # directly first, so that npx has the package when nocp starts it
            cases.append((case, await _direct_within(case, env, cwd)))
        except Exception as exc:  # npx is there but cannot fetch the package (offline registry)
            notes.append(f"skipped {FILESYSTEM_SERVER}: {_innermost(exc)!r} (npx's reason is on stderr)")
            break
    runs = []
    for case, raw in cases:
        sent, record = await _through_nocp(case, env, cwd)
        runs.append((case, {"raw": raw, "sent": sent, "record": record}))
    return runs, notes


def _innermost(exc: BaseException) -> BaseException:
    while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        exc = exc.exceptions[0]
    return exc


def _row(case: Case, run: dict[str, Any], count: Callable[[str], int]) -> str:
    before, after = count(run["raw"]), count(run["sent"])
    saved = 100 * (before - after) / before
    fmt = run["record"]["format"]
    return f"| {case.server} | {case.shown} | {before:,} | {after:,} | {saved:.1f}% | {fmt} |"


def _excerpt(text: str, lines: int) -> str:
    rest = text.splitlines()[lines:]
    closing = [line for line in rest if "nocp_expand(" in line]
    return "\n".join([*text.splitlines()[:lines], *(["…", *closing] if closing else [])])


async def main(lines: int) -> None:
    use_bundled_bpe_files()
    count = TokenCounter().count
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NOCP_")}
        env["NOCP_DB"] = str(Path(tmp) / "bench.db")
        runs, notes = await _measure(Path(tmp), env)
    print("| server | tool and arguments | tokens without nocp | tokens with nocp | saved | nocp sent |")
    print("|---|---|---:|---:|---:|---|")
    for case, run in runs:
        print(_row(case, run, count))
    print()
    for case, run in runs:
        if run["record"]["raw_tokens"] != count(run["raw"]):  # nocp counts what the SDK would send
            notes.append(f"{case.shown}: nocp's own raw count is {run['record']['raw_tokens']:,}")
    print("\n".join(f"- {note}" for note in notes))
    print(f"\nWhat the agent receives for git_log through nocp (first {lines} lines, then the last):\n")
    print(_excerpt(runs[0][1]["sent"], lines))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=5)
    anyio.run(main, parser.parse_args().lines)
