"""Nested documents (API descriptions, schemas) are folded best branches first, and every
folded branch comes back whole by its path."""

from __future__ import annotations

import json
import re
from typing import Any

import jmespath
import toon_format

from nocp import optimize
from nocp.config import Settings
from nocp.pipeline.model import Payload
from nocp.pipeline.prune.json.fold import FOLDED_ARRAY, FOLDED_OBJECT, MORE, is_document
from nocp.sources.expand import expand_payload


def api() -> dict[str, Any]:
    """An API description: 60 paths with their operations, 40 schemas with properties."""
    paths = {
        f"/things{i}/{{id}}": {
            verb: {
                "operationId": f"{verb.title()}Thing{i}",
                "summary": f"{verb} thing number {i} of the catalogue",
                "parameters": [{"name": "id", "in": "path", "type": "string"}],
                "responses": {
                    "200": {"description": f"the thing {i}"},
                    "404": {"description": "no such thing"},
                },
            }
            for verb in ("get", "delete")
        }
        for i in range(60)
    }
    paths["/exec/{id}/start"] = {"post": {"operationId": "ExecStart", "summary": "Start an exec instance"}}
    schemas = {
        f"Schema{i}": {
            "type": "object",
            "description": f"Schema {i}: " + "what it holds. " * 10,
            "properties": {
                f"field{j}": {"type": "string", "description": f"Field {j} of schema {i}, a value."}
                for j in range(8)
            },
        }
        for i in range(40)
    }
    schemas["SwarmInfo"] = {
        "type": "object",
        "properties": {
            "NodesCount": {"type": "integer", "description": "Nodes counted twice."},
            "Nodes": {"type": "integer", "description": "Total number of nodes in the swarm."},
        },
    }
    return {
        "swagger": "2.0",
        "info": {"title": "Engine API", "version": "1.45"},
        "paths": paths,
        "definitions": schemas,
    }


def sent(text: str) -> Any:
    body = "\n".join(line for line in text.split("\n") if not line.startswith("[…"))
    try:
        return json.loads(body)
    except ValueError:
        return toon_format.loads(body)


def folded_paths(value: Any, path: str = "") -> list[str]:
    if value in (FOLDED_OBJECT, FOLDED_ARRAY):
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() if k != MORE for p in folded_paths(v, _join(path, k))]
    return []


def _join(path: str, key: str) -> str:
    element = key if re.fullmatch(r"[A-Za-z_]\w*", key) else json.dumps(key)
    return f"{path}.{element}" if path else element


def test_a_focus_opens_the_branch_that_holds_the_key_it_names() -> None:
    result = optimize(api(), focus="What is the operationId of POST /exec/{id}/start?")
    assert "ExecStart" in result.text
    assert result.tokens <= 1500


def test_an_exact_key_ranks_before_a_longer_key_that_contains_it() -> None:
    result = optimize(
        api(), focus="How is the Nodes field described?", settings=Settings(prune={"focus_budget": 400})
    )
    assert "Total number of nodes in the swarm." in result.text


def test_without_focus_the_top_levels_are_whole_and_the_budget_is_used() -> None:
    original = api()
    result = optimize(original)
    value = sent(result.text)
    assert value["swagger"] == "2.0" and value["info"] == original["info"]
    assert set(value["paths"]) | set(value["definitions"]) >= {"/things0/{id}", "Schema0"}
    assert 2000 * 0.85 <= result.tokens <= 2000
    assert len([line for line in result.text.split("\n") if line.startswith("[…")]) <= 2  # cheap markers


def test_every_folded_branch_comes_back_whole_by_its_path() -> None:
    original = api()
    result = optimize(original)
    paths = folded_paths(sent(result.text))
    assert paths
    payload = Payload("json", original)
    big = Settings(prune={"budget": 100_000})
    for path in paths:
        assert sent(expand_payload(payload, settings=big, path=path)) == jmespath.search(path, original)
    example = re.search(r'path="([^"]+)"', result.text)
    assert example is not None and example[1] in paths


def test_a_large_branch_shown_in_part_says_how_many_members_it_leaves_out() -> None:
    original = {"registry": {"npm": {"index": {f"pkg{i}": f"1.{i}.0" for i in range(3000)}}}}
    value = sent(optimize(original).text)
    shown = value["registry"]["npm"]["index"]
    assert MORE in shown and shown[MORE] == f"{3000 - len(shown) + 1:,} more keys"


def test_records_with_object_fields_are_not_documents() -> None:
    pulls = [{"number": i, "head": {"repo": {"owner": {"login": f"u{i}"}}}} for i in range(5)]
    assert not is_document(pulls)
    entry = {
        "version": "1.0.0",
        "integrity": "sha512-" + "x" * 60,
        "peerDependenciesMeta": {"a": {"optional": True}},
    }
    packages = {"packages": {f"node_modules/p{i}": entry for i in range(30)}}
    assert not is_document(packages)
    assert is_document({"a": {"b": {"c": 1}}})
    assert is_document(
        {"definitions": {f"S{i}": {"properties": {"f": {"type": "string"}}} for i in range(30)}}
    )


def test_records_each_holding_a_map_of_objects_are_parts_of_a_document() -> None:
    """An endpoints file: a few partitions, each a map of services → regions → hostnames.
    Cut as rows it would keep one partition folded three deep; folded, the services show."""
    partitions = [
        {
            "partition": f"p{p}",
            "services": {
                f"service{s}": {
                    "endpoints": {f"region-{r}": {"hostname": f"s{s}.r{r}.p{p}.test"} for r in range(6)}
                }
                for s in range(40)
            },
        }
        for p in range(4)
    ]
    assert is_document({"partitions": partitions, "version": 3})
    result = optimize({"partitions": partitions, "version": 3})
    assert "service1" in result.text and 1500 <= result.tokens <= 2000
    focused = optimize({"partitions": partitions, "version": 3}, focus="hostname of service37 in region-4")
    assert "s37.r4.p0.test" in focused.text
