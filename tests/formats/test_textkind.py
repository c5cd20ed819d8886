"""formats.textkind: which kind of text a result is, and the line shapes behind it."""

from __future__ import annotations

import pytest

from nocp.formats.textkind import is_heading, log_template, text_kind

LOG = "\n".join(f"2026-01-01T10:00:{i:02d}Z INFO request {i} served" for i in range(12))
SYSLOG = "\n".join(f"Jan  3 10:00:{i:02d} host sshd[{100 + i}]: Accepted key" for i in range(12))
MARKDOWN = "# Title\n\nSome text.\n\n## Part\n\nMore."
RST = "Title\n=====\n\nSome text."
LINES = "\n".join(f"src/nocp/file{i}.py" for i in range(20))


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("<!doctype html><html><body>x</body></html>", "html"),
        (LOG, "log"),
        (SYSLOG, "log"),
        (MARKDOWN, "document"),
        (RST, "document"),
        (LINES, "lines"),
        (LOG.split("\n", 5)[0], "lines"),  # one timestamped line is not a log
    ],
)
def test_text_kind(text: str, kind: str) -> None:
    assert text_kind(text) == kind


def test_a_log_template_masks_times_addresses_ids_and_numbers_but_keeps_the_status() -> None:
    a = '10.0.0.1 - - [03/Jan/2026:10:00:01 +0000] "GET /a/7 HTTP/1.1" 404 512'
    b = '10.0.0.2 - - [03/Jan/2026:10:00:09 +0000] "GET /a/8 HTTP/1.1" 404 90'
    c = '10.0.0.2 - - [03/Jan/2026:10:00:09 +0000] "GET /a/8 HTTP/1.1" 200 90'
    assert log_template(a) == log_template(b) != log_template(c)
    assert "<ip>" in log_template(a) and "<t>" in log_template(a)


@pytest.mark.parametrize(
    ("lines", "index", "heading"),
    [
        (["# Title"], 0, True),
        (["Title", "====="], 0, True),
        (["A long title", "==="], 0, False),  # the underline must be as long as the title
        (["#hashtag"], 0, False),
        (["text"], 0, False),
    ],
)
def test_is_heading(lines: list[str], index: int, heading: bool) -> None:
    assert is_heading(lines, index) is heading
