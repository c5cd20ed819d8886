"""prune_lossless: empty members dropped, record columns kept, whitespace noise removed."""

from __future__ import annotations

import pytest
from inline_snapshot import snapshot

from nocp.pipeline.model import CallContext, Payload
from nocp.pipeline.prune import clean_text, drop_empty, prune_lossless


def test_empty_members_are_dropped_at_every_depth(ctx: CallContext) -> None:
    value = {
        "id": 1,
        "null": None,
        "empty_str": "",
        "empty_list": [],
        "empty_obj": {},
        "zero": 0,
        "false": False,
        "space": " ",
        "owner": {"login": "ada", "bio": None, "orgs": {"list": []}},
    }
    result = prune_lossless(Payload("json", value), ctx)
    assert result.payload == Payload(
        "json", {"id": 1, "zero": 0, "false": False, "space": " ", "owner": {"login": "ada"}}
    )
    assert result.note == "dropped 7 empty fields"  # bio, list, then the emptied orgs


def test_array_items_keep_their_positions() -> None:
    assert drop_empty([None, "", [], {}, 1]) == [None, "", [], {}, 1]
    assert drop_empty([[{"a": None}], {"b": {"c": ""}}]) == [[{}], {}]


def test_columns_of_records_are_kept_when_used_somewhere() -> None:
    rows = [
        {"id": 1, "coupon": None, "notes": "", "tags": []},
        {"id": 2, "coupon": "SPRING", "notes": "", "tags": []},
        {"id": 3, "coupon": None, "notes": "", "tags": ["x"]},
    ]
    assert drop_empty(rows) == snapshot(
        [
            {"id": 1, "coupon": None, "tags": []},
            {"id": 2, "coupon": "SPRING", "tags": []},
            {"id": 3, "coupon": None, "tags": ["x"]},
        ]
    )


def test_a_column_emptied_by_the_inner_clean_up_is_dropped() -> None:
    rows = [{"id": 1, "meta": {"x": None}}, {"id": 2, "meta": {"y": ""}}]
    assert drop_empty(rows) == [{"id": 1}, {"id": 2}]


def test_nothing_to_drop_leaves_no_note(ctx: CallContext) -> None:
    result = prune_lossless(Payload("json", [{"a": 1}, {"a": 2}]), ctx)
    assert result.payload.value == [{"a": 1}, {"a": 2}]
    assert result.note == ""


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("a  \r\nb\t\r\n", "a\nb"),
        ("a\rb", "a\nb"),
        ("a\n\n\n\n\nb", "a\n\nb"),
        ("\n\nhead\n  indented stays\n\n", "head\n  indented stays"),
        ("already clean", "already clean"),
    ],
)
def test_whitespace_noise_in_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


def test_text_payloads_are_cleaned_and_the_note_says_how_much(ctx: CallContext) -> None:
    result = prune_lossless(Payload("text", "x   \r\n\r\n\r\n\r\ny"), ctx)
    assert result.payload == Payload("text", "x\n\ny")
    assert result.note == "removed 9 whitespace characters"
    untouched = Payload("text", "x\ny")
    assert prune_lossless(untouched, ctx).payload is untouched
