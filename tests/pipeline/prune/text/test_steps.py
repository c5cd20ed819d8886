"""The lossy text steps, each on a small hand-made input, through `nocp.optimize`."""

from __future__ import annotations

from nocp import optimize
from tests.pipeline.prune.helpers import tight


def test_log_lines_collapse_and_errors_stay() -> None:
    lines = [f"2026-01-01T10:00:{i % 60:02d}Z INFO request {i} served in {i % 9}ms" for i in range(600)]
    lines[300] = "2026-01-01T10:05:00Z ERROR database connection lost: timeout after 30s"
    result = optimize("\n".join(lines), settings=tight(300))
    assert "ERROR database connection lost" in result.text
    assert "(similar lines: ×599" in result.text
    assert result.text.splitlines()[0].startswith("2026-01-01T10:00:00Z INFO request 0")


def test_repeated_lines_collapse_with_a_count() -> None:
    text = "\n".join(["header"] + ["same line"] * 500 + [f"line {i}" for i in range(200)])
    result = optimize(text, settings=tight(200))
    assert "same line (×500)" in result.text


def test_documents_keep_the_outline_and_the_section_the_focus_asks_for() -> None:
    sections = [
        f"## Section {i}\n\n" + f"Filler paragraph {i} about nothing in particular. " * 20 for i in range(30)
    ]
    sections[21] = "## Timeouts\n\nThe default timeout is five seconds; pass timeout=None to disable it."
    document = "# Guide\n\nIntro.\n\n" + "\n\n".join(sections)
    result = optimize(document, focus="how do I disable timeouts", settings=tight(600))
    assert "timeout=None" in result.text
    assert all(f"## Section {i}" in result.text for i in (0, 10, 29))  # the outline
    assert "[… lines[" in result.text


def test_html_becomes_text_with_its_title() -> None:
    page = (
        "<!doctype html><html><head><title>Widgets &amp; Co</title><script>var x = 1;</script>"
        "</head><body><nav>menu</nav><h1>Widgets</h1>"
        + "<p>Paragraph about widgets and gadgets.</p>" * 400
        + "</body></html>"
    )
    result = optimize(page, settings=tight(300))
    assert result.text.startswith("title: Widgets & Co")
    assert "# Widgets" in result.text and "var x" not in result.text and "menu" not in result.text
