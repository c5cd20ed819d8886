"""JSON after a preamble, and Python literals (`str(rows)`), read as data."""

from __future__ import annotations

import pytest

from nocp.formats.literals import literal_value
from nocp.formats.structured import parse_structured


def test_json_after_a_preamble_line_keeps_the_preamble_as_lines_before() -> None:
    parsed = parse_structured('Contents of https://x.test/a.json:\n{\n"a": [1, 2]\n}\n')
    assert parsed is not None
    assert (parsed.value, parsed.source, parsed.head, parsed.tail) == ({"a": [1, 2]}, "JSON", 1, 1)


def test_json_with_a_short_trailer_counts_its_lines_after() -> None:
    parsed = parse_structured("[1, 2]\n\n<error>Content truncated.</error>")
    assert parsed is not None
    assert (parsed.value, parsed.head, parsed.tail) == ([1, 2], 0, 2)


@pytest.mark.parametrize(
    "text",
    [
        "one\ntwo\nthree\nfour\nfive\nsix\n[1, 2]",  # a preamble of more than five lines
        "x" * 700 + "\n[1, 2]",  # a preamble too long to be one
        "[1, 2] and then prose on the same line",
        '{"a": 1}\n' + "more text\n" * 10,  # not a short trailer
        "The list [1, 2] is in the middle of a sentence.",
    ],
)
def test_text_that_is_not_mostly_data_is_not_parsed(text: str) -> None:
    assert parse_structured(text) is None


def test_a_python_repr_of_rows_becomes_the_rows() -> None:
    rows = [{"name": "it's", "size": 1.5, "ok": True, "none": None, "pair": (1, 2), "one": (3,)}]
    parsed = parse_structured(str(rows))
    assert parsed is not None
    assert parsed.source == "a Python literal"
    assert parsed.value == [
        {"name": "it's", "size": 1.5, "ok": True, "none": None, "pair": [1, 2], "one": [3]}
    ]


def test_python_strings_with_escapes_and_quotes_read_as_python_reads_them() -> None:
    values = ['say "hi"', "tab\there", "café ☕", "back\\slash", "both ' and \"", "\x00\x7f"]
    assert literal_value(repr(values)) == values


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{1: 'a', 2: 'b'}", {1: "a", 2: "b"}),  # keys JSON cannot hold: the slow reader
        ("[float('nan')]", None),  # a call is not a literal
        ("[__import__('os')]", None),
        ("[1, 2] + [3]", None),
        ("[1, 2,]", [1, 2]),
        ("[inf, nan]", [float("inf"), pytest.approx(float("nan"), nan_ok=True)]),
        ("['unterminated]", None),
    ],
)
def test_only_literals_are_read(text: str, expected: object) -> None:
    assert literal_value(text) == expected


def test_a_python_literal_after_a_preamble() -> None:
    parsed = parse_structured("Query results:\n[('a', 1), ('b', 2)]")
    assert parsed is not None
    assert (parsed.value, parsed.head) == ([["a", 1], ["b", 2]], 1)
