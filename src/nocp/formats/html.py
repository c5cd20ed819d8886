"""HTML: telling a page from other text, and turning it into readable Markdown — for the HTML
pruning step, distillation, `nocp_expand` and the `http_get` built-in.

`html_markdown` does the conversion (on lxml); `page_text` puts the page's metadata (title,
meta tags that describe it, ids and dates of inline configuration) before it.
"""

from __future__ import annotations

import re

_DOCUMENT_START = re.compile(r"\s*<(?:!doctype html|html)\b", re.IGNORECASE)
_HTML = re.compile(r"<(?:!doctype html|html|head|body|div|p|table|span)\b", re.IGNORECASE)
_META = re.compile(r"""(?is)<meta\s+(?:name|property)=["']([^"']+)["']\s+content=["']([^"']{1,200})["']""")
_PRESENTATION = re.compile(
    r"(?i)viewport|theme-color|color-scheme|format-detection|referrer|robots|generator"
    r"|msapplication|apple-|mobile-web-app|google-site-verification|twitter:card"
)
"""Meta tags that tell a browser how to show the page, not what it says."""
_CONFIG_PAIR = re.compile(r'"(\w*(?:Id|ID|Date|Name|Title))"\s*:\s*("[^"\n]{1,80}"|\d+)')


def looks_like_html(text: str) -> bool:
    """Whether `text` is an HTML page (a doctype or <html> first, or many tags from a "<")."""
    head = text[:4000]
    return bool(
        _DOCUMENT_START.match(head)
        or (head.lstrip()[:1] == "<" and _HTML.search(head) and head.count("<") > 10)
    )


def html_to_markdown(html: str) -> str:
    """Readable Markdown text of an HTML page (tables stay tables, headings stay headings).

    Example:
        >>> html_to_markdown("<h1>Hi</h1><p>there <a href='/x'>link</a></p>")
        '# Hi\\n\\nthere link'
    """
    from nocp.formats.html_markdown import to_markdown

    return to_markdown(html)


def page_text(html: str) -> str:
    """An HTML page as the agent reads it: its metadata, then its content as Markdown."""
    body = html_to_markdown(html).strip()
    head = _html_head(html)
    return "\n".join([*head, "", body]) if head else body


def _html_head(html: str) -> list[str]:
    """The page's metadata that converters drop: title, meta tags, and id/date/name pairs of
    inline configuration scripts (page and revision ids, publication dates)."""
    import html as html_lib

    head: list[str] = []
    title = re.search(r"(?is)<title[^>]*>(.*?)</title>", html)
    if title:
        head.append(f"title: {html_lib.unescape(title.group(1).strip())}")
    pairs = {k: v for k, v in _META.findall(html[:200_000]) if not _PRESENTATION.match(k)}
    for script in re.findall(r"(?is)<script\b[^>]*>(.*?)</script>", html)[:20]:
        pairs.update((k, v.strip('"')) for k, v in _CONFIG_PAIR.findall(script))
    head.extend(f"{key}: {html_lib.unescape(value)}" for key, value in list(pairs.items())[:30])
    return head
