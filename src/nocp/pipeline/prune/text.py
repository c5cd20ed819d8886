"""The lossy steps for text results: logs, HTML and documents, and plain lines.

Text is cut into blocks (lines, groups of similar log lines, paragraphs under their
headings); the blocks that matter most are kept in their original order, and every gap
becomes one marker naming the original lines it stands for (`path="lines[120:240]"`).
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from nocp.pipeline.model import CallContext, Payload
from nocp.pipeline.prune import relevance
from nocp.pipeline.prune.budget import Budget
from nocp.pipeline.prune.lines import SAME_LINES, LineMap, line_origins, split_lines
from nocp.pipeline.prune.lossless import clean_text
from nocp.pipeline.prune.markers import marker

TextStep = Callable[[Payload, CallContext, Budget], Payload]

_TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?"
    r"|\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2}(?: [+-]\d{4})?"
    r"|\b\w{3} +\d{1,2} \d{2}:\d{2}:\d{2}\b"
    r"|\b\d{2}:\d{2}:\d{2}(?:[.,]\d+)?\b"
)
_IP = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
_VARIABLE = re.compile(
    r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"
    r"|\b(?=[0-9a-f]*\d)[0-9a-f]{6,}\b"
    r"|\d+(?:\.\d+)*"
)
_IMPORTANT = re.compile(
    r"\b(?:ERROR|FATAL|CRITICAL|SEVERE|WARN|WARNING|Traceback|panic|failed|failure)\b|\b\w*(?:Exception|Error)\b"
    r"|^Caused by|\" [45]\d\d ",
)
_SCAN = 2000
"""Only this much of a line is searched: patterns stay linear on lines of any length."""
_HTTP_STATUS = re.compile(r'" ([1-5]\d\d) ')
_FRAME = re.compile(r"^\s+(?:at |File \")")
_HEADING = re.compile(r"^#{1,6} \S")
_RST_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+])\1{2,}\s*$")
_DOCUMENT_START = re.compile(r"\s*<(?:!doctype html|html)\b", re.IGNORECASE)
_FENCE = re.compile(r"^\s*(```|~~~)")
_HTML = re.compile(r"<(?:!doctype html|html|head|body|div|p|table|span)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Block:
    """A piece of the text: its lines [start, end) in the original and what to show."""

    start: int
    end: int
    text: str
    rank: int = 2
    """0 must stay (headings, errors), 1 should stay (context), 2 may go."""
    members: tuple[int, ...] = ()
    """For a group of similar log lines: every line it stands for (else start..end)."""

    def lines(self) -> range | tuple[int, ...]:
        """The original lines this block stands for."""
        return self.members or range(self.start, self.end)


def kind_of(text: str) -> str:
    """ "html", "log", "document" or "lines"."""
    head = text[:4000]
    if _DOCUMENT_START.match(head) or (
        head.lstrip()[:1] == "<" and _HTML.search(head) and head.count("<") > 10
    ):
        return "html"
    lines = [line for line in text.split("\n", 400)[:400] if line.strip()]
    if len(lines) >= 10 and sum(bool(_TIMESTAMP.search(line[:40])) for line in lines) >= 0.5 * len(lines):
        return "log"
    if any(_HEADING.match(line) for line in lines) or any(
        _RST_UNDERLINE.match(b) and 0 < len(a.strip()) <= len(b.strip()) for a, b in itertools.pairwise(lines)
    ):
        return "document"
    return "lines"


def html_to_text(payload: Payload, ctx: CallContext, budget: Budget) -> Payload:
    """HTML becomes readable Markdown (scripts, styles and navigation dropped), title first."""
    if kind_of(payload.text) != "html":
        return payload
    source = payload.text
    text = page_text(source)
    note = marker(f"HTML converted to text ({len(source):,} → {len(text):,} chars)", ctx.handle)
    return Payload("text", text, (*payload.markers, note), True)


def page_text(html: str) -> str:
    """An HTML page as the agent reads it: its metadata, then its content as Markdown."""
    from nocp.htmltext import html_to_markdown

    body = html_to_markdown(html).strip()
    head = _html_head(html)
    return "\n".join([*head, "", body]) if head else body


def prune_text(payload: Payload, ctx: CallContext, budget: Budget, lines: LineMap = SAME_LINES) -> Payload:
    """Keep the blocks that matter most, within budget, in their original order.

    `lines` says which lines of the stored original the lines of `payload` are, for markers.
    """
    text = payload.text
    original = text.split("\n")
    clipped = [i for i, line in enumerate(original) if len(line) > _SCAN]
    if clipped:
        what = f"{len(clipped):,} long line{'s' if len(clipped) > 1 else ''} cut to {_SCAN:,} characters"
        note = marker(what, ctx.handle, lines.path(clipped[0], clipped[0] + 1))
        payload = Payload("text", text, (*payload.markers, note), True)
    clipped_lines = [_clip(line) for line in original]
    kind = kind_of(text)
    blocks = (
        log_blocks(clipped_lines)
        if kind == "log"
        else document_blocks(clipped_lines)
        if kind == "document"
        else line_blocks(clipped_lines)
    )
    return _fit(payload, blocks, clipped_lines, ctx, budget, lines)


def text_steps(lines: LineMap = SAME_LINES) -> tuple[tuple[str, TextStep], ...]:
    """The lossy text steps, in order, numbering lines in markers by `lines`."""
    return (("html_to_text", html_to_text), ("keep_blocks", functools.partial(prune_text, lines=lines)))


TEXT_STEPS = text_steps()


def line_map(original: str, offset: int = 0) -> LineMap:
    """How the lines of `clean_text(original)` are numbered in markers (see `prune.lines`)."""
    if kind_of(clean_text(original)) == "html":
        return LineMap(offset=offset)
    total = None if offset else len(split_lines(original))
    return LineMap(line_origins(original), offset, total)


def addressable_lines(original: str) -> list[str]:
    """The lines `lines[a:b]` selects in a stored text original (see `prune.lines`)."""
    cleaned = clean_text(original)
    if kind_of(cleaned) == "html":
        return page_text(cleaned).split("\n")
    return split_lines(original)


# -- block builders --------------------------------------------------------------------------


def line_blocks(lines: list[str]) -> list[Block]:
    """One block per line; repeated lines collapse into one `(×N)`."""
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        end = index + 1
        while end < len(lines) and lines[end] == lines[index]:
            end += 1
        repeat = end - index
        text = lines[index] + (f" (×{repeat})" if repeat > 1 else "")
        rank = 0 if _important(lines[index]) else 2
        blocks.append(Block(index, end, text, rank))
        index = end
    return blocks


def log_blocks(lines: list[str]) -> list[Block]:
    """Lines that differ only in numbers, ids or timestamps become one line with a count,
    the last time, and the most frequent IPs; errors, warnings and stack traces rank first."""
    groups: dict[str, list[int]] = {}
    for index, line in enumerate(lines):
        if line.strip():
            groups.setdefault(template(line), []).append(index)
    blocks = []
    for members in groups.values():
        first = lines[members[0]]
        text = first if len(members) == 1 else first + _group_suffix([lines[i] for i in members])
        rank = 0 if _important(first) else 2
        blocks.append(Block(members[0], members[0] + 1, text, rank, tuple(members)))
    blocks.sort(key=lambda b: b.start)
    for index in range(1, len(blocks)):  # the top frame of a stack trace goes with its error
        if blocks[index - 1].rank == 0 and _FRAME.match(blocks[index].text):
            blocks[index] = dataclasses.replace(blocks[index], rank=1)
    if blocks:
        blocks[0] = dataclasses.replace(blocks[0], rank=0)
        blocks[-1] = dataclasses.replace(blocks[-1], rank=min(blocks[-1].rank, 1))
    summary = _log_summary(lines)
    return [Block(0, 0, summary, 0), *blocks] if summary else blocks


def document_blocks(lines: list[str]) -> list[Block]:
    """Headings (rank 0: the outline) and paragraphs — a fenced code block is one paragraph;
    the first paragraph of a section ranks 1."""
    blocks: list[Block] = []
    first_in_section = True
    index = 0
    while index < len(lines):
        if not lines[index].strip():
            index += 1
            continue
        if _is_heading(lines, index):
            width = 1 if _HEADING.match(lines[index]) else 2
            blocks.append(Block(index, index + width, "\n".join(lines[index : index + width]), 0))
            first_in_section = True
            index += width
            continue
        end = _paragraph_end(lines, index)
        rank = 0 if not blocks else 1 if first_in_section else 2
        text = "\n".join(lines[index:end])
        previous = blocks[-1] if blocks else None
        if previous and previous.rank != 0 and previous.text.rstrip().endswith(":"):
            # "…pass a tuple:" belongs with the example it introduces
            text = "\n".join(lines[previous.start : end])
            blocks[-1] = Block(previous.start, end, text, min(previous.rank, rank))
        else:
            blocks.append(Block(index, end, text, rank))
        first_in_section = False
        index = end
    return blocks


def _paragraph_end(lines: list[str], start: int) -> int:
    """Where the paragraph (or fenced code block) starting at `start` ends."""
    fence = _FENCE.match(lines[start])
    index = start + 1
    if fence:
        while index < len(lines) and not lines[index].lstrip().startswith(fence.group(1)):
            index += 1
        return min(index + 1, len(lines))
    while (
        index < len(lines)
        and lines[index].strip()
        and not _is_heading(lines, index)
        and not _FENCE.match(lines[index])
    ):
        index += 1
    return index


def _clip(line: str) -> str:
    """A very long line keeps its start, saying how much was cut."""
    if len(line) <= _SCAN:
        return line
    return f"{line[:_SCAN]}…(+{len(line) - _SCAN:,} chars)"


def _important(line: str) -> bool:
    return bool(_IMPORTANT.search(line[:_SCAN]))


def template(line: str) -> str:
    """A log line with its timestamps, IPs, ids and numbers masked (its first 2,000 chars)."""
    masked = _TIMESTAMP.sub("<t>", line[:_SCAN])
    masked = _IP.sub("<ip>", masked)
    status = _HTTP_STATUS.search(masked)  # a 404 is not a 200: the status stays in the template
    return _VARIABLE.sub("<n>", masked) + (f" <{status.group(1)}>" if status else "")


# -- selection -------------------------------------------------------------------------------


def _fit(
    payload: Payload, blocks: list[Block], lines: list[str], ctx: CallContext, budget: Budget, where: LineMap
) -> Payload:
    query = ctx.query
    order = _priority(blocks, query)
    allowance = budget.chars(payload)
    for factor in (1.0, 0.8, 0.6, 0.45, 0.3, 0.2, 0.1, 0.05):
        kept = _take(blocks, order, int(allowance * factor))
        result = _render(payload, blocks, kept, lines, ctx.handle, where)
        if not budget.over(result):
            return result
    return result


def _priority(blocks: list[Block], query: str) -> list[int]:
    relevant: list[int] = []
    if query:
        relevant = relevance.top([b.text for b in blocks], query, len(blocks))
    rank_of = {i: b.rank for i, b in enumerate(blocks)}
    rest = sorted((i for i in range(len(blocks)) if i not in set(relevant)), key=lambda i: (rank_of[i], i))
    must = [i for i in rest if rank_of[i] == 0]
    others = [i for i in rest if rank_of[i] != 0]
    if query:
        return must[:3] + relevant[:12] + must[3:] + relevant[12:] + others
    return must + others


def _take(blocks: list[Block], order: list[int], allowance: int) -> list[int]:
    kept: list[int] = []
    used = 0
    for index in order:
        size = len(blocks[index].text) + 1
        if used + size > allowance:
            continue
        kept.append(index)
        used += size
    return sorted(kept)


def _render(
    payload: Payload, blocks: list[Block], kept: list[int], lines: list[str], handle: str, where: LineMap
) -> Payload:
    shown = {line for i in kept for line in blocks[i].lines()}
    out: list[str] = []
    position = 0
    for index in kept:
        block = blocks[index]
        if block.start > position:
            out.extend(_gaps(lines, shown, position, block.start, where))
        out.append(block.text)
        position = max(position, block.end)
    out.extend(_gaps(lines, shown, position, len(lines), where))
    omitted = sum(1 for i, line in enumerate(lines) if i not in shown and line.strip())
    markers = payload.markers
    if omitted:
        what = f"{omitted:,} of {where.total or len(lines):,} lines omitted where marked [… lines[START:END]]"
        markers = (*markers, marker(what, handle, "lines[START:END]"))
    return Payload("text", "\n".join(out), markers, payload.omitted or bool(omitted))


def _gaps(lines: list[str], shown: set[int], start: int, end: int, where: LineMap) -> list[str]:
    """One gap marker for the lines of [start, end) not shown, or a blank line if none."""
    missing = [i for i in range(start, end) if i not in shown and lines[i].strip()]
    if not missing:
        return [""] if end > start and not any(i in shown for i in range(start, end)) else []
    return [f"[… {where.path(missing[0], missing[-1] + 1)}]"]


# -- details ---------------------------------------------------------------------------------


def _is_heading(lines: list[str], index: int) -> bool:
    line = lines[index]
    if _HEADING.match(line):
        return True
    following = lines[index + 1] if index + 1 < len(lines) else ""
    return (
        bool(line.strip())
        and bool(_RST_UNDERLINE.match(following))
        and len(following.strip()) >= len(line.strip())
    )


def _group_suffix(members: list[str]) -> str:
    last = _TIMESTAMP.search(members[-1])
    parts = [f"×{len(members):,}"]
    if last:
        parts.append(f"last {last.group()}")
    ips = Counter(ip for line in members for ip in _IP.findall(line))
    if len(ips) > 1:
        parts.append(", ".join(f"{ip} ×{n}" for ip, n in ips.most_common(3)))
    return f"  (similar lines: {'; '.join(parts)})"


def _log_summary(lines: list[str]) -> str:
    ips = Counter(ip for line in lines for ip in _IP.findall(line[:60]))
    if len(ips) < 2:
        return ""
    top = ", ".join(f"{ip} ×{n:,}" for ip, n in ips.most_common(5))
    return f"[{len(lines):,} lines · most frequent IPs: {top}]"


_META = re.compile(r"""(?is)<meta\s+(?:name|property)=["']([^"']+)["']\s+content=["']([^"']{1,200})["']""")
_CONFIG_PAIR = re.compile(r'"(\w*(?:Id|ID|Date|Name|Title))"\s*:\s*("[^"\n]{1,80}"|\d+)')


def _html_head(html: str) -> list[str]:
    """The page's metadata that converters drop: title, meta tags, and id/date/name pairs of
    inline configuration scripts (page and revision ids, publication dates)."""
    import html as html_lib

    head: list[str] = []
    title = re.search(r"(?is)<title[^>]*>(.*?)</title>", html)
    if title:
        head.append(f"title: {html_lib.unescape(title.group(1).strip())}")
    pairs = dict(_META.findall(html[:200_000]))
    for script in re.findall(r"(?is)<script\b[^>]*>(.*?)</script>", html)[:20]:
        pairs.update((k, v.strip('"')) for k, v in _CONFIG_PAIR.findall(script))
    head.extend(f"{key}: {html_lib.unescape(value)}" for key, value in list(pairs.items())[:30])
    return head
