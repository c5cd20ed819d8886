"""The lossy steps for text results: logs, HTML and documents, and plain lines.

Text is cut into blocks (lines, groups of similar log lines, paragraphs under their
headings); the blocks that matter most are kept in their original order, and every gap
becomes one marker naming the original lines it stands for (`path="lines[120:240]"`).
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import re
from collections import Counter
from collections.abc import Callable

from nocp.pipeline.model import CallContext, Payload
from nocp.pipeline.prune.blocks import Block, Cut, keep_blocks
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
_RECORD_KEY = re.compile(r"[A-Za-z][\w.-]*:?")
_MIN_RECORDS = 3
_RECORD_LINES = 40
"""Records longer than this are cut line by line, not kept or dropped whole."""
_HTML = re.compile(r"<(?:!doctype html|html|head|body|div|p|table|span)\b", re.IGNORECASE)


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
        else record_blocks(clipped_lines) or line_blocks(clipped_lines)
    )
    return keep_blocks(payload, blocks, Cut(clipped_lines, lines, ctx.handle, budget), ctx.query)


def text_steps(lines: Callable[[], LineMap] = lambda: SAME_LINES) -> tuple[tuple[str, TextStep], ...]:
    """The lossy text steps, in order, numbering lines in markers by `lines()` (asked only
    when a step cuts lines)."""
    return (
        ("html_to_text", html_to_text),
        ("keep_blocks", lambda p, c, b: prune_text(p, c, b, lines=lines())),
    )


TEXT_STEPS = text_steps()


def line_map(original: str, offset: int = 0, cleaned: str | None = None) -> LineMap:
    """How the lines of `cleaned` (`clean_text(original)`, computed when not given) are
    numbered in markers (see `prune.lines`)."""
    if kind_of(clean_text(original) if cleaned is None else cleaned) == "html":
        return LineMap(offset=offset)
    lines = split_lines(original)
    total = None if offset else len(lines) - (len(lines) > 1 and not lines[-1])  # "a\nb\n": 2 lines
    return LineMap(line_origins(original), offset, total)


def addressable_lines(original: str) -> list[str]:
    """The lines `lines[a:b]` selects in a stored text original (see `prune.lines`)."""
    cleaned = clean_text(original)
    if kind_of(cleaned) == "html":
        return page_text(cleaned).split("\n")
    return split_lines(original)


# -- block builders --------------------------------------------------------------------------


def line_blocks(lines: list[str], important: frozenset[int] | None = None) -> list[Block]:
    """One block per line; repeated lines collapse into one `(×N)`. `important`: the indexes
    of the important lines, when already known."""
    important = important_lines(lines) if important is None else important
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        end = index + 1
        while end < len(lines) and lines[end] == lines[index]:
            end += 1
        repeat = end - index
        text = lines[index] + (f" (×{repeat})" if repeat > 1 else "")
        rank = 0 if index in important else 2
        blocks.append(Block(index, end, text, rank))
        index = end
    return blocks


def record_blocks(lines: list[str]) -> list[Block] | None:
    """One block per record, when the text is a list of records that each start with the same
    key (`Commit: …`, `commit …`, `Name: …`) after a blank line — as `git log` and `describe`
    output are. A record keeps its inner blank lines; a long one is split into its lines.
    None when the text is not such a list."""
    starts = _record_starts(lines)
    if not starts:
        return None
    important = important_lines(lines)
    blocks = [Block(0, starts[0], "\n".join(lines[: starts[0]]).strip("\n"), 1)] if starts[0] else []
    for start, end in itertools.pairwise([*starts, len(lines)]):
        while end > start + 1 and not lines[end - 1].strip():
            end -= 1  # the blank lines after a record are the gap between records
        blocks += _record(lines, start, end, important)
    return [b for b in blocks if b.text]


def _record(lines: list[str], start: int, end: int, important: frozenset[int]) -> list[Block]:
    """One record as one block (rank 1 if it holds an error), or a long one line by line."""
    if end - start > _RECORD_LINES:
        return [
            dataclasses.replace(b, start=b.start + start, end=b.end + start)
            for b in line_blocks(
                lines[start:end], frozenset(i - start for i in important if start <= i < end)
            )
        ]
    rank = 1 if important and not important.isdisjoint(range(start, end)) else 2
    return [Block(start, end, "\n".join(lines[start:end]), rank)]


def _record_starts(lines: list[str]) -> list[int]:
    """Where the records start: the lines that begin with the first word of most paragraphs,
    when that word is seldom found elsewhere ([] when there is no such word)."""
    firsts = Counter(
        _key(line) for i, line in enumerate(lines) if line.strip() and (i == 0 or not lines[i - 1].strip())
    )
    firsts.pop("", None)
    if not firsts:
        return []
    (key, count), *rest = firsts.most_common(2)
    starts = _starting_with(lines, key)
    runner_up = rest[0][1] if rest else 0
    if count < _MIN_RECORDS or count < 2 * runner_up or count < 0.8 * len(starts):
        return []
    return starts


def _starting_with(lines: list[str], key: str) -> list[int]:
    """The lines whose record key (`_key`) is `key`: they start with it, and the key does not
    go on after it (a key ending in ":" cannot)."""
    size, closed = len(key), key.endswith(":")
    return [
        i for i, line in enumerate(lines) if line.startswith(key) and (closed or not _goes_on(line, size))
    ]


def _goes_on(line: str, at: int) -> bool:
    """Whether `_RECORD_KEY` would match past `at` (a word character, ".", "-" or ":")."""
    char = line[at : at + 1]
    return bool(char) and (char.isalnum() or char in "_.-:")


def _key(line: str) -> str:
    match = _RECORD_KEY.match(line)
    return match.group(0) if match else ""


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
    the first paragraph of a section ranks 1, the second 2, and so on: what is left of the
    budget goes to every section's next paragraph before any section's one after."""
    blocks: list[Block] = []
    in_section = 0
    index = 0
    while index < len(lines):
        if not lines[index].strip():
            index += 1
            continue
        if _is_heading(lines, index):
            width = 1 if _HEADING.match(lines[index]) else 2
            blocks.append(Block(index, index + width, "\n".join(lines[index : index + width]), 0))
            in_section = 0
            index += width
            continue
        end = _paragraph_end(lines, index)
        rank = 0 if not blocks else 1 + in_section
        text = "\n".join(lines[index:end])
        previous = blocks[-1] if blocks else None
        if previous and previous.rank != 0 and previous.text.rstrip().endswith(":"):
            # "…pass a tuple:" belongs with the example it introduces
            text = "\n".join(lines[previous.start : end])
            blocks[-1] = Block(previous.start, end, text, min(previous.rank, rank))
        else:
            blocks.append(Block(index, end, text, rank))
        in_section += 1
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


_TRIGGERS = (
    *("ERROR", "FATAL", "CRITICAL", "SEVERE", "WARN", "Traceback", "panic", "fail"),
    *("Exception", "Error", "Caused by", '" 4', '" 5'),
)
"""Strings without one of which no line is important (see `_IMPORTANT`): found in the whole
text at C speed, so only the lines that hold one are searched with the pattern."""


def important_lines(lines: list[str]) -> frozenset[int]:
    """The indexes of the lines that hold an error, a warning, a failure or a 4xx/5xx status."""
    text = "\n".join(lines)
    offsets = list(itertools.accumulate((len(line) + 1 for line in lines), initial=0))
    candidates: set[int] = set()
    for trigger in _TRIGGERS:
        at = text.find(trigger)
        while at != -1:
            index = bisect.bisect_right(offsets, at) - 1
            candidates.add(index)
            at = text.find(trigger, offsets[index + 1])
    return frozenset(i for i in candidates if _important(lines[i]))


def template(line: str) -> str:
    """A log line with its timestamps, IPs, ids and numbers masked (its first 2,000 chars)."""
    masked = _TIMESTAMP.sub("<t>", line[:_SCAN])
    masked = _IP.sub("<ip>", masked)
    status = _HTTP_STATUS.search(masked)  # a 404 is not a 200: the status stays in the template
    return _VARIABLE.sub("<n>", masked) + (f" <{status.group(1)}>" if status else "")


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
