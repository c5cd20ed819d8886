"""`nocp_expand`: fetch exactly what pruning left out, from the stored original.

`path` selects into the original (JMESPath for JSON, `lines[a:b]` for text), `focus` keeps the
parts most relevant to it, `page` pages the selection at the token budget. Nothing here is
pruned beyond that: every page is the original, encoded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple, TypeVar

from nocp.config import Settings
from nocp.errors import ExpandError, HandleNotFound, ToolArgumentError
from nocp.pipeline import run_stages
from nocp.pipeline.encode import choose, to_compact_json
from nocp.pipeline.markers import expand_call
from nocp.pipeline.model import CallContext, Payload
from nocp.pipeline.parse import parsed_original
from nocp.pipeline.prune.text import addressable_lines
from nocp.pipeline.tokens import TokenCounter
from nocp.sources.base import Outcome, ToolDefinition
from nocp.store.base import HandleBackend

_Item = TypeVar("_Item")
_LINES = re.compile(r"^\s*lines\s*\[\s*(-?\d*)\s*(?::\s*(-?\d*)\s*)?\]\s*$")


def expand_payload(
    original: Payload,
    *,
    settings: Settings,
    tool: str = "nocp_expand",
    handle: str = "",
    path: str | None = None,
    focus: str | None = None,
    page: int | None = None,
) -> str:
    """The text to send for one expansion of a stored original.

    Raises:
        ExpandError: the path does not parse or selects nothing, or the page does not exist.
    """
    counter = TokenCounter(settings.tokens.encoding)
    selected = select(original, path) if path else original
    budget = settings.budget_for(tool)
    if focus and page is None:
        first_line = _first_line(original, path)
        ctx = CallContext(tool, settings, counter, focus=focus, handle=handle, first_line=first_line)
        focused = run_stages(selected, ctx).payload
        body = _encode(focused, counter)
        return "\n".join([body, *focused.markers])
    pages = paginate(selected, budget, counter)
    number = page or 1
    if not 1 <= number <= len(pages):
        raise ExpandError(
            f"page {number} does not exist: this selection has {len(pages)} page(s) at {budget:,} tokens each"
        )
    text = pages[number - 1]
    if len(pages) > 1:
        more = f" · next: {expand_call(handle, path, number + 1)}" if number < len(pages) and handle else ""
        text += f"\n[page {number} of {len(pages)}{more}]"
    return text


def select(original: Payload, path: str) -> Payload:
    """The part of the original that `path` names."""
    lines = _LINES.match(path)
    if original.kind == "text" and lines:
        return Payload("text", "\n".join(_slice(addressable_lines(original.text), lines)))
    if original.kind == "text":  # text that holds data (a table, a literal): paths select in the data
        parsed = parsed_original(original)
        if parsed is None:
            raise ExpandError(f'this original is text: select with path="lines[START:END]", not {path!r}')
        original = parsed
    import jmespath
    from jmespath.exceptions import JMESPathError

    try:
        value = jmespath.search(path, original.value)
    except JMESPathError as exc:
        raise ExpandError(
            f"invalid path {path!r}: {str(exc).splitlines()[0]} "
            "(use JMESPath, e.g. items[0:10] or user.login)"
        ) from None
    if value is None:
        raise ExpandError(f"path {path!r} selects nothing in this original")
    return Payload("json", value)


def paginate(payload: Payload, budget: int, counter: TokenCounter) -> list[str]:
    """The payload encoded and cut into pages of at most `budget` tokens (rows stay whole)."""
    if payload.kind == "json" and isinstance(payload.value, list) and payload.value:
        rows = payload.value
        chunks = _chunks(rows, [counter.count(to_compact_json(row)) + 1 for row in rows], budget)
        return [choose(chunk, counter).text for chunk in chunks]
    lines = _encode(payload, counter).split("\n")
    return ["\n".join(chunk) for chunk in _chunks(lines, [counter.count(line) + 1 for line in lines], budget)]


def _encode(payload: Payload, counter: TokenCounter) -> str:
    return payload.text if payload.kind == "text" else choose(payload.value, counter).text


def _chunks(items: list[_Item], costs: list[int], budget: int) -> list[list[_Item]]:
    """`items` in order, cut into runs whose costs add up to at most `budget` (a run holds at
    least one item, however dear)."""
    chunks: list[list[_Item]] = [[]]
    used = 0
    for item, cost in zip(items, costs, strict=True):
        if chunks[-1] and used + cost > budget:
            chunks.append([])
            used = 0
        chunks[-1].append(item)
        used += cost
    return chunks


def _slice(items: list[str], match: re.Match[str]) -> list[str]:
    start = int(match.group(1)) if match.group(1) else 0
    if match.group(2) is None and ":" not in match.group(0):
        return items[start : start + 1] if start >= 0 else items[start:][:1]
    end = int(match.group(2)) if match.group(2) else len(items)
    return items[start:end]


def _first_line(original: Payload, path: str | None) -> int:
    """Where a `lines[a:b]` selection of a text original starts (0 for anything else)."""
    match = _LINES.match(path or "")
    if original.kind != "text" or not match or not match.group(1):
        return 0
    start = int(match.group(1))
    return start if start >= 0 else max(len(addressable_lines(original.text)) + start, 0)


EXPAND_TOOL = ToolDefinition(
    name="nocp_expand",
    description=(
        "Fetch what nocp left out of an earlier result, by the handle its [… ] markers name. "
        "`path` selects part of it (JMESPath for JSON, e.g. items[10:20] or user.login; "
        "lines[START:END] for text), `focus` returns the parts most relevant to it, `page` "
        "pages through it. Results are exact, never summarised."
    ),
    input_schema={
        "type": "object",
        "properties": {
            "handle": {"type": "string", "description": 'The handle from a marker, e.g. "h7f3a91c0".'},
            "path": {"type": "string", "description": "JMESPath into JSON, or lines[START:END] for text."},
            "focus": {"type": "string", "description": "What you are looking for in the original."},
            "page": {"type": "integer", "minimum": 1, "description": "Page number, from 1."},
        },
        "required": ["handle"],
    },
)


class ExpandSource:
    """The always-present `nocp_expand` tool, reading the handle store. Its result is sent
    as it is: it was encoded and paged, never pruned."""

    reads_store = True
    origin: str | None = None
    adds_tools = True

    def __init__(self, handles: HandleBackend, settings: Settings) -> None:
        self._handles = handles
        self._settings = settings

    def tools(self) -> list[ToolDefinition]:
        """Just `nocp_expand`."""
        return [EXPAND_TOOL]

    async def call(self, name: str, arguments: Mapping[str, Any]) -> Expanded:
        """Look the handle up and return the text of the requested part."""
        handle, path, focus, page = _expand_arguments(arguments)
        try:
            original = Payload.parse(*self._handles.get(handle))
            text = expand_payload(
                original, settings=self._settings, handle=handle, path=path, focus=focus, page=page
            )
        except (HandleNotFound, ExpandError) as exc:
            raise ToolArgumentError(str(exc)) from None
        return Expanded(text, handle)

    def outcome(self, name: str, raw: Expanded) -> Outcome:
        """Sent as it is (an expansion is the original, encoded and paged); its tokens are a
        cost of the tool whose original it read."""
        return Outcome(raw.text, optimise=False, expands=raw.handle)


class Expanded(NamedTuple):
    """One expansion: the text sent and the handle of the original it came from."""

    text: str
    handle: str


def _expand_arguments(arguments: Mapping[str, Any]) -> tuple[str, str | None, str | None, int | None]:
    handle, path, focus, page = (arguments.get(k) for k in ("handle", "path", "focus", "page"))
    if not isinstance(handle, str) or not handle:
        raise ToolArgumentError('`handle` is required: the h… value a marker names, e.g. "h7f3a91c0"')
    for name, value in (("path", path), ("focus", focus)):
        if value is not None and not isinstance(value, str):
            raise ToolArgumentError(f"`{name}` must be a string")
    if page is not None and (not isinstance(page, int) or isinstance(page, bool) or page < 1):
        raise ToolArgumentError("`page` must be a whole number from 1")
    return handle, path, focus, page
