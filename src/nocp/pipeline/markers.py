"""The marker lines that tell the agent what was omitted and exactly how to get it back.

Every marker is one line in square brackets, starting with "[…" and, when there is
something to fetch, ending with the `nocp_expand(...)` call that fetches it.
"""

from __future__ import annotations

import re

MARKER = re.compile(r"^\[… (?P<what>.+?)(?: · (?P<call>nocp_expand\(.*\)))?\]$")
"""Parses a marker line: `what` says what was omitted, `call` how to get it."""

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def expand_call(handle: str, path: str | None = None, page: int | None = None) -> str:
    """The `nocp_expand(...)` call, as the agent should write it."""
    args = [f'handle="{handle}"']
    if path:
        args.append(f"path={_quote(path)}")
    if page:
        args.append(f"page={page}")
    return f"nocp_expand({', '.join(args)})"


def marker(what: str, handle: str = "", path: str | None = None, page: int | None = None) -> str:
    """One marker line.

    Example: `[… 950 of 1,000 rows omitted · nocp_expand(handle="h7f3a", path="[100:200]")]`.
    """
    if not handle:
        return f"[… {what}]"
    return f"[… {what} · {expand_call(handle, path, page)}]"


_CALL_ARGS = r'(?:, \w+=(?:"(?:[^"\\]|\\.)*"|\d+))*\)'


def unfetchable(text: str, handle: str, reason: str) -> str:
    """`text` with every `nocp_expand(handle=…)` call naming `handle` replaced by why the cut
    part cannot be fetched (its original was not stored): no marker offers what is not there."""
    call = re.compile(r'nocp_expand\(handle="' + re.escape(handle) + '"' + _CALL_ARGS)
    return call.sub(f"cannot be fetched: {reason}", text)


def jmespath_key(key: str) -> str:
    """A key as a JMESPath path element (quoted unless it is a plain identifier)."""
    if _IDENTIFIER.match(key):
        return key
    escaped = key.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def join_path(parent: str, key: str | int) -> str:
    """Append an object key or an array index to a JMESPath path."""
    if isinstance(key, int):
        return f"{parent}[{key}]"
    element = jmespath_key(key)
    return f"{parent}.{element}" if parent else element


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
