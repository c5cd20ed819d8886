"""Python tools that misbehave on purpose (loaded by `nocp serve` in the security suites)."""

from __future__ import annotations

import base64
import os
import time

import anyio

import nocp


@nocp.tool
def surrogate_text() -> str:
    """Text with a lone surrogate, as `os.fsdecode` makes of a name that is not UTF-8."""
    return "report-\udcff.txt is ready"


@nocp.tool
def surrogate_records() -> list[dict[str, str]]:
    """Records whose keys and values hold lone surrogates."""
    return [{"name\udc80": f"row {i} \ud800", "ok": "yes"} for i in range(50)]


@nocp.tool
def surrogate_error() -> str:
    """Raises with a lone surrogate in the message."""
    raise ValueError("cannot open 'bad-\udcfe.txt'")


@nocp.tool
def secret_error() -> str:
    """Raises with a bearer token and a URL password in the message."""
    raise RuntimeError(
        "401 from https://bob:hunter2@api.example.com/?token=t0k3n with Bearer abcdef0123456789"
    )


@nocp.tool
def base64_error(kib: int = 256) -> str:
    """Raises with a long base64 run in the message (a quadratic regex chokes on it)."""
    raise RuntimeError("upload failed: " + base64.b64encode(os.urandom(kib * 768)).decode())


@nocp.tool
def token_soup(kib: int = 256) -> str:
    """Raises with a message of `token="` fragments that never close."""
    raise RuntimeError('token="a ' * (kib * 100))


@nocp.tool
def sleepy_sync(seconds: float = 2.0) -> str:
    """Blocks its thread for `seconds`."""
    time.sleep(seconds)
    return "done"


@nocp.tool
async def sleepy_async(seconds: float = 2.0) -> str:
    """Awaits for `seconds`."""
    await anyio.sleep(seconds)
    return "done"


@nocp.tool
def big_text(kib: int = 4096) -> str:
    """A large text result (the pipeline's work off the event loop)."""
    return "".join(f"line {i}: token=abc{i} value {i * 7}\n" for i in range(kib * 30))
