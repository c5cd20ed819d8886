"""The settings models: one `Settings` (BaseSettings, `NOCP_*` variables) of typed sections.

Each section is a frozen pydantic model validated eagerly; the built-in tools' sections live with
the built-ins (`sources/builtin/settings.py`), the upstream servers' with the upstreams
(`sources/upstream/settings.py`). Reading them from files and the environment is `loading.py`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from nocp.sources.builtin.settings import BuiltinsSettings
from nocp.sources.upstream.settings import UpstreamSettings, UpstreamsSettings

_KNOWN_ENCODINGS = ("o200k_base", "cl100k_base", "p50k_base", "r50k_base")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TokenSettings(_Section):
    """How tokens are counted."""

    encoding: str = "o200k_base"

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        if value not in _KNOWN_ENCODINGS:
            known = ", ".join(_KNOWN_ENCODINGS)
            raise ValueError(f"unknown encoding {value!r}; use one of {known}")
        return value


class ToolsSettings(_Section):
    """Where tools come from and how long they may run."""

    modules: tuple[str, ...] = ()
    timeout_s: float = Field(60.0, gt=0)


class PruneSettings(_Section):
    """How much a response may cost, and which fields are noise."""

    budget: int = Field(2000, ge=50)
    """Tokens per response; a result over it is pruned (lossy steps, in their fixed order)."""
    focus_budget: int = Field(1500, ge=50)
    """Tokens per response when the agent gave a `focus`: it said what it needs, so the most
    relevant parts are sent and the rest stays one `nocp_expand` away."""
    drop_fields: tuple[str, ...] = ()
    """Field-name globs dropped from records when over budget (`*_url`, `meta.*`)."""
    keep_fields: tuple[str, ...] = ()
    """Field-name globs never dropped (wins over `drop_fields` and the built-in noise list)."""


DistillMode = Literal["auto", "always", "never"]


class PerToolSettings(_Section):
    """Overrides for one tool, by its exposed name: `[per_tool.NAME]`."""

    timeout_s: float | None = Field(None, gt=0)
    budget: int | None = Field(None, ge=50)
    drop_fields: tuple[str, ...] = ()
    keep_fields: tuple[str, ...] = ()
    distill: DistillMode = "auto"
    """"auto": distil when the cost gate says it pays; "always": skip the gate; "never"."""
    cache_ttl_s: float = Field(0.0, ge=0)
    """Seconds a result of this (idempotent) tool is reused for the same arguments; 0 = off."""


class DistillSettings(_Section):
    """Summarising long text results instead of cutting them (docs/distill.md).

    `model` picks the backend: "extractive" (default, offline, no model), "sampling" (the
    connected client's own model through MCP sampling), or any litellm model name
    ("openai/gpt-4o-mini", "ollama/llama3.2", …; `api_base` for an OpenAI-compatible server).
    """

    enabled: bool = False
    model: str = "extractive"
    api_base: str | None = None
    client_model: str = "claude-sonnet-4-5"
    """The agent's model: its input price values each token saved."""
    timeout_s: float = Field(20.0, gt=0)
    rereads: float = Field(1.0, gt=0)
    """How many times the agent is expected to read the result (each read costs its tokens)."""
    margin: float = Field(1.5, ge=1.0)
    """The saving must be worth at least `margin` × the distillation's cost."""


class OutputsSettings(_Section):
    """How long the originals of pruned results stay retrievable (`nocp_expand`)."""

    retention_days: float = Field(7.0, gt=0)
    max_mb: float = Field(500.0, gt=0)


class StatsSettings(_Section):
    """Where the stats database lives (default: the user's data directory)."""

    db: Path | None = None

    def path(self) -> Path:
        """The database file to open."""
        if self.db is not None:
            return self.db.expanduser()
        from platformdirs import user_data_path

        return user_data_path("nocp", appauthor=False) / "nocp.db"


class StoreSettings(_Section):
    """Where everything is stored: the SQLite file of `[stats] db` (the default), or one
    PostgreSQL database shared by several nocp processes (`url`, or `NOCP_STORE_URL`)."""

    url: str | None = None
    """`postgresql://user:password@host:port/dbname`; unset: the SQLite file."""
    pool_min: int = Field(1, ge=0)
    pool_max: int = Field(10, ge=1)
    """Connections each process keeps to PostgreSQL (psycopg_pool)."""
    connect_timeout_s: float = Field(10.0, gt=0)
    """How long a call waits for a connection (also while PostgreSQL restarts)."""
    namespace: str | None = Field(None, pattern=r"^[A-Za-z0-9_.:-]{1,64}$")
    """The rows (calls, originals, cached results) this instance sees; unset: a digest of
    its roots, tool modules and upstreams (`store.scope.namespace_of`), so two sandboxes on
    one database stay apart. Give two instances the same value to share their handles."""

    @field_validator("url")
    @classmethod
    def _postgres_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("postgresql://", "postgres://")):
            raise ValueError(f"expected a postgresql://… URL, got {value.split(':', 1)[0]!r}://…")
        return value


class HttpSettings(_Section):
    """`nocp serve --http`: where it listens, who may call it, and how much (docs/deployment.md)."""

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    tokens: tuple[str, ...] = ()
    """Bearer tokens (`NOCP_HTTP_TOKENS`, comma-separated), each the token or `sha256:HEX` of
    it; only their SHA-256 is kept. Each token is a tenant: it sees only its own calls and
    handles. Required when `host` is not loopback."""
    rate: float = Field(50.0, gt=0)
    """Requests per second one token may make, on average (a token bucket)."""
    burst: int = Field(100, ge=1)
    """Requests one token may make at once (the bucket's size)."""
    max_body_bytes: int = Field(4 * 1024 * 1024, ge=1024)
    """A larger request body is refused (413) before it is parsed."""
    allowed_hosts: tuple[str, ...] = ()
    """`Host` values accepted besides loopback (`nocp.example.com`, `lb:8080`, `host:*`)."""
    allowed_origins: tuple[str, ...] = ()
    """`Origin` values accepted besides loopback (`https://app.example.com`)."""
    stateless: bool = False
    """Clients before 2026-07-28 get no session either (any replica answers any request, but
    the server cannot ask them anything mid-call); 2026-07-28 clients are always stateless."""

    @field_validator("tokens")
    @classmethod
    def _hashed(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_token_digest(token) for token in value if token.strip())


def _token_digest(token: str) -> str:
    """`sha256:HEX` of a bearer token (a digest given as such is kept)."""
    import hashlib
    import re

    token = token.strip()
    if re.fullmatch(r"sha256:[0-9a-f]{64}", token):
        return token
    if len(token) < 16:
        raise ValueError("a bearer token must have at least 16 characters (use a random one)")
    return "sha256:" + hashlib.sha256(token.encode()).hexdigest()


class LogSettings(_Section):
    """Where nocp's own log goes: stderr unless `file` is set. Never stdout."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"
    file: Path | None = None
    """Append the log to this file instead of stderr (`--log-file`)."""
    format: Literal["console", "json"] = "console"
    """`console`: one readable line a record; `json`: one JSON object a line (`--log-format`)."""


class DriftSettings(_Section):
    """When a tool's results drift (`nocp stats` flags it): its last `window` calls against the
    `window` before them (docs/stats.md, "Drift")."""

    window: int = Field(20, ge=2)
    reduction_drop_points: float = Field(20.0, gt=0)
    """Alert when the percent of tokens saved drops by more than this many points."""
    latency_rise_pct: float = Field(50.0, gt=0)
    """Alert when the median pipeline time rises by more than this percent."""
    error_rate: float = Field(0.2, gt=0, le=1)
    """Alert when more than this share of the window's calls failed."""


class Settings(BaseSettings):
    """The whole configuration. Build it with `load_settings`; pass it down, never global."""

    model_config = SettingsConfigDict(
        env_prefix="NOCP_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    tokens: TokenSettings = TokenSettings()
    tools: ToolsSettings = ToolsSettings()
    per_tool: dict[str, PerToolSettings] = {}
    prune: PruneSettings = PruneSettings()
    distill: DistillSettings = DistillSettings()
    outputs: OutputsSettings = OutputsSettings()
    stats: StatsSettings = StatsSettings()
    store: StoreSettings = StoreSettings()
    http: HttpSettings = HttpSettings()
    log: LogSettings = LogSettings()
    drift: DriftSettings = DriftSettings()
    builtins: BuiltinsSettings = BuiltinsSettings()
    upstream: dict[str, UpstreamSettings] = {}
    upstreams: UpstreamsSettings = UpstreamsSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment first: it overrides whatever the files (passed as init data) say.
        return (env_settings, init_settings)

    def timeout_for(self, tool: str, declared: float | None = None) -> float:
        """Seconds `tool` may run: its `[per_tool]` value, else what the tool declared
        (`@tool(timeout_s=…)`), else `[tools] timeout_s`."""
        override = self.per_tool.get(tool)
        if override and override.timeout_s is not None:
            return override.timeout_s
        return declared or self.tools.timeout_s

    def budget_for(self, tool: str, *, focused: bool = False) -> int:
        """The token budget of one response of `tool` (smaller when the agent gave a focus)."""
        override = self.per_tool.get(tool)
        budget = override.budget if override and override.budget is not None else self.prune.budget
        return min(budget, self.prune.focus_budget) if focused else budget

    def distill_mode(self, tool: str) -> DistillMode:
        """Whether `tool`'s results may be distilled: "never" when `[distill] enabled` is off."""
        if not self.distill.enabled:
            return "never"
        override = self.per_tool.get(tool)
        return override.distill if override else "auto"

    def cache_ttl_for(self, tool: str) -> float:
        """Seconds `tool`'s results are reused for the same arguments (0 = not cached)."""
        override = self.per_tool.get(tool)
        return override.cache_ttl_s if override else 0.0

    def fields_for(self, tool: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(drop globs, keep globs) for `tool`: the global ones plus its own."""
        override = self.per_tool.get(tool) or PerToolSettings()
        return (
            self.prune.drop_fields + override.drop_fields,
            self.prune.keep_fields + override.keep_fields,
        )
