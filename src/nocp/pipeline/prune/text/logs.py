"""Blocks of a log: lines that differ only in numbers, ids or timestamps become one line with a
count; errors, warnings and stack traces rank first."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter

from nocp.formats.textkind import IP, TIMESTAMP, log_template
from nocp.pipeline.prune.text.blocks import Block
from nocp.pipeline.prune.text.important import is_important

_FRAME = re.compile(r"^\s+(?:at |File \")")


def log_blocks(lines: list[str]) -> list[Block]:
    """Lines that differ only in numbers, ids or timestamps become one line with a count,
    the last time, and the most frequent IPs; errors, warnings and stack traces rank first."""
    groups: dict[str, list[int]] = {}
    for index, line in enumerate(lines):
        if line.strip():
            groups.setdefault(log_template(line), []).append(index)
    blocks = []
    for members in groups.values():
        first = lines[members[0]]
        text = first if len(members) == 1 else first + _group_suffix([lines[i] for i in members])
        rank = 0 if is_important(first) else 2
        blocks.append(Block(members[0], members[0] + 1, text, rank))
    blocks.sort(key=lambda b: b.start)
    for index in range(1, len(blocks)):  # the top frame of a stack trace goes with its error
        if blocks[index - 1].rank == 0 and _FRAME.match(blocks[index].text):
            blocks[index] = dataclasses.replace(blocks[index], rank=1)
    if blocks:
        blocks[0] = dataclasses.replace(blocks[0], rank=0)
        blocks[-1] = dataclasses.replace(blocks[-1], rank=min(blocks[-1].rank, 1))
    summary = _log_summary(lines)
    return [Block(0, 0, summary, 0), *blocks] if summary else blocks


def _group_suffix(members: list[str]) -> str:
    last = TIMESTAMP.search(members[-1])
    parts = [f"×{len(members):,}"]
    if last:
        parts.append(f"last {last.group()}")
    ips = Counter(ip for line in members for ip in IP.findall(line))
    if len(ips) > 1:
        parts.append(", ".join(f"{ip} ×{n}" for ip, n in ips.most_common(3)))
    return f"  (similar lines: {'; '.join(parts)})"


def _log_summary(lines: list[str]) -> str:
    ips = Counter(ip for line in lines for ip in IP.findall(line[:60]))
    if len(ips) < 2:
        return ""
    top = ", ".join(f"{ip} ×{n:,}" for ip, n in ips.most_common(5))
    return f"[{len(lines):,} lines · most frequent IPs: {top}]"
