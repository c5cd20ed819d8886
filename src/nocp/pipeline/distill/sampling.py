"""MCP sampling: ask the connected client's own model (`sampling/createMessage`).

The pipeline runs in a worker thread; the sampler hops back to the server's event loop for
the request and gives up after the timeout.
"""

from __future__ import annotations

import warnings
from typing import Any

import anyio
import anyio.from_thread
import mcp_types as types
from mcp.shared.exceptions import MCPDeprecationWarning

from nocp.pipeline.distill.backends import Sampler


def client_sampler(session: Any) -> Sampler | None:
    """A sampler over `session`, or None when the client does not offer sampling."""
    if session is None:
        return None
    wanted = types.ClientCapabilities(sampling=types.SamplingCapability())
    try:
        if not session.check_client_capability(wanted):
            return None
    except Exception:  # a session without capabilities (not initialised): no sampling
        return None

    def sample(system: str, user: str, max_tokens: int, timeout_s: float) -> str:
        async def ask() -> str:
            message = types.SamplingMessage(role="user", content=types.TextContent(type="text", text=user))
            with anyio.fail_after(timeout_s), warnings.catch_warnings():
                # deprecated from protocol 2026-07-28 on; still served to clients that offer it
                warnings.simplefilter("ignore", MCPDeprecationWarning)
                result = await session.create_message(
                    [message],
                    max_tokens=max_tokens,
                    system_prompt=system,
                    temperature=0.0,
                    include_context="none",
                )
            content = result.content
            return content.text if isinstance(content, types.TextContent) else ""

        return anyio.from_thread.run(ask)

    return sample
