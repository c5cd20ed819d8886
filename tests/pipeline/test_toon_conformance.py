"""TOON: every encode fixture of the official spec (v4.0) through toon-format and back.

The fixtures live in `shared/toon-spec/encode/` beside the repository (`../shared` from the
repo root, both in a worktree and in CI); on a user's machine they are absent and this skips.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import toon_format

from nocp.pipeline.encode import json_equal
from tests.conftest import SHARED

FIXTURES = SHARED / "toon-spec" / "encode"


def _cases() -> list[Any]:
    if not FIXTURES.is_dir():
        reason = f"TOON spec fixtures not found at {FIXTURES} (they sit beside the repo in CI)"
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="fixtures-absent")]
    cases = []
    for path in sorted(FIXTURES.glob("*.json")):
        for test in json.loads(path.read_text(encoding="utf-8"))["tests"]:
            cases.append(pytest.param(test, id=f"{path.stem}: {test['name']}"))
    return cases


def _options(test: dict[str, Any]) -> dict[str, Any]:
    options = test.get("options", {})
    unknown = set(options) - {"delimiter", "indentSize"}
    assert not unknown, f"fixture uses options this test does not pass on: {unknown}"
    kwargs: dict[str, Any] = {}
    if "delimiter" in options:
        kwargs["delimiter"] = options["delimiter"]
    if "indentSize" in options:
        kwargs["indent_size"] = options["indentSize"]
    return kwargs


def test_all_fixtures_are_found() -> None:
    if not FIXTURES.is_dir():
        pytest.skip(f"TOON spec fixtures not found at {FIXTURES}")
    assert len(_cases()) == 173  # PROVENANCE.md: 173 encode tests in spec v4.0.0


@pytest.mark.parametrize("test", _cases())
def test_encode_fixture(test: dict[str, Any]) -> None:
    kwargs = _options(test)
    encoded = toon_format.dumps(test["input"], **kwargs)
    assert encoded == test["expected"]
    decoded = toon_format.loads(encoded, indent_size=kwargs.get("indent_size", 2))
    assert json_equal(decoded, test["input"])
