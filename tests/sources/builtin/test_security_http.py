"""http_get: only http(s), only public addresses (unless allowed), checked after DNS resolution
and on every redirect *before any connection*; size, time and redirects capped.

A real HTTP server on 127.0.0.1 serves every case. Refusals are proven by the process's own
record of socket connections (audit hooks) and by the test server's request log."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sources.builtin.conftest import call, disk_state, still_serving, value_of

pytestmark = pytest.mark.anyio

ALLOW_TEST_SERVER = {"allow_networks": ["127.0.0.1/32"]}


@pytest.fixture(autouse=True)
def disk_untouched(layout: dict[str, Path]) -> Iterator[None]:
    """Whatever http_get was asked, nothing in the sandbox (or beside it) changed."""
    before = disk_state(layout["tmp"])
    yield
    assert disk_state(layout["tmp"]) == before


def _http(**settings: object) -> dict[str, object]:
    return {"http": {**ALLOW_TEST_SERVER, **settings}}


async def test_json_and_html_are_shaped_when_allowed(builtin_server, connect, local_http) -> None:
    async with connect(builtin_server(**_http())) as client:
        data = await call(client, "http_get", {"url": local_http.url("/json")})
        page = await call(client, "http_get", {"url": local_http.url("/html")})
    assert data[0] is False
    assert value_of(data[1]) == [{"id": i, "name": f"item{i}", "ok": True} for i in range(20)]
    assert page == (False, "# Release notes\n\nVersion 2.0 is out.\n\n* faster\n* smaller")


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://127.0.0.1/x",
        "gopher://127.0.0.1:70/_x",
        "dict://127.0.0.1:11211/stat",
        "data:text/plain,hello",
        "javascript:alert(1)",
        "ws://127.0.0.1/socket",
        "//127.0.0.1/no-scheme",
        "127.0.0.1/no-scheme",
    ],
)
async def test_schemes_other_than_http_are_refused(builtin_server, connect, layout, network, url) -> None:
    async with connect(builtin_server(**_http())) as client:
        is_error, text = await call(client, "http_get", {"url": url})
        await still_serving(client)
    assert is_error
    assert "is not allowed" in text and "http:// and https:// URLs only" in text
    assert network.connects == []


DIRECT = {
    "loopback_v4": ("http://127.0.0.1:{port}/json", "a loopback address", "127.0.0.1"),
    "loopback_v6": ("http://[::1]:{port}/json", "a loopback address", "::1"),
    "metadata": (
        "http://169.254.169.254/latest/meta-data/",
        "a link-local address",
        "169.254.169.254",
    ),
    "localhost": (
        "http://localhost:{port}/json",
        "localhost (127.0.0.1) is a loopback address",
        "127.0.0.1",
    ),
    "mapped_loopback": (
        "http://loopback.test:{port}/json",
        "loopback.test (127.0.0.2) is a loopback",
        "127.0.0.2",
    ),
    "mapped_metadata": (
        "http://metadata.test/latest/",
        "metadata.test (169.254.169.254) is a link-local",
        "169.254.169.254",
    ),
    "mapped_private": (
        "http://private.test/",
        "private.test (10.1.2.3) is a private-network address",
        "10.1.2.3",
    ),
    "one_bad_address_of_many": (
        "http://mixed.test:{port}/",
        "mixed.test (127.0.0.1) is a loopback",
        "127.0.0.1",
    ),
    "decimal_ip": (
        "http://2130706433:{port}/json",
        "(127.0.0.1) is a loopback address",
        "127.0.0.1",
    ),
    "short_ip": ("http://127.1:{port}/json", "(127.0.0.1) is a loopback address", "127.0.0.1"),
    "hex_ip": ("http://0x7f.0.0.1:{port}/json", "(127.0.0.1) is a loopback address", "127.0.0.1"),
    "ipv4_mapped_v6": (
        "http://[::ffff:127.0.0.1]:{port}/json",
        "a loopback address",
        "::ffff:127.0.0.1",
    ),
    "nat64": ("http://[64:ff9b::a9fe:a9fe]/", "a link-local address", "64:ff9b::a9fe:a9fe"),
    "unspecified": ("http://0.0.0.0:{port}/json", "an unspecified address", "0.0.0.0"),
    "multicast": ("http://224.0.0.1/", "not a public address", "224.0.0.1"),
    "shared_cgnat": ("http://100.64.0.1/", "not a public address", "100.64.0.1"),
    "private_10": ("http://10.0.0.1/", "a private-network address", "10.0.0.1"),
}


@pytest.mark.parametrize("case", sorted(DIRECT))
async def test_non_public_addresses_are_refused_before_connecting(
    builtin_server, connect, layout, network, local_http, case: str
) -> None:
    url, reason, address = DIRECT[case]
    url = url.format(port=local_http.port)
    async with connect(builtin_server()) as client:  # no allow-list: the defaults
        is_error, text = await call(client, "http_get", {"url": url})
        await still_serving(client)
    assert is_error
    assert "refused to fetch" in text and reason in text
    assert "allow_networks" in text
    assert not network.connected_to(address)
    assert network.connects == [] and local_http.hits() == 0


async def test_an_allowed_address_is_reached_and_others_still_refused(
    builtin_server, connect, network, local_http
) -> None:
    async with connect(builtin_server(**_http())) as client:
        allowed = await call(client, "http_get", {"url": local_http.url("/json")})
        other_loopback = await call(client, "http_get", {"url": f"http://127.0.0.2:{local_http.port}/json"})
        v6 = await call(client, "http_get", {"url": f"http://[::1]:{local_http.port}/json"})
    assert allowed[0] is False
    assert network.connected_to("127.0.0.1")
    assert other_loopback[0] and "127.0.0.2 is a loopback address" in other_loopback[1]
    assert v6[0] and "::1 is a loopback address" in v6[1]
    assert not network.connected_to("127.0.0.2") and not network.connected_to("::1")
    assert local_http.hits() == 1


REDIRECT_TARGETS = {
    "metadata": (
        "http://169.254.169.254/latest/meta-data/iam/",
        "a link-local address",
        "169.254.169.254",
    ),
    "loopback_v6": ("http://[::1]:{port}/json", "a loopback address", "::1"),
    "loopback_v4_other": ("http://127.0.0.2:{port}/json", "a loopback address", "127.0.0.2"),
    "name_to_loopback": (
        "http://loopback.test:{port}/json",
        "(127.0.0.2) is a loopback",
        "127.0.0.2",
    ),
    "name_to_metadata": (
        "http://metadata.test/latest/",
        "(169.254.169.254) is a link-local",
        "169.254.169.254",
    ),
}


@pytest.mark.parametrize("case", sorted(REDIRECT_TARGETS))
async def test_redirects_are_checked_before_they_are_followed(
    builtin_server, connect, layout, network, local_http, case: str
) -> None:
    target, reason, address = REDIRECT_TARGETS[case]
    target = target.format(port=local_http.port)
    server = builtin_server(**_http())  # the test server itself is allowed; its redirects are not
    async with connect(server) as client:
        is_error, text = await call(client, "http_get", {"url": local_http.url(f"/redirect?to={target}")})
        await still_serving(client)
    assert is_error and "refused to fetch" in text and reason in text
    assert local_http.hits("/redirect") == 1 and local_http.hits("/json") == 0
    assert all(host == "127.0.0.1" for host, _ in network.connects)
    assert not network.connected_to(address) or address == "127.0.0.1"


@pytest.mark.parametrize("target", ["file:///etc/passwd", "gopher://127.0.0.1/x", "ftp://example.test/"])
async def test_redirects_to_other_schemes_are_refused(builtin_server, connect, local_http, target) -> None:
    async with connect(builtin_server(**_http())) as client:
        is_error, text = await call(client, "http_get", {"url": local_http.url(f"/redirect?to={target}")})
    assert is_error and "is not allowed (redirect from http://127.0.0.1" in text


async def test_redirects_are_limited(builtin_server, connect, local_http) -> None:
    async with connect(builtin_server(**_http(max_redirects=3))) as client:
        is_error, text = await call(client, "http_get", {"url": local_http.url("/loop")})
        await still_serving(client)
    assert is_error and "redirected more than 3 times" in text
    assert local_http.hits("/loop") == 4


async def test_a_permitted_redirect_is_followed(builtin_server, connect, local_http) -> None:
    async with connect(builtin_server(**_http())) as client:
        is_error, text = await call(client, "http_get", {"url": local_http.url("/redirect?to=/json")})
    assert is_error is False and value_of(text)[0] == {"id": 0, "name": "item0", "ok": True}


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/big-declared", "is 50,000,000 bytes; the limit is 100,000"),
        ("/big-undeclared", "is larger than 100,000 bytes ([builtins.http] max_bytes)"),
    ],
)
async def test_oversized_responses_are_refused(builtin_server, connect, local_http, path, message) -> None:
    async with connect(builtin_server(**_http(max_bytes=100_000))) as client:
        is_error, text = await call(client, "http_get", {"url": local_http.url(path)})
        await still_serving(client)
    assert is_error and message in text


async def test_a_slow_response_times_out_and_the_server_keeps_serving(
    builtin_server, connect, local_http
) -> None:
    async with connect(builtin_server(**_http(timeout_s=0.5))) as client:
        is_error, text = await call(client, "http_get", {"url": local_http.url("/slow")})
        after = await call(client, "http_get", {"url": local_http.url("/json")})
    assert is_error and text.endswith(f"{local_http.url('/slow')} did not answer within 0.5 s")
    assert after[0] is False


async def test_binary_content_and_error_statuses_are_errors(builtin_server, connect, local_http) -> None:
    async with connect(builtin_server(**_http())) as client:
        image = await call(client, "http_get", {"url": local_http.url("/image")})
        missing = await call(client, "http_get", {"url": local_http.url("/missing")})
    assert image[0] and "returned image/png (72 bytes); http_get returns text, JSON and HTML only" in image[1]
    assert (
        missing[0] and "HTTP 404 Not Found from" in missing[1] and '{"error": "no such thing"}' in missing[1]
    )


async def test_headers_are_sent_but_not_to_another_origin(builtin_server, connect, local_http) -> None:
    headers = {"Authorization": "Bearer s3cr3t-t0ken", "Host": "evil.example"}
    server = builtin_server(**_http(host_headers={"127.0.0.1": {"X-Api-Key": "k-123"}}))
    async with connect(server) as client:
        direct = await call(client, "http_get", {"url": local_http.url("/headers"), "headers": headers})
        # localhost is another origin (same allowed address): the credentials stay behind.
        moved = await call(
            client,
            "http_get",
            {
                "url": local_http.url(f"/redirect?to=http://localhost:{local_http.port}/headers"),
                "headers": headers,
            },
        )
    sent, sent_after_redirect = value_of(direct[1]), value_of(moved[1])
    assert sent["Authorization"] == "Bearer s3cr3t-t0ken" and sent["X-Api-Key"] == "k-123"
    assert sent["Host"] == f"127.0.0.1:{local_http.port}"  # the caller cannot point Host elsewhere
    assert sent_after_redirect["Host"] == f"localhost:{local_http.port}"
    assert "Authorization" not in sent_after_redirect and "X-Api-Key" not in sent_after_redirect
