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


class ExposedNames:
    """The one naming rule for everything an upstream offers — tools, prompts, resources:
    `exposed_name(prefix, name)`, remembered both ways so a call finds the original name.

    Example:
        >>> names = ExposedNames("git__")
        >>> names.expose("git log")
        'git__git_log'
        >>> names.original("git__git_log")
        'git log'
    """

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self._originals: dict[str, str] = {}

    def expose(self, name: str) -> str:
        """The exposed name of `name` (the same for a tool, a prompt or a resource)."""
        exposed = exposed_name(self.prefix, name)
        self._originals[exposed] = name
        return exposed

    def original(self, exposed: str) -> str | None:
        """The upstream's name behind `exposed`: as listed, else `exposed` without the
        prefix; None when it does not carry this upstream's prefix."""
        if exposed in self._originals:
            return self._originals[exposed]
        return exposed.removeprefix(self.prefix) if exposed.startswith(self.prefix) else None
