"""Nested trees (`directory_tree`) are pruned breadth-first: the top whole, subtrees by path."""

from __future__ import annotations

import json
import re
from typing import Any

import jmespath
import toon_format

from nocp import optimize
from nocp.config import Settings
from nocp.pipeline.model import Payload
from nocp.sources.expand import expand_payload

COUNT = re.compile(r"^… ([\d,]+) entr(?:y|ies)")


def directory(name: str, depth: int, width: int) -> dict[str, Any]:
    """A directory of `width` entries: every third a directory one level deeper (of a third
    as many entries, give or take), until depth 0."""
    children: list[dict[str, Any]] = []
    for i in range(width):
        if depth and i % 3 == 1:
            children.append(directory(f"{name}_d{i}", depth - 1, max(width // 3, 4) + i % 5))
        else:
            children.append({"name": f"{name}_f{i}.py", "type": "file"})
    return {"name": name, "type": "directory", "children": children}


def tree() -> list[dict[str, Any]]:
    """A source tree like an installed package's: 50 top-level entries, 2,763 in all."""
    top = directory("pkg", 3, 50)["children"]
    assert isinstance(top, list) and 1500 < len(nodes(top)) < 4000
    return top


def sent_value(text: str) -> Any:
    body = "\n".join(line for line in text.split("\n") if not line.startswith("[… "))
    try:
        return json.loads(body)
    except ValueError:
        return toon_format.loads(body)


def nodes(value: list[Any], path: str = "", depth: int = 1) -> list[tuple[str, int, dict[str, Any]]]:
    """(JMESPath, depth, node) of every node in the sent tree, breadth-first order not needed."""
    found = []
    for i, node in enumerate(value):
        here = f"{path}[{i}]"
        found.append((here, depth, node))
        if isinstance(node.get("children"), list):
            found += nodes(node["children"], f"{here}.children", depth + 1)
    return found


def test_the_top_level_is_whole_and_the_budget_is_used() -> None:
    original = tree()
    result = optimize(original, tool="directory_tree")
    sent = sent_value(result.text)
    assert [(n["name"], n["type"]) for n in sent] == [(n["name"], n["type"]) for n in original]
    assert 2000 * 0.9 <= result.tokens <= 2000


def test_levels_are_shown_whole_before_deeper_ones() -> None:
    original = tree()
    sent = sent_value(optimize(original, tool="directory_tree").text)
    shown = nodes(sent)
    expanded = [depth for _, depth, n in shown if isinstance(n.get("children"), list)]
    folded = [depth for _, depth, n in shown if isinstance(n.get("children"), str)]
    assert expanded and folded
    assert max(expanded) <= min(folded) + 1  # nothing two levels below a folded node's level
    for path, _, node in shown:  # every list shown is the original's, whole
        if isinstance(node.get("children"), list):
            names = [c["name"] for c in jmespath.search(f"{path}.children", original)]
            assert [c["name"] for c in node["children"]] == names


def test_every_folded_subtree_comes_back_whole_by_its_path() -> None:
    original = tree()
    result = optimize(original, tool="directory_tree")
    payload = Payload("json", original)
    settings = Settings(prune={"budget": 100_000})
    folded = [(p, n) for p, _, n in nodes(sent_value(result.text)) if isinstance(n.get("children"), str)]
    for path, node in folded:
        count = COUNT.match(node["children"])
        assert count is not None
        text = expand_payload(payload, settings=settings, handle=result.handle or "", path=f"{path}.children")
        entries = sent_value(text)
        assert len(entries) == int(count[1].replace(",", ""))
        assert entries == jmespath.search(f"{path}.children", original)
    marker = re.search(r'path="([^"]+)"', result.text.split("\n")[-1])
    assert marker is not None and any(f"{p}.children" == marker[1] for p, _ in folded)


def test_records_with_lists_of_related_records_are_not_trees() -> None:
    commits = [
        {"sha": f"{i:040x}", "message": f"change {i} " * 8, "parents": [{"sha": f"{i + 1:040x}"}]}
        for i in range(300)
    ]
    result = optimize(commits, settings=Settings(prune={"budget": 800}))
    assert "entries" not in result.text and "prune_tree" not in result.report("prune_lossy").note


def test_a_focus_opens_the_path_to_the_node_it_names() -> None:
    """A file three levels down, named by the focus, is shown with every directory above it
    opened whole; without the focus it stays folded."""
    original = tree()
    deep = next(
        path
        for path, depth, node in nodes(original)
        if depth == 4 and node["name"].endswith(".py") and not path.startswith(("[0]", "[1]"))
    )
    name = jmespath.search(deep, original)["name"]
    plain = optimize(original, tool="directory_tree").text
    assert f'"{name}"' not in plain and f",{name}," not in plain
    focused = optimize(original, tool="directory_tree", focus=f"where is {name}?")
    assert name in focused.text and focused.tokens <= 1500
    shown = {path: node for path, _, node in nodes(sent_value(focused.text))}
    assert shown[deep]["name"] == name  # at its original position: the lists above it are whole
