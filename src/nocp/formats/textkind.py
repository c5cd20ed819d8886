"""What kind of text a tool result is — an HTML page, a log, a document or plain lines — and
the line shapes that tell them apart (timestamps, headings, log-line templates)."""

from __future__ import annotations

import itertools
import re
from typing import Literal, TypeAlias

from nocp.formats.html import looks_like_html

TextKind: TypeAlias = Literal["html", "log", "document", "lines"]


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
    """ "html", "log", "document" or "lines"."""
    if looks_like_html(text):
        return "html"
    lines = [line for line in text.split("\n", 400)[:400] if line.strip()]
    if len(lines) >= 10 and sum(bool(TIMESTAMP.search(line[:40])) for line in lines) >= 0.5 * len(lines):
        return "log"
    if any(HEADING.match(line) for line in lines) or any(
        RST_UNDERLINE.match(b) and 0 < len(a.strip()) <= len(b.strip()) for a, b in itertools.pairwise(lines)
    ):
        return "document"
    return "lines"


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
