"""The names nocp exposes for what an upstream offers: `PREFIX + name`, made safe for clients."""

from __future__ import annotations

import hashlib
import re

MAX_TOOL_NAME = 64
"""Clients reject longer tool names (Anthropic's API: `^[a-zA-Z0-9_-]{1,64}$`)."""

_NAME_UNSAFE = re.compile(r"[^a-zA-Z0-9_-]")


def exposed_name(prefix: str, tool: str) -> str:
    """`prefix + tool`, made safe for clients: other characters become `_`, and a name over
    64 characters is cut to 55 plus `_` and 8 hex digits of its hash (stable, distinct).

    Example:
        >>> exposed_name("my server__", "read")
        'my_server__read'
    """
    name = _NAME_UNSAFE.sub("_", prefix + tool)
    if len(name) <= MAX_TOOL_NAME:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[: MAX_TOOL_NAME - 9]}_{digest}"
