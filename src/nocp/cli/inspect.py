"""`nocp inspect`: what nocp would send for a stored result, and what each stage did."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from nocp.config import Settings
from nocp.errors import NocpError
from nocp.pipeline import optimize


def parse_result(text: str) -> Any:
    """A stored result as a tool would have returned it: JSON when it parses, else text."""
    if text.lstrip()[:1] in ("{", "["):
        try:
            return json.loads(text)
        except ValueError:
            pass
    return text


def inspect_result(
    text: str,
    settings: Settings,
    *,
    tool: str = "inspect",
    focus: str | None = None,
    console: Console | None = None,
) -> None:
    """Print the stage table, the token figures and the text that would be sent."""
    console = console or Console()
    result = optimize(parse_result(text), tool=tool, focus=focus, settings=settings)
    table = Table("stage", "tokens after", "ms", "what it did", title="pipeline")
    for report in result.stages:
        table.add_row(report.stage, f"{report.tokens:,}", f"{report.ms:.1f}", report.note)
    console.print(table)
    saved = 100 * result.saved_tokens / result.raw_tokens if result.raw_tokens else 0.0
    budget = settings.budget_for(tool, focused=bool(focus))
    console.print(
        f"raw {result.raw_tokens:,} tokens → sent {result.tokens:,} ({saved:.1f}% saved) · "
        f"format {result.format} · budget {budget:,}"
        + (f" · handle {result.handle}" if result.handle else "")
    )
    console.rule("sent")
    console.print(result.text, markup=False, highlight=False, soft_wrap=True)


def main(args: argparse.Namespace, _: list[str]) -> int:
    """`nocp inspect FILE`: print what nocp would send for the result in FILE (- for stdin)."""
    from nocp.config import load_settings

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
