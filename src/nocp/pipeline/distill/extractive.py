"""The extractive backend: no model, offline, invents nothing.

The text is cut into units (sentences of prose, lines of logs and listings, headings kept as
they are); units are ranked by BM25 relevance to the query (the agent's `focus`, else the
tool's arguments), then by importance (errors, warnings, headings) and position; the best
ones that fit the token limit are kept, in their original order.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from nocp.formats.textkind import IP, log_template, text_kind
from nocp.pipeline import relevance
from nocp.pipeline.tokens import TokenCounter

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9`\"'(\[])")
_IMPORTANT = re.compile(
    r"\b(?:ERROR|FATAL|CRITICAL|SEVERE|WARN(?:ING)?|Traceback|panic|failed|failure)\b|\w*(?:Exception|Error)\b"
    r"|\" [45]\d\d "
)
_HEADING = re.compile(r"^(?:#{1,6} \S|[=\-~^\"'`#*+]{3,}\s*$)")
_GAP = "[…]"
_TRIES = 24
_NOISE = re.compile(r"^\s*(?:```|~~~)\S*\s*$|^\W*$")
"""Fence lines and lines of punctuation alone say nothing on their own."""


@dataclass(frozen=True, slots=True)
class Unit:
    """One sentence or line: where it is and what it says."""

    index: int
    text: str
    paragraph: int
    line: int
    heading: bool = False


def units(text: str) -> list[Unit]:
    """Sentences for documents, lines for everything else; fenced code stays whole lines."""
    kind = text_kind(text)
    prose = kind == "document"
    seen: set[str] = set()
    found: list[Unit] = []
    paragraph = 0
    for number, line in enumerate(text.split("\n")):
        if not line.strip():
            paragraph += 1
            continue
        if _NOISE.match(line):
            continue
        if kind == "log":  # of lines that differ only in numbers and times, the first stands for all
            shape = log_template(line)
            if shape in seen:
                continue
            seen.add(shape)
        heading = bool(_HEADING.match(line))
        pieces = _SENTENCE_END.split(line) if prose and not heading else [line]
        found += [Unit(len(found), p, paragraph, number, heading) for p in pieces if p.strip()]
    return found


def summarise(text: str, query: str, limit: int, counter: TokenCounter) -> tuple[str, int, int]:
    """The best units within `limit` tokens, in original order, gaps shown as "[…]".

    Returns (summary, units kept, units in all).

    Example:
        >>> summarise(long_text, "timeout", 500, counter)[0]
    """
    found = units(text)
    header = _frequent_ips(text) if text_kind(text) == "log" else ""
    if header:
        limit -= counter.count(header) + 1
    order = _priority(found, query)
    costs = {i: counter.count(found[i].text) + 3 for i in order}  # + a line break or a gap

    def cut(allowance: int) -> tuple[str, int]:
        kept = _take(order, costs, allowance)
        summary = _render(found, kept)
        return (f"{header}\n{summary}" if header else summary), len(kept)

    fits, over = 0, limit + 1
    for _ in range(_TRIES):  # the largest allowance whose summary fits: shrink, then bisect
        allowance = int(over * 0.8) if fits == 0 else (fits + over) // 2
        if allowance <= fits:
            break
        summary, count = cut(allowance)
        fits, over = (allowance, over) if counter.count(summary) <= limit else (fits, allowance)
    summary, count = cut(fits)
    return summary, count, len(found)


def _frequent_ips(text: str) -> str:
    """The client IPs of a log, most frequent first (verbatim, no counts: nothing computed
    that the source does not say)."""
    ips = Counter(ip for line in text.split("\n") for ip in IP.findall(line[:60]))
    if len(ips) < 2:
        return ""
    return "most frequent IPs first: " + ", ".join(ip for ip, _ in ips.most_common(5))


def _take(order: list[int], costs: dict[int, int], allowance: int) -> list[int]:
    kept: list[int] = []
    used = 0
    for index in order:
        if used + costs[index] > allowance:
            continue
        kept.append(index)
        used += costs[index]
    return sorted(kept)


def _priority(found: list[Unit], query: str) -> list[int]:
    scores = relevance.scores([u.text for u in found], query) if query else [0.0] * len(found)
    last = max(len(found) - 1, 1)

    def key(i: int) -> tuple[float, float]:
        unit = found[i]
        boost = 0.5 if _IMPORTANT.search(unit.text[:2000]) else 0.0
        boost += 0.3 if unit.heading else 0.0
        return (-(scores[i] + boost), i / last)

    relevant = sorted((i for i in range(1, len(found)) if scores[i] > 0), key=key)
    rest = sorted((i for i in range(1, len(found)) if scores[i] <= 0), key=key)
    return [0, *relevant, *rest] if found else []  # the opening line says what the text is


def _render(found: list[Unit], kept: list[int]) -> str:
    out: list[str] = []
    previous: Unit | None = None
    for index in kept:
        unit = found[index]
        if previous is None:
            if index > 0:
                out.append(_GAP)
        elif index != previous.index + 1:
            out.append(_GAP)
        elif unit.paragraph != previous.paragraph:
            out.append("")
        elif unit.line == previous.line:
            out[-1] += " " + unit.text
            previous = unit
            continue
        out.append(unit.text)
        previous = unit
    if kept and kept[-1] < len(found) - 1:
        out.append(_GAP)
    return "\n".join(out)
