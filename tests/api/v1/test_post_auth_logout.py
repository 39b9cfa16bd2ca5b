"""POST /api/v1/auth/logout: the session is revoked in the database and its cookie stops working."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from consenso.store.database import Database
from consenso.store.models import AuditEvent, AuthSession
from tests.api.v1.assertions import assert_error
from tests.conftest import Factory


def _login(client: TestClient, email: str) -> tuple[str, str]:
    r = client.post("/api/v1/auth/login", json={"email": email, "password": "password-123"})
    assert r.status_code == 200, r.text
    return r.cookies["consenso_session"], r.json()["csrf_token"]


def test_logout_revokes_the_session(app_client: TestClient, factory: Factory, db: Database) -> None:
    user = factory.user(email="dora@example.test")
    cookie, csrf = _login(app_client, "dora@example.test")

    r = app_client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})

    assert r.status_code == 204, r.text
    assert r.content == b""
    with db.read() as session:
        row = session.scalars(select(AuthSession).where(AuthSession.user_id == user.id)).one()
        actions = [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert row.revoked_at is not None
    assert actions[-2:] == ["auth.login", "auth.logout"]
    # the browser is told to drop both cookies ...
    assert not app_client.cookies.get("consenso_session")
    # ... and a client that keeps the old cookie anyway is refused
    app_client.cookies.clear()
    again = app_client.get("/api/v1/auth/me", headers={"Cookie": f"consenso_session={cookie}"})
    error = assert_error(again, 401, "session_expired")
    assert error["details"] is None


def test_logout_leaves_other_sessions_alive(app_client: TestClient, factory: Factory, db: Database) -> None:
    factory.user(email="eva@example.test")
    first, first_csrf = _login(app_client, "eva@example.test")
    app_client.cookies.clear()
    second, _ = _login(app_client, "eva@example.test")
    app_client.cookies.clear()

    r = app_client.post(
        "/api/v1/auth/logout", headers={"Cookie": f"consenso_session={first}", "X-CSRF-Token": first_csrf}
    )

    assert r.status_code == 204, r.text
    app_client.cookies.clear()
    assert_error(
        app_client.get("/api/v1/auth/me", headers={"Cookie": f"consenso_session={first}"}),
        401,
        "session_expired",
    )
    alive = app_client.get("/api/v1/auth/me", headers={"Cookie": f"consenso_session={second}"})
    assert alive.status_code == 200, alive.text
    with db.read() as session:
        revoked = [
            s.revoked_at is not None for s in session.scalars(select(AuthSession).order_by(AuthSession.id))
        ]
    assert revoked == [True, False]


def test_logout_by_cookie_needs_the_csrf_header(
    app_client: TestClient, factory: Factory, db: Database
) -> None:
    factory.user(email="fede@example.test")
    _login(app_client, "fede@example.test")

    r = app_client.post("/api/v1/auth/logout")

    assert_error(r, 403, "csrf_failed")
    with db.read() as session:
        assert session.scalars(select(AuthSession)).one().revoked_at is None
    assert app_client.get("/api/v1/auth/me").status_code == 200


def test_logout_with_a_bearer_token_does_not_revoke_the_token(
    app_client: TestClient, factory: Factory
) -> None:
    user = factory.user()

    r = app_client.post("/api/v1/auth/logout", headers=user.headers)

    assert r.status_code == 204, r.text
    assert app_client.get("/api/v1/auth/me", headers=user.headers).status_code == 200


def test_logout_without_credentials_is_401(app_client: TestClient) -> None:
    r = app_client.post("/api/v1/auth/logout")

    assert_error(r, 401, "not_authenticated")
    assert r.headers["www-authenticate"] == "Bearer"
