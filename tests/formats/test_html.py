"""formats.html: telling a page from other text, and the page as the agent reads it."""

from __future__ import annotations

import pytest

from nocp.formats.html import html_to_markdown, looks_like_html, page_text

PAGE = (
    "<!doctype html><html><head><title>Widgets &amp; Co</title>"
    '<meta name="description" content="All about widgets">'
    '<script>var config = {"wgPageName": "Widgets", "wgRevisionId": 1234};</script>'
    "<style>p { color: red }</style></head>"
    "<body><nav>Home | About</nav><h1>Widgets</h1><p>A <a href='/w'>widget</a> is small.</p>"
    "<table><tr><th>name</th><th>size</th></tr><tr><td>bolt</td><td>3</td></tr></table>"
    "<footer>© 2026</footer></body></html>"
)


@pytest.mark.parametrize(
    ("text", "html"),
    [
        (PAGE, True),
        ("  <html lang='en'><body>x</body></html>", True),
        ("<div>" + "<p>a</p>" * 11 + "</div>", True),  # no doctype, but many tags from a "<"
        ("<div><p>a</p></div>", False),  # a fragment with a few tags is not a page
        ("Use <b>bold</b> for emphasis.", False),
        ('{"html": "<p>x</p>"}', False),
    ],
)
def test_looks_like_html(text: str, html: bool) -> None:
    assert looks_like_html(text) is html


def test_markdown_keeps_headings_tables_and_link_text_and_drops_the_rest() -> None:
    text = html_to_markdown(PAGE)
    assert text.startswith("# Widgets")
    assert "A widget is small." in text and "/w" not in text  # links keep their text only
    assert "| bolt | 3 |" in text
    assert not any(gone in text for gone in ("Home | About", "color: red", "var config", "© 2026"))


def test_the_page_text_puts_title_and_metadata_first() -> None:
    lines = page_text(PAGE).split("\n")
    assert lines[:4] == [
        "title: Widgets & Co",
        "description: All about widgets",
        "wgPageName: Widgets",
        "wgRevisionId: 1234",
    ]
    assert lines[4] == "" and lines[5] == "# Widgets"


def test_a_page_without_metadata_is_its_markdown() -> None:
    assert page_text("<html><body><p>only this</p></body></html>") == "only this"
