"""Upstream configuration: `[upstream.NAME]`, the `mcpServers` JSON shape, `nocp wrap` settings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nocp.cli.wrap import wrap_settings
from nocp.config import Settings, load_settings
from nocp.errors import ConfigError


def test_toml_tables_and_an_mcp_servers_file_merge(tmp_path: Path) -> None:
    (tmp_path / "desktop.json").write_text(
        json.dumps(
            {
                "mcpServers": {
                    "git": {"command": "uvx", "args": ["mcp-server-git"], "env": {"A": "1"}},
                    "web": {
                        "type": "http",
                        "url": "https://example.com/mcp",
                        "headers": {"Authorization": "x"},
                    },
                    "off": {"command": "x", "disabled": True},
                    "fs": {"command": "from-json"},
                }
            }
        )
    )
    (tmp_path / "nocp.toml").write_text(
        '[upstreams]\nmcp_servers = "desktop.json"\n\n'
        '[upstream.fs]\ncommand = "npx"\nargs = ["-y", "server-filesystem"]\ncwd = "work"\n'
    )
    settings = load_settings(cwd=tmp_path)
    assert sorted(settings.upstream) == ["fs", "git", "off", "web"]
    assert settings.upstream["fs"].command == "npx"  # the [upstream.fs] table wins
    assert settings.upstream["fs"].cwd == tmp_path / "work"  # relative to nocp.toml
    assert settings.upstream["git"].env == {"A": "1"} and settings.upstream["git"].transport == "stdio"
    assert settings.upstream["web"].transport == "http"
    assert settings.upstream["web"].headers == {"Authorization": "x"}
    assert settings.upstream["off"].disabled


def test_a_client_json_file_is_a_config(tmp_path: Path) -> None:
    path = tmp_path / "mcp.json"
    path.write_text(json.dumps({"mcpServers": {"git": {"command": "uvx", "args": ["mcp-server-git"]}}}))
    settings = load_settings(path, cwd=tmp_path)
    assert settings.upstream["git"].args == ("mcp-server-git",)


@pytest.mark.parametrize(
    ("servers", "message"),
    [
        (
            {"old": {"type": "sse", "url": "http://x/sse"}},
            "mcpServers.old.type: transport 'sse' is not supported",
        ),
        (
            {"both": {"command": "a", "url": "http://x"}},
            "upstream.both: Value error, give exactly one of `command`",
        ),
        ({"none": {"args": ["a"]}}, "upstream.none: Value error, give exactly one of `command`"),
        ({"bad": {"url": "ftp://x"}}, "url must start with http:// or https://, got 'ftp://x'"),
    ],
)
def test_unusable_servers_are_config_errors_naming_them(tmp_path: Path, servers: dict, message: str) -> None:
    path = tmp_path / "mcp.json"
    path.write_text(json.dumps({"mcpServers": servers}))
    with pytest.raises(ConfigError) as caught:
        load_settings(path, cwd=tmp_path)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)


def test_wrap_settings_one_unprefixed_upstream() -> None:
    settings = wrap_settings(Settings(), "fs", ["npx", "-y", "server-filesystem", "/tmp"])
    assert list(settings.upstream) == ["fs"]
    assert settings.upstream["fs"].command == "npx" and settings.upstream["fs"].prefix == ""
    http = wrap_settings(Settings(), "w", [], url="http://127.0.0.1:1/mcp", headers=["X-Key: 1"])
    assert http.upstream["w"].headers == {"X-Key": "1"}
    with pytest.raises(ConfigError, match="give the server to wrap"):
        wrap_settings(Settings(), "x", [])
    with pytest.raises(ConfigError, match="expected `NAME: VALUE`"):
        wrap_settings(Settings(), "x", [], url="http://h/mcp", headers=["novalue"])


def test_exposed_names_are_safe_for_clients() -> None:
    from nocp.sources.upstream.naming import exposed_name

    assert exposed_name("git__", "git_log") == "git__git_log"
    assert exposed_name("my server.v2__", "read") == "my_server_v2__read"
    long = exposed_name("a_rather_long_upstream_name__", "x" * 60)
    assert len(long) == 64 and long.startswith("a_rather_long_upstream_name__xxx")
    assert long != exposed_name("a_rather_long_upstream_name__", "x" * 61)  # still distinct
    assert long == exposed_name("a_rather_long_upstream_name__", "x" * 60)  # and stable
