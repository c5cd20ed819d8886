"""Fixtures of the built-in tools and their security suite: a sandbox with a secret outside it, a snapshot of the disk,
the real server with its built-in tools, a local HTTP server, and a record of every socket
connection and DNS lookup the process makes (through Python's audit hooks, not a mock).

The audit hook also *refuses* any connection or lookup that would leave this machine, so a
regression can never reach the network from the test suite.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import socket
import stat
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from mcp import Client

from nocp.config import Settings
from nocp.server import NocpServer
from nocp.sources.builtin import builtin_sources, with_roots
from nocp.sources.builtin.http import Resolver, system_resolver
from nocp.store.db import open_database
from nocp.store.stats import StatsStore
from tests.conftest import text_of

SECRET = "TOP-SECRET-4f1c"


# --- network record: every connect and lookup, through audit hooks -------------------------------


class NetworkRecord:
    """What the process tried to reach while `active`."""

    def __init__(self) -> None:
        self.connects: list[tuple[str, int]] = []
        self.lookups: list[str] = []

    def clear(self) -> None:
        self.connects.clear()
        self.lookups.clear()

    def connected_to(self, host: str) -> bool:
        target = ipaddress.ip_address(host)
        return any(ipaddress.ip_address(h.split("%")[0]) == target for h, _ in self.connects)


NETWORK = NetworkRecord()


def _local_name(host: object) -> bool:
    if host in (None, "localhost", b"localhost"):
        return True
    text = host.decode() if isinstance(host, bytes) else str(host)
    try:
        socket.inet_aton(text)  # numeric forms (127.1, 0x7f.0.0.1, 2130706433): no DNS query
        return True
    except OSError:
        pass
    try:
        ipaddress.ip_address(text.split("%")[0])
        return True
    except ValueError:
        return False


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "socket.getaddrinfo":
        NETWORK.lookups.append(str(args[0]))
        if not _local_name(args[0]):
            raise RuntimeError(f"test suite tried a DNS lookup of {args[0]!r}")
    elif event == "socket.connect":
        sock, address = args
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            host, port = str(address[0]), int(address[1])
            NETWORK.connects.append((host, port))
            if ipaddress.ip_address(host.split("%")[0]) not in (
                ipaddress.ip_address("127.0.0.1"),
                ipaddress.ip_address("::1"),
            ):
                raise RuntimeError(f"test suite tried to connect to {host}:{port}")


sys.addaudithook(_audit)


@pytest.fixture
def network() -> Iterator[NetworkRecord]:
    NETWORK.clear()
    yield NETWORK
    NETWORK.clear()


# --- the sandbox on disk ----------------------------------------------------------------------


@pytest.fixture
def layout(tmp_path: Path) -> dict[str, Path]:
    """tmp/proj (the root), tmp/outside (a secret), tmp/proj-secret (a same-prefix sibling).
    `tmp` holds nothing else (the stats database lives beside it), so its state is all ours."""
    tmp_path = tmp_path / "fs"
    tmp_path.mkdir()
    root = tmp_path / "proj"
    outside = tmp_path / "outside"
    sibling = tmp_path / "proj-secret"
    for d in (root, outside, sibling, root / "sub"):
        d.mkdir()
    (outside / "secret.txt").write_text(SECRET + "\n")
    (sibling / "secret.txt").write_text(SECRET + "\n")
    (root / "hello.txt").write_text("hello from inside\n")
    (root / "sub" / "notes.md").write_text("# notes\nnothing secret here\n")
    (root / "link_file").symlink_to(outside / "secret.txt")
    (root / "link_dir").symlink_to(outside)
    (root / "link_chain").symlink_to(root / "link_file")
    (root / "etc_link").symlink_to("/etc")
    (root / "inside_link").symlink_to(root / "hello.txt")
    return {"tmp": tmp_path, "root": root, "outside": outside, "sibling": sibling}


def disk_state(top: Path) -> dict[str, tuple[Any, ...]]:
    """Every entry under `top`: type, size, mtime and (for regular files) a content hash.
    FIFOs and devices are only stat-ed, never opened."""
    state: dict[str, tuple[Any, ...]] = {}
    for dirpath, dirnames, filenames in os.walk(top):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            info = path.lstat()
            digest = ""
            if stat.S_ISREG(info.st_mode) and info.st_size < 50_000_000:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            state[str(path.relative_to(top))] = (
                stat.S_IFMT(info.st_mode),
                info.st_size,
                info.st_mtime_ns,
                digest,
            )
    return state


# --- the server -------------------------------------------------------------------------------

MAPPED_NAMES = {
    "loopback.test": ["127.0.0.2"],
    "metadata.test": ["169.254.169.254"],
    "private.test": ["10.1.2.3"],
    "mixed.test": ["93.184.215.14", "127.0.0.1"],
}


async def mapped_resolver(host: str, port: int) -> list[str]:
    """Names under `.test` come from MAPPED_NAMES (no DNS at all); others from the system."""
    if host in MAPPED_NAMES:
        return MAPPED_NAMES[host]
    return await system_resolver(host, port)


@pytest.fixture
def builtin_server(layout: dict[str, Path], tmp_path: Path) -> Callable[..., NocpServer]:
    """A NocpServer with the built-in tools, sandboxed to layout['root'] (or `roots`)."""

    def build(
        roots: list[Path] | None = None,
        resolver: Resolver | None = mapped_resolver,
        **builtins: Any,
    ) -> NocpServer:
        db = tmp_path / "stats" / "nocp.db"
        db.parent.mkdir(exist_ok=True)
        settings = Settings(stats={"db": db}, builtins=builtins)
        settings = with_roots(settings, roots or [layout["root"]])
        sources = builtin_sources(settings, resolver=resolver)
        return NocpServer(settings, sources=sources, stats=StatsStore(open_database(db)))

    return build


async def call(client: Client, tool: str, arguments: dict[str, Any]) -> tuple[bool, str]:
    """(is_error, text) of one tool call."""
    result = await client.call_tool(tool, arguments)
    return bool(result.is_error), text_of(result)


def value_of(text: str) -> Any:
    """The value the agent reads, whichever encoding nocp chose (compact JSON or TOON)."""
    import toon_format

    try:
        return json.loads(text)
    except ValueError:
        return toon_format.decode(text)


async def still_serving(client: Client) -> None:
    """The server answers a harmless call after whatever came before."""
    is_error, text = await call(client, "read_file", {"path": "hello.txt"})
    assert (is_error, text) == (False, "hello from inside")


# --- a local HTTP server on 127.0.0.1 --------------------------------------------------------


class LocalHttp:
    """A real HTTP server on 127.0.0.1 with a route per test case; counts requests per path."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.release = threading.Event()
        handler = _handler(self)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def hits(self, prefix: str = "/") -> int:
        return sum(1 for path, _ in self.requests if path.startswith(prefix))


def _handler(server: LocalHttp) -> type[BaseHTTPRequestHandler]:
    return type("Handler", (_Routes,), {"owner": server})


class _Routes(BaseHTTPRequestHandler):
    owner: LocalHttp
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # keep stderr quiet
        pass

    def do_GET(self) -> None:
        self.owner.requests.append((self.path, dict(self.headers.items())))
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        route = getattr(self, "route_" + url.path.strip("/").replace("-", "_"), None)
        if route is None:
            self.send(404, "text/plain", b"no such route")
        else:
            route(query)

    def send(self, status: int, ctype: str, body: bytes, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def route_json(self, _: dict[str, str]) -> None:
        body = [{"id": i, "name": f"item{i}", "ok": True} for i in range(20)]
        self.send(200, "application/json", json.dumps(body).encode())

    def route_html(self, _: dict[str, str]) -> None:
        page = (
            "<html><head><title>T</title><style>p{color:red}</style>"
            "<script>var tracking = 1;</script></head><body><h1>Release notes</h1>"
            "<p>Version <b>2.0</b> is out.</p><ul><li>faster</li><li>smaller</li></ul>"
            "<img src='x.png'></body></html>"
        )
        self.send(200, "text/html; charset=utf-8", page.encode())

    def route_headers(self, _: dict[str, str]) -> None:
        self.send(200, "application/json", json.dumps(dict(self.headers.items())).encode())

    def route_image(self, _: dict[str, str]) -> None:
        self.send(200, "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)

    def route_missing(self, _: dict[str, str]) -> None:
        self.send(404, "application/json", b'{"error": "no such thing"}')

    def route_redirect(self, query: dict[str, str]) -> None:
        self.send(302, "text/plain", b"", Location=query["to"])

    def route_loop(self, _: dict[str, str]) -> None:
        self.send(302, "text/plain", b"", Location="/loop")

    def route_big_declared(self, _: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(50_000_000))
        self.end_headers()
        self._write_until_closed(b"x" * 65536, 50_000_000)

    def route_big_undeclared(self, _: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        self._write_until_closed(b"y" * 65536, 50_000_000)

    def route_slow(self, _: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "100")
        self.end_headers()
        self.wfile.write(b"a little, then nothing")
        self.wfile.flush()
        self.owner.release.wait(30)  # until the test ends; the client must give up first

    def _write_until_closed(self, chunk: bytes, total: int) -> None:
        sent = 0
        try:
            while sent < total:
                self.wfile.write(chunk)
                sent += len(chunk)
        except OSError:
            pass  # the client hung up: what the size cap should make it do


@pytest.fixture
def local_http() -> Iterator[LocalHttp]:
    server = LocalHttp()
    server.thread.start()
    yield server
    server.release.set()
    server.httpd.shutdown()
    server.httpd.server_close()
