"""Sample tool results shared by the pipeline tests (light: no SDK, no fixtures)."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pydantic


class Address(pydantic.BaseModel):
    city: str
    zip: str | None = None


class User(pydantic.BaseModel):
    id: uuid.UUID
    name: str
    joined: datetime
    balance: Decimal
    tags: set[str]
    address: Address


@dataclasses.dataclass
class Order:
    id: int
    day: date
    user: User
    codes: frozenset[int]


USER = User(
    id=uuid.UUID(int=7),
    name="Ada",
    joined=datetime(2026, 3, 1, 12, 30, tzinfo=UTC),
    balance=Decimal("12.50"),
    tags={f"tag{i:02d}" for i in range(20)},
    address=Address(city="Berlin"),
)


def uniform_records(n: int) -> list[dict[str, Any]]:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    return [
        {
            "id": 1000 + i,
            "name": f"customer {i}",
            "country": ["DE", "FR", "US"][i % 3],
            "status": ["paid", "shipped"][i % 2],
            "total": round(9.99 + i * 1.25, 2),
            "created_at": (start + timedelta(hours=i)).isoformat(),
            "coupon": None,
        }
        for i in range(n)
    ]


NESTED = {
    "repo": {"name": "nocp", "owner": {"login": "ada", "id": 1, "site_admin": False}},
    "labels": [{"name": "bug", "color": "red"}, {"name": "docs"}],
    "events": [
        {"type": "push", "payload": {"commits": [{"sha": "a1b2", "message": "fix"}]}},
        {"type": "issue", "payload": {"number": 7, "title": "crash", "assignees": ["bo"]}},
        {"type": "star"},
    ],
    "stats": {"stars": 42, "forks": 3, "languages": {"Python": 98.5, "Shell": 1.5}},
}
