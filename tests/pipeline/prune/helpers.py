"""Inputs and readers shared by the pruning tests."""

from __future__ import annotations

import json
from typing import Any

import toon_format

from nocp.config import Settings


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
