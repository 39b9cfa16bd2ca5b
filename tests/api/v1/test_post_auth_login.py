"""POST /api/v1/auth/login: a session cookie (HttpOnly, SameSite=strict), a CSRF token, audit rows."""

from __future__ import annotations

import hashlib
from http.cookies import Morsel, SimpleCookie

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select

from consenso.settings import Settings
from consenso.store.database import Database
from consenso.store.models import ApiToken, AuditEvent, AuthSession, User
from tests.api.v1.assertions import When, assert_error
from tests.conftest import Factory

LOGIN = "/api/v1/auth/login"


def _cookies(response: httpx.Response) -> dict[str, Morsel[str]]:
    jar: dict[str, Morsel[str]] = {}
    for header in response.headers.get_list("set-cookie"):
        parsed = SimpleCookie()
        parsed.load(header)
        jar.update(parsed)
    return jar


def test_login_sets_http_only_strict_cookie_and_returns_csrf_token(
    app_client: TestClient, factory: Factory, db: Database, settings: Settings
) -> None:
    user = factory.user(email="ana@example.test", password="correct-horse")

    r = app_client.post(LOGIN, json={"email": "Ana@Example.test", "password": "correct-horse"})

    assert r.status_code == 200, r.text
    body = r.json()
    with db.read() as session:
        row = session.scalars(select(AuthSession).where(AuthSession.user_id == user.id)).one()
        events = session.scalars(select(AuditEvent).where(AuditEvent.action.like("auth.%"))).all()
    assert body == {
        "user_id": user.id,
        "email": "ana@example.test",
        "is_admin": False,
        "csrf_token": row.csrf_token,
        "expires_at": When(row.expires_at),
    }
    assert (row.expires_at - row.created_at).total_seconds() == settings.session_max_seconds
    assert row.revoked_at is None

    cookies = _cookies(r)
    session_cookie = cookies["consenso_session"]
    assert session_cookie["httponly"] is True
    assert session_cookie["samesite"].lower() == "strict"
    assert session_cookie["path"] == "/"
    assert session_cookie["max-age"] == str(settings.session_max_seconds)
    # only a hash of the session token is stored
    raw = session_cookie.value
    assert row.token_hash == hashlib.sha256(raw.encode()).digest()
    assert raw.encode() != row.token_hash and raw != row.csrf_token

    csrf_cookie = cookies["consenso_csrf"]
    assert csrf_cookie.value == body["csrf_token"]
    assert not csrf_cookie["httponly"]  # the web app reads it to echo it back
    assert csrf_cookie["samesite"].lower() == "strict"

    assert [(e.action, e.actor_id, e.outcome, e.object_id) for e in events] == [
        ("auth.login", user.id, "success", str(user.id))
    ]


def test_login_with_wrong_password_is_401_and_audited(
    app_client: TestClient, factory: Factory, db: Database
) -> None:
    user = factory.user(email="bob@example.test", password="right-password")

    r = app_client.post(LOGIN, json={"email": "bob@example.test", "password": "wrong-password"})

    assert_error(r, 401, "invalid_credentials")
    assert r.headers["www-authenticate"] == "Bearer"
    assert "set-cookie" not in r.headers
    with db.read() as session:
        assert session.scalars(select(AuthSession)).all() == []
        events = session.scalars(select(AuditEvent).where(AuditEvent.action.like("auth.%"))).all()
    assert [(e.action, e.actor_id, e.outcome, e.object_type, e.object_id, e.details) for e in events] == [
        ("auth.login_failed", user.id, "failure", "user", str(user.id), {"email": "bob@example.test"})
    ]


def test_login_with_unknown_email_is_401_and_audited_without_actor(
    app_client: TestClient, db: Database
) -> None:
    r = app_client.post(LOGIN, json={"email": "Nobody@Example.test", "password": "whatever-1"})

    error = assert_error(r, 401, "invalid_credentials")
    assert error["message"] == "Wrong e-mail or password."
    with db.read() as session:
        events = session.scalars(select(AuditEvent)).all()
    assert [(e.action, e.actor_id, e.outcome, e.details) for e in events] == [
        ("auth.login_failed", None, "failure", {"email": "nobody@example.test"})
    ]


def test_login_with_missing_password_is_422(app_client: TestClient, db: Database) -> None:
    r = app_client.post(LOGIN, json={"email": "a@example.test"})

    error = assert_error(r, 422, "validation_error")
    assert error["details"] == [{"field": "password", "type": "missing", "message": "Field required"}]
    with db.read() as session:
        assert session.scalars(select(AuditEvent)).all() == []


def test_cookie_authenticated_write_needs_the_csrf_header(
    app_client: TestClient, factory: Factory, db: Database
) -> None:
    user = factory.user(email="carla@example.test", password="password-123")
    login = app_client.post(LOGIN, json={"email": "carla@example.test", "password": "password-123"})
    assert login.status_code == 200, login.text
    csrf = login.json()["csrf_token"]
    with db.read() as session:
        tokens_before = len(session.scalars(select(ApiToken)).all())

    # reads need no CSRF header
    me = app_client.get("/api/v1/auth/me")
    assert me.status_code == 200, me.text
    assert me.json()["id"] == user.id

    missing = app_client.post("/api/v1/tokens", json={"name": "cli"})
    assert_error(missing, 403, "csrf_failed")
    wrong = app_client.post("/api/v1/tokens", json={"name": "cli"}, headers={"X-CSRF-Token": csrf + "x"})
    assert_error(wrong, 403, "csrf_failed")
    with db.read() as session:
        assert len(session.scalars(select(ApiToken)).all()) == tokens_before

    ok = app_client.post("/api/v1/tokens", json={"name": "cli"}, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201, ok.text
    assert ok.json()["user_id"] == user.id
    with db.read() as session:
        assert len(session.scalars(select(ApiToken)).all()) == tokens_before + 1


def test_deactivated_user_cannot_log_in(app_client: TestClient, factory: Factory, db: Database) -> None:
    user = factory.user(email="dan@example.test", password="password-123")
    with db.write() as session:
        row = session.get(User, user.id)
        assert row is not None
        row.is_active = False

    r = app_client.post(LOGIN, json={"email": "dan@example.test", "password": "password-123"})

    assert_error(r, 401, "invalid_credentials")
    with db.read() as session:
        assert session.scalars(select(AuthSession)).all() == []
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("auth.%"))).all()
    assert actions == ["auth.login_failed"]


def test_bearer_token_needs_no_csrf_header_even_with_a_cookie(
    app_client: TestClient, factory: Factory
) -> None:
    user = factory.user(email="eli@example.test", password="password-123")
    assert (
        app_client.post(LOGIN, json={"email": "eli@example.test", "password": "password-123"}).status_code
        == 200
    )

    r = app_client.post("/api/v1/tokens", json={"name": "ci"}, headers=user.headers)

    assert r.status_code == 201, r.text
