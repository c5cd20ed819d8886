"""The requests nocp makes on one upstream connection: a tool call on the lean path (answering
what a 2026-07-28 upstream asks within it), and every page of a list.

`forward_progress` routes the upstream's progress notifications of a call to nocp's client.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import mcp_types as types
from mcp import Client
from mcp.shared.dispatcher import ProgressFnT as Progress

from nocp.sources.upstream.results import RawResult, WireResult

__all__ = ["LIST_PAGE_CAP", "all_pages", "call_tool", "forward_progress", "list_tools"]

LIST_PAGE_CAP = 100

_progress: ContextVar[Progress | None] = ContextVar("nocp_upstream_progress", default=None)


@contextmanager
def forward_progress(report: Progress) -> Iterator[None]:
    """Within this block, upstream progress notifications go to `report` (the client's call).

    Example:
        >>> with forward_progress(ctx.session.report_progress):
        ...     result = await source.call(name, arguments)
    """
    token = _progress.set(report)
    try:
        yield
    finally:
        _progress.reset(token)


async def call_tool(
    client: Client,
    tool: str,
    arguments: Mapping[str, Any],
    *,
    keep_structure: bool,
    meta: dict[str, Any] | None = None,
) -> WireResult:
    """One tools/call on the lean path: the SDK checks the result against the protocol once,
    then it is read without building a second full model (and without the output-schema
    check when nocp drops the structure anyway); a kept structure is still checked.

    Raises:
        MCPError: the upstream answered with an error, or the connection closed.
        ValueError: the answer is not a plain tool result.
        RuntimeError: a kept `structuredContent` does not match the tool's output schema.
    """
    progress = _progress.get()

    async def send(responses: types.InputResponses | None, state: str | None) -> Any:
        params = types.CallToolRequestParams(
            name=tool, arguments=dict(arguments), input_responses=responses, request_state=state, _meta=meta
        )
        raw = await client.session.send_request(
            types.CallToolRequest(params=params), RawResult, progress_callback=progress
        )
        fields = raw.model_extra or {}
        if fields.get("resultType") == "input_required":  # a 2026-07-28 upstream asks for input
            return types.InputRequiredResult.model_validate(fields, by_name=False)
        return fields

    first = await send(None, None)
    fields = (
        await _answer_input_requests(client, first, send)
        if isinstance(first, types.InputRequiredResult)
        else first
    )
    result = WireResult.parse(fields, keep_structure=keep_structure)
    if keep_structure and not result.is_error:
        await client.session.validate_tool_result(tool, result.for_schema_check())
    return result


async def _answer_input_requests(client: Client, first: types.InputRequiredResult, send: Any) -> Any:
    """Answer what a 2026-07-28 upstream asks within a call (each request through the
    connection's callbacks, so it reaches nocp's client) and retry until it gives a result.

    Raises:
        MCPError: nocp's client refused a request (the message says why).
    """
    from mcp.client._input_required import run_input_required_driver  # the SDK's own driver
    from mcp.client.session import ClientRequestContext

    session = client.session

    async def dispatch(key: str, request: types.InputRequest) -> types.InputResponse | types.ErrorData:
        context = ClientRequestContext(session=session, request_id=key)
        return await session.dispatch_input_request(context, request)

    return await run_input_required_driver(first, dispatch=dispatch, retry=send)


async def list_tools(client: Client) -> list[types.Tool]:
    tools: list[types.Tool] = await all_pages(client, "list_tools", "tools")
    return tools


async def all_pages(client: Client, method: str, field: str) -> list[Any]:
    """Every item of a paginated list request (`list_tools`, `list_prompts`…), following the
    cursor for at most `LIST_PAGE_CAP` pages.

    Raises:
        MCPError: the upstream answered with an error.
    """
    items: list[Any] = []
    cursor: str | None = None
    for _ in range(LIST_PAGE_CAP):
        page = await getattr(client, method)(cursor=cursor)
        items.extend(getattr(page, field))
        cursor = page.next_cursor
        if cursor is None:
            break
    return items
