"""Rules for outbound requests (SSRF): which URLs Consenso may fetch and which addresses it may connect to.

Pure functions, no network: ``consenso.services.outbound`` resolves the host and connects; this module says
whether it may.

Addresses
---------
``refusal(address)`` answers ``None`` for an address of the public internet, otherwise the reason
(``Refusal``) it is refused. The tables follow the IANA IPv4 and IPv6 Special-Purpose Address Registries and
are spelled out here rather than read from ``ipaddress.is_global``/``is_private``, whose answers changed
between Python releases (3.11 calls ``::127.0.0.1``, ``fec0::1`` and ``192.0.0.192`` global):

============  =====================================================================================
reason        addresses
============  =====================================================================================
metadata      cloud instance metadata and platform endpoints (checked first: some sit inside the
              ranges below, some in public space): 169.254.169.254, 169.254.170.2, 169.254.170.23,
              100.100.100.200, 192.0.0.192, 168.63.129.16, fd00:ec2::254, fd00:ec2::23
unspecified   0.0.0.0, ``::`` (Linux connects them to the local host)
loopback      127.0.0.0/8, ``::1``
private       10/8, 172.16/12, 192.168/16, fc00::/7 (unique local), fec0::/10 (old site-local)
link_local    169.254/16, fe80::/10
shared        100.64/10 (carrier-grade NAT, RFC 6598)
multicast     224/4, ff00::/8
broadcast     255.255.255.255
reserved      0/8, 192.0.0/24, the documentation and benchmarking ranges, 192.88.99/24, 240/4;
              IPv6 outside 2000::/3, 2001::/23 (Teredo and protocol assignments), 2001:db8::/32,
              3fff::/20, 64:ff9b:1::/48 (local NAT64)
============  =====================================================================================

IPv6 forms that carry an IPv4 address are unwrapped and the IPv4 address is judged: IPv4-mapped
(``::ffff:a.b.c.d``), IPv4-compatible (``::a.b.c.d``), NAT64 (``64:ff9b::a.b.c.d``) and 6to4
(``2002:aabb:ccdd::``). So ``::ffff:127.0.0.1`` is refused as loopback, ``::ffff:8.8.8.8`` is allowed.

URLs
----
``parse_url(url)`` accepts ``http`` and ``https`` only, with a host, no user information (``user:pass@``) and
a port in 1..65535, and returns the parts the fetcher connects with (``Target``). Host names are
lower-cased, IDNA-encoded and stripped of a trailing dot. A host whose last label is a number is an IPv4
address in one of the legacy spellings the C library accepts (``2130706433``, ``0x7f.1``, ``017700000001``,
``127.1``), as in the WHATWG URL standard: it is turned into the address it means, so that it is judged as
that address and never handed to a resolver as a name.

Allow-list
----------
An operator may allow hosts the address rules refuse (``CONSENSO_OUTBOUND_ALLOW_HOSTS``): an entry is
``host`` (any port) or ``host:port``, compared exactly and case-insensitively with the URL's host after the
normalisation above (``[fd00::5]:8080`` for IPv6). There are no wildcards: ``example.org`` does not allow
``api.example.org``.

>>> from ipaddress import ip_address
>>> refusal(ip_address("::ffff:169.254.169.254"))
<Refusal.METADATA: 'metadata'>
>>> refusal(ip_address("93.184.215.14")) is None
True
>>> parse_url("http://2130706433:8080/x?y=1").address
IPv4Address('127.0.0.1')
"""

from __future__ import annotations

import enum
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from typing import Final
from urllib.parse import quote, urlsplit

from consenso.core.errors import InvalidInput

IPAddress = IPv4Address | IPv6Address

MAX_URL_LENGTH: Final = 2048
SCHEMES: Final = {"http": 80, "https": 443}


class Refusal(enum.StrEnum):
    """Why an address is refused (a stable code; ``message_key`` names it in the catalogs)."""

    METADATA = "metadata"
    UNSPECIFIED = "unspecified"
    LOOPBACK = "loopback"
    PRIVATE = "private"
    LINK_LOCAL = "link_local"
    SHARED = "shared"
    MULTICAST = "multicast"
    BROADCAST = "broadcast"
    RESERVED = "reserved"

    @property
    def message_key(self) -> str:
        return f"outbound_reason_{self.value}"


def _nets(*specs: str) -> tuple[IPv4Network | IPv6Network, ...]:
    return tuple(ip_network(spec) for spec in specs)


# Cloud metadata services and platform endpoints: AWS (IMDS and ECS/EKS credentials, IPv4 and IPv6), GCP and
# Azure (169.254.169.254), Azure's WireServer (in public space), Alibaba, Oracle.
METADATA: Final = frozenset(
    ip_address(a)
    for a in (
        "169.254.169.254",
        "169.254.170.2",
        "169.254.170.23",
        "100.100.100.200",
        "192.0.0.192",
        "168.63.129.16",
        "fd00:ec2::254",
        "fd00:ec2::23",
    )
)

# Checked in order: the first range that holds the address names the reason.
_V4_RULES: Final[tuple[tuple[Refusal, tuple[IPv4Network | IPv6Network, ...]], ...]] = (
    (Refusal.UNSPECIFIED, _nets("0.0.0.0/32")),
    (Refusal.LOOPBACK, _nets("127.0.0.0/8")),
    (Refusal.PRIVATE, _nets("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")),
    (Refusal.LINK_LOCAL, _nets("169.254.0.0/16")),
    (Refusal.SHARED, _nets("100.64.0.0/10")),
    (Refusal.MULTICAST, _nets("224.0.0.0/4")),
    (Refusal.BROADCAST, _nets("255.255.255.255/32")),
    (
        Refusal.RESERVED,
        _nets(
            "0.0.0.0/8",  # "this network"
            "192.0.0.0/24",  # IETF protocol assignments
            "192.0.2.0/24",  # documentation (TEST-NET-1)
            "192.88.99.0/24",  # 6to4 relay anycast (deprecated)
            "198.18.0.0/15",  # benchmarking
            "198.51.100.0/24",  # documentation (TEST-NET-2)
            "203.0.113.0/24",  # documentation (TEST-NET-3)
            "240.0.0.0/4",  # reserved for future use
        ),
    ),
)
_V6_RULES: Final[tuple[tuple[Refusal, tuple[IPv4Network | IPv6Network, ...]], ...]] = (
    (Refusal.UNSPECIFIED, _nets("::/128")),
    (Refusal.LOOPBACK, _nets("::1/128")),
    (Refusal.PRIVATE, _nets("fc00::/7", "fec0::/10")),
    (Refusal.LINK_LOCAL, _nets("fe80::/10")),
    (Refusal.MULTICAST, _nets("ff00::/8")),
    (
        Refusal.RESERVED,
        _nets(
            "64:ff9b:1::/48",  # local-use NAT64: where the IPv4 address sits depends on the local prefix
            "100::/64",  # discard-only
            "2001::/23",  # Teredo (2001::/32, its IPv4 addresses obfuscated) and IETF protocol assignments
            "2001:db8::/32",  # documentation
            "3fff::/20",  # documentation
        ),
    ),
)
_GLOBAL_UNICAST_V6: Final = ip_network("2000::/3")
_MAPPED: Final = ip_network("::ffff:0:0/96")
_COMPATIBLE: Final = ip_network("::/96")
_NAT64: Final = ip_network("64:ff9b::/96")


def embedded_ipv4(address: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, compatible, NAT64 or 6to4), or None."""
    if address in _MAPPED or address in _NAT64 or (address in _COMPATIBLE and int(address) > 1):
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour  # 2002:aabb:ccdd::/48 carries aa.bb.cc.dd


def refusal(address: IPAddress) -> Refusal | None:
    """Why Consenso must not connect to ``address``, or None for an address of the public internet."""
    if isinstance(address, IPv6Address) and address.scope_id:  # the zone names an interface, not an address
        address = IPv6Address(int(address))
    if address in METADATA:
        return Refusal.METADATA
    if isinstance(address, IPv6Address):
        inner = embedded_ipv4(address)
        if inner is not None:
            return refusal(inner)
        rules = _V6_RULES
    else:
        rules = _V4_RULES
    for reason, networks in rules:
        if any(address in network for network in networks):
            return reason
    if isinstance(address, IPv6Address) and address not in _GLOBAL_UNICAST_V6:
        return Refusal.RESERVED
    return None


# --- URLs ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    """A URL Consenso may try to fetch: where to connect and what to ask for."""

    scheme: str  # "http" or "https"
    host: str  # lower-case ASCII name without a trailing dot, or an IP address's canonical text
    port: int
    target: str  # the path and query, percent-encoded ASCII ("/" when the URL has none)
    address: IPAddress | None  # the host is this IP address (no name to resolve)

    @property
    def default_port(self) -> bool:
        return SCHEMES[self.scheme] == self.port

    @property
    def authority(self) -> str:
        """The ``Host`` header: the host (IPv6 in brackets), and the port unless it is the scheme's default."""
        host = f"[{self.host}]" if isinstance(self.address, IPv6Address) else self.host
        return host if self.default_port else f"{host}:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.authority}{self.target}"


_LABEL: Final = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
_NUMBER: Final = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)$")
_SCHEME: Final = re.compile(r"^[a-z][a-z0-9+.-]{0,30}$")
# characters left as they are when the path and query are percent-encoded (RFC 3986 reserved, unreserved, "%")
_SAFE: Final = "/?:@!$&'()*+,;=%-._~[]"


def _refuse(key: str, **params: object) -> InvalidInput:
    return InvalidInput(key, details={"reason": key.removeprefix("outbound_")}, **params)


def normalise_host(raw: str) -> tuple[str, IPAddress | None]:
    """The canonical host (see the module doc) and the IP address it is, if it is one; ValueError if bad."""
    if raw.startswith("[") and raw.endswith("]"):
        inner = raw[1:-1]
        if "%" in inner:  # a zone id names a local interface: nothing to fetch from
            raise ValueError("zone id")
        v6 = IPv6Address(inner)
        return str(v6), v6
    if not raw.isascii():
        raw = raw.encode("idna").decode("ascii")  # UnicodeError is a ValueError
    host = raw.lower()
    if host.endswith("."):
        host = host[:-1]
    if not host or len(host) > 253:
        raise ValueError("host length")
    labels = host.split(".")
    if not all(_LABEL.match(label) for label in labels):
        raise ValueError("host characters")
    if _NUMBER.match(labels[-1]):
        # an IPv4 address, perhaps in a legacy spelling: what the C library would make of it, or nothing
        try:
            v4 = IPv4Address(socket.inet_aton(host))
        except OSError:
            raise ValueError("not an IPv4 address") from None
        return str(v4), v4
    return host, None


def parse_url(url: str) -> Target:
    """``url`` as a ``Target``; ``InvalidInput`` (``outbound_url_*``, ``details.reason``) when refused."""
    if not url or len(url) > MAX_URL_LENGTH:
        raise _refuse("outbound_url_invalid", limit=MAX_URL_LENGTH)
    if any(ord(c) <= 0x20 or ord(c) == 0x7F for c in url):
        raise _refuse("outbound_url_invalid", limit=MAX_URL_LENGTH)
    try:
        parts = urlsplit(url)
    except ValueError:
        raise _refuse("outbound_url_invalid", limit=MAX_URL_LENGTH) from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        shown = scheme if _SCHEME.match(scheme) else "-"
        raise _refuse("outbound_scheme_refused", scheme=shown or "-")
    netloc = parts.netloc
    if "@" in netloc:
        raise _refuse("outbound_userinfo_refused")
    if "\\" in netloc:
        raise _refuse("outbound_host_invalid")
    raw_host, port_text = _split_authority(netloc)
    if not raw_host:
        raise _refuse("outbound_host_missing")
    try:
        host, address = normalise_host(raw_host)
    except ValueError:
        raise _refuse("outbound_host_invalid") from None
    if port_text is None:
        port = SCHEMES[scheme]
    elif port_text.isdigit() and port_text.isascii() and 1 <= int(port_text) <= 65535:
        port = int(port_text)
    else:
        raise _refuse("outbound_port_invalid")
    target = quote(parts.path or "/", safe=_SAFE)
    if parts.query:
        target += "?" + quote(parts.query, safe=_SAFE)
    return Target(scheme, host, port, target, address)


def _split_authority(netloc: str) -> tuple[str, str | None]:
    """``host`` and ``port`` (None when absent) of ``host[:port]`` or ``[v6][:port]``; the host keeps brackets."""
    if netloc.startswith("["):
        end = netloc.find("]")
        if end < 0:
            return "", None
        rest = netloc[end + 1 :]
        if rest and not rest.startswith(":"):
            return "", None
        return netloc[: end + 1], (rest[1:] if rest else None)
    host, colon, port = netloc.rpartition(":")
    if not colon:
        return netloc, None
    return host, port


# --- the allow-list --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AllowList:
    """Hosts an operator allows whatever their address: ``(host, None)`` any port, ``(host, port)`` one."""

    entries: frozenset[tuple[str, int | None]] = frozenset()

    @classmethod
    def of(cls, entries: Iterable[str]) -> AllowList:
        """Parse ``host`` / ``host:port`` entries (see the module doc); ValueError naming a bad one."""
        return cls(frozenset(allow_entry(entry) for entry in entries))

    def allows(self, target: Target) -> bool:
        return (target.host, None) in self.entries or (target.host, target.port) in self.entries


def allow_entry(entry: str) -> tuple[str, int | None]:
    """One allow-list entry, normalised like a URL's host; ValueError when it is not ``host[:port]``."""
    text = entry.strip()
    try:
        bare = IPv6Address(text)  # an IPv6 address without brackets and so without a port
    except ValueError:
        pass
    else:
        return str(bare), None
    if not text or any(c in text for c in "/?#@\\") or any(ord(c) <= 0x20 for c in text):
        raise ValueError(f"not host or host:port: {entry!r}")
    raw_host, port_text = _split_authority(text)
    try:
        host, _ = normalise_host(raw_host)
    except ValueError:
        raise ValueError(f"not a host name or IP address: {entry!r}") from None
    if port_text is None:
        return host, None
    if not (port_text.isascii() and port_text.isdigit() and 1 <= int(port_text) <= 65535):
        raise ValueError(f"not a port in 1..65535: {entry!r}")
    return host, int(port_text)


__all__ = [
    "METADATA",
    "AllowList",
    "IPAddress",
    "Refusal",
    "Target",
    "allow_entry",
    "embedded_ipv4",
    "normalise_host",
    "parse_url",
    "refusal",
]
