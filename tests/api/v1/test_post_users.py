"""POST /api/v1/users: instance admins create users; e-mails are unique (case-insensitively)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from consenso.services.auth import verify_password
from consenso.store.database import Database
from consenso.store.models import AuditEvent, User
from tests.api.v1.assertions import When, assert_error
from tests.conftest import Factory


def _user_count(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(User)) or 0)


def test_admin_creates_a_user(app_client: TestClient, factory: Factory, db: Database) -> None:
    admin = factory.user(is_admin=True)

    r = app_client.post(
        "/api/v1/users",
        json={"email": " Nora@Example.TEST ", "password": "s3cret-pass", "name": "Nora", "locale": "es"},
        headers=admin.headers,
    )

    assert r.status_code == 201, r.text
    with db.read() as session:
        row = session.scalars(select(User).where(User.email == "nora@example.test")).one()
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.create")).all()[-1]
    assert r.json() == {
        "id": row.id,
        "email": "nora@example.test",
        "name": "Nora",
        "is_admin": False,
        "is_active": True,
        "locale": "es",
        "created_at": When(row.created_at),
    }
    assert row.password_hash is not None and "s3cret-pass" not in row.password_hash
    assert verify_password(row.password_hash, "s3cret-pass")
    assert (event.actor_id, event.object_id, event.details) == (admin.id, str(row.id), {"is_admin": False})
    login = app_client.post(
        "/api/v1/auth/login", json={"email": "nora@example.test", "password": "s3cret-pass"}
    )
    assert login.status_code == 200, login.text


def test_admin_creates_another_admin(app_client: TestClient, factory: Factory, db: Database) -> None:
    admin = factory.user(is_admin=True)

    r = app_client.post(
        "/api/v1/users",
        json={"email": "olga@example.test", "password": "password-1", "is_admin": True},
        headers=admin.headers,
    )

    assert r.status_code == 201, r.text
    assert r.json()["is_admin"] is True
    with db.read() as session:
        assert session.scalars(select(User.is_admin).where(User.email == "olga@example.test")).one() is True


def test_non_admin_is_403(app_client: TestClient, factory: Factory, db: Database) -> None:
    user = factory.user()
    before = _user_count(db)

    r = app_client.post(
        "/api/v1/users", json={"email": "pia@example.test", "password": "password-1"}, headers=user.headers
    )

    assert_error(r, 403, "admin_required")
    assert _user_count(db) == before


def test_duplicate_email_is_409_email_taken(app_client: TestClient, factory: Factory, db: Database) -> None:
    admin = factory.user(is_admin=True)
    factory.user(email="quim@example.test")
    before = _user_count(db)

    r = app_client.post(
        "/api/v1/users", json={"email": "QUIM@example.test", "password": "password-1"}, headers=admin.headers
    )

    error = assert_error(r, 409, "email_taken")
    assert error["message"] == "A user with e-mail quim@example.test already exists."
    assert _user_count(db) == before


def test_short_password_is_422(app_client: TestClient, factory: Factory, db: Database) -> None:
    admin = factory.user(is_admin=True)
    before = _user_count(db)

    r = app_client.post(
        "/api/v1/users", json={"email": "rita@example.test", "password": "short"}, headers=admin.headers
    )

    error = assert_error(r, 422, "validation_error")
    assert [(d["field"], d["type"]) for d in error["details"]] == [("password", "string_too_short")]
    assert _user_count(db) == before


def test_malformed_email_is_400(app_client: TestClient, factory: Factory, db: Database) -> None:
    admin = factory.user(is_admin=True)
    before = _user_count(db)

    r = app_client.post(
        "/api/v1/users", json={"email": "not an e-mail", "password": "password-1"}, headers=admin.headers
    )

    assert_error(r, 400, "invalid_input")
    assert _user_count(db) == before


def test_unknown_locale_is_422(app_client: TestClient, factory: Factory, db: Database) -> None:
    admin = factory.user(is_admin=True)

    r = app_client.post(
        "/api/v1/users",
        json={"email": "sol@example.test", "password": "password-1", "locale": "fr"},
        headers=admin.headers,
    )

    error = assert_error(r, 422, "validation_error")
    assert [d["field"] for d in error["details"]] == ["locale"]
