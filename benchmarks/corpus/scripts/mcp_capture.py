"""Capture real MCP servers' tool results through the mcp SDK client (stdio), one file per call.

Usage: $CW/venv/bin/python mcp_capture.py OUT_DIR [--list] [--only FILE,FILE...]
Servers: mcp-server-sqlite (PyPI), mcp-server-fetch (PyPI) against a local `python3 -m http.server`
on 127.0.0.1, mcp-server-git (PyPI), @modelcontextprotocol/server-filesystem (npm).
Environment: CW (default /tmp/cw) holds the venv (client, fetch, git), srv-sqlite (mcp-server-sqlite
with mcp<2, which it needs), the npm folder and packages.sqlite (collect.sh).
"""

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from mcp.client.client import Client
from mcp.client.stdio import StdioServerParameters

CW = Path(os.environ.get("CW", "/tmp/cw"))
BIN = CW / "venv" / "bin"
FS_SERVER = CW / "npm" / "node_modules" / "@modelcontextprotocol" / "server-filesystem" / "dist" / "index.js"
REPO = os.environ.get("REPO", "/work/main")
DOCS = "/usr/share/doc/python3.11/html"
DISCOVERY = CW / "venv/lib/python3.11/site-packages/googleapiclient/discovery_cache/documents"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(folder: str | Path) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return proc, port


ONLY: set[str] = set()


async def _calls(server: StdioServerParameters, calls: list[tuple[str, str, dict[str, Any]]], out: Path,
                 listing: bool) -> None:
    calls = [call for call in calls if not ONLY or call[0] in ONLY]
    if not calls:
        return
    async with Client(server) as client:
        if listing:
            for tool in (await client.list_tools()).tools:
                print(tool.name, tool.input_schema, file=sys.stderr)
        for filename, tool, args in calls:
            result = await client.call_tool(tool, args)
            text = "".join(block.text for block in result.content if getattr(block, "type", "") == "text")
            if result.is_error:
                raise RuntimeError(f"{tool} {args}: {text[:500]}")
            (out / filename).write_text(text, encoding="utf-8")
            print(f"{filename}: {len(text.encode())} bytes", file=sys.stderr)


SQLITE = [
    ("repr_sqlite_packages.txt", "read_query",
     {"query": "SELECT name, version, section, installed_kb FROM packages ORDER BY name"}),
    ("repr_sqlite_maintainers.txt", "read_query",
     {"query": "SELECT maintainer, COUNT(*) AS packages, SUM(installed_kb) AS total_kb FROM packages"
               " GROUP BY maintainer ORDER BY packages DESC, maintainer"}),
    ("repr_sqlite_iab_de.txt", "read_query",
     {"query": "SELECT assignment, organization, address FROM iab WHERE address LIKE '% DE %'"
               " ORDER BY assignment"}),
]


def git_calls() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        ("git_mcp_log.txt", "git_log", {"repo_path": REPO, "max_count": 120}),
        ("git_mcp_show.txt", "git_show", {"repo_path": REPO, "revision": os.environ.get("SHOW", "72482fc")}),
    ]


async def main(out: Path, listing: bool) -> None:
    out.mkdir(parents=True, exist_ok=True)
    db = CW / "packages.sqlite"
    await _calls(StdioServerParameters(command=str(CW / "srv-sqlite" / "bin" / "mcp-server-sqlite"), args=["--db-path", str(db)]),
                 SQLITE, out, listing)
    await _calls(StdioServerParameters(command=str(BIN / "mcp-server-git"), args=["--repository", REPO]),
                 git_calls(), out, listing)
    docs, docs_port = _serve(DOCS)
    api, api_port = _serve(DISCOVERY)
    try:
        fetch = [
            ("fetch_python_json_doc.txt", "fetch",
             {"url": f"http://127.0.0.1:{docs_port}/library/json.html", "max_length": 999999}),
            ("fetch_python_tutorial_controlflow.txt", "fetch",
             {"url": f"http://127.0.0.1:{docs_port}/tutorial/controlflow.html", "max_length": 999999}),
            ("fetch_raw_tasks_discovery.txt", "fetch",
             {"url": f"http://127.0.0.1:{api_port}/tasks.v1.json", "max_length": 999999, "raw": True}),
        ]
        await _calls(StdioServerParameters(command=str(BIN / "mcp-server-fetch"), args=["--ignore-robots-txt", "--allow-private-ips"]),
                     fetch, out, listing)
    finally:
        docs.terminate()
        api.terminate()
    ajv = CW / "npm" / "node_modules" / "ajv"
    fs = [
        ("fs_directory_tree_ajv.json", "directory_tree", {"path": str(ajv)}),
        ("fs_list_python_library_docs.txt", "list_directory_with_sizes",
         {"path": f"{DOCS}/library", "sortBy": "name"}),
        ("fs_search_python_docs_html.txt", "search_files", {"path": DOCS, "pattern": "**/*.html"}),
    ]
    await _calls(StdioServerParameters(command="node", args=[str(FS_SERVER), str(ajv), DOCS]), fs, out, listing)


if __name__ == "__main__":
    if "--only" in sys.argv:
        ONLY.update(sys.argv[sys.argv.index("--only") + 1].split(","))
    asyncio.run(main(Path(sys.argv[1]), "--list" in sys.argv))
