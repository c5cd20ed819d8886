"""`nocp demo`: the real server over stdio, a real MCP client, the example tools, the stats."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import anyio
from rich.console import Console
from rich.table import Table

from nocp.cli.report import print_stats

PACKAGE = Path(__file__).resolve().parents[1]
"""The `nocp` package's folder: `src/nocp` in a checkout, `site-packages/nocp` when installed."""
ROOT = PACKAGE.parent
"""The built-in tools' sandbox in the demo: the folder holding the package (its own source)."""

CALLS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("query_orders", {"limit": 300}),
    ("get_repository", {"owner": "encode", "name": "httpx"}),
    ("tail_log", {"service": "api", "lines": 400}),
    # Built-in tools, sandboxed to the folder holding nocp's own source (`--root`):
    ("list_directory", {"path": "nocp", "depth": 2}),
    ("search_text", {"pattern": r"^def \w+", "path": "nocp/pipeline"}),
)


def examples_dir() -> Path:
    """The example tools and their config: package data in an installed copy (`nocp/demo_data`,
    the wheel's copy of `examples/`), the checkout's `examples/` otherwise."""
    packaged = PACKAGE / "demo_data"
    return packaged if packaged.is_dir() else ROOT.parent / "examples"


def run_demo(console: Console | None = None) -> int:
    """Run the demo; returns the exit code."""
    console = console or Console()
    config = examples_dir() / "nocp.toml"
    if not config.is_file():
        console.print(f"[red]no example tools at {config.parent}: reinstall nocp-mcp[/red]")
        return 1
    with tempfile.TemporaryDirectory(prefix="nocp-demo-") as tmp:
        db = Path(tmp) / "nocp.db"
        anyio.run(_session, config, db, console)
    return 0


async def _session(config: Path, db: Path, console: Console) -> None:
    from mcp import Client, StdioServerParameters

    server = StdioServerParameters(
        command=sys.executable,
        args=["-m", "nocp", "serve", "--config", str(config), "--root", str(ROOT)],
        env={**os.environ, "NOCP_DB": str(db)},
    )
    console.print(f"[bold]nocp demo[/bold] — `nocp serve --config {config} --root {ROOT}` over stdio")
    async with Client(server) as client:
        tools = await client.list_tools()
        console.print("tools: " + ", ".join(t.name for t in tools.tools))
        for name, arguments in CALLS:
            result = await client.call_tool(name, arguments)
            text = "".join(getattr(block, "text", "") for block in result.content)
            _show_result(console, name, arguments, text)
        recent = json.loads(_text(await client.read_resource("nocp://calls/recent")))
        _show_calls(console, list(reversed(recent)))
        stats = json.loads(_text(await client.read_resource("nocp://stats")))
    console.print("\n[bold]nocp://stats[/bold]")
    print_stats(stats, console=console)
    console.print_json(json.dumps({k: v for k, v in stats.items() if k != "tools"}))


def _text(result: Any) -> str:
    return "".join(getattr(c, "text", "") for c in result.contents)


def _show_result(console: Console, name: str, arguments: dict[str, Any], text: str) -> None:
    lines = text.splitlines()
    args = ", ".join(f"{k}={v!r}" for k, v in arguments.items())
    console.print(f"\n[bold cyan]{name}({args})[/bold cyan] — first lines of what the agent reads:")
    shown = [line if len(line) <= 110 else line[:109] + "…" for line in lines[:6]]
    if len(lines) > 6:
        shown.append(f"… ({len(lines) - 6:,} more lines)")
    console.print("\n".join(shown), markup=False, highlight=False, soft_wrap=True)


def _show_calls(console: Console, calls: list[dict[str, Any]]) -> None:
    table = Table("tool", "format", "raw tokens", "sent tokens", "saved", title="\nper call")
    for call in calls:
        pct = 100 * call["saved_tokens"] / call["raw_tokens"] if call["raw_tokens"] else 0.0
        table.add_row(
            call["tool"],
            call["format"],
            f"{call['raw_tokens']:,}",
            f"{call['sent_tokens']:,}",
            f"{pct:.1f}%",
        )
    console.print(table)


def main(args: object, _: list[str]) -> int:
    """`nocp demo`."""
    return run_demo()
