"""Secrets out of nocp://config and the logs — unit rules, then the real server over stdio."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from nocp.redact import is_secret_key, redact, redact_text
from tests.conftest import text_of

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("key", "secret"),
    [
        ("Authorization", True),
        ("X-Api-Key", True),
        ("api_key", True),
        ("OPENAI_API_KEY", True),
        ("GITHUB_TOKEN", True),
        ("x-auth-token", True),
        ("client_secret", True),
        ("password", True),
        ("Cookie", True),
        ("apiKey", True),
        ("max_tokens", False),
        ("tokens", False),
        ("keyword", False),
        ("encoding", False),
        ("monkey", False),
        ("allow_networks", False),
    ],
)
def test_secret_key_names(key: str, secret: bool) -> None:
    assert is_secret_key(key) is secret


def test_values_under_secret_keys_and_env_are_masked() -> None:
    value = {
        "upstreams": [
            {
                "name": "gh",
                "env": {"GITHUB_TOKEN": "ghp_x", "HOME": "/root", "EMPTY": ""},
                "headers": {"Authorization": "Bearer abc", "Accept": "json"},
            }
        ],
        "api_key": None,
        "tokens": {"encoding": "o200k_base"},
    }
    assert redact(value) == {
        "upstreams": [
            {
                "name": "gh",
                "env": {"GITHUB_TOKEN": "***", "HOME": "***", "EMPTY": ""},
                "headers": {"Authorization": "***", "Accept": "json"},
            }
        ],
        "api_key": None,  # unset stays visibly unset
        "tokens": {"encoding": "o200k_base"},
    }


def test_secrets_inside_text_are_masked() -> None:
    text = (
        "GET https://bob:hunter2@example.com/?api_key=abc123&page=2 max_tokens=5 "
        'Authorization: Bearer eyJhbGciOi.x.y {"password": "two words"} '
        "key sk-ant-abcdefghijklmnop1234"
    )
    assert redact_text(text) == (
        "GET https://bob:***@example.com/?api_key=***&page=2 max_tokens=5 "
        'Authorization: *** *** {"password": "***"} key ***'
    )


@pytest.mark.slow
async def test_serve_with_root_shows_redacted_config_and_logs_nothing_secret(
    tmp_path: Path,
) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "note.txt").write_text("inside\n")
    (tmp_path / "tools.py").write_text(
        "from nocp import tool\n\n@tool\ndef leak() -> str:\n"
        "    '''Fails with a secret in its message.'''\n"
        "    raise RuntimeError('upstream said: api_key=sk-live-0123456789abcdef0123')\n"
    )
    log = tmp_path / "nocp.log"
    config = tmp_path / "nocp.toml"
    config.write_text(
        '[tools]\nmodules = ["tools.py"]\n[log]\nlevel = "DEBUG"\nfile = "' + str(log) + '"\n'
        '[builtins.http.host_headers."api.example.com"]\nAuthorization = "Bearer very-secret-1"\n'
    )
    server = StdioServerParameters(
        command=sys.executable,
        args=["-m", "nocp", "serve", "--config", str(config), "--root", str(root)],
        env={**os.environ, "NOCP_DB": str(tmp_path / "nocp.db")},
        cwd=str(tmp_path),
    )
    async with Client(server) as client:
        config_text = text_of(await client.read_resource("nocp://config"))
        read = await client.call_tool("read_file", {"path": "note.txt"})
        outside = await client.call_tool("read_file", {"path": str(config)})
        await client.call_tool("leak", {})
    effective = json.loads(config_text)
    assert effective["builtins"]["roots"] == [str(root)]
    assert effective["builtins"]["http"]["host_headers"] == {"api.example.com": {"Authorization": "***"}}
    assert "very-secret" not in config_text
    assert text_of(read) == "inside" and outside.is_error
    logged = log.read_text()
    assert "tool raised" in logged and "api_key=***" in logged
    assert "sk-live-0123456789abcdef0123" not in logged
