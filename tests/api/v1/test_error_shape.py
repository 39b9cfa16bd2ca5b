"""The one error shape, for every 4xx the API produces, plus the errors raised outside any route.

``{"error": {"code": "snake_case", "message": "in the caller's language", "details": ...}}``
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from consenso.api.app import create_app
from consenso.settings import Settings
from consenso.store.database import Database
from consenso.store.models import User
from tests.api.v1.assertions import assert_error, assert_error_shape
from tests.conftest import World


@pytest.fixture
def small_client(db: Database, tmp_path: Path) -> Iterator[TestClient]:
    """The app with a 1000-byte body limit."""
    app = create_app(Settings(data_dir=tmp_path / "small", environment="test", max_body_bytes=1000), db=db)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _user_count(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(User)) or 0)


def test_unknown_route_is_404_route_not_found(app_client: TestClient) -> None:
    r = app_client.get("/api/v1/no-such-thing")

    error = assert_error(r, 404, "route_not_found")
    assert error == {
        "code": "route_not_found",
        "message": "No such endpoint: /api/v1/no-such-thing.",
        "details": None,
    }


def test_wrong_method_is_405_in_the_error_shape(app_client: TestClient) -> None:
    r = app_client.delete("/api/v1/health")

    error = assert_error(r, 405, "method_not_allowed")
    assert error["message"] == "Method DELETE is not allowed on /api/v1/health."
    assert r.headers["allow"] == "GET"


def test_malformed_json_is_400(app_client: TestClient, world: World, db: Database) -> None:
    before = _user_count(db)

    r = app_client.post(
        "/api/v1/users",
        content=b'{"email": "x@example.test", "password": ',
        headers={**world.admin.headers, "Content-Type": "application/json"},
    )

    error = assert_error(r, 400, "malformed_json")
    assert error["message"].startswith("The body is not valid JSON: ")
    assert error["details"] is None
    assert _user_count(db) == before


@pytest.mark.parametrize(("lang", "start"), [("en", "The body could not be read"), ("es", "No se pudo leer")])
def test_a_body_the_parser_cannot_read_is_400_in_the_callers_language(
    app_client: TestClient, world: World, db: Database, lang: str, start: str
) -> None:
    # valid JSON, but an integer over Python's 4,300-digit conversion limit: FastAPI's own 400, in English
    # only, unless our handler answers it
    before = _user_count(db)
    body = b'{"email": "x@example.test", "password": "password-123", "name": ' + b"1" * 5000 + b"}"

    r = app_client.post(
        "/api/v1/users",
        content=body,
        headers={**world.admin.headers, "Content-Type": "application/json", "Accept-Language": lang},
    )

    error = assert_error(r, 400, "malformed_json")
    assert error["message"].startswith(start), error
    assert _user_count(db) == before


def test_body_over_the_limit_is_413(small_client: TestClient, world: World, db: Database) -> None:
    before = _user_count(db)
    body = b'{"email": "big@example.test", "password": "password-1", "name": "' + b"x" * 1200 + b'"}'

    r = small_client.post(
        "/api/v1/users", content=body, headers={**world.admin.headers, "Content-Type": "application/json"}
    )

    error = assert_error(r, 413, "payload_too_large")
    assert error == {
        "code": "payload_too_large",
        "message": "The body is larger than the limit of 1000 bytes.",
        "details": {"limit": 1000},
    }
    assert _user_count(db) == before


def test_chunked_body_over_the_limit_is_413(small_client: TestClient, world: World, db: Database) -> None:
    """Without a Content-Length the limit is enforced while the body is read."""
    before = _user_count(db)
    name = b"x" * 1200

    def chunks() -> Iterator[bytes]:
        yield b'{"email": "big@example.test", "password": "password-1", "name": "'
        yield name[:600]
        yield name[600:]
        yield b'"}'

    r = small_client.post(
        "/api/v1/users", content=chunks(), headers={**world.admin.headers, "Content-Type": "application/json"}
    )

    assert "content-length" not in r.request.headers
    assert_error(r, 413, "payload_too_large")
    assert _user_count(db) == before


def test_body_under_the_limit_passes(small_client: TestClient, world: World) -> None:
    r = small_client.post(
        "/api/v1/users",
        json={"email": "small@example.test", "password": "password-1"},
        headers=world.admin.headers,
    )

    assert r.status_code == 201, r.text


def test_task_import_is_not_held_to_the_request_limit(small_client: TestClient, world: World) -> None:
    body = [{"data": {"text": f"a longer task text, number {i:04d}"}} for i in range(100)]

    r = small_client.post(
        f"/api/v1/projects/{world.project_id}/tasks", json=body, headers=world.manager.headers
    )

    assert r.status_code == 201, r.text
    assert r.json()["created"] == 100


def test_missing_auth_is_401_with_www_authenticate(app_client: TestClient) -> None:
    r = app_client.get("/api/v1/auth/me")

    error = assert_error(r, 401, "not_authenticated")
    assert r.headers["www-authenticate"] == "Bearer"
    assert error == {
        "code": "not_authenticated",
        "message": "Authentication required: log in or send 'Authorization: Bearer <token>'.",
        "details": None,
    }


@pytest.mark.parametrize("header", ["es", "es-AR,es;q=0.9,en;q=0.8", "fr, es;q=0.5"])
def test_messages_follow_accept_language(app_client: TestClient, header: str) -> None:
    r = app_client.get("/api/v1/auth/me", headers={"Accept-Language": header})

    error = assert_error(r, 401, "not_authenticated")
    assert (
        error["message"]
        == "Se requiere autenticación: inicie sesión o envíe 'Authorization: Bearer <token>'."
    )


def test_spanish_not_found_names_the_kind(app_client: TestClient, world: World) -> None:
    r = app_client.get(
        f"/api/v1/projects/{world.project_id}", headers={**world.outsider.headers, "Accept-Language": "es"}
    )

    error = assert_error(r, 404, "not_found")
    assert error["message"] == "Proyecto: no se encontró."


def test_english_wins_when_preferred(app_client: TestClient) -> None:
    r = app_client.get("/api/v1/auth/me", headers={"Accept-Language": "en-GB, es;q=0.9"})

    assert assert_error(r, 401, "not_authenticated")["message"].startswith("Authentication required")


def test_every_4xx_has_the_error_shape_in_both_languages(
    app_client: TestClient, small_client: TestClient, world: World
) -> None:
    """One request for each error status the API produces; each answer is the one shape, in en and es."""
    p, t = world.project_id, world.task_ids[0]
    admin, annotator, viewer = world.admin.headers, world.annotator.headers, world.viewer.headers
    json_type = {"Content-Type": "application/json"}

    def annotate_twice(client: TestClient, headers: dict[str, str]) -> httpx.Response:
        client.post(
            f"/api/v1/tasks/{t}/annotations", json={"result": {"sentiment": "positive"}}, headers=headers
        )
        return client.post(
            f"/api/v1/tasks/{t}/annotations", json={"result": {"sentiment": "positive"}}, headers=headers
        )

    answered = app_client.post(
        f"/api/v1/tasks/{world.task_ids[2]}/annotations",
        json={"result": {"sentiment": "neutral"}},
        headers=annotator,
    )
    assert answered.status_code == 201, answered.text
    review_url = f"/api/v1/annotations/{answered.json()['id']}/reviews"

    cases: list[tuple[int, str, Callable[[TestClient, dict[str, str]], httpx.Response]]] = [
        (
            400,
            "malformed_json",
            lambda c, h: c.post("/api/v1/users", content=b"{", headers={**admin, **json_type, **h}),
        ),
        (
            400,
            "invalid_cursor",
            lambda c, h: c.get(f"/api/v1/projects/{p}/tasks?cursor=@", headers={**admin, **h}),
        ),
        (
            400,
            "user_or_email_required",
            lambda c, h: c.post(
                f"/api/v1/workspaces/{world.workspace_id}/members",
                json={"role": "viewer"},
                headers={**admin, **h},
            ),
        ),
        (401, "not_authenticated", lambda c, h: c.get("/api/v1/auth/me", headers=h)),
        (
            401,
            "invalid_token",
            lambda c, h: c.get("/api/v1/auth/me", headers={"Authorization": "Bearer nope", **h}),
        ),
        (
            401,
            "invalid_credentials",
            lambda c, h: c.post(
                "/api/v1/auth/login", json={"email": "x@example.test", "password": "y"}, headers=h
            ),
        ),
        (
            403,
            "admin_required",
            lambda c, h: c.post("/api/v1/workspaces", json={"name": "W"}, headers={**annotator, **h}),
        ),
        (403, "permission_denied", lambda c, h: c.get(f"/api/v1/projects/{p}/next", headers={**viewer, **h})),
        (
            404,
            "not_found",
            lambda c, h: c.get(f"/api/v1/projects/{p}", headers={**world.outsider.headers, **h}),
        ),
        (404, "route_not_found", lambda c, h: c.get("/api/v1/nowhere", headers=h)),
        (405, "method_not_allowed", lambda c, h: c.put("/api/v1/health", headers=h)),
        (409, "already_annotated", lambda c, h: annotate_twice(c, {**annotator, **h})),
        (
            409,
            "already_member",
            lambda c, h: c.post(
                f"/api/v1/workspaces/{world.workspace_id}/members",
                json={"user_id": world.viewer.id, "role": "viewer"},
                headers={**admin, **h},
            ),
        ),
        (
            413,
            "payload_too_large",
            lambda c, h: small_client.post(
                "/api/v1/users", content=b"[" + b" " * 2000 + b"]", headers={**admin, **json_type, **h}
            ),
        ),
        (
            415,
            "unsupported_media_type",
            lambda c, h: c.post(
                f"/api/v1/projects/{p}/tasks",
                content=b"x",
                headers={**admin, "Content-Type": "text/plain", **h},
            ),
        ),
        (422, "validation_error", lambda c, h: c.post("/api/v1/workspaces", json={}, headers={**admin, **h})),
        (
            422,
            "import_invalid",
            lambda c, h: c.post(f"/api/v1/projects/{p}/tasks", json=[{"data": {}}], headers={**admin, **h}),
        ),
        (
            422,
            "result_invalid",
            lambda c, h: c.post(
                f"/api/v1/tasks/{world.task_ids[1]}/annotations",
                json={"result": {"sentiment": "?"}},
                headers={**annotator, **h},
            ),
        ),
        (
            422,
            "review_comment_required",
            lambda c, h: c.post(
                review_url, json={"verdict": "rejected"}, headers={**world.reviewer.headers, **h}
            ),
        ),
        (
            422,
            "schema_invalid",
            lambda c, h: c.post(
                "/api/v1/projects",
                json={"workspace_id": world.workspace_id, "name": "X", "schema": {}},
                headers={**admin, **h},
            ),
        ),
    ]
    statuses = set()
    for status, code, call in cases:
        english = assert_error(call(app_client, {"Accept-Language": "en"}), status, code)
        spanish = assert_error(call(app_client, {"Accept-Language": "es"}), status, code)
        statuses.add(status)
        if code not in ("malformed_json",):  # the parser's reason is English in both
            assert spanish["message"] != english["message"], (code, english["message"])
    assert statuses == {400, 401, 403, 404, 405, 409, 413, 415, 422}


def test_assert_error_shape_rejects_other_shapes() -> None:
    """The checker itself can fail: FastAPI's default shape and extra keys are refused."""
    for bad in (
        {"detail": "Not Found"},
        {"error": {"code": "x", "message": "m"}},
        {"error": {"code": "x", "message": "m", "details": None}, "status": 404},
        {"error": {"code": "Not Found", "message": "m", "details": None}},
        {"error": {"code": "x", "message": "", "details": None}},
    ):
        with pytest.raises(AssertionError):
            assert_error_shape(bad)
