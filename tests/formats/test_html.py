"""formats.html: telling a page from other text, and the page as the agent reads it: what an
agent needs of a page survives, verbatim; debris does not."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from nocp.formats.html import html_to_markdown, looks_like_html, page_text
from tests.complexity import growth

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


REFERENCE = """<!doctype html><html><head><title>mod — Reference</title>
<meta name="viewport" content="width=device-width"><meta name="description" content="The mod module">
<style>body { color: red }</style><script>window.x = 1;</script></head><body>
<div role="navigation"><a href="index.html">index</a> | <a href="next.html">next</a></div>
<nav><ul><li><a href="/">Home</a></li></ul></nav>
<h1>The <code>mod</code> module<a class="headerlink" href="#mod" title="Permalink">¶</a></h1>
<p>See <a href="https://peps.python.org/pep-0249/">PEP 249</a> and <a href="other.html#x">other</a>.</p>
<svg viewBox="0 0 10 10"><path d="M0 0L10 10"/><text>logo</text></svg>
<dl><dt id="mod.open_db"><em class="property">function </em>mod.<b>open_db</b>(<em>path</em>, <em>check_same_thread=True</em>)</dt>
<dd><p>Open the database at <em>path</em>; a <code>snake_case_name</code> stays as written.</p>
<p>Raises <code>DbError</code> on failure.</p></dd></dl>
<table><thead><tr><th>Python type</th><th>SQLite type</th></tr></thead>
<tbody><tr><td><code>None</code></td><td>NULL</td></tr><tr><td>int</td><td>INTEGER | BIGINT</td></tr></tbody></table>
<pre>for row in rows:
    if row &lt; 3:
        print(row)</pre>
<div hidden>secret draft</div><span aria-hidden="true">decoration</span>
<footer>© footer</footer></body></html>"""


def test_identifiers_and_symbols_are_not_escaped() -> None:
    text = html_to_markdown("<h2>snake_case_name</h2><p>a*b and [x] and #1 and 2_000</p>")
    assert text == "## snake_case_name\n\na*b and [x] and #1 and 2_000"


def test_a_reference_page_keeps_definitions_tables_and_code() -> None:
    text = html_to_markdown(REFERENCE)
    assert "# The `mod` module\n" in text
    assert "function mod.open_db(path, check_same_thread=True)\n:   Open the database at path;" in text
    assert "a `snake_case_name` stays as written.\n\n    Raises `DbError` on failure." in text
    assert (
        "| Python type | SQLite type |\n| --- | --- |\n| `None` | NULL |\n| int | INTEGER \\| BIGINT |"
        in text
    )
    assert "```\nfor row in rows:\n    if row < 3:\n        print(row)\n```" in text


def test_debris_navigation_and_hidden_parts_are_dropped() -> None:
    text = html_to_markdown(REFERENCE)
    for debris in (
        "color: red",
        "window.x",
        "index",
        "Home",
        "¶",
        "M0 0",
        "logo",
        "secret",
        "decoration",
        "footer",
    ):
        assert debris not in text


def test_absolute_links_keep_their_url_and_site_links_only_their_text() -> None:
    text = html_to_markdown(REFERENCE)
    assert "See [PEP 249](https://peps.python.org/pep-0249/) and other." in text
    assert (
        html_to_markdown('<p><a href="https://a.example/x">https://a.example/x</a></p>')
        == "https://a.example/x"
    )


def test_the_page_title_and_describing_meta_come_first() -> None:
    text = page_text(REFERENCE)
    assert text.startswith("title: mod — Reference\ndescription: The mod module\n\n# The `mod` module")
    assert "viewport" not in text


def test_lists_nest_and_source_lines_stay_lines() -> None:
    html = "<ul><li>one\nline two</li><li>three<ol><li>a</li><li>b</li></ol></li></ul>"
    assert html_to_markdown(html) == "* one\n  line two\n* three\n  1. a\n  2. b"


def test_bad_markup_gives_text_or_nothing() -> None:
    assert html_to_markdown("") == ""
    assert html_to_markdown('<?xml version="1.0" encoding="utf-8"?><html><p>x</p></html>') == "x"
    assert html_to_markdown("<p>unclosed <b>bold <table><tr><td>cell") == "unclosed bold\n| cell |\n| --- |"
    for depth in (300, 5000):
        assert "deep" in html_to_markdown("<div>" * depth + "deep" + "</div>" * depth)


def test_conversion_work_grows_linearly_with_the_page() -> None:
    def converting(n: int) -> Callable[[], object]:
        sections = "".join(
            f"<h2>Part {i}</h2><p>Text <code>x_{i}</code> <a href='#p{i}'>link</a></p>"
            f"<dl><dt>f{i}(a)</dt><dd><p>does {i}</p></dd></dl><table><tr><td>{i}</td></tr></table>"
            for i in range(n)
        )
        page = f"<html><body><div><main>{sections}</main></div></body></html>"
        return lambda: html_to_markdown(page)

    assert growth(converting, 50) < 5  # quadratic would be 16
