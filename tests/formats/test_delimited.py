"""CSV and TSV with a header row read as rows; logs with a comma per line are not tables."""

from __future__ import annotations

import pytest

from nocp.formats.structured import parse_structured


def test_csv_with_quoted_fields_becomes_records_with_canonical_numbers() -> None:
    text = 'name,version,size_kb,ratio\nadduser,3.134,686,0.50\n"Smith, J.","1:2.0",007,1.5\n'
    parsed = parse_structured(text)
    assert parsed is not None and parsed.source == "CSV"
    assert parsed.value == [
        {"name": "adduser", "version": 3.134, "size_kb": 686, "ratio": "0.50"},
        {"name": "Smith, J.", "version": "1:2.0", "size_kb": "007", "ratio": 1.5},
    ]


def test_tsv_with_a_multi_line_field() -> None:
    text = 'id\tnote\n1\t"two\nlines"\n2\tplain\n'
    parsed = parse_structured(text)
    assert parsed is not None and parsed.source == "TSV"
    assert parsed.value == [{"id": 1, "note": "two\nlines"}, {"id": 2, "note": "plain"}]


def test_a_header_of_values_is_a_header_when_the_values_under_it_differ() -> None:
    text = "Registry,Assignment,Organization Name\nIAB,0050C27D5,DEUTA-WERKE GmbH\nIAB,40D85511C,Spang, Inc\n"
    assert parse_structured(text) is None  # a row with a field more: not one table
    text = "Registry,Assignment\nIAB,0050C27D5\nIAB,40D85511C\n"
    parsed = parse_structured(text)
    assert parsed is not None and parsed.value[1] == {"Registry": "IAB", "Assignment": "40D85511C"}


@pytest.mark.parametrize(
    "text",
    [
        "2026-01-01 10:00:00,123 INFO started\n2026-01-01 10:00:01,456 INFO ready\n"
        "2026-01-01 10:00:02,789 WARN slow\n",
        "Hello, world.\nThis line, too, has commas.\nBut this one has none\n",
        "a,b\n1,2\n",  # a header and one row: too little to be worth it
    ],
)
def test_text_that_is_not_a_table_is_left_alone(text: str) -> None:
    parsed = parse_structured(text)
    assert parsed is None or parsed.source != "CSV"
