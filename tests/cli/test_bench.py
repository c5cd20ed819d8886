"""`nocp bench` on a small corpus of its own: per-kind figures, progress on stderr, the report
only where --out says."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from nocp.cli import bench
from nocp.cli.bench_speed import KINDS


def _corpus(folder: Path) -> Path:
    folder.mkdir()
    lines = [f"2026-11-02T10:00:{i % 60:02d}Z INFO worker {i} served /api/{i}" for i in range(400)]
    (folder / "app.log").write_text("\n".join([*lines, "2026-11-02T10:09:59Z ERROR disk full on /var"]))
    rows = [{"id": i, "name": f"user{i}", "city": ("Oslo", "Lima")[i % 2]} for i in range(300)]
    (folder / "users.json").write_text(json.dumps(rows))
    manifest = [
        {
            "file": "app.log",
            "kind": "log",
            "questions": [{"q": "Which disk error occurred?", "a": "disk full"}],
        },
        {
            "file": "users.json",
            "kind": "rows",
            "questions": [{"q": "What is the name of user 299?", "a": "user299"}],
        },
    ]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


@pytest.mark.slow
def test_bench_reports_every_kind_and_writes_only_where_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = _corpus(tmp_path / "mini")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "reports" / "bench.md"
    args = argparse.Namespace(corpus=[corpus], out=out, no_perf=True, config=None)
    assert bench.main(args, []) == 0
    report = out.read_text()
    assert "| kind | items | recall, no focus | recall, focus | within one nocp_expand |" in report
    assert "| log | 1 |" in report and "| rows | 1 |" in report and "| **all** | 2 |" in report
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mini", "reports"]  # nothing else written
    captured = capsys.readouterr()
    assert "[1/2] app.log" in captured.err and "[2/2] users.json" in captured.err
    assert "report written to" in captured.err


def test_the_default_report_goes_to_a_temporary_folder() -> None:
    assert not bench.default_out().is_relative_to(bench.REPO)


@pytest.mark.parametrize("kind", list(KINDS))
def test_speed_inputs_are_deterministic_and_sized(kind: str) -> None:
    value = KINDS[kind](0.02)
    text = value if isinstance(value, str) else json.dumps(value, indent=2)
    assert 15_000 < len(text) < 40_000
    assert KINDS[kind](0.02) == value
