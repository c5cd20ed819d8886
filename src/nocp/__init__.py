"""nocp — an MCP server that makes the tools an agent calls cheap to read.

The public API is small on purpose:

- `tool` marks a Python function as a tool;
- `optimize` runs a value through the pipeline without a server;
- `Settings` is the configuration, `NocpServer` the server;
- `Optimized` is what `optimize` returns; `NocpError` is the base of nocp's errors.

The names are imported on first use, so that `import nocp.<anything>` (the CLI, a tools
module's `from nocp import tool`) does not pay for the MCP SDK until it needs it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nocp.config import Settings
    from nocp.errors import NocpError
    from nocp.pipeline import optimize
    from nocp.pipeline.model import Optimized
    from nocp.server import NocpServer
    from nocp.sources.python import tool

__all__ = ["NocpError", "NocpServer", "Optimized", "Settings", "optimize", "tool"]

_HOMES = {
    "NocpError": "nocp.errors",
    "NocpServer": "nocp.server",
    "Optimized": "nocp.pipeline.model",
    "Settings": "nocp.config",
    "optimize": "nocp.pipeline",
    "tool": "nocp.sources.python",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'nocp' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
