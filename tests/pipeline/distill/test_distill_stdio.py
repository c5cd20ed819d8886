"""`nocp serve` over stdio with a litellm model: litellm's logs never reach stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pipeline.distill.openai_server import openai_server
from tests.server.test_stdio import PROTOCOL_VERSION, RawClient

pytestmark = pytest.mark.slow

# 300 steps (≈5,400 tokens): far enough over the 2,000-token budget that the cost gate says yes
# for gpt-4o-mini at once.
TOOLS = '''
from nocp import tool

@tool
def incident() -> str:
    """A long report."""
    steps = [f"## Step {n}\\n\\nWorker {n} retries the upload three times, then gives up.\\n" for n in range(300)]
    return "# Incident\\n\\n" + "\\n".join(steps) + "\\n## Cause\\n\\nThe quota of 512 GiB was exceeded.\\n"
'''
SUMMARY = "The upload failed: the quota of 512 GiB was exceeded; workers retried three times."


def test_distilling_over_stdio_writes_only_json_rpc_on_stdout(tmp_path: Path) -> None:
    (tmp_path / "tools.py").write_text(TOOLS, encoding="utf-8")
    with openai_server() as (api_base, canned):
        canned.content = SUMMARY
        (tmp_path / "nocp.toml").write_text(
            f'[tools]\nmodules = ["tools.py"]\n[builtins]\nenabled = false\n'
            f'[distill]\nenabled = true\nmodel = "openai/gpt-4o-mini"\napi_base = "{api_base}"\n',
            encoding="utf-8",
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NOCP_", "LITELLM"))}
        env.update(
            NOCP_DB=str(tmp_path / "nocp.db"),
            NOCP_LOG__LEVEL="DEBUG",
            LITELLM_LOG="DEBUG",
            OPENAI_API_KEY="sk-local-test",
        )
        stderr = (tmp_path / "stderr.log").open("w", encoding="utf-8")  # a pipe would fill up
        process = subprocess.Popen(
            [sys.executable, "-m", "nocp", "serve", "--config", str(tmp_path / "nocp.toml")],
            cwd=tmp_path,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            encoding="utf-8",
        )
        client = RawClient(process)
        try:
            client.request(
                "initialize",
                {
                    "protocolVersion": PROTOCOL_VERSION,
                    "capabilities": {},
                    "clientInfo": {"name": "raw-test", "version": "0"},
                },
            )
            client.notify("notifications/initialized")
            distilled = client.request("tools/call", {"name": "incident", "arguments": {}})
            canned.status = 500
            failed = client.request("tools/call", {"name": "incident", "arguments": {"focus": "quota"}})
        finally:
            rest, _ = process.communicate(timeout=30)
            stderr.close()
    client.lines.extend(rest.splitlines(keepends=True))
    assert distilled["content"][0]["text"].startswith(SUMMARY)
    assert "lines omitted" in failed["content"][0]["text"] and not failed.get("isError")
    for line in client.lines:
        message = json.loads(line)
        assert message["jsonrpc"] == "2.0" and ("id" in message or "method" in message)
    errors = (tmp_path / "stderr.log").read_text(encoding="utf-8")
    assert process.returncode == 0, errors[-2000:]
    assert "LiteLLM" in errors  # litellm did log — to stderr
