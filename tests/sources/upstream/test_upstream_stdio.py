"""How nocp reads an upstream: JSON-RPC lines on its stdout (anything else skipped), and its
tool results as plain JSON (`WireResult`)."""

from __future__ import annotations

import mcp_types as types
import pytest

from nocp.sources.upstream.stdio import _parse


def test_a_result_is_read_as_a_response_with_its_result_as_sent() -> None:
    message = _parse(
        "up", '{"jsonrpc": "2.0", "id": 7, "result": {"content": [{"type": "text", "text": "hi"}]}}'
    )
    assert message is not None
    assert isinstance(message.message, types.JSONRPCResponse)
    assert message.message.id == 7 and message.message.result == {"content": [{"type": "text", "text": "hi"}]}


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ('{"jsonrpc": "2.0", "id": 1, "error": {"code": -32602, "message": "bad"}}', types.JSONRPCError),
        ('{"jsonrpc": "2.0", "method": "notifications/tools/list_changed"}', types.JSONRPCNotification),
        ('{"jsonrpc": "2.0", "id": "a", "method": "ping"}', types.JSONRPCRequest),
    ],
)
def test_other_messages_get_the_full_check(line: str, kind: type) -> None:
    message = _parse("up", line)
    assert message is not None and isinstance(message.message, kind)


@pytest.mark.parametrize(
    "line",
    [
        "Server listening on stdio",  # a log line on the wrong stream
        '{"jsonrpc": "1.0", "id": 1, "result": {}}',
        '{"jsonrpc": "2.0", "id": 1.5, "result": {}}',
        "[" * 100_000 + "]" * 100_000,  # nested past the parser's recursion limit
        "",
    ],
)
def test_lines_that_are_not_json_rpc_are_skipped(line: str) -> None:
    assert _parse("up", line) is None


def test_a_wire_result_that_is_not_a_tool_result_is_refused_with_its_fields_named() -> None:
    from nocp.sources.upstream.results import WireResult

    with pytest.raises(ValueError, match=r"`content` blocks, got fields \['inputRequests', 'resultType'\]"):
        WireResult.parse({"resultType": "input_required", "inputRequests": {}}, keep_structure=False)
    with pytest.raises(ValueError, match="`content` blocks"):
        WireResult.parse({"content": ["not a block"]}, keep_structure=False)


def test_a_wire_result_keeps_its_structure_only_when_asked() -> None:
    from nocp.sources.upstream.results import WireResult

    raw = {"content": [{"type": "text", "text": "{}"}], "structuredContent": {"a": 1}, "isError": True}
    assert WireResult.parse(raw, keep_structure=True).structured_content == {"a": 1}
    dropped = WireResult.parse(raw, keep_structure=False)
    assert dropped.structured_content is None and dropped.is_error and dropped.text_only
