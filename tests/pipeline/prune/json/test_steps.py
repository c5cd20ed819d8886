"""The lossy JSON steps, each on a small hand-made input, through `nocp.optimize`."""

from __future__ import annotations

from typing import Any

from inline_snapshot import snapshot

from nocp import optimize
from nocp.pipeline.markers import MARKER
from nocp.sources.expand import expand_payload
from tests.pipeline.prune.helpers import body, decode, issues, markers, tight


def test_noise_fields_go_first_and_are_named_in_a_marker() -> None:
    result = optimize(issues(3), settings=tight(260))
    assert "node_id" not in body(result.text) and "comments_url" not in body(result.text)
    assert "avatar_url" not in body(result.text) and "https://api.test" not in body(result.text)
    assert markers(result.text)[0] == snapshot(
        '[… dropped noise fields: avatar_url, node_id, comments_url, url · nocp_expand(handle="hed38f6a68feef5e7e8698a0579b69a0a")]'
    )


def test_keep_fields_wins_over_the_noise_list_and_drop_fields_adds_to_it() -> None:
    result = optimize(issues(3), settings=tight(260, keep_fields=["node_id"], drop_fields=["title"]))
    assert "MDU6SXNzdWU0000" in result.text
    assert "Issue number" not in result.text


def test_constant_columns_are_said_once_and_entities_flattened() -> None:
    result = optimize(issues(12), settings=tight(400))
    assert "hoist_constants" in result.report("prune_lossy").note
    assert '[every row of the result has state="open"]' in result.text
    header = result.text.splitlines()[0]
    assert header.startswith("[12]{") and "user.login" in header  # uniform records: a table
    assert ",bug," in result.text  # labels: [{name: bug, …}] → "bug"


def test_long_strings_are_cut_with_what_was_cut() -> None:
    rows = [{"id": i, "body": "lorem ipsum " * 100} for i in range(2)]
    result = optimize(rows, settings=tight(200))
    assert "…(+800 chars)" in result.text
    assert "2 long strings cut to 400 characters" in result.text


def test_rows_are_cut_at_item_boundaries_with_the_exact_path_of_the_rest() -> None:
    rows = [{"id": i, "name": f"user{i}"} for i in range(300)]
    result = optimize(rows, settings=tight(200))
    last = markers(result.text)[-1]
    match = MARKER.match(last)
    assert match is not None and "of 300 rows of the result omitted" in match["what"]
    kept = decode(body(result.text))
    assert kept[0] == rows[0] and kept[-1] == rows[-1]
    path = match["call"].split('path="')[1].rstrip('")')
    assert result.original is not None
    rest = decode(expand_payload(result.original, settings=tight(100_000), path=path))
    start, end = (int(n) for n in path.strip("[]").split(":"))
    assert rest == rows[start:end] and len(kept) + len(rest) == 300


def test_focus_keeps_the_most_relevant_row_and_numbers_the_rows() -> None:
    result = optimize(issues(200), focus="which issue is about timeouts?", settings=tight(2000))
    assert "Issue number 137 about timeouts" in result.text
    assert '"#"' in result.text.splitlines()[0]
    assert 'kept rows numbered by "#"' in result.text


def test_without_focus_the_tools_string_arguments_are_the_query() -> None:
    rows = issues(200)
    plain = optimize(rows, settings=tight(600))
    asked = optimize(rows, settings=tight(600), arguments={"q": "timeouts"})
    assert "about timeouts" not in plain.text
    assert "about timeouts" in asked.text


def test_the_row_with_the_largest_value_of_a_column_is_kept() -> None:
    rows = [{"id": i, "size": (i * 37) % 101, "name": f"f{i}"} for i in range(400)]
    rows[123]["size"] = 10_000
    result = optimize(rows, settings=tight(300))
    assert "10000" in result.text


def test_depth_is_limited_last() -> None:
    deep: Any = {"leaf": "x" * 50}
    for level in range(12):
        deep = {f"level{level}": deep, "pad": "y" * 30}
    rows = [{"id": i, "deep": deep} for i in range(3)]  # rows, not a document: no folding
    result = optimize(rows, settings=tight(60))
    assert "values nested deeper than" in result.text
    document = optimize(deep, settings=tight(60))  # a document is folded instead
    assert "branches folded" in document.text and document.tokens <= 60


def test_rows_set_aside_before_the_clean_up_stay_marked_when_nothing_else_is_cut() -> None:
    # Rows so large that precut sets most aside, and that drop_noise then makes tiny: no later
    # step cuts rows, so only precut's marker can say that rows are missing.
    rows = [{"id": i, "avatar_url": "https://a.test/" + "x" * 3000} for i in range(2000)]
    result = optimize(rows, settings=tight(2000))
    kept = decode(body(result.text))
    assert 0 < len(kept) < 2000
    [rows_marker] = [m for m in markers(result.text) if "rows of the result omitted" in m]
    assert f"{2000 - len(kept):,} of 2,000 rows" in rows_marker and f'handle="{result.handle}"' in rows_marker
