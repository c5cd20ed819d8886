"""Two caches in the stats database: distillations (by content, backend, prompt, focus) and
tool results (by tool and canonical arguments, for `cache_ttl_s`).

Each cache has its own connection, safe to use from the pipeline's worker thread.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nocp.store.db import Database


def database_file(db: Database) -> Path | None:
    """The file behind `db` (None for an in-memory database)."""
    for _, name, filename in db.execute("PRAGMA database_list").fetchall():
        if name == "main" and filename:
            return Path(filename)
    return None


class _Table:
    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA busy_timeout = 10000")
        self._lock = threading.Lock()

    def one(self, sql: str, params: list[Any]) -> tuple[Any, ...] | None:
        with self._lock:
            row: tuple[Any, ...] | None = self._conn.execute(sql, params).fetchone()
            return row

    def run(self, sql: str, params: list[Any]) -> None:
        with self._lock:
            self._conn.execute(sql, params)

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class DistillCache(_Table):
    """Summaries that passed the faithfulness check; the same key gives the same bytes."""

    def get(self, key: str) -> str | None:
        """The cached summary, or None."""
        row = self.one("SELECT summary FROM distillations WHERE key = ?", [key])
        return str(row[0]) if row else None

    def put(self, key: str, backend: str, prompt_version: str, summary: str, cost_usd: float) -> None:
        """Store a summary (the first one for a key wins)."""
        self.run(
            "INSERT OR IGNORE INTO distillations "
            "(key, backend, prompt_version, summary, cost_usd, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [key, backend, prompt_version, summary, cost_usd, time.time()],
        )


def result_key(tool: str, arguments: Mapping[str, Any]) -> str:
    """Tool name + arguments as canonical JSON (sorted keys, no spaces), hashed."""
    canonical = json.dumps(arguments, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(f"{tool}\x00{canonical}".encode()).hexdigest()


class ResultCache(_Table):
    """Optimised results of idempotent tools, reused within their TTL."""

    def get(self, key: str, ttl_s: float) -> tuple[str, str, int, int, str | None] | None:
        """(text, format, raw tokens, sent tokens, handle) stored less than `ttl_s` ago, or None."""
        row = self.one(
            "SELECT text, format, raw_tokens, sent_tokens, handle FROM results "
            "WHERE key = ? AND created_at > ?",
            [key, time.time() - ttl_s],
        )
        return (str(row[0]), str(row[1]), int(row[2]), int(row[3]), row[4]) if row else None

    def put(
        self, key: str, tool: str, text: str, fmt: str, tokens: tuple[int, int], handle: str | None
    ) -> None:
        """Store (or refresh) a result; `tokens` is (raw, sent)."""
        self.run(
            "INSERT OR REPLACE INTO results "
            "(key, tool, created_at, text, format, raw_tokens, sent_tokens, handle) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [key, tool, time.time(), text, fmt, tokens[0], tokens[1], handle],
        )
