"""The speed half of `nocp bench`: a 1 MB input of every kind through the pipeline, against
tiktoken counting the same raw text, interleaved in one run (median of several); and one
50 MB result in a fresh process (time, peak memory).

The inputs are synthetic and deterministic, shaped like real tool outputs of each kind.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nocp.config import Settings
from nocp.pipeline import optimize

TOPICS = ("timeout", "retry", "cache")


@dataclass(frozen=True)
class SpeedResult:
    """One kind's 1 MB input: pipeline and tiktoken medians (ms) and their ratio."""

    kind: str
    megabytes: float
    pipeline_ms: float
    count_ms: float

    @property
    def ratio(self) -> float:
        return self.pipeline_ms / self.count_ms if self.count_ms else 0.0


def synthetic_records(megabytes: float) -> list[dict[str, Any]]:
    """Deterministic API-like records whose pretty-printed JSON is about `megabytes`."""
    rows: list[dict[str, Any]] = []
    size = 0
    index = 0
    while size < megabytes * 1e6:
        row = {
            "id": 100_000 + index,
            "number": index,
            "title": f"Request {index}: handle the {TOPICS[index % 3]} case in module {index % 17}",
            "state": ("open", "closed")[index % 2],
            "user": {"login": f"user{index % 97}", "id": 5000 + index % 97, "type": "User"},
            "labels": [{"name": ("bug", "docs", "feature")[index % 3], "color": "ededed"}],
            "comments": (index * 7) % 23,
            "created_at": f"2026-{1 + index % 12:02d}-{1 + index % 28:02d}T10:{index % 60:02d}:00Z",
            "url": f"https://api.example.com/repos/acme/widgets/issues/{index}",
            "body": "Steps to reproduce: "
            + "call the endpoint twice and compare the results. " * (1 + index % 4),
        }
        rows.append(row)
        size += len(json.dumps(row, indent=2)) + 4
        index += 1
    return rows


def _nested(megabytes: float) -> dict[str, Any]:
    """An API description document: paths → methods → parameters, responses, schemas."""
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    size, index = 0, 0
    while size < megabytes * 1e6:
        name = f"Resource{index}"
        paths[f"/v1/resources{index}/{{id}}"] = {
            method: {
                "operationId": f"{method}{name}",
                "summary": f"{method.title()} a {name.lower()} by id ({TOPICS[index % 3]} aware).",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
                    {
                        "name": "fields",
                        "in": "query",
                        "schema": {"type": "array", "items": {"type": "string"}},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "OK",
                        "content": {"application/json": {"schema": {"$ref": f"#/schemas/{name}"}}},
                    },
                    "404": {"description": f"No {name.lower()} with this id."},
                },
            }
            for method in ("get", "put", "delete")
        }
        schemas[name] = {
            "type": "object",
            "required": ["id"],
            "properties": {
                f"field_{k}": {"type": "integer", "format": "int64", "minimum": k} for k in range(6)
            },
        }
        size += len(json.dumps([paths[f"/v1/resources{index}/{{id}}"], schemas[name]], indent=2))
        index += 1
    return {
        "openapi": "3.1.0",
        "info": {"title": "Synthetic", "version": "1.0"},
        "paths": paths,
        "schemas": schemas,
    }


def _lines(megabytes: float, line: Callable[[int], str]) -> str:
    out: list[str] = []
    size, index = 0, 0
    while size < megabytes * 1e6:
        text = line(index)
        out.append(text)
        size += len(text) + 1
        index += 1
    return "\n".join(out)


def _log_line(i: int) -> str:
    level = "ERROR" if i % 97 == 0 else "WARN" if i % 31 == 0 else "INFO"
    day, hour, minute = 1 + i // 86400 % 28, i // 3600 % 24, i // 60 % 60
    stamp = f"2026-11-{day:02d}T{hour:02d}:{minute:02d}:{i % 60:02d}.{i % 1000:03d}Z"
    return (
        f"{stamp} {level} [worker-{i % 8}] request id=r{i:07d} path=/api/v1/items/{i % 500} "
        f"status={500 if level == 'ERROR' else 200} ms={(i * 37) % 900} {TOPICS[i % 3]} handled"
    )


def _markdown_line(i: int) -> str:
    if i % 40 == 0:
        return f"\n## Section {i // 40}: the {TOPICS[i % 3]} settings\n"
    if i % 40 in (10, 11, 12):
        return (
            f"```\nnocp serve --option-{i} value{i}\n```"
            if i % 40 == 10
            else f"* item {i}: `key_{i}` = {i * 3}"
        )
    return f"Paragraph line {i} explains how the {TOPICS[i % 3]} of module {i % 17} behaves when asked twice."


def _html(megabytes: float) -> str:
    def section(i: int) -> str:
        return (
            f"<h2 id='s{i}'>module.func_{i}<a class='headerlink' href='#s{i}'>¶</a></h2>"
            f"<dl><dt><em>function</em> module.<b>func_{i}</b>(<em>path</em>, <em>retries={i % 5}</em>)</dt>"
            f"<dd><p>Handles the {TOPICS[i % 3]} case of <code>func_{i}</code>; see "
            f"<a href='other.html#f{i}'>other</a> and <a href='https://example.org/{i}'>spec {i}</a>.</p>"
            f"<table><tr><th>name</th><th>value</th></tr><tr><td>limit</td><td>{i * 7}</td></tr></table>"
            f"<pre>result = func_{i}(path)\nif result:\n    print(result)</pre></dd></dl>"
        )

    body = _lines(megabytes * 0.95, section)
    return (
        "<!doctype html><html><head><title>Synthetic reference</title><script>var x=1;</script>"
        f"</head><body><nav><a href='/'>Home</a></nav><main>{body}</main></body></html>"
    )


def _csv_line(i: int) -> str:
    if i == 0:
        return "id,name,region,amount,currency,created_at,status"
    region, amount, month, day = ("eu", "us", "apac")[i % 3], (i * 131) % 10000 / 100, 1 + i % 12, 1 + i % 28
    return f"{i},customer {i % 977},{region},{amount:.2f},EUR,2026-{month:02d}-{day:02d},{TOPICS[i % 3]}"


def _source_line(i: int) -> str:
    block = i % 12
    if block == 0:
        return f'\n\nclass Handler{i // 12}(Base):\n    """Handles the {TOPICS[i % 3]} case {i}."""'
    if block in (1, 6):
        return f"\n    def method_{i}(self, path: str, retries: int = {i % 5}) -> dict[str, int]:"
    return (
        f"        value_{i} = self.lookup(path, key='k{i}') + {i}  # step {block} of the {TOPICS[i % 3]} path"
    )


KINDS: dict[str, Callable[[float], Any]] = {
    "records": synthetic_records,
    "nested JSON": _nested,
    "log": lambda mb: _lines(mb, _log_line),
    "markdown": lambda mb: _lines(mb, _markdown_line),
    "HTML": _html,
    "CSV": lambda mb: _lines(mb, _csv_line),
    "source code": lambda mb: _lines(mb, _source_line),
}
"""The kinds timed at 1 MB, each a deterministic input of about that size."""


def time_kind(kind: str, settings: Settings, megabytes: float = 1.0, runs: int = 5) -> SpeedResult:
    """Pipeline time on a `kind` input of about `megabytes` against tiktoken counting its raw
    text (what the SDK would send), interleaved, medians of `runs`."""
    from nocp.pipeline.normalize import sdk_default_texts
    from nocp.pipeline.tokens import TokenCounter

    value = KINDS[kind](megabytes)
    raw_texts = [value] if isinstance(value, str) else sdk_default_texts(value)
    counter = TokenCounter(settings.tokens.encoding)
    counter.count("warm up")
    optimize(value, tool="bench", settings=settings)  # imports and caches warm
    count_times, pipeline_times = [], []
    for _ in range(runs):
        started = time.perf_counter()
        counter.count_all(raw_texts)
        count_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        optimize(value, tool="bench", settings=settings)
        pipeline_times.append(time.perf_counter() - started)
    return SpeedResult(
        kind,
        sum(len(t.encode()) for t in raw_texts) / 1e6,
        statistics.median(pipeline_times) * 1000,
        statistics.median(count_times) * 1000,
    )


def measure_huge(settings: Settings, megabytes: float = 50.0) -> dict[str, float]:
    """Optimise a result of `megabytes` in a fresh process: seconds and peak memory (MB)."""
    script = (
        "import json, resource, sys, time\n"
        "from nocp.cli.bench_speed import synthetic_records\n"
        "from nocp.pipeline import optimize\n"
        f"value = synthetic_records({megabytes})\n"
        "started = time.perf_counter()\n"
        "optimize(value, tool='bench')\n"
        "seconds = time.perf_counter() - started\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(json.dumps({'seconds': seconds, 'peak_mb': peak}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return {"megabytes": megabytes, **figures}
