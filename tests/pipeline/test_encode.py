"""encode: every candidate counted, the cheapest faithful one kept — never worse than JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest
import toon_format
from hypothesis import given
from hypothesis import strategies as st
from inline_snapshot import snapshot

from nocp.pipeline.encode import choose, encode, json_equal, to_compact_json
from nocp.pipeline.model import CallContext, Payload
from nocp.pipeline.normalize import normalize
from nocp.pipeline.prune import prune_lossless
from nocp.pipeline.tokens import TokenCounter
from tests.pipeline.examples import QUICK, THOROUGH

COUNTER = TokenCounter()

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=6) | st.dictionaries(st.text(max_size=8), children, max_size=6)
    ),
    max_leaves=30,
)
# Arrays of records with mostly shared keys: the shape where TOON and JSON compete closely.
records = st.lists(
    st.dictionaries(st.sampled_from(["id", "name", "tags", "ok", "n"]), json_values, min_size=1),
    min_size=1,
    max_size=8,
)
containers = st.one_of(
    st.lists(json_values, max_size=6),
    st.dictionaries(st.text(max_size=8), json_values, max_size=6),
    records,
)


def decode(text: str, fmt: str) -> Any:
    if fmt == "toon":
        return toon_format.loads(text)
    if fmt == "json":
        return json.loads(text)
    return text


@QUICK
@given(containers)
def test_never_more_tokens_than_compact_json_and_decodes_to_the_pruned_value(value: Any) -> None:
    fewest_tokens_and_faithful(value)


@pytest.mark.slow
@THOROUGH
@given(containers)
def test_never_more_tokens_than_compact_json_thoroughly(value: Any) -> None:
    fewest_tokens_and_faithful(value)


def fewest_tokens_and_faithful(value: Any) -> None:
    pruned = prune_lossless(normalize(value), _ctx()).payload
    encoded = encode(pruned, _ctx())
    assert encoded.tokens == COUNTER.count(encoded.text)
    assert encoded.tokens <= COUNTER.count(to_compact_json(pruned.value))
    assert json_equal(decode(encoded.text, encoded.format), pruned.value)


def _ctx() -> CallContext:
    from nocp.config import Settings

    return CallContext("t", Settings(), COUNTER)


def test_uniform_records_are_sent_as_toon() -> None:
    rows = [{"id": i, "name": f"user{i}", "active": i % 2 == 0} for i in range(3)]
    encoded = choose(rows, COUNTER)
    assert encoded.format == "toon"
    assert encoded.text == snapshot("""\
[3]{id,name,active}:
  0,user0,true
  1,user1,false
  2,user2,true\
""")
    assert encoded.candidates["toon"] < encoded.candidates["json"]


def test_nested_non_uniform_data_is_sent_as_compact_json() -> None:
    value = {
        "id": 1,
        "owner": {"login": "ada", "links": {"self": "https://x/1", "html": "https://y/1"}},
        "events": [{"type": "push", "commits": [{"sha": "a1"}]}, {"type": "star"}],
    }
    encoded = choose(value, COUNTER)
    assert encoded.format == "json"
    assert encoded.text == to_compact_json(value)
    assert encoded.candidates["toon"] > encoded.candidates["json"]


def test_text_and_string_values_are_sent_as_they_are(ctx: CallContext) -> None:
    assert encode(Payload("text", "a log\nline"), ctx).format == "text"
    assert encode(Payload("text", "a log\nline"), ctx).text == "a log\nline"
    assert choose("2026-03-01", COUNTER).text == "2026-03-01"


def test_a_value_too_deep_for_toon_still_goes_out_as_json() -> None:
    deep: Any = {"leaf": 1}
    for _ in range(190):
        deep = {"a": deep}
    encoded = choose(deep, COUNTER)
    assert encoded.format == "json"
    assert json.loads(encoded.text) == deep


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        (1, 1.0, True),
        (True, 1, False),
        (False, 0, False),
        ("1", 1, False),
        (None, None, True),
        ({"a": [1, 2]}, {"a": [1, 2.0]}, True),
        ({"a": 1}, {"a": 1, "b": None}, False),
        ([1, 2], [2, 1], False),
    ],
)
def test_json_equal_follows_the_json_data_model(a: Any, b: Any, equal: bool) -> None:
    assert json_equal(a, b) is equal
    assert json_equal(b, a) is equal


def test_compact_json_keeps_unicode_and_refuses_nan() -> None:
    assert to_compact_json({"name": "Zoë", "n": [1, 2]}) == '{"name":"Zoë","n":[1,2]}'
    with pytest.raises(ValueError):
        to_compact_json(float("nan"))
