"""`nocp inspect`: what nocp would send for a stored result, and what each stage did."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table

from nocp.config import Settings
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
