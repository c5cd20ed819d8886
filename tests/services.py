"""Real services for the tests, started by the tests themselves on loopback: a private
PostgreSQL cluster (Debian's server binaries; initdb into a temporary folder, its own port)
and HAProxy (Debian's). `.ci/run` installs both; without them a test skips with the reason,
except under CI=true, where a missing service is a failure.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PG_BINS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def unavailable(what: str) -> None:
    """Skip for `what` is missing, or fail under CI."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is not installed; .ci/run installs it with apt-get")
    pytest.skip(f"{what} is not installed (apt-get install postgresql haproxy, as .ci/run does)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, timeout_s: float = 30.0, process: subprocess.Popen[bytes] | None = None) -> None:
    """Wait until something listens on `port` (`process`: and fail at once if it exits)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode} before listening on {port}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout_s:g} s")


def _as_postgres(command: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the `postgres` user then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@dataclass
class Postgres:
    """A private PostgreSQL cluster: `url()` for a fresh schema, `restart()`, `stop()`."""

    bin: Path
    data: Path
    port: int
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.data.parent / "postgres.log"

    @property
    def base_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.data.parent} -c fsync=off"
        command = [str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options]
        subprocess.run(_as_postgres([*command, "-w", "start"]), check=True, capture_output=True, timeout=60)

    def stop(self, mode: str = "fast") -> None:
        command = [str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"]
        subprocess.run(_as_postgres(command), check=False, capture_output=True, timeout=60)

    def restart(self) -> None:
        """Stop at once (connections cut, as in a crash) and start again."""
        self.stop("immediate")
        self.start()

    def url(self) -> str:
        """The URL of a new, empty schema: each test gets a database of its own."""
        import psycopg

        schema = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.base_url, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        return f"{self.base_url}?options=-csearch_path%3D{schema}"


@contextlib.contextmanager
def postgres() -> Iterator[Postgres]:
    """Start a private cluster in a temporary folder; remove it afterwards."""
    if not PG_BINS or not (PG_BINS[0] / "initdb").exists():
        unavailable("the PostgreSQL server (Debian package postgresql)")
    root = Path(tempfile.mkdtemp(prefix="nocp-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    try:
        init = [str(PG_BINS[0] / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
        subprocess.run(_as_postgres(init), check=True, capture_output=True, timeout=120)
        server = Postgres(PG_BINS[0], data, free_port())
        server.start()
        try:
            yield server
        finally:
            server.stop("immediate")
    finally:
        shutil.rmtree(root, ignore_errors=True)


HAPROXY_CONFIG = """\
global
    maxconn 2000
defaults
    mode http
    timeout connect 5s
    timeout client 120s
    timeout server 120s
    # A replica busy with large results may answer /healthz late: slow is not down.
    timeout check 5s
    retries 2
    option redispatch
frontend mcp
    bind 127.0.0.1:{port}
    default_backend nocp
backend nocp
    balance roundrobin
    option httpchk GET /healthz
    # Sessions of clients before 2026-07-28 live in the replica that opened them:
    # the Mcp-Session-Id it answered with sends the session's next requests back to it.
    stick-table type string len 64 size 100k expire 30m
    stick on req.hdr(mcp-session-id)
    stick store-response res.hdr(mcp-session-id)
{servers}
"""


def haproxy_config(port: int, replicas: list[int]) -> str:
    """The load balancer's configuration (docs/deployment.md shows the same)."""
    servers = "\n".join(
        f"    server r{i} 127.0.0.1:{p} check inter 500ms fall 2 rise 1" for i, p in enumerate(replicas, 1)
    )
    return HAPROXY_CONFIG.format(port=port, servers=servers)


@contextlib.contextmanager
def haproxy(replicas: list[int], folder: Path) -> Iterator[int]:
    """HAProxy on a free port of 127.0.0.1 in front of `replicas`; yields its port."""
    binary = shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None)
    if binary is None:
        unavailable("HAProxy (Debian package haproxy)")
    port = free_port()
    config = folder / "haproxy.cfg"
    config.write_text(haproxy_config(port, replicas))
    with (folder / "haproxy.log").open("wb") as log:
        process = subprocess.Popen([binary, "-db", "-f", str(config)], stdout=subprocess.DEVNULL, stderr=log)
        try:
            wait_for_port(port, process=process)
            yield port
        finally:
            process.terminate()
            process.wait(10)
