"""`nocp.optimize`: the whole pipeline as a library call — deterministic, and it pays."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest
from inline_snapshot import snapshot

from nocp import Optimized, optimize
from nocp.config import Settings
from nocp.pipeline.encode import to_compact_json
from nocp.pipeline.normalize import sdk_default_texts
from nocp.pipeline.prune import drop_empty
from nocp.pipeline.tokens import TokenCounter
from tests.conftest import REPO
from tests.pipeline.samples import NESTED, uniform_records


def test_200_uniform_records_become_toon_at_less_than_half_the_tokens() -> None:
    roomy = Settings(prune={"budget": 100_000})  # within budget: encoding alone does this
    result = optimize(uniform_records(200), tool="orders", settings=roomy)
    assert result.format == "toon"
    assert result.raw_tokens == TokenCounter().count_all(sdk_default_texts(uniform_records(200)))
    assert result.tokens <= 0.5 * result.raw_tokens
    assert result.text.startswith("[200]{id,name,country,status,total,created_at}:\n")


def test_nested_non_uniform_data_is_never_more_than_compact_json() -> None:
    result = optimize(NESTED)
    counter = TokenCounter()
    assert result.tokens <= counter.count(to_compact_json(drop_empty(NESTED)))
    assert result.tokens == counter.count(result.text)
    assert json.loads(result.text) == NESTED  # compact JSON won here, and it is whole


def test_stage_reports_are_in_pipeline_order() -> None:
    result = optimize({"a": 1, "b": None, "c": ""})
    assert isinstance(result, Optimized)
    assert [s.stage for s in result.stages] == [
        "normalize",
        "parse",
        "precut",
        "prune_lossless",
        "convert",
        "distill",
        "prune_lossy",
        "encode",
    ]
    assert result.report("prune_lossless").note == "dropped 2 empty fields"
    assert result.report("prune_lossless").tokens < result.report("normalize").tokens
    assert result.stages[-1].tokens == result.tokens
    assert result.text == snapshot("a: 1")
    assert result.saved_tokens == result.raw_tokens - result.tokens


def test_same_input_same_bytes() -> None:
    values: list[Any] = [uniform_records(50), NESTED, "a log  \r\nline\r\n", {"s": {"b", "a"}}]
    for value in values:
        assert optimize(value).text == optimize(value).text


SCRIPT = """
import json, sys
from tests.pipeline.samples import NESTED, USER, uniform_records
from nocp import optimize
values = [uniform_records(50), NESTED, {"tags": {f"t{i}" for i in range(30)}}, USER]
sys.stdout.write(json.dumps([optimize(v).text for v in values]))
"""


@pytest.mark.slow
def test_same_bytes_across_processes_with_different_hash_seeds() -> None:
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", SCRIPT],
            cwd=REPO,
            env={**os.environ, "PYTHONHASHSEED": seed},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for seed in ("1", "2")
    ]
    outputs = []
    for run in runs:
        out, err = run.communicate(timeout=60)
        assert run.returncode == 0, err.decode()
        outputs.append(out)
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0])[0].startswith("[50]{")
