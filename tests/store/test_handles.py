"""The handle store: compressed originals, retention by age and by size, oldest first."""

from __future__ import annotations

import random
import string
import time

import pytest

from nocp.config import OutputsSettings
from nocp.errors import HandleNotFound
from nocp.store import scope
from nocp.store.handles import HandleStore, Stored
from nocp.store.sql import Sql


def test_put_get_round_trips_json_and_text(db: Sql) -> None:
    store = HandleStore(db, OutputsSettings())
    store.put("h1", "t", "json", '{"a":[1,2.5,"ü"]}')
    store.put("h2", "t", "text", "line\n" * 1000)
    assert store.get("h1") == Stored("json", '{"a":[1,2.5,"ü"]}')
    assert store.get("h2") == Stored("text", "line\n" * 1000)
    size = store.db.execute("SELECT size FROM outputs WHERE handle = 'h2'").fetchone()[0]
    assert size < 200  # compressed


def test_the_oldest_go_first_when_over_the_size_cap(db: Sql) -> None:
    store = HandleStore(db, OutputsSettings(max_mb=0.05))
    rng = random.Random(3)
    noise = ["".join(rng.choice(string.printable) for _ in range(20_000)) for _ in range(5)]
    for index, text in enumerate(noise):
        store.put(f"h{index}", "t", "text", text)
        time.sleep(0.01)
    with pytest.raises(HandleNotFound, match="'h0'"):
        store.get("h0")
    assert store.get("h4") == Stored("text", noise[4])


def test_old_originals_expire(db: Sql) -> None:
    store = HandleStore(db, OutputsSettings(retention_days=1))
    store.put("h1", "t", "text", "x")
    store.db.execute("UPDATE outputs SET created_at = created_at - 2 * 86400")
    with pytest.raises(HandleNotFound, match="unknown or expired"):
        store.get("h1")
    assert store.evict() == 1


def test_a_handle_is_not_found_for_another_tenant(db: Sql) -> None:
    store = HandleStore(db, OutputsSettings())
    with scope.serving("alice"):
        store.put("h1", "t", "text", "alice's secret")
    with scope.serving("bob"), pytest.raises(HandleNotFound, match="'h1': it is unknown or expired"):
        store.get("h1")
    with scope.serving("bob"):
        store.put("h1", "t", "text", "bob's own")  # the same handle, another tenant: no clash
        assert store.get("h1") == Stored("text", "bob's own")
    with scope.serving("alice"):
        assert store.get("h1") == Stored("text", "alice's secret")
    with pytest.raises(HandleNotFound):
        store.get("h1")  # stdio's tenant "" has none


def test_a_handle_is_not_found_in_another_namespace_nor_for_another_tenant(db: Sql) -> None:
    a, b = HandleStore(db, OutputsSettings(), "ns-a"), HandleStore(db, OutputsSettings(), "ns-b")
    with scope.serving("alice"):
        assert a.put("h1", "t", "text", "a's alice")
    assert a.put("h1", "t", "text", "a's stdio")
    for store, tenant in ((b, "alice"), (b, ""), (HandleStore(db, OutputsSettings()), "alice")):
        with scope.serving(tenant), pytest.raises(HandleNotFound):
            store.get("h1")
    with scope.serving("alice"):
        assert a.get("h1") == Stored("text", "a's alice")
    assert a.get("h1") == Stored("text", "a's stdio")
    assert HandleStore(db, OutputsSettings(), "ns-a").get("h1") == Stored("text", "a's stdio")  # restarted


def test_an_original_over_the_cap_alone_is_not_stored(db: Sql) -> None:
    store = HandleStore(db, OutputsSettings(max_mb=0.01))
    rng = random.Random(5)
    noise = "".join(rng.choice(string.printable) for _ in range(40_000))
    assert store.put("h1", "t", "text", noise) is False
    assert "over the store's cap ([outputs] max_mb = 0.01)" in (store.too_large(40_000) or "")
    with pytest.raises(HandleNotFound):
        store.get("h1")
