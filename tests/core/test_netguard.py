"""consenso.core.netguard: the address classes refused (with their reason), IPv6 forms unwrapped to the IPv4 address
they carry, URL rules, legacy IPv4 spellings, and allow-list entries."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address, ip_address

import pytest

from consenso.core.errors import InvalidInput
from consenso.core.messages import CATALOG
from consenso.core.netguard import (
    METADATA,
    AllowList,
    Refusal,
    Target,
    allow_entry,
    embedded_ipv4,
    parse_url,
    refusal,
)

REFUSED = [
    # metadata first, even inside another class (link-local, CGNAT, unique local) or in public space
    ("169.254.169.254", Refusal.METADATA),
    ("169.254.170.2", Refusal.METADATA),
    ("100.100.100.200", Refusal.METADATA),
    ("192.0.0.192", Refusal.METADATA),
    ("168.63.129.16", Refusal.METADATA),
    ("fd00:ec2::254", Refusal.METADATA),
    ("0.0.0.0", Refusal.UNSPECIFIED),
    ("::", Refusal.UNSPECIFIED),
    ("127.0.0.1", Refusal.LOOPBACK),
    ("127.255.255.254", Refusal.LOOPBACK),
    ("::1", Refusal.LOOPBACK),
    ("10.0.0.1", Refusal.PRIVATE),
    ("172.16.0.1", Refusal.PRIVATE),
    ("172.31.255.255", Refusal.PRIVATE),
    ("192.168.1.1", Refusal.PRIVATE),
    ("fc00::1", Refusal.PRIVATE),
    ("fd12:3456::1", Refusal.PRIVATE),
    ("fec0::1", Refusal.PRIVATE),
    ("169.254.0.1", Refusal.LINK_LOCAL),
    ("fe80::1", Refusal.LINK_LOCAL),
    ("fe80::1%eth0", Refusal.LINK_LOCAL),
    ("100.64.0.1", Refusal.SHARED),
    ("100.127.255.254", Refusal.SHARED),
    ("224.0.0.1", Refusal.MULTICAST),
    ("239.255.255.250", Refusal.MULTICAST),
    ("ff02::1", Refusal.MULTICAST),
    ("ff0e::1", Refusal.MULTICAST),
    ("255.255.255.255", Refusal.BROADCAST),
    ("0.1.2.3", Refusal.RESERVED),
    ("192.0.0.8", Refusal.RESERVED),
    ("192.0.2.1", Refusal.RESERVED),
    ("198.18.0.1", Refusal.RESERVED),
    ("198.51.100.1", Refusal.RESERVED),
    ("203.0.113.1", Refusal.RESERVED),
    ("240.0.0.1", Refusal.RESERVED),
    ("2001:db8::1", Refusal.RESERVED),
    ("2001::1", Refusal.RESERVED),  # Teredo
    ("64:ff9b:1::1", Refusal.RESERVED),
    ("100::1", Refusal.RESERVED),
    ("4000::1", Refusal.RESERVED),  # outside 2000::/3
    # IPv6 forms carrying an IPv4 address are judged by that address
    ("::ffff:127.0.0.1", Refusal.LOOPBACK),
    ("::ffff:10.1.2.3", Refusal.PRIVATE),
    ("::ffff:169.254.169.254", Refusal.METADATA),
    ("::127.0.0.1", Refusal.LOOPBACK),  # IPv4-compatible (deprecated)
    ("64:ff9b::7f00:1", Refusal.LOOPBACK),  # NAT64
    ("64:ff9b::a9fe:a9fe", Refusal.METADATA),
    ("2002:7f00:1::", Refusal.LOOPBACK),  # 6to4 of 127.0.0.1
    ("2002:c0a8:101::1", Refusal.PRIVATE),  # 6to4 of 192.168.1.1
    ("2002:a9fe:a9fe::", Refusal.METADATA),
]

ALLOWED = [
    "8.8.8.8",
    "93.184.215.14",
    "172.15.255.255",  # just below 172.16/12
    "172.32.0.0",  # just above
    "100.63.255.255",  # just below 100.64/10
    "100.128.0.0",  # just above
    "169.253.255.255",
    "2606:4700:4700::1111",
    "2a00:1450:4001::200e",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
    "2002:808:808::1",
]


@pytest.mark.parametrize(("address", "reason"), REFUSED, ids=[a for a, _ in REFUSED])
def test_special_purpose_addresses_are_refused_with_their_reason(address: str, reason: Refusal) -> None:
    assert refusal(ip_address(address)) is reason


@pytest.mark.parametrize("address", ALLOWED)
def test_public_addresses_are_allowed(address: str) -> None:
    assert refusal(ip_address(address)) is None


def test_every_metadata_address_is_refused_as_metadata_also_when_mapped() -> None:
    for address in METADATA:
        assert refusal(address) is Refusal.METADATA
        if isinstance(address, IPv4Address):
            assert refusal(IPv6Address(f"::ffff:{address}")) is Refusal.METADATA


@pytest.mark.parametrize(
    ("address", "inner"),
    [
        ("::ffff:1.2.3.4", "1.2.3.4"),
        ("::1.2.3.4", "1.2.3.4"),
        ("64:ff9b::102:304", "1.2.3.4"),
        ("2002:102:304::", "1.2.3.4"),
        ("::1", None),
        ("::", None),
        ("2606:4700::1", None),
    ],
)
def test_embedded_ipv4_unwraps_mapped_compatible_nat64_and_6to4(address: str, inner: str | None) -> None:
    found = embedded_ipv4(IPv6Address(address))
    assert found == (IPv4Address(inner) if inner else None)


def test_every_reason_has_a_message_in_both_languages() -> None:
    for reason in Refusal:
        assert set(CATALOG[reason.message_key]) == {"en", "es"}


# --- URLs ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://Data.Example.ORG/x.jsonl", Target("https", "data.example.org", 443, "/x.jsonl", None)),
        ("http://data.example.org.:8080", Target("http", "data.example.org", 8080, "/", None)),
        ("HTTP://example.org/a?b=1&c=%20#frag", Target("http", "example.org", 80, "/a?b=1&c=%20", None)),
        ("http://example.org/ñ?q=é", Target("http", "example.org", 80, "/%C3%B1?q=%C3%A9", None)),
        ("http://bücher.example/", Target("http", "xn--bcher-kva.example", 80, "/", None)),
        ("http://[::1]:9/", Target("http", "::1", 9, "/", IPv6Address("::1"))),
        (
            "http://[::ffff:127.0.0.1]/",
            Target("http", "::ffff:7f00:1", 80, "/", IPv6Address("::ffff:7f00:1")),
        ),
        # legacy IPv4 spellings become the address they mean (WHATWG "ends in a number")
        ("http://2130706433/", Target("http", "127.0.0.1", 80, "/", IPv4Address("127.0.0.1"))),
        ("http://017700000001/", Target("http", "127.0.0.1", 80, "/", IPv4Address("127.0.0.1"))),
        ("http://0x7f000001/", Target("http", "127.0.0.1", 80, "/", IPv4Address("127.0.0.1"))),
        ("http://0x7f.1/", Target("http", "127.0.0.1", 80, "/", IPv4Address("127.0.0.1"))),
        ("http://127.1:81/", Target("http", "127.0.0.1", 81, "/", IPv4Address("127.0.0.1"))),
        (
            "http://0251.0376.0251.0376/",
            Target("http", "169.254.169.254", 80, "/", IPv4Address("169.254.169.254")),
        ),
    ],
)
def test_parse_url_normalises_the_host_and_keeps_path_and_query(url: str, expected: Target) -> None:
    assert parse_url(url) == expected


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("file:///etc/passwd", "outbound_scheme_refused"),
        ("gopher://localhost:25/_HELO", "outbound_scheme_refused"),
        ("ftp://example.org/a.csv", "outbound_scheme_refused"),
        ("javascript:alert(1)", "outbound_scheme_refused"),
        ("data:text/csv,a", "outbound_scheme_refused"),
        ("//example.org/x", "outbound_scheme_refused"),
        ("http://user:pw@example.org/", "outbound_userinfo_refused"),
        ("http://@example.org/", "outbound_userinfo_refused"),
        ("http://example.org\\@127.0.0.1/", "outbound_userinfo_refused"),
        ("http://example.org\\.127.0.0.1/", "outbound_host_invalid"),
        ("http://", "outbound_host_missing"),
        ("http://:80/", "outbound_host_missing"),
        ("http://exa_mple..org/", "outbound_host_invalid"),
        ("http://%31%32%37.0.0.1/", "outbound_host_invalid"),
        ("http://1.2.3.4.5/", "outbound_host_invalid"),
        ("http://0x100000000/", "outbound_host_invalid"),
        ("http://[::1/", "outbound_url_invalid"),
        ("http://[fe80::1%25eth0]/", "outbound_host_invalid"),
        ("http://example.org:0/", "outbound_port_invalid"),
        ("http://example.org:65536/", "outbound_port_invalid"),
        ("http://example.org:8o/", "outbound_port_invalid"),
        ("http://example.org:/", "outbound_port_invalid"),
        ("http://example.org/a b", "outbound_url_invalid"),
        ("http://example.org/\r\nX-Injected: 1", "outbound_url_invalid"),
        ("", "outbound_url_invalid"),
        ("http://example.org/" + "a" * 2048, "outbound_url_invalid"),
    ],
)
def test_parse_url_refuses_what_the_rules_forbid(url: str, key: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_url(url)
    assert caught.value.message_key == key
    assert caught.value.details == {"reason": key.removeprefix("outbound_")}


def test_a_refused_scheme_is_named_only_when_it_looks_like_one() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_url("gopher://x/")
    assert caught.value.params == {"scheme": "gopher"}


def test_the_host_header_and_url_of_a_target() -> None:
    assert parse_url("https://example.org:443/x").authority == "example.org"
    assert parse_url("http://[::1]:8080/x").authority == "[::1]:8080"
    assert parse_url("http://[::1]:8080/x?y").url == "http://[::1]:8080/x?y"


# --- allow-list ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "normalised"),
    [
        ("data.example.org", ("data.example.org", None)),
        (" Data.Example.ORG. ", ("data.example.org", None)),
        ("data.example.org:8443", ("data.example.org", 8443)),
        ("10.0.0.5", ("10.0.0.5", None)),
        ("10.0.0.5:9000", ("10.0.0.5", 9000)),
        ("2130706433:80", ("127.0.0.1", 80)),
        ("fd00::5", ("fd00::5", None)),
        ("[fd00::5]", ("fd00::5", None)),
        ("[FD00::5]:8080", ("fd00::5", 8080)),
    ],
)
def test_allow_entries_are_normalised_like_url_hosts(entry: str, normalised: tuple[str, int | None]) -> None:
    assert allow_entry(entry) == normalised


@pytest.mark.parametrize(
    "entry",
    [
        "",
        "http://example.org",
        "example.org/x",
        "u@example.org",
        "example.org:0",
        "example.org:x",
        "*.example.org",
    ],
)
def test_malformed_allow_entries_are_refused(entry: str) -> None:
    with pytest.raises(ValueError):
        allow_entry(entry)


def test_the_allow_list_matches_host_and_port_exactly() -> None:
    allow = AllowList.of(["data.example.org", "10.0.0.5:9000", "[fd00::5]:80"])
    assert allow.allows(parse_url("https://DATA.example.org:8443/x"))
    assert allow.allows(parse_url("http://10.0.0.5:9000/"))
    assert allow.allows(parse_url("http://[fd00::5]/"))
    assert not allow.allows(parse_url("http://10.0.0.5:9001/"))
    assert not allow.allows(parse_url("http://10.0.0.5/"))
    assert not allow.allows(parse_url("http://api.data.example.org/"))  # no wildcards
    assert not allow.allows(parse_url("http://example.org/"))
    assert not AllowList().allows(parse_url("http://data.example.org/"))
