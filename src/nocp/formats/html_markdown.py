"""HTML → Markdown in one walk over lxml's tree (lxml parses in C; the walk is linear).

What an agent reads of a page, and nothing it cannot use: headings, paragraphs, lists,
definition lists (a signature, then its description indented under it), tables as tables,
code blocks verbatim, inline code in backticks. Text is never escaped, so `snake_case_name`
stays findable. Scripts, styles, SVG, forms, navigation and hidden parts are dropped, and
so are permalink anchors (`¶`). Links keep their text; an absolute URL stays beside it,
`[text](https://…)`, where it says something the text does not; links within the site are
its navigation and keep only their text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lxml.etree import _Element as Element

_DROPPED = frozenset(
    "head script style noscript template svg math nav footer form button input select "
    "textarea iframe object embed canvas img picture video audio map area link meta".split()
)
_BLOCKS = frozenset(
    "address article aside blockquote body dd details div dl dt fieldset figcaption figure "
    "h1 h2 h3 h4 h5 h6 header hgroup hr html li main ol p pre section summary table tbody "
    "td tfoot th thead tr ul caption center".split()
)
_CODE = frozenset("code kbd samp tt var".split())
_SPACES = re.compile(r"[^\S\n]+")
_LINE_EDGES = re.compile(r" *\n[\s]*")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
_TAG = re.compile(r"<[^>]*>")
_ABSOLUTE = re.compile(r"(?i)^(?:https?|ftp)://|^mailto:")


def to_markdown(html: str) -> str:
    """Markdown of an HTML page or fragment.

    Example:
        >>> to_markdown("<h1>Hi</h1><p>see <code>snake_case</code> <a href='/x'>here</a></p>")
        '# Hi\\n\\nsee `snake_case` here'
    """
    from lxml import etree

    source = _XML_DECLARATION.sub("", html)
    if not source.strip():
        return ""
    # huge_tree: no cut at libxml2's depth of 256 or at 10 MB text nodes. lxml.etree's own
    # elements, not lxml.html's: those are looked up in Python for every node walked.
    parser = etree.HTMLParser(huge_tree=True)
    try:
        root = etree.fromstring(source, parser=parser)
    except (etree.ParserError, ValueError):
        return _tag_text(source)
    if root is None:
        return _tag_text(source)
    _drop_debris(root, source)
    if any("depth" in error.message for error in parser.error_log):
        return _tag_text(source)  # libxml2 dropped what lies deeper than it nests
    try:
        return "\n\n".join(_blocks(root)).strip()
    except RecursionError:
        return _tag_text(source)


def _tag_text(source: str) -> str:
    """The text of markup too broken or too deep for a tree: tags out, lines kept."""
    import html

    return _clean([html.unescape(_TAG.sub(" ", source))])


def _blocks(element: Element) -> list[str]:
    """The Markdown blocks of an element's content."""
    blocks: list[str] = []
    inline: list[str] = []

    def flush() -> None:
        text = _clean(inline)
        inline.clear()
        if text:
            blocks.append(text)

    inline.append(element.text or "")
    for child in element:
        if _kept(child):
            if child.tag in _BLOCKS:
                flush()
                blocks.extend(_block(child))
            else:
                inline.append(_inline(child))
        inline.append(child.tail or "")
    flush()
    return blocks


def _block(element: Element) -> list[str]:
    render = _BLOCK_RENDERERS.get(element.tag)
    return render(element) if render else _blocks(element)


def _heading(element: Element) -> list[str]:
    text = " ".join(_inline_text(element).split())
    return [f"{'#' * int(element.tag[1])} {text}"] if text else []


def _list(element: Element) -> list[str]:
    ordered = element.tag == "ol"
    items = [child for child in element if _kept(child) and child.tag == "li"]
    lines = [
        _hang(f"{n}. " if ordered else "* ", "\n".join(_blocks(item)))
        for n, item in enumerate(items, start=1)
    ]
    return ["\n".join(line for line in lines if line.strip())] if items else []


def _definitions(element: Element) -> list[str]:
    parts: list[str] = []
    for child in _definition_items(element):
        if child.tag == "dt":
            parts.append(" ".join(_inline_text(child).split()))
        else:
            parts.append(_hang(":   ", "\n\n".join(_blocks(child)), indent="    "))
    return ["\n".join(p for p in parts if p.strip())] if parts else []


def _definition_items(element: Element) -> Iterator[Element]:
    """The dt and dd of a dl, also those wrapped in a div (HTML allows it)."""
    for child in element:
        if not _kept(child):
            continue
        if child.tag in ("dt", "dd"):
            yield child
        elif child.tag == "div":
            yield from _definition_items(child)


def _pre(element: Element) -> list[str]:
    code = _text(element).strip("\n").rstrip()
    fence = "````" if "```" in code else "```"
    return [f"{fence}\n{code}\n{fence}"] if code.strip() else []


def _quote(element: Element) -> list[str]:
    text = "\n\n".join(_blocks(element))
    return ["\n".join(f"> {line}".rstrip() for line in text.split("\n"))] if text else []


def _table(element: Element) -> list[str]:
    rows = [
        [_cell(cell) for cell in row if _kept(cell) and cell.tag in ("td", "th")]
        for row in element.iter("tr")
    ]
    rows = [row for row in rows if any(row)]
    if not rows:
        return []
    width = max(len(row) for row in rows)
    lines = [_row(rows[0], width), _row(["---"] * width, width)]
    lines += [_row(row, width) for row in rows[1:]]
    caption = element.find("caption")
    head = [" ".join(_inline_text(caption).split())] if caption is not None else []
    return ["\n".join(head + lines)]


def _row(cells: list[str], width: int) -> str:
    return "| " + " | ".join(cells + [""] * (width - len(cells))) + " |"


def _cell(cell: Element) -> str:
    text = " ".join(" ".join(_blocks(cell)).split())
    return text.replace("|", "\\|")


_BLOCK_RENDERERS: dict[str, Callable[[Element], list[str]]] = {
    **{f"h{n}": _heading for n in range(1, 7)},
    "ul": _list,
    "ol": _list,
    "dl": _definitions,
    "pre": _pre,
    "blockquote": _quote,
    "table": _table,
    "hr": lambda element: [],
}


def _inline(element: Element) -> str:
    """An inline element as Markdown text (block content inside it reads as lines)."""
    tag = element.tag
    if tag == "br":
        return "\n"
    if tag in _CODE:
        code = " ".join(_text(element).split())
        return f"`{code}`" if code and "`" not in code else f"``{code}``" if code else ""
    text = _inline_text(element)
    if tag == "a":
        return _link(element, text)
    return text


def _inline_text(element: Element) -> str:
    parts = [element.text or ""]
    for child in element:
        if _kept(child):
            block = child.tag in _BLOCKS
            parts.append("\n{}\n".format("\n".join(_block(child))) if block else _inline(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _link(element: Element, text: str) -> str:
    href = (element.get("href") or "").strip()
    label = " ".join(text.split())
    if not _ABSOLUTE.match(href) or not label or label == href or label in href:
        return text
    return f"[{label}]({href})"


def _kept(element: Element) -> bool:
    """Whether a node the walk meets is an element (`_drop_debris` took out the rest)."""
    return isinstance(element.tag, str)


_HIDDEN = "//*[@hidden or @aria-hidden='true' or @role='navigation']"
"""Parts of the page hidden from readers, and navigation (looked for only when the page
says `hidden` or `navigation` somewhere: the XPath visits every element)."""


def _drop_debris(root: Element, source: str) -> None:
    """Take debris, navigation, hidden parts and permalinks out of the tree, tails kept."""
    from lxml import etree

    debris = list(root.iter(*_DROPPED, etree.Comment, etree.ProcessingInstruction))
    anchors = [a for a in root.iter("a") if (a.get("href") or "").startswith("#") and _permalink(a)]
    hidden = _elements(root, _HIDDEN) if "hidden" in source or "navigation" in source else []
    for element in debris + hidden + anchors:
        parent = element.getparent()
        if parent is None:
            continue
        tail = element.tail or ""
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
        parent.remove(element)


def _elements(root: Element, path: str) -> list[Element]:
    from lxml import etree

    found = root.xpath(path)
    return [e for e in found if isinstance(e, etree._Element)] if isinstance(found, list) else []


def _permalink(element: Element) -> bool:
    """An anchor to a place on the same page that shows only a symbol (¶, #, §)."""
    text = (element.text if len(element) == 0 else _text(element)) or ""
    text = text.strip()
    return len(text) <= 2 and not any(c.isalnum() for c in text)


def _text(element: Element) -> str:
    return "".join(str(part) for part in element.itertext())


def _clean(parts: list[str]) -> str:
    """Inline text as lines: spaces collapsed, the source's line breaks kept."""
    text = _SPACES.sub(" ", "".join(parts))
    return _LINE_EDGES.sub("\n", text).strip()


def _hang(prefix: str, text: str, indent: str | None = None) -> str:
    """`text` with `prefix` before its first line and its other lines indented under it."""
    pad = indent if indent is not None else " " * len(prefix)
    lines = text.split("\n")
    rest = [f"{pad}{line}" if line else "" for line in lines[1:]]
    return "\n".join([prefix + lines[0], *rest])
