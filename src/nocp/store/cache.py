"""Two caches in the stats database: distillations (by content, backend, prompt, focus; the
pipeline's `SummaryCache`) and tool results (by tool and canonical arguments, `cache_ttl_s`).

Each cache has its own SQLite connection (`sqlite_cache_db`), safe to use from the pipeline's
worker thread; on PostgreSQL they share the pool. Results belong to the tenant being served
(`store/scope.py`): a cached result carries a handle, and tenants never share handles.
Distillations are shared: they are keyed by the content they summarise.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nocp.store import scope
from nocp.store.db import Database
from nocp.store.sql import Sql


def database_file(db: Database) -> Path | None:
    """The file behind `db` (None for an in-memory database)."""
    return db.path


def sqlite_cache_db(path: Path) -> Database:
    """A connection of its own to the SQLite file at `path`, for one cache."""
    conn = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 10000")
    return Database(conn, path)


class _Table:
    def __init__(self, db: Sql | Path, namespace: str = "") -> None:
        self.db: Sql = sqlite_cache_db(db) if isinstance(db, Path) else db
        self.namespace = namespace

    def close(self) -> None:
        self.db.close()


class DistillCache(_Table):
    """Summaries that passed the faithfulness check; the same key gives the same bytes."""

    def get(self, key: str) -> str | None:
        """The cached summary, or None."""
        rows = self.db.rows("distillations", "key = ?", [key], select="summary")
        return str(rows[0]["summary"]) if rows else None

    def put(self, key: str, backend: str, prompt_version: str, summary: str, cost_usd: float) -> None:
        """Store a summary (the first one for a key wins)."""
        row = {
            "key": key,
            "backend": backend,
            "prompt_version": prompt_version,
            "summary": summary,
            "cost_usd": cost_usd,
            "created_at": time.time(),
        }
        self.db.insert("distillations", row, ignore=True)


def result_key(tool: str, arguments: Mapping[str, Any]) -> str:
    """Tool name + arguments as canonical JSON (sorted keys, no spaces), hashed."""
    canonical = json.dumps(arguments, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(f"{tool}\x00{canonical}".encode()).hexdigest()


class ResultCache(_Table):
    """Optimised results of idempotent tools, reused within their TTL."""

    def get(self, key: str, ttl_s: float) -> tuple[str, str, int, int, str | None] | None:
        """(text, format, raw tokens, sent tokens, handle) stored less than `ttl_s` ago, or None."""
        rows = self.db.rows(
            "results",
            "tenant = ? AND key = ? AND created_at > ?",
            [scope.key(self.namespace), key, time.time() - ttl_s],
            select="text, format, raw_tokens, sent_tokens, handle",
        )
        if not rows:
            return None
        row = rows[0]
        return (
            str(row["text"]),
            str(row["format"]),
            int(row["raw_tokens"]),
            int(row["sent_tokens"]),
            row["handle"],
        )

    def put(
        self, key: str, tool: str, text: str, fmt: str, tokens: tuple[int, int], handle: str | None
    ) -> None:
        """Store (or refresh) a result; `tokens` is (raw, sent)."""
        row = {
            "key": key,
            "tool": tool,
            "created_at": time.time(),
            "text": text,
            "format": fmt,
            "raw_tokens": tokens[0],
            "sent_tokens": tokens[1],
            "handle": handle,
            "tenant": scope.key(self.namespace),
        }
        self.db.insert("results", row, replace=True)
