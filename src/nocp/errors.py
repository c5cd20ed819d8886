"""The errors nocp raises.

    NocpError                 base of everything below
    ├── ConfigError           a config file or value is wrong (the CLI exits 2 with its message)
    ├── ToolLoadError         a tool module cannot be imported or a tool cannot be registered
    ├── ResultError           a tool result cannot be turned into something an agent can read
    └── UpstreamError         an upstream MCP server cannot serve a call (down, exited, unreachable)

Every message names the bad value and says what to do about it.
"""

from __future__ import annotations


class NocpError(Exception):
    """Base class of every error nocp raises on purpose."""


class ConfigError(NocpError):
    """A configuration file or value is invalid.

    Args:
        source: where the value came from (a file path or an environment variable).
        key: the dotted key that is wrong, or "" when the whole source is unreadable.
        problem: what is wrong and, where possible, what to write instead.
    """

    def __init__(self, source: str, key: str, problem: str) -> None:
        self.source, self.key, self.problem = source, key, problem
        where = f"{source}: {key}" if key else source
        super().__init__(f"{where}: {problem}")


class ToolLoadError(NocpError):
    """A tool module listed in the configuration cannot be loaded."""


class ResultError(NocpError):
    """A tool returned a value that cannot be sent to an agent (circular, binary…)."""


class UpstreamError(NocpError):
    """An upstream MCP server cannot serve a call: not started, exited, or unreachable."""
