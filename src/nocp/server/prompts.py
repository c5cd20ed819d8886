"""Prompts: nocp has none of its own; the upstreams' are proxied as `NAME__prompt`."""

from __future__ import annotations

import mcp_types as types
from mcp.shared.exceptions import MCPError

from nocp.errors import UpstreamError
from nocp.sources.upstream.hub import UpstreamHub


async def list_prompts(upstreams: UpstreamHub | None) -> types.ListPromptsResult:
    """Every running upstream's prompts, under their exposed names."""
    prompts = await upstreams.list_prompts() if upstreams is not None else []
    return types.ListPromptsResult(prompts=prompts)


async def get_prompt(
    upstreams: UpstreamHub | None, params: types.GetPromptRequestParams
) -> types.GetPromptResult:
    """The prompt `params` names, from its upstream.

    Raises:
        MCPError: INVALID_PARAMS, naming the prompts there are.
    """
    if upstreams is None:
        raise MCPError(types.INVALID_PARAMS, f"unknown prompt {params.name!r}; nocp has none")
    try:
        return await upstreams.get_prompt(params.name, params.arguments)
    except UpstreamError as exc:
        raise MCPError(types.INVALID_PARAMS, str(exc)) from None
