"""Built-in `http_get`: GET a URL, JSON → value, HTML → document text — guarded against SSRF.

Every hop (the first request and each redirect) is checked before any connection is made: the
scheme must be http or https, the host is resolved, and every address it resolves to must be
public unless `[builtins.http] allow_networks` allows it. The request then goes to the address
that was checked (with the original `Host` header and TLS server name), so a second DNS answer
cannot swap in another address (DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import json
import socket
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import anyio
import httpx

from nocp.errors import HttpFailed, HttpRefused
from nocp.redact import redact_text
from nocp.sources.builtin.settings import HttpSettings

Resolver = Callable[[str, int], Awaitable[list[str]]]
"""host, port → the IP addresses (as text) to check and connect to."""

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

REDIRECTS = frozenset({301, 302, 303, 307, 308})
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_TEXT_TYPES = (
    "text/",
    "application/xml",
    "application/javascript",
    "application/x-yaml",
    "application/yaml",
    "application/csv",
)


async def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the system resolver gives for `host`."""
    try:
        infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise HttpFailed(f"cannot resolve host {host!r}: {exc}") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def refusal(address: IPAddress, allowed: Sequence[IPNetwork]) -> str | None:
    """Why `address` may not be reached, or None when it may."""
    if any(address in net for net in allowed if net.version == address.version):
        return None
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        return refusal(embedded, allowed)
    if address.is_unspecified:
        return "an unspecified address (it reaches this machine)"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address (cloud metadata services live here)"
    if address.is_private:
        return "a private-network address"
    if address.is_multicast or address.is_reserved or not address.is_global:
        return "not a public address"
    return None


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def http_tools(limits: HttpSettings, resolver: Resolver | None = None) -> list[Callable[..., Any]]:
    """`http_get`, bound to `limits` and a resolver (the system's by default)."""
    allowed = [ipaddress.ip_network(n, strict=False) for n in limits.allow_networks]
    resolve = resolver or system_resolver

    async def http_get(url: str, headers: dict[str, str] | None = None) -> Any:
        """GET an http(s) URL. JSON responses come back as their value, HTML as readable
        document text (Markdown-like), other text as it is; binary content is refused.
        `headers` adds request headers (e.g. Accept, Authorization). Redirects are followed
        a few times; private, loopback, link-local and metadata addresses are refused; the
        response size and the time spent are capped. An HTTP error status is an error.
        """
        fetcher = _Fetch(limits, allowed, resolve)
        try:
            with anyio.fail_after(limits.timeout_s):
                return await fetcher.get(url, headers or {})
        except TimeoutError:
            raise HttpFailed(
                f"{redact_text(fetcher.current)} did not answer within {limits.timeout_s:g} s"
            ) from None

    return [http_get]


class _Fetch:
    def __init__(self, limits: HttpSettings, allowed: list[IPNetwork], resolve: Resolver) -> None:
        self.limits = limits
        self.allowed = allowed
        self.resolve = resolve
        self.current = ""

    async def get(self, url: str, headers: dict[str, str]) -> Any:
        first = target = self._parse(url)
        extra = {k: v for k, v in headers.items() if k.lower() not in ("host", "content-length")}
        for _ in range(self.limits.max_redirects + 1):
            self.current = str(target)
            address = await self._vet(target)
            # The caller's headers (credentials, often) go to the origin they named, only.
            same_origin = _origin(target) == _origin(first)
            configured = self.limits.host_headers.get(target.host, {})
            sent = {**configured, **extra} if same_origin else dict(configured)
            redirect, value = await self._hop(target, address, sent)
            if redirect is None:
                return value
            target = redirect
        raise HttpRefused(
            f"{redact_text(url)} redirected more than {self.limits.max_redirects} times; "
            f"last location {redact_text(str(target))}"
        )

    async def _hop(
        self, target: httpx.URL, address: str, headers: dict[str, str]
    ) -> tuple[httpx.URL | None, Any]:
        """One request: (the redirect to follow, None) or (None, the shaped body)."""
        timeout = httpx.Timeout(self.limits.timeout_s)
        # A fresh client per hop: a TLS connection verified for one host name is never reused
        # for another host that happens to resolve to the same address.
        async with httpx.AsyncClient(trust_env=False, follow_redirects=False, timeout=timeout) as client:
            request = self._request(client, target, address, headers)
            try:
                response = await client.send(request, stream=True)
            except httpx.TimeoutException:
                raise TimeoutError from None
            except httpx.HTTPError as exc:
                raise HttpFailed(f"cannot fetch {redact_text(str(target))}: {exc}") from None
            try:
                location = response.headers.get("location")
                if response.status_code in REDIRECTS and location:
                    return self._parse(str(target.join(location)), redirected_from=target), None
                body = await self._read(response)
            finally:
                await response.aclose()
        return None, _shape(response, body, str(target))

    def _parse(self, url: str, redirected_from: httpx.URL | None = None) -> httpx.URL:
        via = f" (redirect from {redact_text(str(redirected_from))})" if redirected_from else ""
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError) as exc:
            raise HttpRefused(f"invalid URL {redact_text(url)!r}{via}: {exc}") from None
        if parsed.scheme not in ("http", "https"):
            raise HttpRefused(
                f"URL scheme {parsed.scheme or 'none'!r} is not allowed{via}; "
                "http_get fetches http:// and https:// URLs only"
            )
        if not parsed.host:
            raise HttpRefused(f"URL {redact_text(url)!r} has no host{via}")
        return parsed

    async def _vet(self, url: httpx.URL) -> str:
        """Resolve the host and check every address; returns the one to connect to."""
        host = url.host
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            addresses = [ipaddress.ip_address(host)]
        except ValueError:
            addresses = [ipaddress.ip_address(a.split("%")[0]) for a in await self.resolve(host, port)]
        if not addresses:
            raise HttpFailed(f"host {host!r} resolved to no address")
        for address in addresses:
            reason = refusal(address, self.allowed)
            if reason is not None:
                shown = host if str(address) == host else f"{host} ({address})"
                raise HttpRefused(
                    f"refused to fetch {redact_text(str(url))}: {shown} is {reason}; http_get only "
                    "reaches public addresses unless [builtins.http] allow_networks lists it"
                )
        return str(addresses[0])

    def _request(
        self, client: httpx.AsyncClient, url: httpx.URL, address: str, headers: dict[str, str]
    ) -> httpx.Request:
        host_header = url.netloc.decode("ascii")
        request_headers = {"User-Agent": self.limits.user_agent, **headers, "Host": host_header}
        extensions = {"sni_hostname": url.host} if url.scheme == "https" else {}
        return client.build_request(
            "GET", url.copy_with(host=address), headers=request_headers, extensions=extensions
        )

    async def _read(self, response: httpx.Response) -> bytes:
        cap = self.limits.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise HttpRefused(
                f"response from {redact_text(self.current)} is {int(declared):,} bytes; "
                f"the limit is {cap:,} ([builtins.http] max_bytes)"
            )
        chunks: list[bytes] = []
        size = 0
        try:
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > cap:
                    raise HttpRefused(
                        f"response from {redact_text(self.current)} is larger than {cap:,} bytes "
                        "([builtins.http] max_bytes); it was not read further"
                    )
                chunks.append(chunk)
        except httpx.TimeoutException:
            raise TimeoutError from None
        except httpx.HTTPError as exc:
            raise HttpFailed(f"reading {redact_text(self.current)} failed: {exc}") from None
        return b"".join(chunks)


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port


def _shape(response: httpx.Response, body: bytes, url: str) -> Any:
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type and not _is_text(content_type):
        raise HttpRefused(
            f"{redact_text(url)} returned {content_type} ({len(body):,} bytes); "
            "http_get returns text, JSON and HTML only"
        )
    if b"\x00" in body[:8192]:
        raise HttpRefused(f"{redact_text(url)} returned binary content; http_get returns text only")
    text = body.decode(response.encoding or "utf-8", errors="replace")
    value = _decode(content_type, text)
    if response.status_code >= 400:
        detail = text if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        raise HttpFailed(
            f"HTTP {response.status_code} {response.reason_phrase} from {redact_text(url)}: {detail[:1000]}"
        )
    return value


def _is_text(content_type: str) -> bool:
    return content_type.startswith(_TEXT_TYPES) or content_type.endswith(("json", "+xml", "html"))


def _decode(content_type: str, text: str) -> Any:
    if content_type.endswith("json"):
        try:
            return json.loads(text)
        except ValueError:
            return text
    if content_type in ("text/html", "application/xhtml+xml"):
        from nocp.formats.html import html_to_markdown

        return html_to_markdown(text)
    return text
