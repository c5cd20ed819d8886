"""The errors nocp raises, all of them: one base and one tree.

    NocpError                  base of everything below; also raised as is by the CLI (a missing
    │                          corpus or test folder, an unreadable file) and for a log file
    ├── ConfigError            a config file or value is wrong (the CLI exits 2 with its message)
    ├── StoreError             the stats database cannot be opened or written
    ├── ToolLoadError          a tool module cannot be imported or a tool cannot be registered
    ├── ToolArgumentError      the arguments of a call do not match the tool (→ isError)
    ├── ResultError            a tool result cannot be turned into something an agent can read
    ├── UpstreamError          an upstream MCP server cannot serve a call (down, exited, unreachable)
    ├── BackendError           a distillation backend failed (timeout, HTTP error, empty reply)
    ├── HandleNotFound         no original is stored under a handle (never, or no longer)
    ├── ExpandError            the path, page or focus of an expansion cannot be applied
    ├── ResourceNotFound       a URI names no nocp resource (→ JSON-RPC -32602)
    ├── SandboxError           a path is outside the roots or names what the tools will not read
    │   └── QueryRefused       a query_sqlite statement would write, attach or load code
    ├── HttpRefused            http_get: the URL, a redirect or the response is not allowed
    └── HttpFailed             http_get: DNS, connection, timeout or an HTTP error status

Every message names the bad value and says what to do about it. What an agent's call triggers
reaches it as an `isError` result (tools) or a JSON-RPC error with a standard code (resources,
prompts); the server keeps serving. `tests/test_errors.py` pins this tree.
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


class StoreError(NocpError):
    """The stats database cannot be opened or brought up to date."""


class ToolLoadError(NocpError):
    """A tool module listed in the configuration cannot be loaded."""


class ToolArgumentError(NocpError):
    """The arguments of a call do not match the tool's input schema."""


class ResultError(NocpError):
    """A tool returned a value that cannot be sent to an agent (circular, binary…)."""


class UpstreamError(NocpError):
    """An upstream MCP server cannot serve a call: not started, exited, or unreachable."""


class BackendError(NocpError):
    """A model backend failed (timeout, HTTP error, empty reply); the message says how."""


class HandleNotFound(NocpError):
    """No original is stored under this handle (never, or no longer)."""


class ExpandError(NocpError):
    """The path, page or focus of an expansion cannot be applied."""


class ResourceNotFound(NocpError):
    """The URI names no nocp resource."""


class SandboxError(NocpError):
    """A path is outside the allowed roots, or names something the tools will not read."""


class QueryRefused(SandboxError):
    """The statement would write, attach, load code or change state; query_sqlite only reads."""


class HttpRefused(NocpError):
    """The URL, one of its redirects, or the response is not allowed (scheme, address, size)."""


class HttpFailed(NocpError):
    """The request could not be completed (DNS, connection, timeout, HTTP error status)."""
