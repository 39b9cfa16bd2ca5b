"""The guarded outbound fetcher: every request Consenso makes to a URL someone gave it goes through ``fetch``.

A URL given by a user can point at the machine Consenso runs on, the private network around it or a cloud
metadata service (server-side request forgery, SSRF). ``fetch`` refuses those unless an administrator
allow-listed the host (``CONSENSO_OUTBOUND_ALLOW_HOSTS``), whatever spelling or trick the URL uses:

1. The URL is parsed by ``consenso.core.netguard.parse_url`` (http and https only, no ``user:pass@``, legacy
   IPv4 spellings such as ``2130706433`` turned into the address they mean).
2. The host is resolved ONCE, and EVERY address it resolves to is judged by ``netguard.refusal`` (a name that
   answers one public and one private address is refused: the next lookup could pick the other one). An
   allow-listed host skips this judgement; that is what allow-listing means.
3. The connection goes to the address that was judged, never to the name: the URL handed to httpx holds the
   IP address, the ``Host`` header the name, and for https the TLS handshake sends the name (SNI) and checks
   the certificate against it (httpx's ``sni_hostname`` extension; verification stays on). So a DNS answer
   that changes between the check and the connection (DNS rebinding) cannot send the request elsewhere.
4. Redirects are not followed by httpx but here, at most ``MAX_REDIRECTS``, each ``Location`` going through
   steps 1 to 3 again: an allow-listed host that redirects to a host that is not is judged again.
5. The whole fetch (every lookup, connection, redirect and byte) ends within ``timeout_seconds``
   (``anyio.fail_after``: a server that trickles one byte a second is stopped too). The body is written to
   ``sink`` while it streams and the fetch stops as soon as it passes ``max_bytes`` (and at once when
   ``Content-Length`` says it will). Only uncompressed answers are read (``Accept-Encoding: identity``; a
   compressed one is refused), so the cap counts the bytes that are stored and a small compressed body cannot
   expand into a large one.

No proxy from the environment is used (``trust_env=False``: a proxy would connect to whatever it is asked to,
past these checks), no cookie is kept between hops, and no credential is ever sent.

Errors are ``consenso.core.errors`` exceptions whose message names the host at most, never the address it
resolved to or what the server answered: ``InvalidInput`` (``outbound_url_*``, ``outbound_address_refused``
with the reason, ``outbound_unresolved``, ``outbound_connect_failed``, ``outbound_timeout``,
``outbound_bad_status``, ...), ``PayloadTooLarge`` (``outbound_too_large``) and ``UnsupportedMediaType``
(``outbound_encoding_refused``). Each carries ``details = {"reason": code without "outbound_", "host": host}``
(and ``address_kind``, a ``netguard.Refusal``, when an address is refused).
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from ipaddress import ip_address
from typing import IO, Final
from urllib.parse import urljoin

import anyio
import anyio.to_thread
import httpx

from consenso import __version__
from consenso.core.errors import ConsensoError, InvalidInput, PayloadTooLarge, UnsupportedMediaType
from consenso.core.netguard import AllowList, IPAddress, Target, parse_url, refusal
from consenso.settings import Settings

MAX_REDIRECTS: Final = 5
_REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})
_MAX_ADDRESSES: Final = 16

# ``resolver(host, port)``: the addresses ``host`` resolves to (called in a worker thread, once per hop)
Resolver = Callable[[str, int], Sequence[IPAddress]]


def system_resolver(host: str, port: int) -> list[IPAddress]:
    """The addresses the system resolver gives for ``host`` (TCP), without duplicates, in its order."""
    found: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        address = ip_address(sockaddr[0])
        if address not in found:
            found.append(address)
    return found


# The resolver ``fetch`` uses when given none (a module attribute so that tests can stand in for DNS).
resolve: Resolver = system_resolver


@dataclass(frozen=True, slots=True)
class Fetched:
    """What a successful fetch wrote to the sink, and where it finally came from."""

    content_type: str | None
    host: str  # the host of the URL that answered (after redirects)
    size: int
    redirects: int


@dataclass(slots=True)
class _Progress:
    host: str  # the host being fetched, for the timeout's message


def _fail(exc: ConsensoError, host: str, **more: str) -> ConsensoError:
    """``exc`` with the details every refusal carries: ``reason`` (its code without ``outbound_``) and ``host``."""
    exc.details = {"reason": exc.message_key.removeprefix("outbound_"), "host": host, **more}
    return exc


async def fetch(
    url: str,
    sink: IO[bytes],
    *,
    settings: Settings,
    max_bytes: int | None = None,
    timeout_seconds: float | None = None,
    resolver: Resolver | None = None,
    verify: ssl.SSLContext | None = None,
) -> Fetched:
    """GET ``url`` under the rules of the module doc, writing the body to ``sink``; raises a ConsensoError.

    ``verify``: the TLS trust for https (default: httpx's, the certifi bundle; certificates are always checked).
    """
    limit = settings.outbound_max_bytes if max_bytes is None else max_bytes
    seconds = settings.outbound_timeout_seconds if timeout_seconds is None else timeout_seconds
    allow = AllowList.of(settings.outbound_allow_hosts)
    target = parse_url(url)
    progress = _Progress(target.host)
    try:
        with anyio.fail_after(seconds):
            return await _follow(target, sink, allow, limit, resolver or resolve, progress, seconds, verify)
    except TimeoutError:
        shown = f"{seconds:g}"
        raise _fail(
            InvalidInput("outbound_timeout", host=progress.host, seconds=shown), progress.host
        ) from None


async def _follow(
    target: Target,
    sink: IO[bytes],
    allow: AllowList,
    limit: int,
    resolver: Resolver,
    progress: _Progress,
    seconds: float,
    verify: ssl.SSLContext | None,
) -> Fetched:
    # httpx's own timeouts (per connect and per read) are only a backstop: a little longer than the deadline of
    # ``fetch``, so that the deadline always fires first and a slow server is reported as a timeout
    timeout = httpx.Timeout(seconds + 5)
    async with httpx.AsyncClient(
        trust_env=False,
        follow_redirects=False,
        timeout=timeout,
        verify=verify if verify is not None else True,
    ) as client:
        for hop in range(MAX_REDIRECTS + 1):
            progress.host = target.host
            addresses = await _addresses(target, allow, resolver)
            response = await _send(client, target, addresses)
            try:
                if response.status_code in _REDIRECTS:
                    target = _redirect(target, response)
                    continue
                if not 200 <= response.status_code < 300:
                    raise _fail(
                        InvalidInput("outbound_bad_status", host=target.host, status=response.status_code),
                        target.host,
                    )
                size = await _read(response, sink, limit, target.host)
                return Fetched(response.headers.get("content-type"), target.host, size, hop)
            finally:
                await response.aclose()
    raise _fail(InvalidInput("outbound_too_many_redirects", limit=MAX_REDIRECTS), target.host)


async def _addresses(target: Target, allow: AllowList, resolver: Resolver) -> list[IPAddress]:
    """The addresses to connect to: resolved once, every one of them judged unless the host is allowed."""
    if target.address is not None:
        addresses: list[IPAddress] = [target.address]
    else:
        try:
            found = await anyio.to_thread.run_sync(resolver, target.host, target.port, abandon_on_cancel=True)
        except (OSError, UnicodeError, ValueError):
            found = []
        addresses = list(dict.fromkeys(found))[:_MAX_ADDRESSES]
        if not addresses:
            raise _fail(InvalidInput("outbound_unresolved", host=target.host), target.host)
    if allow.allows(target):
        return addresses
    for address in addresses:
        reason = refusal(address)
        if reason is not None:
            refused = InvalidInput(
                "outbound_address_refused", host=target.host, reason_key=reason.message_key
            )
            raise _fail(refused, target.host, address_kind=reason.value)
    return addresses


async def _send(client: httpx.AsyncClient, target: Target, addresses: list[IPAddress]) -> httpx.Response:
    """Send the GET to the first of ``addresses`` that accepts a connection (with the name in Host and SNI)."""
    headers = {
        "Host": target.authority,
        "Accept-Encoding": "identity",
        "User-Agent": f"Consenso/{__version__}",
    }
    extensions = {"sni_hostname": target.host} if target.scheme == "https" and target.address is None else {}
    client.cookies.clear()  # nothing one hop set travels to the next
    for address in addresses:
        url = httpx.URL(
            scheme=target.scheme,
            host=str(address),
            port=target.port,
            raw_path=target.target.encode("ascii"),
        )
        request = client.build_request("GET", url, headers=headers, extensions=extensions)
        try:
            return await client.send(request, stream=True)
        except (httpx.ConnectError, httpx.ConnectTimeout):
            continue  # refused or unreachable (or a certificate not valid for the host): the next address
        except httpx.TransportError:
            raise _fail(InvalidInput("outbound_failed", host=target.host), target.host) from None
    raise _fail(InvalidInput("outbound_connect_failed", host=target.host), target.host)


def _redirect(current: Target, response: httpx.Response) -> Target:
    location = response.headers.get("location", "").strip()
    if not location:
        raise _fail(InvalidInput("outbound_bad_redirect", host=current.host), current.host)
    try:
        joined = urljoin(current.url, location)
    except ValueError:
        raise _fail(InvalidInput("outbound_bad_redirect", host=current.host), current.host) from None
    return parse_url(joined)


async def _read(response: httpx.Response, sink: IO[bytes], limit: int, host: str) -> int:
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        shown = encoding if encoding.isascii() and encoding.isprintable() and len(encoding) <= 40 else "-"
        raise _fail(UnsupportedMediaType("outbound_encoding_refused", host=host, encoding=shown), host)
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _fail(PayloadTooLarge("outbound_too_large", host=host, limit=limit), host)
    size = 0
    try:
        async for chunk in response.aiter_raw():
            size += len(chunk)
            if size > limit:
                raise _fail(PayloadTooLarge("outbound_too_large", host=host, limit=limit), host)
            sink.write(chunk)
    except httpx.TransportError:
        raise _fail(InvalidInput("outbound_failed", host=host), host) from None
    return size


__all__ = ["MAX_REDIRECTS", "Fetched", "Resolver", "fetch", "resolve", "system_resolver"]
