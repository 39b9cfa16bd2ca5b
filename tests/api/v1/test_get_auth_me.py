"""GET /api/v1/auth/me: the calling user, by token or by session cookie."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from consenso.settings import Settings
from consenso.store.database import Database
from consenso.store.models import AuthSession, User
from tests.api.v1.assertions import When, assert_error
from tests.conftest import Factory


def test_me_by_token_returns_the_full_user(app_client: TestClient, factory: Factory, db: Database) -> None:
    user = factory.user(email="gina@example.test", is_admin=True)

    r = app_client.get("/api/v1/auth/me", headers=user.headers)

    assert r.status_code == 200, r.text
    with db.read() as session:
        row = session.get(User, user.id)
        assert row is not None
    assert r.json() == {
        "id": user.id,
        "email": "gina@example.test",
        "name": "",
        "is_admin": True,
        "is_active": True,
        "locale": "en",
        "created_at": When(row.created_at),
    }


def test_me_by_session_cookie(app_client: TestClient, factory: Factory) -> None:
    user = factory.user(email="hugo@example.test")
    login = app_client.post(
        "/api/v1/auth/login", json={"email": "hugo@example.test", "password": "password-123"}
    )
    assert login.status_code == 200, login.text

    r = app_client.get("/api/v1/auth/me")

    assert r.status_code == 200, r.text
    assert (r.json()["id"], r.json()["email"]) == (user.id, "hugo@example.test")


def test_me_with_an_unknown_token_is_401(app_client: TestClient, db: Database) -> None:
    r = app_client.get("/api/v1/auth/me", headers={"Authorization": "Bearer cns_not-a-real-token"})

    assert_error(r, 401, "invalid_token")
    assert r.headers["www-authenticate"] == "Bearer"


def test_me_with_a_non_bearer_scheme_is_401(app_client: TestClient, factory: Factory) -> None:
    user = factory.user()

    r = app_client.get("/api/v1/auth/me", headers={"Authorization": f"Basic {user.token}"})

    assert_error(r, 401, "invalid_token")


def test_me_with_a_deactivated_user_is_401(app_client: TestClient, factory: Factory, db: Database) -> None:
    user = factory.user()
    with db.write() as session:
        row = session.get(User, user.id)
        assert row is not None
        row.is_active = False

    r = app_client.get("/api/v1/auth/me", headers=user.headers)

    assert_error(r, 401, "user_inactive")


def test_me_with_an_idle_session_is_401(
    app_client: TestClient, factory: Factory, db: Database, settings: Settings
) -> None:
    factory.user(email="ivo@example.test")
    login = app_client.post(
        "/api/v1/auth/login", json={"email": "ivo@example.test", "password": "password-123"}
    )
    assert login.status_code == 200, login.text
    with db.write() as session:
        row = session.scalars(select(AuthSession)).one()
        row.last_seen_at = row.last_seen_at - timedelta(seconds=settings.session_idle_seconds + 1)

    r = app_client.get("/api/v1/auth/me")

    assert_error(r, 401, "session_expired")
