"""What kind of text a tool result is — an HTML page, a log, a document, indentation-structured
text (an outline: source code, man pages, configs) or plain lines — and the line shapes that
tell them apart (timestamps, headings, log-line templates)."""

from __future__ import annotations

import itertools
import re
from typing import Literal, TypeAlias

from nocp.formats.html import looks_like_html

TextKind: TypeAlias = Literal["html", "log", "document", "outline", "lines"]


TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?"
    r"|\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2}(?: [+-]\d{4})?"
    r"|\b\w{3} +\d{1,2} \d{2}:\d{2}:\d{2}\b"
    r"|\b\d{2}:\d{2}:\d{2}(?:[.,]\d+)?\b"
)
IP = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
_VARIABLE = re.compile(
    r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"
    r"|\b(?=[0-9a-f]*\d)[0-9a-f]{6,}\b"
    r"|\d+(?:\.\d+)*"
)
SCAN = 2000
"""Only this much of a line is searched: patterns stay linear on lines of any length."""
_HTTP_STATUS = re.compile(r'" ([1-5]\d\d) ')
HEADING = re.compile(r"^#{1,6} \S")
RST_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+])\1{2,}\s*$")


def text_kind(text: str) -> TextKind:
    """ "html", "log", "document", "outline" or "lines".

    A document has a Markdown heading set apart by blank lines, or a reST underline; an
    outline (source code, man pages, YAML, TOML, INI) has most of its lines indented, or
    `[table]` headers over `key = value` lines, or mostly C-like lines. A `# comment` line
    alone makes neither (Python, YAML and shell scripts have them).
    """
    if looks_like_html(text):
        return "html"
    head = text.split("\n", 400)[:400]
    lines = [line for line in head if line.strip()]
    if len(lines) >= 10 and sum(bool(TIMESTAMP.search(line[:40])) for line in lines) >= 0.5 * len(lines):
        return "log"
    if _set_apart_heading(head) and not _configuration(lines):
        return "document"
    if _outlined(head):
        return "outline"
    if any(HEADING.match(line) for line in lines) or any(
        RST_UNDERLINE.match(b) and 0 < len(a.strip()) <= len(b.strip()) for a, b in itertools.pairwise(lines)
    ):
        return "document"
    return "lines"


_TABLE_HEADER = re.compile(r"\[{1,2}[^\[\]=\"]+\]{1,2}\s*$")
_ASSIGNMENT = re.compile(r"[\w.\-\"']+\s*=")
_CODE = re.compile(r"#\s*(?:define|ifn?def|endif|include|if|else|undef|pragma)\b|\s*(?:/\*|\*)|.*[;{}]\s*$")
"""C-like lines: preprocessor, comment blocks, statements and braces."""
_FENCE = re.compile(r"\s*(?:```|~~~)")
_OUTLINE_INDENTED = 0.6
"""Man pages, source code and YAML indent most of their lines; prose and tables do not."""


def _set_apart_heading(head: list[str]) -> bool:
    """Whether a Markdown heading has a blank line (or the text's edge) on both sides."""
    return any(
        HEADING.match(line)
        and (i == 0 or not head[i - 1].strip())
        and (i + 1 == len(head) or not head[i + 1].strip())
        for i, line in enumerate(head)
    )


def _configuration(lines: list[str]) -> bool:
    """Whether the lines are TOML or INI: `[table]` headers over `key = value` lines."""
    headers = sum(bool(_TABLE_HEADER.match(line)) for line in lines)
    assigned = sum(bool(_ASSIGNMENT.match(line)) for line in lines)
    return headers >= 2 and assigned >= headers


def _outlined(head: list[str]) -> bool:
    """Whether the text's structure is in its indentation or its `[table]` headers."""
    lines: list[str] = []
    fenced = False
    for line in head:
        if _FENCE.match(line):
            fenced = not fenced
        elif line.strip() and not fenced:
            lines.append(line)
    if len(lines) < 10:
        return False
    count = len(lines)
    if sum(line[0] in " \t" for line in lines) >= _OUTLINE_INDENTED * count:
        return True
    if _configuration(lines):
        return True
    return sum(bool(_CODE.match(line)) for line in lines) >= 0.6 * count


def log_template(line: str) -> str:
    """A log line with its timestamps, IPs, ids and numbers masked (its first 2,000 chars)."""
    masked = TIMESTAMP.sub("<t>", line[:SCAN])
    masked = IP.sub("<ip>", masked)
    status = _HTTP_STATUS.search(masked)  # a 404 is not a 200: the status stays in the template
    return _VARIABLE.sub("<n>", masked) + (f" <{status.group(1)}>" if status else "")


def is_heading(lines: list[str], index: int) -> bool:
    """Whether line `index` is a heading: Markdown `# …`, or a line underlined RST-style."""
    line = lines[index]
    if HEADING.match(line):
        return True
    following = lines[index + 1] if index + 1 < len(lines) else ""
    return (
        bool(line.strip())
        and bool(RST_UNDERLINE.match(following))
        and len(following.strip()) >= len(line.strip())
    )
