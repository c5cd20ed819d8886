"""Configuration: one `Settings` object, read once by the entry point and passed down.

models.py       `Settings` and its sections (the built-ins' and upstreams' sections live
                with their sources: `sources/builtin/settings.py`, `sources/upstream/settings.py`)
loading.py      `load_settings`: environment > --config or ./nocp.toml > [tool.nocp] > defaults
mcp_servers.py  a client's `{"mcpServers": …}` JSON file as `[upstream.NAME]` tables
"""

from __future__ import annotations

from nocp.config.loading import load_settings
from nocp.config.models import (
    DistillMode,
    DistillSettings,
    HttpSettings,
    LogSettings,
    OutputsSettings,
    PerToolSettings,
    PruneSettings,
    Settings,
    StatsSettings,
    StoreSettings,
    TokenSettings,
    ToolsSettings,
)

__all__ = [
    "DistillMode",
    "DistillSettings",
    "HttpSettings",
    "LogSettings",
    "OutputsSettings",
    "PerToolSettings",
    "PruneSettings",
    "Settings",
    "StatsSettings",
    "StoreSettings",
    "TokenSettings",
    "ToolsSettings",
    "load_settings",
]
