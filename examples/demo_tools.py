"""Example tools for `nocp demo` — results shaped like the ones that flood context windows.

Register them with `[tools] modules = ["demo_tools.py"]` (see nocp.toml beside this file).
The data is generated from a fixed seed, so every run sends the same bytes.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from nocp import tool

_COUNTRIES = ["DE", "FR", "US", "BR", "JP", "IN", "GB", "CA"]
_STATUSES = ["paid", "paid", "paid", "shipped", "refunded", "pending"]
_START = datetime(2026, 3, 1, tzinfo=UTC)


@tool
def query_orders(limit: int = 300) -> list[dict[str, Any]]:
    """Rows of the `orders` table, newest first, like a database tool returns them."""
    rng = random.Random(7)
    rows = []
    for i in range(min(limit, 5000)):
        rows.append(
            {
                "order_id": 90_000 - i,
                "customer_id": rng.randint(1000, 1999),
                "country": rng.choice(_COUNTRIES),
                "status": rng.choice(_STATUSES),
                "currency": "EUR",
                "total": round(rng.uniform(5, 900), 2),
                "items": rng.randint(1, 9),
                "created_at": (_START - timedelta(minutes=37 * i)).isoformat(),
                "coupon": None if rng.random() < 0.8 else f"SPRING{rng.randint(5, 30)}",
                "notes": "",
            }
        )
    return rows


@tool
def get_repository(owner: str, name: str) -> dict[str, Any]:
    """A repository as a REST API returns it: nested objects, URL templates, many nulls."""
    api = f"https://api.example.com/repos/{owner}/{name}"
    user = {
        "login": owner,
        "id": 583231,
        "node_id": "MDQ6VXNlcjU4MzIzMQ==",
        "avatar_url": f"https://avatars.example.com/u/583231?v=4&owner={owner}",
        "gravatar_id": "",
        "url": f"https://api.example.com/users/{owner}",
        "html_url": f"https://example.com/{owner}",
        "followers_url": f"https://api.example.com/users/{owner}/followers",
        "repos_url": f"https://api.example.com/users/{owner}/repos",
        "type": "Organization",
        "site_admin": False,
    }
    links = {
        f"{kind}_url": f"{api}/{kind}{{/number}}"
        for kind in ("issues", "pulls", "commits", "branches", "tags", "labels", "milestones")
    }
    return {
        "id": 1296269,
        "node_id": "MDEwOlJlcG9zaXRvcnkxMjk2MjY5",
        "name": name,
        "full_name": f"{owner}/{name}",
        "private": False,
        "owner": user,
        "html_url": f"https://example.com/{owner}/{name}",
        "description": "A fast, typed HTTP client with sync and async APIs.",
        "fork": False,
        "url": api,
        **links,
        "homepage": None,
        "language": "Python",
        "forks_count": 812,
        "stargazers_count": 13904,
        "watchers_count": 13904,
        "open_issues_count": 58,
        "default_branch": "main",
        "topics": ["http", "asyncio", "client", "python"],
        "license": {"key": "bsd-3-clause", "name": "BSD 3-Clause", "spdx_id": "BSD-3-Clause"},
        "permissions": {"admin": False, "maintain": False, "push": False, "pull": True},
        "mirror_url": None,
        "archived": False,
        "disabled": False,
        "created_at": "2019-04-02T09:11:45Z",
        "pushed_at": "2026-11-20T17:03:10Z",
        "security_and_analysis": None,
    }


@tool
def tail_log(service: str = "api", lines: int = 400) -> str:
    """The last lines of a service log, as `tail` would print them."""
    rng = random.Random(11)
    out = []
    for i in range(min(lines, 20_000)):
        ts = (_START + timedelta(seconds=3 * i)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        roll = rng.random()
        if roll < 0.02:
            out.append(f"{ts} ERROR {service} upstream timeout after 30000ms  (request_id=r{i:06d})   ")
        elif roll < 0.08:
            out.append(f"{ts} WARN  {service} slow query took {rng.randint(800, 4000)}ms   ")
        else:
            path = rng.choice(["/v1/orders", "/v1/users", "/healthz", "/v1/search"])
            code = rng.choice([200, 200, 200, 201, 304, 404])
            out.append(f"{ts} INFO  {service} GET {path} {code} {rng.randint(2, 90)}ms    ")
        if roll > 0.97:
            out.append("")
            out.append("")
    return "\r\n".join(out) + "\r\n\r\n\r\n"
