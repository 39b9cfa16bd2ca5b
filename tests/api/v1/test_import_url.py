"""POST /api/v1/projects/{id}/tasks/import-url: tasks fetched from an http(s) URL under the outbound rules.

THE SSRF test: a real listener on 127.0.0.1, asked for through every spelling of a local address (and a name
that resolves to one) must receive no connection at all, and nothing is imported. Then: a redirect from an
allow-listed host to one that is not is refused before the second host is reached; an allow-listed host's
JSONL is imported and audited with the host only; the size and time caps; schemes other than http(s); and a
caller who may not import makes Consenso fetch nothing.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from consenso.api.app import create_app
from consenso.core.netguard import IPAddress
from consenso.services import outbound
from consenso.settings import Settings
from consenso.store.database import Database
from consenso.store.models import AuditEvent, Task
from tests.api.v1.assertions import assert_error
from tests.conftest import World
from tests.outbound_listener import Listener, Reply

NDJSON = b'{"data": {"text": "de la web"}}\n{"data": {"text": "desde una URL"}, "meta": {"src": "url"}}\n'


@contextmanager
def _client(db: Database, tmp_path: Path, *allow: str, **more: Any) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path / "data", environment="test", outbound_allow_hosts=allow, **more)
    with TestClient(create_app(settings, db=db), raise_server_exceptions=False) as client:
        yield client


def _url(world: World) -> str:
    return f"/api/v1/projects/{world.project_id}/tasks/import-url"


def _tasks(db: Database, project_id: int) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    with db.read() as session:
        rows = session.scalars(select(Task).where(Task.project_id == project_id).order_by(Task.id))
        return [(t.data, t.meta) for t in rows]


def _events(db: Database, action: str) -> list[AuditEvent]:
    with db.read() as session:
        return list(
            session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
        )


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Names the test resolves (added by each test), the system resolver for every other name."""
    answers: dict[str, list[str]] = {}

    def resolve(host: str, port: int) -> list[IPAddress]:
        if host in answers:
            return [ip_address(a) for a in answers[host]]
        if host.endswith(".example.test"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return outbound.system_resolver(host, port)

    monkeypatch.setattr(outbound, "resolve", resolve)
    return answers


# --- (a) THE SSRF test -----------------------------------------------------------------------------------------


def test_no_spelling_of_a_local_address_reaches_a_listener_on_127_0_0_1(
    db: Database, world: World, tmp_path: Path, dns: dict[str, list[str]]
) -> None:
    dns["internal.example.test"] = ["127.0.0.1"]
    dns["rebound.example.test"] = [
        "93.184.215.14",
        "127.0.0.1",
    ]  # one public answer does not launder the other
    before = _tasks(db, world.project_id)
    with Listener(Reply(200, NDJSON, "application/x-ndjson")) as site, _client(db, tmp_path) as client:
        port = site.port
        spellings = {
            f"http://127.0.0.1:{port}/x": ("127.0.0.1", "loopback"),
            f"http://localhost:{port}/": ("localhost", "loopback"),
            f"http://LOCALHOST.:{port}/": ("localhost", "loopback"),
            f"http://[::ffff:127.0.0.1]:{port}/": ("::ffff:7f00:1", "loopback"),
            f"http://[::ffff:7f00:1]:{port}/": ("::ffff:7f00:1", "loopback"),
            f"http://2130706433:{port}/": ("127.0.0.1", "loopback"),
            f"http://017700000001:{port}/": ("127.0.0.1", "loopback"),
            f"http://0x7f.0.0.1:{port}/": ("127.0.0.1", "loopback"),
            f"http://127.1:{port}/": ("127.0.0.1", "loopback"),
            f"http://0.0.0.0:{port}/": ("0.0.0.0", "unspecified"),
            f"http://internal.example.test:{port}/": ("internal.example.test", "loopback"),
            f"http://rebound.example.test:{port}/": ("rebound.example.test", "loopback"),
            f"https://127.0.0.1:{port}/": ("127.0.0.1", "loopback"),
        }
        for url, (host, kind) in spellings.items():
            r = client.post(_url(world), json={"url": url, "format": "jsonl"}, headers=world.manager.headers)
            error = assert_error(r, 400, "outbound_address_refused")
            assert error["details"] == {"reason": "address_refused", "host": host, "address_kind": kind}, url
        assert site.connections == 0
    assert _tasks(db, world.project_id) == before
    refused = _events(db, "outbound.fetch")
    assert [(e.outcome, e.actor_id, e.object_id) for e in refused] == [
        ("failure", world.manager.id, str(world.project_id))
    ] * len(spellings)
    assert [e.details["host"] for e in refused] == [host for host, _ in spellings.values()]
    assert refused[0].details == {
        "purpose": "task.import",
        "reason": "address_refused",
        "host": "127.0.0.1",
        "address_kind": "loopback",
    }


def test_metadata_and_private_addresses_are_refused_with_the_reason_in_the_callers_language(
    db: Database, world: World, tmp_path: Path
) -> None:
    with _client(db, tmp_path) as client:
        r = client.post(
            _url(world),
            json={"url": "http://169.254.169.254/latest/meta-data/iam/security-credentials/"},
            headers={**world.manager.headers, "Accept-Language": "es"},
        )
        error = assert_error(r, 400, "outbound_address_refused")
        assert error["message"] == (
            "No se obtiene 169.254.169.254: es una dirección de metadatos de la nube. Un administrador puede "
            "permitir el host (CONSENSO_OUTBOUND_ALLOW_HOSTS)."
        )
        r = client.post(_url(world), json={"url": "http://10.0.0.1/"}, headers=world.manager.headers)
        assert assert_error(r, 400, "outbound_address_refused")["details"]["address_kind"] == "private"


# --- (b) redirects ---------------------------------------------------------------------------------------------


def test_a_redirect_from_an_allow_listed_host_to_a_local_one_is_refused_before_reaching_it(
    db: Database, world: World, tmp_path: Path
) -> None:
    before = _tasks(db, world.project_id)
    with (
        Listener(Reply(200, NDJSON, "application/x-ndjson")) as second,
        Listener(Reply(302, headers={"Location": second.url("/tasks.jsonl")})) as first,
        _client(db, tmp_path, f"127.0.0.1:{first.port}") as client,
    ):
        r = client.post(_url(world), json={"url": first.url("/start")}, headers=world.manager.headers)
        error = assert_error(r, 400, "outbound_address_refused")
        assert error["details"] == {
            "reason": "address_refused",
            "host": "127.0.0.1",
            "address_kind": "loopback",
        }
        assert (first.connections, second.connections) == (1, 0)
    assert _tasks(db, world.project_id) == before


# --- (c) an allow-listed host is imported --------------------------------------------------------------------


def test_an_allow_listed_host_serving_jsonl_is_imported_and_audited_with_its_host_only(
    db: Database, world: World, tmp_path: Path
) -> None:
    with (
        Listener(Reply(200, NDJSON, "application/x-ndjson; charset=utf-8")) as site,
        _client(db, tmp_path, f"127.0.0.1:{site.port}") as client,
    ):
        r = client.post(
            _url(world),
            json={"url": site.url("/export.jsonl?token=s3cret-t0ken")},
            headers=world.manager.headers,
        )
        assert site.paths == ["/export.jsonl?token=s3cret-t0ken"]
    assert r.status_code == 201, r.text
    assert r.json() == {"received": 2, "created": 2, "duplicates": 0, "task_count": 7}
    assert _tasks(db, world.project_id)[5:] == [
        ({"text": "de la web"}, {}),
        ({"text": "desde una URL"}, {"src": "url"}),
    ]
    event = _events(db, "task.import")[-1]
    assert (event.actor_id, event.outcome, event.details) == (
        world.manager.id,
        "success",
        {"received": 2, "created": 2, "format": "jsonl", "source": "url", "host": "127.0.0.1"},
    )
    assert b"s3cret" not in orjson.dumps(event.details)
    assert _events(db, "outbound.fetch") == []


def test_the_format_field_wins_over_the_content_type(db: Database, world: World, tmp_path: Path) -> None:
    with (
        Listener(Reply(200, b"text,meta.batch\nuno,7\n", "text/plain")) as site,
        _client(db, tmp_path, "127.0.0.1") as client,
    ):
        without = client.post(_url(world), json={"url": site.url("/a.csv")}, headers=world.manager.headers)
        assert_error(without, 415, "unsupported_media_type")
        assert len(_tasks(db, world.project_id)) == 5
        r = client.post(
            _url(world), json={"url": site.url("/a.csv"), "format": "csv"}, headers=world.manager.headers
        )
    assert r.status_code == 201, r.text
    assert _tasks(db, world.project_id)[5:] == [({"text": "uno"}, {"batch": "7"})]


def test_a_bad_record_in_the_fetched_body_imports_nothing(db: Database, world: World, tmp_path: Path) -> None:
    body = b'{"data": {"text": "ok"}}\n{"data": "not an object"}\n'
    with (
        Listener(Reply(200, body, "application/x-ndjson")) as site,
        _client(db, tmp_path, "127.0.0.1") as client,
    ):
        r = client.post(_url(world), json={"url": site.url()}, headers=world.manager.headers)
    error = assert_error(r, 422, "import_invalid")
    assert error["details"] == {"line": 2, "field": "data", "reason": "field_not_object"}
    assert len(_tasks(db, world.project_id)) == 5


# --- (d) size cap and (e) time cap -----------------------------------------------------------------------------


def test_a_body_over_the_outbound_limit_is_refused_and_nothing_is_imported(
    db: Database, world: World, tmp_path: Path
) -> None:
    big = b"".join(orjson.dumps({"data": {"text": f"tarea {i}"}}) + b"\n" for i in range(1000))
    with (
        Listener(Reply(200, big, "application/x-ndjson", chunked=True)) as site,
        _client(db, tmp_path, "127.0.0.1", outbound_max_bytes=4096) as client,
    ):
        r = client.post(_url(world), json={"url": site.url()}, headers=world.manager.headers)
    error = assert_error(r, 413, "outbound_too_large")
    assert error["details"] == {"reason": "too_large", "host": "127.0.0.1"}
    assert "4096" in error["message"]
    assert len(_tasks(db, world.project_id)) == 5
    assert [e.details["reason"] for e in _events(db, "outbound.fetch")] == ["too_large"]


def test_a_server_that_stalls_is_refused_at_the_timeout_and_nothing_is_imported(
    db: Database, world: World, tmp_path: Path
) -> None:
    with (
        Listener(Reply(stall=True)) as site,
        _client(db, tmp_path, "127.0.0.1", outbound_timeout_seconds=1) as client,
    ):
        r = client.post(_url(world), json={"url": site.url()}, headers=world.manager.headers)
        assert site.connections == 1
    error = assert_error(r, 400, "outbound_timeout")
    assert (
        error["message"] == "The request to 127.0.0.1 did not finish within the limit of 1 s and was stopped."
    )
    assert len(_tasks(db, world.project_id)) == 5


# --- (g) schemes and URL rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("file:///etc/passwd", "outbound_scheme_refused"),
        ("gopher://127.0.0.1:6379/_FLUSHALL", "outbound_scheme_refused"),
        ("ftp://example.test/tasks.csv", "outbound_scheme_refused"),
        ("http://admin:hunter2@example.test/", "outbound_userinfo_refused"),
        ("not a url", "outbound_url_invalid"),
    ],
)
def test_urls_other_than_plain_http_and_https_are_refused(
    db: Database, world: World, tmp_path: Path, url: str, code: str
) -> None:
    with _client(db, tmp_path) as client:
        r = client.post(_url(world), json={"url": url}, headers=world.manager.headers)
    assert_error(r, 400, code)
    assert len(_tasks(db, world.project_id)) == 5
    assert [e.details for e in _events(db, "outbound.fetch")] == [
        {"purpose": "task.import", "reason": code.removeprefix("outbound_")}
    ]


def test_an_unknown_field_or_format_is_a_validation_error(db: Database, world: World, tmp_path: Path) -> None:
    with _client(db, tmp_path) as client:
        for body in (
            {"url": "http://x.example.test/", "format": "xml"},
            {"url": "http://x/", "headers": {}},
            {},
        ):
            r = client.post(_url(world), json=body, headers=world.manager.headers)
            assert_error(r, 422, "validation_error")


# --- who may make Consenso fetch -------------------------------------------------------------------------------


def test_a_caller_who_may_not_import_makes_consenso_fetch_nothing(
    db: Database, world: World, tmp_path: Path
) -> None:
    with (
        Listener(Reply(200, NDJSON, "application/x-ndjson")) as site,
        _client(db, tmp_path, "127.0.0.1") as client,
    ):
        outsider = client.post(_url(world), json={"url": site.url()}, headers=world.outsider.headers)
        annotator = client.post(_url(world), json={"url": site.url()}, headers=world.annotator.headers)
        anonymous = client.post(_url(world), json={"url": site.url()})
        assert site.connections == 0
    assert_error(outsider, 404, "not_found")
    assert_error(annotator, 403, "permission_denied")
    assert_error(anonymous, 401, "not_authenticated")
    assert len(_tasks(db, world.project_id)) == 5
