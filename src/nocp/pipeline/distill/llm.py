"""litellm, imported on first use (it costs ~2.5 s), with its bundled price map and off stdout.

`LITELLM_LOCAL_MODEL_COST_MAP=True` (unless the user set it) keeps the import off the network.
"""

from __future__ import annotations

import logging
import os
from typing import Any


def litellm_module() -> Any:
    """litellm, imported on first use, with its bundled price map and no stdout chatter."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

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
