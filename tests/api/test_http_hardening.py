"""HTTP hardening on every answer: security headers (CSP without inline script, nosniff, no framing), no CORS
unless an operator names the origins, and request bodies capped before a route reads them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from consenso.api.app import create_app
from consenso.settings import Settings
from consenso.store.database import Database
from tests.conftest import World

EVIL = "https://evil.example.test"


def _csp(value: str) -> dict[str, str]:
    directives = [d.strip() for d in value.split(";") if d.strip()]
    return {d.split()[0]: d.split(maxsplit=1)[1] if " " in d else "" for d in directives}


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/health", 200),
        ("/api/v1/projects", 401),  # an error answer carries them too
        ("/api/v1/nowhere", 404),
        ("/", 200),  # the web app's page
        ("/docs", 200),  # the API reference page
        ("/openapi.json", 200),
    ],
)
def test_every_answer_carries_the_security_headers(app_client: TestClient, path: str, status: int) -> None:
    r = app_client.get(path)
    assert r.status_code == status, r.text
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "no-referrer"
    csp = _csp(r.headers["content-security-policy"])
    assert csp["frame-ancestors"] == "'none'"
    assert csp["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval', no other host
    assert csp["object-src"] == "'none'"
    assert "unsafe" not in r.headers["content-security-policy"]


def test_no_cross_origin_access_by_default(app_client: TestClient, world: World) -> None:
    preflight = app_client.options(
        "/api/v1/projects",
        headers={
            "Origin": EVIL,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-csrf-token",
        },
    )
    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-credentials" not in preflight.headers
    read = app_client.get("/api/v1/projects", headers={**world.annotator.headers, "Origin": EVIL})
    assert read.status_code == 200
    assert "access-control-allow-origin" not in read.headers


@pytest.fixture
def cors_client(db: Database, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(
        data_dir=tmp_path / "data",
        environment="test",
        cors_origins=("https://app.example.test",),
    )
    with TestClient(create_app(settings, db=db), raise_server_exceptions=False) as client:
        yield client


def test_only_the_named_origins_get_cross_origin_access(cors_client: TestClient, world: World) -> None:
    allowed = cors_client.get(
        "/api/v1/projects", headers={**world.annotator.headers, "Origin": "https://app.example.test"}
    )
    assert allowed.headers["access-control-allow-origin"] == "https://app.example.test"
    assert allowed.headers["access-control-allow-credentials"] == "true"
    other = cors_client.get("/api/v1/projects", headers={**world.annotator.headers, "Origin": EVIL})
    assert "access-control-allow-origin" not in other.headers
    preflight = cors_client.options(
        "/api/v1/projects", headers={"Origin": EVIL, "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in preflight.headers


def test_a_body_over_the_limit_is_refused_before_the_route_reads_it(
    db: Database, tmp_path: Path, world: World
) -> None:
    settings = Settings(data_dir=tmp_path / "data", environment="test", max_body_bytes=1024)
    with TestClient(create_app(settings, db=db), raise_server_exceptions=False) as client:
        big = {"workspace_id": world.workspace_id, "name": "x", "description": "d" * 4096, "schema": {}}
        r = client.post("/api/v1/projects", json=big, headers=world.manager.headers)
        assert r.status_code == 413, r.text
        assert r.json()["error"]["code"] == "payload_too_large"
        listed = client.get("/api/v1/projects", headers=world.manager.headers).json()
        assert [p["name"] for p in listed] == ["P"]  # nothing created
