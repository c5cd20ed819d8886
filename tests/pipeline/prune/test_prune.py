"""The prune stage as a whole, through `nocp.optimize`: within budget nothing changes, markers
parse and name the handle, output is deterministic, lossless pruning keeps the value."""

from __future__ import annotations

import json
from typing import Any

import pytest
import toon_format
from hypothesis import given
from hypothesis import strategies as st

from nocp import optimize
from nocp.pipeline.encode import json_equal
from nocp.pipeline.markers import MARKER
from nocp.pipeline.prune import clean_text, drop_empty
from tests.pipeline.examples import QUICK, THOROUGH
from tests.pipeline.prune.helpers import decode, issues, markers, tight


def test_a_result_within_budget_goes_out_unchanged_in_content() -> None:
    rows = issues(3)
    result = optimize(rows, settings=tight(100_000))
    assert decode(result.text) == rows
    assert result.handle is None and not markers(result.text)


def test_markers_parse_and_every_omission_names_the_handle() -> None:
    result = optimize(issues(300), settings=tight(400))
    found = markers(result.text)
    assert found and all(MARKER.match(line) for line in found)
    assert all(f'handle="{result.handle}"' in line for line in found if "nocp_expand" in line)


def test_same_input_gives_byte_identical_output() -> None:
    first = optimize(issues(300), focus="timeouts", settings=tight(500))
    second = optimize(issues(300), focus="timeouts", settings=tight(500))
    assert first.text == second.text and first.handle == second.handle


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=30,
)


@QUICK
@given(JSON)
def test_lossless_only_pruning_never_changes_the_decoded_value(value: Any) -> None:
    lossless_keeps_the_value(value)


@pytest.mark.slow
@THOROUGH
@given(JSON)
def test_lossless_only_pruning_never_changes_the_decoded_value_thoroughly(value: Any) -> None:
    lossless_keeps_the_value(value)


def lossless_keeps_the_value(value: Any) -> None:
    result = optimize(value, settings=tight(1_000_000))
    decoded = (
        json.loads(result.text)
        if result.format == "json"
        else (toon_format.loads(result.text) if result.format == "toon" else result.text)
    )
    # A string result is text: its lossless clean-up trims line ends and blank runs.
    expected = clean_text(value) if isinstance(value, str) else drop_empty(value)
    assert json_equal(decoded, expected)
