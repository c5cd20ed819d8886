"""The extractive backend on the real documents and logs of ../shared/corpus: with focus, its
fact recall is at least pruning alone's, within the same budget."""

from __future__ import annotations

import json

import pytest

from nocp.cli.bench import run_item
from nocp.config import Settings
from tests.conftest import SHARED

CORPUS = SHARED / "corpus"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (CORPUS / "manifest.json").is_file(), reason="../shared/corpus is absent"),
]


def _items() -> list[dict[str, object]]:
    if not (CORPUS / "manifest.json").is_file():
        return []
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    return [entry for entry in manifest if entry["kind"] in ("document", "log")]


@pytest.mark.parametrize("entry", _items(), ids=lambda e: str(e["file"]))
def test_extractive_recall_with_focus_is_at_least_prunings_within_the_budget(
    entry: dict[str, object],
) -> None:
    settings = Settings(distill={"enabled": True})
    pruned = run_item(CORPUS, entry, Settings())
    distilled = run_item(CORPUS, entry, settings)
    assert distilled.focus_recall >= pruned.focus_recall
    assert distilled.focus_tokens <= settings.prune.focus_budget
