"""litellm, imported on first use (it costs ~2.5 s), with its bundled price map and off stdout.

`LITELLM_LOCAL_MODEL_COST_MAP=True` (unless the user set it) keeps the import off the network.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from nocp.errors import BackendError


def litellm_module() -> Any:
    """litellm, imported on first use, with its bundled price map and no stdout chatter.

    Raises:
        BackendError: litellm is not installed (it is the `distill` extra).
    """
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    try:
        import litellm
    except ImportError:
        raise BackendError(
            "the llm backend needs litellm, which is not installed: "
            "install the extra (`pip install 'nocp-mcp[distill]'`) or use backend = \"extractive\""
        ) from None

    litellm.suppress_debug_info = True
    _off_stdout()
    return litellm


def _off_stdout() -> None:
    """litellm's own log handler writes records below WARNING to stdout — the MCP channel in
    stdio mode. Drop its handlers so its loggers propagate to ours (stderr or a file)."""
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("LiteLLM"):
            logger = logging.getLogger(name)
            for handler in list(logger.handlers):
                if type(handler) is not logging.FileHandler:
                    logger.removeHandler(handler)
            logger.propagate = True
