"""Configuration: one `Settings` object, read once by the entry point and passed down.

Sources, highest precedence first:

1. `NOCP_*` environment variables (`NOCP_TOOLS__TIMEOUT_S=30`; `NOCP_DB` for the stats file);
2. the file given with `--config`, else `nocp.toml` in the working directory;
3. `[tool.nocp]` in `pyproject.toml` in the working directory;
4. the defaults below.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from nocp.errors import ConfigError
from nocp.sources.upstream_config import (
    UpstreamSettings,
    UpstreamsSettings,
    read_mcp_servers_file,
)

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


class LogSettings(_Section):
    """Where nocp's own log goes: stderr unless `file` is set. Never stdout."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"
    file: Path | None = None


BUILTIN_GROUPS: dict[str, tuple[str, ...]] = {
    "files": ("read_file", "list_directory", "directory_tree"),
    "search": ("search_text",),
    "sqlite": ("query_sqlite",),
    "http": ("http_get",),
}
"""The built-in tools by group; `[builtins] disabled` takes group or tool names."""


class FilesSettings(_Section):
    """Limits of `read_file`, `list_directory` and `directory_tree`."""

    max_file_bytes: int = Field(default=8_000_000, gt=0)
    max_entries: int = Field(default=2_000, gt=0)
    max_depth: int = Field(default=20, gt=0)


class SearchSettings(_Section):
    """Bounds of `search_text`: files scanned, matches returned, seconds spent."""

    max_files: int = Field(default=5_000, gt=0)
    max_matches: int = Field(default=200, gt=0)
    max_file_bytes: int = Field(default=2_000_000, gt=0)
    timeout_s: float = Field(default=10.0, gt=0)


class SqliteSettings(_Section):
    """Bounds of `query_sqlite`."""

    max_rows: int = Field(default=500, gt=0)
    timeout_s: float = Field(default=20.0, gt=0)


class HttpSettings(_Section):
    """Bounds of `http_get`, and the non-public addresses it may reach anyway.

    `allow_networks` lists addresses or CIDR ranges (`"127.0.0.1"`, `"10.0.0.0/8"`) that are
    reachable although loopback, private, link-local or reserved; everything else non-public is
    refused after DNS resolution and again on every redirect.
    """

    timeout_s: float = Field(default=15.0, gt=0)
    max_bytes: int = Field(default=5_000_000, gt=0)
    max_redirects: int = Field(default=5, ge=0)
    allow_networks: tuple[str, ...] = ()
    user_agent: str = "nocp"
    host_headers: dict[str, dict[str, str]] = {}
    """Headers added to every request to a host, by host name: credentials the agent never
    sees (`[builtins.http.host_headers."api.example.com"] Authorization = "Bearer …"`)."""

    @field_validator("allow_networks")
    @classmethod
    def _networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        import ipaddress

        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(
                    f"{entry!r} is not an IP address or CIDR range (e.g. 127.0.0.1 or 10.0.0.0/8)"
                ) from None
        return value


class BuiltinsSettings(_Section):
    """The built-in tools (files, search, SQLite, HTTP) and the sandbox they read in.

    `roots` are the directories the tools may read (default: the working directory at start;
    `nocp serve --root DIR` overrides). `disabled` switches off groups (`files`, `search`,
    `sqlite`, `http`) or single tools by name; `enabled = false` switches them all off.
    """

    enabled: bool = True
    roots: tuple[Path, ...] = ()
    disabled: tuple[str, ...] = ()
    files: FilesSettings = FilesSettings()
    search: SearchSettings = SearchSettings()
    sqlite: SqliteSettings = SqliteSettings()
    http: HttpSettings = HttpSettings()

    @field_validator("disabled")
    @classmethod
    def _known_names(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        known = [*BUILTIN_GROUPS, *(t for tools in BUILTIN_GROUPS.values() for t in tools)]
        for name in value:
            if name not in known:
                raise ValueError(f"unknown built-in {name!r}; use one of {', '.join(known)}")
        return value

    def tool_enabled(self, tool: str) -> bool:
        """Whether built-in `tool` is served."""
        group = next(g for g, tools in BUILTIN_GROUPS.items() if tool in tools)
        return self.enabled and tool not in self.disabled and group not in self.disabled


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
    log: LogSettings = LogSettings()
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


def load_settings(
    config: Path | None = None,
    *,
    cwd: Path | None = None,
) -> Settings:
    """Read the configuration from its sources (see the module docstring).

    Raises:
        ConfigError: naming the file or variable, the key and the problem.

    Example:
        >>> settings = load_settings(Path("nocp.toml"))
    """
    cwd = cwd or Path.cwd()
    env = os.environ
    layers = _file_layers(config, cwd)
    merged: dict[str, Any] = {}
    for _, data in layers:
        _deep_merge(merged, data)
    _add_mcp_servers(merged)
    if env.get("NOCP_DB"):
        merged.setdefault("stats", {})["db"] = env["NOCP_DB"]
    try:
        return Settings(**merged)
    except ValidationError as exc:
        raise _explain(exc, layers, env) from None
    except SettingsError as exc:  # e.g. NOCP_TOOLS='{bad': a section variable that is not JSON
        raise _explain_env_parse(exc) from None


def _file_layers(config: Path | None, cwd: Path) -> list[tuple[str, dict[str, Any]]]:
    """The config files that apply, lowest precedence first, as (name, data)."""
    layers: list[tuple[str, dict[str, Any]]] = []
    pyproject = cwd / "pyproject.toml"
    if pyproject.is_file():
        section = _read_toml(pyproject).get("tool", {}).get("nocp")
        if isinstance(section, dict):
            layers.append((f"{pyproject} [tool.nocp]", _resolve_paths(section, cwd)))
    if config is not None:
        if not config.is_file():
            raise ConfigError(str(config), "", "no such file (check the --config path)")
        if config.suffix.lower() == ".json":  # a client's {"mcpServers": …} file
            layers.append((str(config), {"upstream": read_mcp_servers_file(config)}))
        else:
            layers.append((str(config), _resolve_paths(_read_toml(config), config.parent)))
    elif (cwd / "nocp.toml").is_file():
        layers.append((str(cwd / "nocp.toml"), _resolve_paths(_read_toml(cwd / "nocp.toml"), cwd)))
    return layers


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), "", f"invalid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), "", f"cannot read: {exc}") from None


def _resolve_paths(data: dict[str, Any], base: Path) -> dict[str, Any]:
    """Make file paths in a config file relative to that file, not to the cwd."""
    tools = data.get("tools")
    if isinstance(tools, dict) and isinstance(tools.get("modules"), list):
        tools = dict(tools)
        tools["modules"] = [_resolve_module(m, base) for m in tools["modules"]]
        data = {**data, "tools": tools}
    for section, key in (("stats", "db"), ("log", "file")):
        table = data.get(section)
        if isinstance(table, dict) and isinstance(table.get(key), str):
            path = str(base / Path(table[key]).expanduser())
            data = {**data, section: {**table, key: path}}
    builtins = data.get("builtins")
    if isinstance(builtins, dict) and isinstance(builtins.get("roots"), list):
        roots = [str(base / Path(r).expanduser()) if isinstance(r, str) else r for r in builtins["roots"]]
        data = {**data, "builtins": {**builtins, "roots": roots}}
    upstreams = data.get("upstreams")
    if isinstance(upstreams, dict) and isinstance(upstreams.get("mcp_servers"), str):
        mcp_servers = str(base / Path(upstreams["mcp_servers"]).expanduser())
        data = {**data, "upstreams": {**upstreams, "mcp_servers": mcp_servers}}
    tables = data.get("upstream")
    if isinstance(tables, dict):
        data = {**data, "upstream": {k: _resolve_cwd(v, base) for k, v in tables.items()}}
    return data


def _resolve_cwd(table: Any, base: Path) -> Any:
    if isinstance(table, dict) and isinstance(table.get("cwd"), str):
        return {**table, "cwd": str(base / Path(table["cwd"]).expanduser())}
    return table


def _add_mcp_servers(merged: dict[str, Any]) -> None:
    """Servers of `[upstreams] mcp_servers` join `[upstream.*]`; same-named tables win."""
    upstreams = merged.get("upstreams")
    path = upstreams.get("mcp_servers") if isinstance(upstreams, dict) else None
    if not isinstance(path, str):
        return
    tables = merged.setdefault("upstream", {})
    if isinstance(tables, dict):
        for name, table in read_mcp_servers_file(Path(path)).items():
            tables.setdefault(name, table)


def _resolve_module(entry: object, base: Path) -> object:
    if isinstance(entry, str) and (entry.endswith(".py") or "/" in entry):
        return str(base / Path(entry).expanduser())
    return entry


def _deep_merge(into: dict[str, Any], data: Mapping[str, Any]) -> None:
    for key, value in data.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _deep_merge(into[key], value)
        else:
            into[key] = dict(value) if isinstance(value, Mapping) else value


def _explain(
    exc: ValidationError, layers: list[tuple[str, dict[str, Any]]], env: Mapping[str, str]
) -> ConfigError:
    """Turn pydantic's first error into one line naming the source, the key and the problem."""
    error = exc.errors()[0]
    loc = [str(part) for part in error["loc"]]
    key = ".".join(loc)
    problem = error["msg"]
    if error["type"] == "extra_forbidden":
        problem = "unknown key (see docs/configuration.md for the keys nocp reads)"
    elif "input" in error and not isinstance(error["input"], dict | list):
        problem = f"{problem} (got {error['input']!r})"
    return ConfigError(_source_of(loc, layers, env), key, problem)


def _explain_env_parse(exc: SettingsError) -> ConfigError:
    match = re.search(r'field "(\w+)"', str(exc))
    field = match.group(1) if match else ""
    variable = f"NOCP_{field.upper()}" if field else "a NOCP_* variable"
    example = f"NOCP_{field.upper() or 'TOOLS'}__KEY=…"
    return ConfigError(
        f"environment variable {variable}",
        field,
        f"not a valid JSON object; set one key instead, e.g. {example}",
    )


def _source_of(loc: list[str], layers: list[tuple[str, dict[str, Any]]], env: Mapping[str, str]) -> str:
    variable = "NOCP_" + "__".join(part.upper() for part in loc)
    if variable in env:
        return f"environment variable {variable}"
    if loc[:2] == ["stats", "db"] and "NOCP_DB" in env:
        return "environment variable NOCP_DB"
    for name, data in reversed(layers):
        if _has_path(data, loc):
            return str(name)
    return str(layers[-1][0]) if layers else "environment"


def _has_path(data: Any, loc: list[str]) -> bool:
    for part in loc:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return False
    return True
