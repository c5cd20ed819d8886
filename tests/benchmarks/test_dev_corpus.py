"""The development corpus (benchmarks/corpus): every answer verbatim, hashes and sizes as listed,
data/ exactly the manifest's files — checked by the corpus's own verify script."""

from __future__ import annotations

import importlib.util
import json
import shutil
from collections import Counter
from pathlib import Path
from types import ModuleType

CORPUS = Path(__file__).resolve().parents[2] / "benchmarks" / "corpus"


def _verify() -> ModuleType:
    spec = importlib.util.spec_from_file_location("corpus_verify", CORPUS / "scripts" / "verify.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_development_corpus_is_sound() -> None:
    assert _verify().problems(CORPUS) == []


def test_the_corpus_is_broad() -> None:
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    kinds = Counter(item["kind"] for item in manifest)
    assert len(manifest) >= 40
    assert len(kinds) >= 12
    assert min(kinds.values()) >= 2


def test_verify_reports_a_wrong_answer_a_changed_file_and_a_stray_file(tmp_path: Path) -> None:
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    item = next(entry for entry in manifest if entry["file"] == "data/cli_pip_list.txt")
    (tmp_path / "data").mkdir()
    shutil.copy(CORPUS / item["file"], tmp_path / item["file"])
    (tmp_path / "data" / "stray.txt").write_text("not listed", encoding="utf-8")
    wrong = {**item, "sha256": "0" * 64, "questions": [*item["questions"], {"q": "?", "a": "no such text"}]}
    (tmp_path / "manifest.json").write_text(json.dumps([wrong]), encoding="utf-8")
    found = _verify().problems(tmp_path)
    assert any("sha256" in line for line in found)
    assert any("'no such text'" in line for line in found)
    assert any("stray.txt" in line and "not in the manifest" in line for line in found)
