"""Reading the configuration: files and environment merged into one validated `Settings`.

Sources, highest precedence first:

1. `NOCP_*` environment variables (`NOCP_TOOLS__TIMEOUT_S=30`; `NOCP_DB` for the stats file,
   `NOCP_STORE_URL` for a PostgreSQL store, `NOCP_HTTP_TOKENS` for bearer tokens, comma-separated);
2. the file given with `--config`, else `nocp.toml` in the working directory (or a client's
   `{"mcpServers": …}` JSON file, `mcp_servers.py`);
3. `[tool.nocp]` in `pyproject.toml` in the working directory;
4. the defaults of the models (`models.py`).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_settings import SettingsError

from nocp.config.mcp_servers import read_mcp_servers_file
from nocp.config.models import Settings
from nocp.errors import ConfigError


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
    if env.get("NOCP_STORE_URL"):
        merged.setdefault("store", {})["url"] = env["NOCP_STORE_URL"]
    if env.get("NOCP_HTTP_TOKENS"):
        merged.setdefault("http", {})["tokens"] = env["NOCP_HTTP_TOKENS"].split(",")
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
    for prefix, variable in ((["stats", "db"], "NOCP_DB"), (["store", "url"], "NOCP_STORE_URL"),
                             (["http", "tokens"], "NOCP_HTTP_TOKENS")):  # fmt: skip
        if loc[:2] == prefix and variable in env:
            return f"environment variable {variable}"
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
