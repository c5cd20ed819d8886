"""Logs and line-oriented text without a focus: head and tail, one line per template with
what varies, errors kept; with a focus, the entry a hit belongs to."""

from __future__ import annotations

from nocp import optimize
from nocp.pipeline.prune.text.templates import templates, what_varies
from tests.pipeline.prune.helpers import tight


def test_a_template_masks_every_token_that_holds_a_digit() -> None:
    lines = ["2026-01-01 10:00:01 install rsync:amd64 <none> 3.2.7-1", "", "GET /a 404 12ms"]
    assert templates(lines) == ["<*> <*> install <*> <none> <*>", "", "GET /a <*> <*>"]


def test_what_varies_gives_few_values_with_counts_and_a_numeric_range() -> None:
    rows = [f"GET /a {404 if i % 10 == 0 else 200} {i * 3}ms" for i in range(50)]
    summary = what_varies(rows, "GET /a <*> <*>")
    assert "field 3: 200 ×45, 404 ×5" in summary and "field 4: 0…147" in summary


def test_what_varies_leaves_out_dates_and_ids() -> None:
    rows = [f"2026-01-{1 + i % 9:02d} job-{i:05x}a started" for i in range(30)]
    assert what_varies(rows, "<*> <*> started") == ""


def _package_log(count: int) -> list[str]:
    lines = []
    for i in range(count):
        stamp = f"2026-0{1 + i * 8 // count}-1{i % 10} 10:{i % 60:02d}:00"
        lines += [
            f"{stamp} install pkg{chr(97 + i % 26)}x:amd64 <none> 1.{i}-1",
            f"{stamp} status unpacked pkg{chr(97 + i % 26)}x:amd64 1.{i}-1",
            f"{stamp} status installed pkg{chr(97 + i % 26)}x:amd64 1.{i}-1",
        ]
    return lines


def test_a_log_keeps_its_head_its_newest_lines_and_one_line_per_template() -> None:
    lines = _package_log(600)
    lines[900] = "2026-03-10 10:00:00 ERROR dpkg: error processing package broken (--configure)"
    sent = optimize("\n".join(lines), settings=tight(600)).text
    assert lines[0] in sent and lines[-1] in sent and lines[-6] in sent  # head and tail
    assert "ERROR dpkg: error processing" in sent
    summaries = [line for line in sent.splitlines() if "(similar lines: ×" in line]
    assert {s.split()[2] + " " + s.split()[3] for s in summaries} >= {
        "install pkgax:amd64",
        "status unpacked",
    }
    assert any("×600 to" in s for s in summaries)  # how many, and until when
    assert "[… lines[" in sent


def test_plain_lines_keep_their_tail_too() -> None:
    lines = [f"npm http fetch GET 200 https://registry.npmjs.org/pkg{i} {i}ms" for i in range(400)]
    lines += ["added 84 packages in 20s", "npm verbose exit 0"]
    sent = optimize("\n".join(lines), settings=tight(300)).text
    assert "added 84 packages in 20s" in sent and "npm verbose exit 0" in sent


def test_a_focus_hit_in_a_stack_trace_brings_the_entry_it_belongs_to() -> None:
    lines = [f"2026-01-01 10:00:{i % 60:02d} INFO request {i} served" for i in range(400)]
    lines[200:200] = [
        "2026-01-01 10:03:20 WARN worker 7 crashed while handling the upload",
        "java.lang.IllegalStateException: bucket quota exhausted",
        "\tat com.acme.Store.put(Store.java:88)",
    ]
    sent = optimize("\n".join(lines), focus="bucket quota exhausted", settings=tight(200)).text
    assert "bucket quota exhausted" in sent and "WARN worker 7 crashed" in sent
