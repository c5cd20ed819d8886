"""The PostgreSQL schema: numbered migrations, the same numbers and tables as SQLite's
(`db.MIGRATIONS`), each applied once in its own transaction and recorded in `_migrations`.

Every migration runs under a transaction-level advisory lock, so replicas that start at once
wait for each other and the loser sees the row and skips. Add new ones at the end; never edit
one that has shipped. Token columns are `integer` so that their sums are `bigint` (Python
ints), as in SQLite.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

_STAGES = ", ".join(
    f"{stage}_tokens integer, {stage}_ms double precision"
    for stage in ("normalize", "prune", "distill", "encode")
)

MIGRATIONS: tuple[tuple[str, str], ...] = (
    (
        "calls",
        f"""CREATE TABLE calls (
            id bigserial PRIMARY KEY, ts text NOT NULL, tool text NOT NULL,
            raw_tokens integer NOT NULL, sent_tokens integer NOT NULL, format text NOT NULL,
            is_error integer NOT NULL DEFAULT 0, total_ms double precision NOT NULL,
            {_STAGES}, stages text, error text);
        CREATE INDEX calls_tool ON calls (tool);""",
    ),
    (
        "outputs",
        """CREATE TABLE outputs (
            handle text PRIMARY KEY, created_at double precision NOT NULL, tool text NOT NULL,
            kind text NOT NULL, size integer NOT NULL, data bytea NOT NULL);
        CREATE INDEX outputs_created ON outputs (created_at);
        ALTER TABLE calls ADD COLUMN handle text;""",
    ),
    (
        "distill",
        """ALTER TABLE calls ADD COLUMN distill_backend text, ADD COLUMN distill_decision text,
            ADD COLUMN distill_saved_tokens integer, ADD COLUMN distill_value_usd double precision,
            ADD COLUMN distill_cost_usd double precision, ADD COLUMN distill_cached integer,
            ADD COLUMN distill_reason text, ADD COLUMN cache_hit integer NOT NULL DEFAULT 0;
        CREATE TABLE distillations (
            key text PRIMARY KEY, backend text NOT NULL, prompt_version text NOT NULL,
            summary text NOT NULL, cost_usd double precision NOT NULL,
            created_at double precision NOT NULL);
        CREATE TABLE results (
            key text PRIMARY KEY, tool text NOT NULL, created_at double precision NOT NULL,
            text text NOT NULL, format text NOT NULL, raw_tokens integer NOT NULL,
            sent_tokens integer NOT NULL, handle text);""",
    ),
    (
        "tenant",
        """ALTER TABLE calls ADD COLUMN tenant text NOT NULL DEFAULT '';
        CREATE INDEX calls_tenant ON calls (tenant, id);
        ALTER TABLE outputs ADD COLUMN tenant text NOT NULL DEFAULT '';
        ALTER TABLE outputs DROP CONSTRAINT outputs_pkey, ADD PRIMARY KEY (tenant, handle);
        ALTER TABLE results ADD COLUMN tenant text NOT NULL DEFAULT '';
        ALTER TABLE results DROP CONSTRAINT results_pkey, ADD PRIMARY KEY (tenant, key);""",
    ),
    (
        "net",
        """ALTER TABLE calls ADD COLUMN upstream text, ADD COLUMN expanded_tool text;
        CREATE INDEX calls_handle ON calls (handle);
        CREATE TABLE overhead (
            id bigserial PRIMARY KEY, ts text NOT NULL, tenant text NOT NULL DEFAULT '',
            session text NOT NULL, tool text NOT NULL, upstream text, tokens integer NOT NULL);
        CREATE INDEX overhead_tenant_tool ON overhead (tenant, tool);""",
    ),
)
"""(name, SQL) in order; the position + 1 is the migration's number."""


def migrate(pool: Any, lock: int) -> int:
    """Apply the migrations not yet applied; return how many ran."""
    with pool.connection() as conn:
        with conn.transaction():  # two replicas creating it at once would collide
            conn.execute("SELECT pg_advisory_xact_lock(%s)", [lock])
            conn.execute(
                "CREATE TABLE IF NOT EXISTS _migrations "
                "(version integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)"
            )
        ran = 0
        for version, (name, sql) in enumerate(MIGRATIONS, start=1):
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", [lock])
                if conn.execute("SELECT 1 FROM _migrations WHERE version = %s", [version]).fetchone():
                    continue
                conn.execute(sql)
                applied = datetime.now(UTC).isoformat(timespec="seconds")
                conn.execute("INSERT INTO _migrations VALUES (%s, %s, %s)", [version, name, applied])
                ran += 1
        return ran
