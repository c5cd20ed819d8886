"""Properties of the whole pipeline over generated results: the same input gives the same
bytes, and what is sent stays within the token budget (plus the markers that say what was cut)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nocp import optimize
from nocp.config import Settings
from nocp.pipeline.markers import MARKER
from nocp.pipeline.tokens import TokenCounter
from tests.pipeline.examples import QUICK, THOROUGH

COUNTER = TokenCounter()

WORDS = st.sampled_from(
    ["alpha", "beta", "error", "timeout", "user", "id", "2026-01-01T10:00:00Z", "GET /api", "42", "ü", "…"]
)
TEXT = st.lists(WORDS, min_size=1, max_size=12).map(" ".join)
SCALARS = st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.floats(allow_nan=False) | TEXT
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=8)
        | st.dictionaries(st.sampled_from(["a", "b", "id", "url", "name"]), inner, max_size=5)
    ),
    max_leaves=60,
)
RECORDS = st.lists(
    st.fixed_dictionaries(
        {"id": st.integers(0, 10_000), "name": TEXT, "state": st.sampled_from(["open", "closed"])}
    ),
    min_size=0,
    max_size=120,
)
LINES = st.lists(TEXT, min_size=1, max_size=300).map("\n".join)
RESULTS = JSON | RECORDS | LINES
BUDGETS = st.integers(min_value=60, max_value=600)
FOCUS = st.none() | st.sampled_from(["timeout", "which user had an error", "beta"])

SLACK = 4
"""Tokens a line break or two may add at the joins of body and markers."""


def marker_tokens(text: str) -> int:
    return sum(COUNTER.count(line) + 1 for line in text.split("\n") if MARKER.match(line))


def same_bytes(value: Any, budget: int, focus: str | None) -> None:
    config = Settings(prune={"budget": budget})
    first = optimize(value, tool="t", focus=focus, settings=config)
    second = optimize(copy.deepcopy(value), tool="t", focus=focus, settings=config)
    assert first.text == second.text and first.handle == second.handle


def within_budget(value: Any, budget: int, focus: str | None) -> None:
    config = Settings(prune={"budget": budget})
    result = optimize(value, tool="t", focus=focus, settings=config)
    limit = config.budget_for("t", focused=bool(focus))
    assert result.tokens <= limit + marker_tokens(result.text) + SLACK


@QUICK
@given(RESULTS, BUDGETS, FOCUS)
def test_the_same_input_gives_the_same_bytes(value: Any, budget: int, focus: str | None) -> None:
    same_bytes(value, budget, focus)


@QUICK
@given(RESULTS, BUDGETS, FOCUS)
def test_what_is_sent_stays_within_the_budget_plus_its_markers(
    value: Any, budget: int, focus: str | None
) -> None:
    within_budget(value, budget, focus)


@pytest.mark.slow
@THOROUGH
@given(RESULTS, BUDGETS, FOCUS)
def test_the_same_input_gives_the_same_bytes_thoroughly(value: Any, budget: int, focus: str | None) -> None:
    same_bytes(value, budget, focus)


@pytest.mark.slow
@THOROUGH
@given(RESULTS, BUDGETS, FOCUS)
def test_what_is_sent_stays_within_the_budget_thoroughly(value: Any, budget: int, focus: str | None) -> None:
    within_budget(value, budget, focus)
