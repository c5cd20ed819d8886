"""normalize: Python values → the JSON data model; and the SDK baseline it measures against."""

from __future__ import annotations

import math
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from inline_snapshot import snapshot
from mcp import Client
from mcp.server.mcpserver import MCPServer

from nocp.errors import ResultError
from nocp.pipeline.model import Payload
from nocp.pipeline.normalize import TextBlocks, normalize, sdk_default_texts, to_json_value
from tests.pipeline.samples import USER, Address, Order

pytestmark = pytest.mark.anyio


def test_pydantic_models_and_dataclasses() -> None:
    value = to_json_value(Order(1, date(2026, 3, 2), USER, frozenset({3, 1, 2})))
    assert value == {
        "id": 1,
        "day": "2026-03-02",
        "user": {
            "id": "00000000-0000-0000-0000-000000000007",
            "name": "Ada",
            "joined": "2026-03-01T12:30:00Z",
            "balance": 12.5,
            "tags": [f"tag{i:02d}" for i in range(20)],  # sorted: same bytes in every process
            "address": {"city": "Berlin", "zip": None},
        },
        "codes": [1, 2, 3],
    }


def test_scalars_of_the_standard_library() -> None:
    value = to_json_value(
        {
            "when": datetime(2026, 1, 2, 3, 4, 5),
            "took": timedelta(seconds=90),
            "id": uuid.UUID(int=1),
            "bytes": b"caf\xc3\xa9",
            "set": {"b", "a"},
            "tuple": (1, 2),
            3: "int key",
        }
    )
    assert value == snapshot(
        {
            "when": "2026-01-02T03:04:05",
            "took": "PT1M30S",
            "id": "00000000-0000-0000-0000-000000000001",
            "bytes": "café",
            "set": ["a", "b"],
            "tuple": [1, 2],
            "3": "int key",
        }
    )


def test_decimals_are_numbers_when_exact() -> None:
    decimals = [Decimal("2"), Decimal("2.50"), Decimal("0.1"), Decimal("1.000000000000000000001")]
    assert to_json_value(decimals) == [2, 2.5, 0.1, "1.000000000000000000001"]
    assert to_json_value([Decimal("NaN"), Decimal("-Infinity")]) == ["NaN", "-Infinity"]


def test_non_finite_floats_become_strings() -> None:
    assert to_json_value([math.nan, math.inf, -math.inf, 1.5]) == [
        "NaN",
        "Infinity",
        "-Infinity",
        1.5,
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('{"a": [1, 2]}', Payload("json", {"a": [1, 2]})),
        ("  [1, null]\n", Payload("json", [1, None])),
        (b'{"b": true}', Payload("json", {"b": True})),
        ('"just a string"', Payload("text", '"just a string"')),  # scalars stay text
        ("42", Payload("text", "42")),
        ("{not json", Payload("text", "{not json")),
        ("plain words", Payload("text", "plain words")),
        ({"x": "[1]"}, Payload("json", {"x": "[1]"})),  # only the top level is parsed
    ],
)
def test_json_strings_become_values_other_text_stays_text(raw: Any, expected: Payload) -> None:
    assert normalize(raw) == expected


def test_unsendable_values_raise_a_result_error() -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ResultError, match=r"circular reference at \$\[0\]"):
        normalize(loop)
    with pytest.raises(ResultError, match="not valid UTF-8"):
        normalize({"blob": b"\xff"})
    deep: Any = 1
    for _ in range(300):
        deep = [deep]
    with pytest.raises(ResultError, match="nested deeper than 200 levels"):
        normalize(deep)


def test_a_shared_but_not_circular_object_is_fine() -> None:
    shared = {"k": 1}
    assert to_json_value([shared, shared]) == [{"k": 1}, {"k": 1}]


SDK_VALUES: dict[str, Any] = {
    "list_of_dicts": [{"id": 1, "email": None}, {"id": 2, "email": "b@example.com"}],
    "dict": {"name": "nocp", "stars": 3, "owner": {"login": "ada", "tags": []}},
    "str": "line one\nline two — ünïcode",
    "pydantic_model": Address(city="Paris", zip="75001"),
    "nested": {"a": [{"b": [{"c": 1.5, "d": [True, None]}]}], "e": "x"},
    "mixed_list": [1, "two", {"three": 3}, [4, 5], None],
    "int": 42,
    "none": None,
    "list_of_models": [Address(city="Rome"), Address(city="Oslo", zip="0150")],
}


@pytest.mark.parametrize("case", sorted(SDK_VALUES))
async def test_sdk_default_texts_equal_what_the_sdk_sends(case: str) -> None:
    value = SDK_VALUES[case]
    server = MCPServer("baseline")
    server.add_tool(lambda: value, name="baseline", description="Returns the value.")
    async with Client(server) as client:
        result = await client.call_tool("baseline", {})
    received = [block.text for block in result.content if block.type == "text"]
    assert len(received) == len(result.content)
    assert sdk_default_texts(value) == received


def test_blocks_of_one_json_value_each_become_one_array() -> None:
    blocks = TextBlocks(['{"id": 1}', " [1, 2] ", '{"nested": {"a": [true, null]}}'])
    assert normalize(blocks) == Payload("json", [{"id": 1}, [1, 2], {"nested": {"a": [True, None]}}])


def test_a_block_holding_two_values_is_not_split_into_rows() -> None:
    # Joined with commas these parse as three items; the block count says they are not.
    blocks = TextBlocks(['{"a": 1},{"b": 2}', '{"c": 3}'])
    assert normalize(blocks) == Payload("text", '{"a": 1},{"b": 2}\n{"c": 3}')


def test_blocks_with_nan_take_the_careful_path() -> None:
    blocks = TextBlocks(['{"x": NaN}', '{"x": 1}'])
    assert normalize(blocks) == Payload("json", [{"x": "NaN"}, {"x": 1}])
