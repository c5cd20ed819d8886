"""nocp — an MCP server that makes the tools an agent calls cheap to read.

The public API is small on purpose:

- `tool` marks a Python function as a tool;
- `optimize` runs a value through the pipeline without a server;
- `Settings` is the configuration, `NocpServer` the server;
- `Optimized` is what `optimize` returns; `NocpError` is the base of nocp's errors.
"""

from nocp.config import Settings
from nocp.errors import NocpError
from nocp.pipeline import optimize
from nocp.pipeline.model import Optimized
from nocp.server import NocpServer
from nocp.sources.python import tool

__all__ = ["NocpError", "NocpServer", "Optimized", "Settings", "optimize", "tool"]
