"""consenso.services.outbound.fetch against real listeners on 127.0.0.1: refused addresses are never connected to,
the resolved address is the one connected to (Host and TLS name kept), redirects are judged again, size and
time are capped, and every refusal is a ConsensoError naming the host only."""

from __future__ import annotations

import datetime
import io
import socket
import ssl
from collections.abc import Awaitable, Callable, Sequence
from ipaddress import ip_address
from pathlib import Path
from typing import Any, TypeVar

import anyio
import anyio.from_thread
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import ValidationError

from consenso.core.errors import ConsensoError, InvalidInput, PayloadTooLarge, UnsupportedMediaType
from consenso.core.netguard import IPAddress
from consenso.services import outbound
from consenso.settings import Settings
from tests.outbound_listener import Listener, Reply

_T = TypeVar("_T")

NDJSON = b'{"data": {"text": "uno"}}\n{"data": {"text": "dos"}}\n'


def _settings(tmp_path: Path, *allow: str, **more: Any) -> Settings:
    return Settings(data_dir=tmp_path, environment="test", outbound_allow_hosts=allow, **more)


class Resolver:
    """A stand-in for DNS: fixed answers per name, and a count of the lookups."""

    def __init__(self, answers: dict[str, Sequence[str]]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, int]] = []

    def __call__(self, host: str, port: int) -> list[IPAddress]:
        self.calls.append((host, port))
        if host not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [ip_address(a) for a in self.answers[host]]


def _run(function: Callable[[], Awaitable[_T]]) -> _T:
    """Run a coroutine function to completion in an event loop of its own thread: this thread may already
    have one (Playwright's sync API keeps its loop on the main thread once an end-to-end test has run)."""
    with anyio.from_thread.start_blocking_portal() as portal:
        return portal.call(function)


def _fetch(url: str, settings: Settings, **kw: Any) -> tuple[outbound.Fetched, bytes]:
    sink = io.BytesIO()

    async def run() -> outbound.Fetched:
        return await outbound.fetch(url, sink, settings=settings, **kw)

    fetched = _run(run)
    return fetched, sink.getvalue()


def _refused(url: str, settings: Settings, **kw: Any) -> ConsensoError:
    with pytest.raises(ConsensoError) as caught:
        _fetch(url, settings, **kw)
    return caught.value


# --- allowed fetches ------------------------------------------------------------------------------------------


def test_an_allow_listed_host_is_fetched_with_its_body_and_content_type(tmp_path: Path) -> None:
    with Listener(Reply(200, NDJSON, "application/x-ndjson")) as site:
        fetched, body = _fetch(
            site.url("/tasks.jsonl?token=s3cret"), _settings(tmp_path, f"127.0.0.1:{site.port}")
        )
    assert fetched == outbound.Fetched("application/x-ndjson", "127.0.0.1", len(NDJSON), 0)
    assert body == NDJSON
    assert (site.connections, site.paths, site.hosts) == (
        1,
        ["/tasks.jsonl?token=s3cret"],
        [f"127.0.0.1:{site.port}"],
    )


def test_the_name_is_resolved_once_and_the_checked_address_is_the_one_connected_to(tmp_path: Path) -> None:
    """A name only the injected resolver knows: the request reaches the listener, so httpx connected to the
    address the resolver gave (it never resolved the name itself), and the Host header keeps the name."""
    dns = Resolver({"data.example.test": ["127.0.0.1"]})
    with Listener(Reply(200, NDJSON, "application/x-ndjson")) as site:
        fetched, body = _fetch(
            f"http://Data.Example.TEST.:{site.port}/x", _settings(tmp_path, "data.example.test"), resolver=dns
        )
    assert (fetched.host, body) == ("data.example.test", NDJSON)
    assert dns.calls == [("data.example.test", site.port)]
    assert site.hosts == [f"data.example.test:{site.port}"]


def test_an_allow_list_entry_with_a_port_allows_that_port_only(tmp_path: Path) -> None:
    with Listener(Reply(200, NDJSON)) as site:
        error = _refused(site.url(), _settings(tmp_path, f"127.0.0.1:{site.port + 1}"))
    assert (error.message_key, error.details) == (
        "outbound_address_refused",
        {"reason": "address_refused", "host": "127.0.0.1", "address_kind": "loopback"},
    )
    assert site.connections == 0


def test_a_relative_redirect_on_an_allow_listed_host_is_followed(tmp_path: Path) -> None:
    def reply(path: str) -> Reply:
        if path == "/start":
            return Reply(302, headers={"Location": "/data.csv"})
        return Reply(200, b"text\nhola\n", "text/csv")

    with Listener(reply) as site:
        fetched, body = _fetch(site.url("/start"), _settings(tmp_path, f"127.0.0.1:{site.port}"))
    assert (fetched.content_type, fetched.redirects, body) == ("text/csv", 1, b"text\nhola\n")
    assert site.paths == ["/start", "/data.csv"]


# --- refusals: nothing is connected to ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("localhost", "loopback"),
        ("[::1]", "loopback"),
        ("[::ffff:127.0.0.1]", "loopback"),
        ("2130706433", "loopback"),
        ("0x7f.1", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("169.254.169.254", "metadata"),
        ("[fd00:ec2::254]", "metadata"),
        ("10.0.0.1", "private"),
    ],
)
def test_a_refused_address_is_never_connected_to(tmp_path: Path, host: str, kind: str) -> None:
    with Listener(Reply(200, NDJSON)) as site:
        error = _refused(site.url("/x", host=host), _settings(tmp_path))
    assert isinstance(error, InvalidInput)
    assert error.message_key == "outbound_address_refused"
    assert error.details["address_kind"] == kind
    assert site.connections == 0


def test_a_name_with_one_refused_address_among_public_ones_is_refused(tmp_path: Path) -> None:
    """Every address is judged: the next lookup (or a retry on another address) could pick the private one."""
    dns = Resolver({"mixed.example.test": ["93.184.215.14", "127.0.0.1"]})
    with Listener(Reply(200, NDJSON)) as site:
        error = _refused(f"http://mixed.example.test:{site.port}/", _settings(tmp_path), resolver=dns)
    assert (error.message_key, error.details["address_kind"]) == ("outbound_address_refused", "loopback")
    assert site.connections == 0


def test_a_redirect_from_an_allow_listed_host_to_another_is_judged_again(tmp_path: Path) -> None:
    with (
        Listener(Reply(200, b"secret")) as inner,
        Listener(Reply(302, headers={"Location": inner.url("/admin")})) as first,
    ):
        error = _refused(first.url("/"), _settings(tmp_path, f"127.0.0.1:{first.port}"))
    assert (error.message_key, error.details["address_kind"]) == ("outbound_address_refused", "loopback")
    assert (first.connections, inner.connections) == (1, 0)


def test_a_redirect_to_a_non_http_scheme_is_refused(tmp_path: Path) -> None:
    with Listener(Reply(301, headers={"Location": "file:///etc/passwd"})) as site:
        error = _refused(site.url(), _settings(tmp_path, f"127.0.0.1:{site.port}"))
    assert (error.message_key, error.params) == ("outbound_scheme_refused", {"scheme": "file"})


def test_more_than_five_redirects_are_refused(tmp_path: Path) -> None:
    with Listener(lambda path: Reply(302, headers={"Location": f"/hop{len(path)}"})) as site:
        error = _refused(site.url("/"), _settings(tmp_path, f"127.0.0.1:{site.port}"))
    assert (error.message_key, error.params) == (
        "outbound_too_many_redirects",
        {"limit": outbound.MAX_REDIRECTS},
    )
    assert len(site.paths) == outbound.MAX_REDIRECTS + 1


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("file:///etc/passwd", "outbound_scheme_refused"),
        ("gopher://127.0.0.1:70/_x", "outbound_scheme_refused"),
        ("ftp://example.test/x.csv", "outbound_scheme_refused"),
        ("dict://127.0.0.1:11211/stat", "outbound_scheme_refused"),
        ("http://user:pass@example.test/", "outbound_userinfo_refused"),
        ("http://example.test@127.0.0.1/", "outbound_userinfo_refused"),
        ("http:///x", "outbound_host_missing"),
        ("http://example.test:0/", "outbound_port_invalid"),
        ("http://example.test:99999/", "outbound_port_invalid"),
        ("http://exa mple.test/", "outbound_url_invalid"),
        ("http://1.2.3.4.5/", "outbound_host_invalid"),
        ("http://[fe80::1%25eth0]/", "outbound_host_invalid"),
    ],
)
def test_urls_outside_the_rules_are_refused_before_any_lookup(tmp_path: Path, url: str, key: str) -> None:
    dns = Resolver({"example.test": ["127.0.0.1"]})
    error = _refused(url, _settings(tmp_path, "example.test", "127.0.0.1"), resolver=dns)
    assert error.message_key == key
    assert dns.calls == []


def test_an_unknown_name_is_refused_as_unresolved(tmp_path: Path) -> None:
    error = _refused("http://nowhere.example.test/", _settings(tmp_path), resolver=Resolver({}))
    assert (error.message_key, error.details) == (
        "outbound_unresolved",
        {"reason": "unresolved", "host": "nowhere.example.test"},
    )


def test_the_message_names_the_host_and_never_the_address_it_resolved_to(tmp_path: Path) -> None:
    dns = Resolver({"intranet.example.test": ["10.20.30.40"]})
    error = _refused("http://intranet.example.test/", _settings(tmp_path), resolver=dns)
    assert error.message("en") == (
        "intranet.example.test is not fetched: it is a private network address. An administrator may allow "
        "the host (CONSENSO_OUTBOUND_ALLOW_HOSTS)."
    )
    assert error.message("es") == (
        "No se obtiene intranet.example.test: es una dirección de red privada. Un administrador puede permitir "
        "el host (CONSENSO_OUTBOUND_ALLOW_HOSTS)."
    )


# --- caps -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_over_the_limit_is_refused_and_not_read_to_the_end(tmp_path: Path, chunked: bool) -> None:
    big = b'{"data": {"text": "x"}}\n' * 20_000  # 480 kB
    sink = io.BytesIO()

    async def run() -> outbound.Fetched:
        return await outbound.fetch(
            site.url(), sink, settings=_settings(tmp_path, f"127.0.0.1:{site.port}"), max_bytes=100_000
        )

    with (
        Listener(Reply(200, big, "application/x-ndjson", chunked=chunked)) as site,
        pytest.raises(PayloadTooLarge) as caught,
    ):
        _run(run)
    assert (caught.value.message_key, caught.value.params) == (
        "outbound_too_large",
        {"host": "127.0.0.1", "limit": 100_000},
    )
    assert len(sink.getvalue()) <= 100_000


def test_a_server_that_stalls_is_given_up_on_at_the_timeout(tmp_path: Path) -> None:
    with Listener(Reply(stall=True)) as site:
        error = _refused(site.url(), _settings(tmp_path, f"127.0.0.1:{site.port}"), timeout_seconds=0.5)
    assert (error.message_key, error.params) == ("outbound_timeout", {"host": "127.0.0.1", "seconds": "0.5"})
    assert site.connections == 1


def test_a_compressed_answer_is_refused(tmp_path: Path) -> None:
    with Listener(
        Reply(200, b"\x1f\x8b...", "application/x-ndjson", headers={"Content-Encoding": "gzip"})
    ) as site:
        error = _refused(site.url(), _settings(tmp_path, f"127.0.0.1:{site.port}"))
    assert isinstance(error, UnsupportedMediaType)
    assert (error.message_key, error.params) == (
        "outbound_encoding_refused",
        {"host": "127.0.0.1", "encoding": "gzip"},
    )


def test_an_error_status_is_refused_with_the_status(tmp_path: Path) -> None:
    with Listener(Reply(404, b"no")) as site:
        error = _refused(site.url(), _settings(tmp_path, f"127.0.0.1:{site.port}"))
    assert (error.message_key, error.params) == ("outbound_bad_status", {"host": "127.0.0.1", "status": 404})


def test_a_closed_port_is_a_connection_failure(tmp_path: Path) -> None:
    with Listener() as site:
        port = site.port
    error = _refused(f"http://127.0.0.1:{port}/", _settings(tmp_path, "127.0.0.1"))
    assert (error.message_key, error.details) == (
        "outbound_connect_failed",
        {"reason": "connect_failed", "host": "127.0.0.1"},
    )


# --- TLS: connect to the address, verify the certificate against the name -------------------------------------


def _certificate(name: str, folder: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A CA and a server certificate for ``name``: the server's context and a client context trusting the CA."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Consenso test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = leaf.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    bundle = folder / "server.pem"
    bundle.write_bytes(pem)
    server.load_cert_chain(bundle)
    client = ssl.create_default_context(cadata=ca.public_bytes(serialization.Encoding.PEM).decode())
    return server, client


@pytest.fixture(scope="module")
def tls_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    return _certificate("data.example.test", tmp_path_factory.mktemp("tls"))


def test_https_connects_to_the_resolved_address_and_checks_the_certificate_against_the_name(
    tmp_path: Path, tls_pair: tuple[ssl.SSLContext, ssl.SSLContext]
) -> None:
    server, client = tls_pair
    dns = Resolver({"data.example.test": ["127.0.0.1"]})
    with Listener(Reply(200, NDJSON, "application/x-ndjson"), tls=server) as site:
        fetched, body = _fetch(
            f"https://data.example.test:{site.port}/t.jsonl",
            _settings(tmp_path, "data.example.test"),
            resolver=dns,
            verify=client,
        )
    assert (fetched.host, body, site.hosts) == (
        "data.example.test",
        NDJSON,
        [f"data.example.test:{site.port}"],
    )


@pytest.mark.parametrize("name", ["other.example.test", "127.0.0.1"])
def test_https_refuses_a_certificate_for_another_name(
    tmp_path: Path, tls_pair: tuple[ssl.SSLContext, ssl.SSLContext], name: str
) -> None:
    server, client = tls_pair
    dns = Resolver({"other.example.test": ["127.0.0.1"]})
    with Listener(Reply(200, NDJSON), tls=server) as site:
        error = _refused(
            f"https://{name}:{site.port}/", _settings(tmp_path, name), resolver=dns, verify=client
        )
    assert error.message_key == "outbound_connect_failed"
    assert site.paths == []


# --- settings ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "entry", ["http://example.test", "example.test/x", "user@example.test", "example.test:0", ""]
)
def test_a_malformed_allow_list_entry_stops_the_settings(tmp_path: Path, entry: str) -> None:
    with pytest.raises(ValidationError, match="outbound_allow_hosts"):
        _settings(tmp_path, entry)


def test_the_outbound_settings_have_safe_defaults(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert (
        settings.outbound_allow_hosts,
        settings.outbound_max_bytes,
        settings.outbound_timeout_seconds,
    ) == (
        (),
        100 * 1024 * 1024,
        30.0,
    )
