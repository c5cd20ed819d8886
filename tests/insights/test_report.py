"""`nocp report`: the page is self-contained, and a real headless Chromium renders it (not
blank, no console errors)."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from nocp.cli.html_report import page
from nocp.config.models import DriftSettings
from nocp.store.history import Call


def _calls() -> list[Call]:
    calls = []
    for i in range(120):
        shrinks = i < 90  # then the tool's output stops shrinking: a drift alert
        calls.append(
            Call(ts=f"2026-03-{1 + i // 30:02d}T{i % 24:02d}:00:00.000+00:00", tool="list_issues", upstream="github",
                 format="toon" if i % 3 else "json", raw_tokens=2000, sent_tokens=300 if shrinks else 1900,
                 is_error=False, pipeline_ms=3.0, cut=shrinks)
        )  # fmt: skip
    return calls


def test_the_page_is_self_contained_with_charts_and_alerts() -> None:
    html = page(_calls(), None, DriftSettings())
    assert html.startswith("<!doctype html>") and html.count("<svg") == 4
    assert "github/list_issues: reduction" in html and "Formats chosen" in html
    assert "http://" not in html and "https://" not in html and "<script" not in html


def _png_is_blank(png: bytes) -> bool:
    """A PNG whose pixel bytes take fewer than 16 distinct values (one flat colour)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    data, pos = b"", 8
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos : pos + 8])
        if kind == b"IDAT":
            data += png[pos + 8 : pos + 8 + length]
        pos += 12 + length
    return len(set(zlib.decompress(data))) < 16


@pytest.mark.slow  # a browser: seconds
def test_chromium_renders_the_report(tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing (.ci/services installs it)")
        pytest.skip("chromium is not installed (apt-get install chromium, as .ci/services does)")
    report = tmp_path / "report.html"
    report.write_text(page(_calls(), None, DriftSettings()), encoding="utf-8")
    shot = tmp_path / "shot.png"
    result = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
         "--window-size=900,1200", f"--screenshot={shot}", report.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    console = [line for line in result.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert console == []
    assert not _png_is_blank(shot.read_bytes())
    assert _png_is_blank(_flat_png())  # the check can fail


def _flat_png() -> bytes:
    rows = b"".join(b"\x00" + b"\xff\xff\xff" * 50 for _ in range(50))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", 50, 50, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
