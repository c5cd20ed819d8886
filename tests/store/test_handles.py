"""The handle store: compressed originals, retention by age and by size, oldest first."""

from __future__ import annotations

import random
import string
import time
from pathlib import Path

import pytest

from nocp.config import OutputsSettings
from nocp.errors import HandleNotFound
from nocp.store.db import open_database
from nocp.store.handles import HandleStore, Stored


def test_put_get_round_trips_json_and_text(tmp_path: Path) -> None:
    store = HandleStore(open_database(tmp_path / "n.db"), OutputsSettings())
    store.put("h1", "t", "json", '{"a":[1,2.5,"ü"]}')
    store.put("h2", "t", "text", "line\n" * 1000)
    assert store.get("h1") == Stored("json", '{"a":[1,2.5,"ü"]}')
    assert store.get("h2") == Stored("text", "line\n" * 1000)
    size = store.db.execute("SELECT size FROM outputs WHERE handle = 'h2'").fetchone()[0]
    assert size < 200  # compressed


def test_the_oldest_go_first_when_over_the_size_cap(tmp_path: Path) -> None:
    store = HandleStore(open_database(tmp_path / "n.db"), OutputsSettings(max_mb=0.05))
    rng = random.Random(3)
    noise = ["".join(rng.choice(string.printable) for _ in range(20_000)) for _ in range(5)]
    for index, text in enumerate(noise):
        store.put(f"h{index}", "t", "text", text)
        time.sleep(0.01)
    with pytest.raises(HandleNotFound, match="'h0'"):
        store.get("h0")
    assert store.get("h4") == Stored("text", noise[4])


def test_old_originals_expire(tmp_path: Path) -> None:
    store = HandleStore(open_database(tmp_path / "n.db"), OutputsSettings(retention_days=1))
    store.put("h1", "t", "text", "x")
    store.db.execute("UPDATE outputs SET created_at = created_at - 2 * 86400")
    with pytest.raises(HandleNotFound, match="unknown or expired"):
        store.get("h1")
    assert store.evict() == 1
