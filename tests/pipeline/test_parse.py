"""parse: text that holds data (a repr, JSON after a preamble, a table) pruned as that data,
the stored original still the text, and every marker path redeemable on it."""

from __future__ import annotations

import json
import re

import toon_format

from nocp import optimize
from nocp.config import Settings
from nocp.pipeline.model import CallContext, Payload
from nocp.pipeline.parse import parse
from nocp.pipeline.tokens import TokenCounter
from nocp.sources.expand import expand_payload

ROWS = [{"name": f"pkg{i}", "version": f"1.{i}.0", "size_kb": i * 7} for i in range(400)]


def _settings(budget: int) -> Settings:
    return Settings(prune={"budget": budget})


def test_a_repr_of_rows_over_budget_is_pruned_as_rows_and_says_so() -> None:
    result = optimize(str(ROWS), settings=_settings(600))
    assert result.format == "toon"
    assert "[parsed from a Python literal]" in result.text.splitlines()
    assert "pkg399" in result.text  # the tail too, not only the first 2,000 characters
    assert result.original == Payload("text", str(ROWS))  # the stored original is the text


def test_the_paths_of_markers_on_parsed_text_select_from_the_stored_text() -> None:
    result = optimize(str(ROWS), settings=_settings(600))
    assert result.original is not None and result.handle is not None
    paths = re.findall(r'path="([^"]+)"', result.text)
    assert paths, result.text
    for path in paths:
        text = expand_payload(result.original, settings=Settings(), handle=result.handle, path=path)
        assert "pkg" in text
    everything = expand_payload(result.original, settings=Settings(prune={"budget": 50_000}), path="@")
    assert toon_format.loads(everything) == ROWS


def test_a_preamble_is_quoted_in_the_info_line() -> None:
    text = "Contents of https://x.test/rows.json:\n" + json.dumps(ROWS, indent=2)
    result = optimize(text, settings=_settings(600))
    assert '[parsed from JSON; before it: "Contents of https://x.test/rows.json:"]' in result.text


def test_a_long_preamble_is_left_out_under_a_marker_that_fetches_it() -> None:
    text = "# " + "notes " * 80 + "\n" + repr(ROWS)
    result = optimize(text, settings=_settings(600))
    [line] = [line for line in result.text.splitlines() if "before the" in line]
    assert line.startswith("[… 1 line of text before the data omitted")
    assert result.original is not None
    fetched = expand_payload(result.original, settings=Settings(), path="lines[0:1]")
    assert fetched == text.splitlines()[0]


def test_under_budget_the_data_is_taken_only_when_it_is_cheaper() -> None:
    ctx = CallContext(tool="t", settings=Settings(), counter=TokenCounter())
    small = Payload("text", 'Result:\n{"a":1}')
    assert parse(small, ctx).payload is small  # the info line would cost more than it saves
    padded = Payload("text", repr([{"name": "a", "n": i} for i in range(30)]))
    assert parse(padded, ctx).payload.kind == "json"
