"""The lossy pruning steps, each on small hand-made inputs, through `nocp.optimize`."""

from __future__ import annotations

import json
from typing import Any

import toon_format
from hypothesis import given, settings
from hypothesis import strategies as st
from inline_snapshot import snapshot

from nocp import optimize
from nocp.config import Settings
from nocp.expand import expand_payload
from nocp.pipeline.encode import json_equal
from nocp.pipeline.prune import clean_text, drop_empty
from nocp.pipeline.prune.markers import MARKER


def tight(budget: int, **prune: Any) -> Settings:
    return Settings(prune={"budget": budget, **prune})


def issues(count: int) -> list[dict[str, Any]]:
    return [
        {
            "number": 100 + i,
            "title": f"Issue number {i} about {'timeouts' if i == 137 else 'caching'}",
            "state": "open",
            "node_id": f"MDU6SXNzdWU{i:04d}",
            "url": f"https://api.test/repos/acme/w/issues/{100 + i}",
            "comments_url": f"https://api.test/repos/acme/w/issues/{100 + i}/comments{{/id}}",
            "user": {"login": f"dev{i % 3}", "id": 100 + i % 3, "avatar_url": "https://a.test/u"},
            "labels": [{"name": "bug", "color": "f00"}],
            "comments": (i * 7) % 11,
        }
        for i in range(count)
    ]


def markers(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("[…")]


def body(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith(("[…", "[every")))


def decode(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return toon_format.loads(text)


def test_a_result_within_budget_goes_out_unchanged_in_content() -> None:
    rows = issues(3)
    result = optimize(rows, settings=tight(100_000))
    assert decode(result.text) == rows
    assert result.handle is None and not markers(result.text)


def test_noise_fields_go_first_and_are_named_in_a_marker() -> None:
    result = optimize(issues(3), settings=tight(260))
    assert "node_id" not in body(result.text) and "comments_url" not in body(result.text)
    assert "avatar_url" not in body(result.text) and "https://api.test" not in body(result.text)
    assert markers(result.text)[0] == snapshot(
        '[… dropped noise fields: avatar_url, node_id, comments_url, url · nocp_expand(handle="hed38f6a6")]'
    )


def test_keep_fields_wins_over_the_noise_list_and_drop_fields_adds_to_it() -> None:
    result = optimize(issues(3), settings=tight(260, keep_fields=["node_id"], drop_fields=["title"]))
    assert "MDU6SXNzdWU0000" in result.text
    assert "Issue number" not in result.text


def test_constant_columns_are_said_once_and_entities_flattened() -> None:
    result = optimize(issues(12), settings=tight(400))
    assert "hoist_constants" in result.stages[1].note
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
    result = optimize(deep, settings=tight(60))
    assert "values nested deeper than" in result.text


def test_log_lines_collapse_and_errors_stay() -> None:
    lines = [f"2026-01-01T10:00:{i % 60:02d}Z INFO request {i} served in {i % 9}ms" for i in range(600)]
    lines[300] = "2026-01-01T10:05:00Z ERROR database connection lost: timeout after 30s"
    result = optimize("\n".join(lines), settings=tight(300))
    assert "ERROR database connection lost" in result.text
    assert "(similar lines: ×599" in result.text
    assert result.text.splitlines()[0].startswith("2026-01-01T10:00:00Z INFO request 0")


def test_repeated_lines_collapse_with_a_count() -> None:
    text = "\n".join(["header"] + ["same line"] * 500 + [f"line {i}" for i in range(200)])
    result = optimize(text, settings=tight(200))
    assert "same line (×500)" in result.text


def test_documents_keep_the_outline_and_the_section_the_focus_asks_for() -> None:
    sections = [
        f"## Section {i}\n\n" + f"Filler paragraph {i} about nothing in particular. " * 20 for i in range(30)
    ]
    sections[21] = "## Timeouts\n\nThe default timeout is five seconds; pass timeout=None to disable it."
    document = "# Guide\n\nIntro.\n\n" + "\n\n".join(sections)
    result = optimize(document, focus="how do I disable timeouts", settings=tight(600))
    assert "timeout=None" in result.text
    assert all(f"## Section {i}" in result.text for i in (0, 10, 29))  # the outline
    assert "[… lines[" in result.text


def test_html_becomes_text_with_its_title() -> None:
    page = (
        "<!doctype html><html><head><title>Widgets &amp; Co</title><script>var x = 1;</script>"
        "</head><body><nav>menu</nav><h1>Widgets</h1>"
        + "<p>Paragraph about widgets and gadgets.</p>" * 400
        + "</body></html>"
    )
    result = optimize(page, settings=tight(300))
    assert result.text.startswith("title: Widgets & Co")
    assert "# Widgets" in result.text and "var x" not in result.text and "menu" not in result.text


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


@settings(max_examples=150, deadline=None)
@given(JSON)
def test_lossless_only_pruning_never_changes_the_decoded_value(value: Any) -> None:
    result = optimize(value, settings=tight(1_000_000))
    decoded = (
        json.loads(result.text)
        if result.format == "json"
        else (toon_format.loads(result.text) if result.format == "toon" else result.text)
    )
    # A string result is text: its lossless clean-up trims line ends and blank runs.
    expected = clean_text(value) if isinstance(value, str) else drop_empty(value)
    assert json_equal(decoded, expected)
