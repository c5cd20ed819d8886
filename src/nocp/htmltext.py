"""HTML → readable Markdown, shared by the HTML pruning step and the `http_get` built-in.

markdownify (MIT, on BeautifulSoup) does the conversion; scripts, styles, navigation and
images are dropped first, links keep only their text.
"""

from __future__ import annotations

import re

_NOISE = re.compile(r"(?is)<(head|script|style|nav|footer|noscript|svg|template)\b.*?</\1\s*>")
_BLANK_RUNS = re.compile(r"\n{3,}")


def html_to_markdown(html: str) -> str:
    """Readable Markdown text of an HTML page (tables stay tables, headings stay headings).

    Example:
        >>> html_to_markdown("<h1>Hi</h1><p>there <a href='/x'>link</a></p>")
        '# Hi\\n\\nthere link'
    """
    from markdownify import markdownify

    text = markdownify(_NOISE.sub(" ", html), heading_style="ATX", strip=["a", "img"], bullets="*")
    lines = [line.rstrip() for line in text.splitlines()]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()
