"""POST /api/v1/tokens: a personal access token, shown once, stored as a hash, usable as Bearer."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from consenso.store.database import Database
from consenso.store.models import ApiToken, AuditEvent
from tests.api.v1.assertions import When, assert_error
from tests.conftest import Factory


def _tokens_of(db: Database, user_id: int) -> list[ApiToken]:
    with db.read() as session:
        return list(
            session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id))
        )


def test_create_token_shows_it_once_and_stores_only_its_hash(
    app_client: TestClient, factory: Factory, db: Database
) -> None:
    user = factory.user(email="ines@example.test")
    expires = datetime.now(UTC) + timedelta(days=30)

    r = app_client.post(
        "/api/v1/tokens", json={"name": "laptop", "expires_at": expires.isoformat()}, headers=user.headers
    )

    assert r.status_code == 201, r.text
    body = r.json()
    raw = body["token"]
    rows = _tokens_of(db, user.id)
    assert len(rows) == 2  # the factory's token and this one
    row = rows[-1]
    assert body == {
        "id": row.id,
        "token": raw,
        "name": "laptop",
        "user_id": user.id,
        "created_at": When(row.created_at),
        "expires_at": When(expires),
    }
    assert raw.startswith("cns_") and len(raw) >= 40
    assert row.token_hash == hashlib.sha256(raw.encode()).digest()
    assert row.expires_at == expires
    # no column holds the plaintext
    for column in ApiToken.__table__.columns:
        value = getattr(row, column.key)
        assert value != raw and value != raw.encode(), column.key
        if isinstance(value, str | bytes) and len(value) > 12:
            assert (raw if isinstance(value, str) else raw.encode()) not in value, column.key
    with db.read() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "token.create")).all()[-1]
    assert (event.actor_id, event.object_id, event.details) == (user.id, str(row.id), {"for_user": user.id})


def test_created_token_works_as_bearer(app_client: TestClient, factory: Factory) -> None:
    user = factory.user(email="jon@example.test")
    raw = app_client.post("/api/v1/tokens", json={}, headers=user.headers).json()["token"]

    r = app_client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {raw}"})

    assert r.status_code == 200, r.text
    assert r.json()["email"] == "jon@example.test"
    tampered = app_client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {raw[:-1]}x"})
    assert_error(tampered, 401, "invalid_token")


def test_admin_creates_a_token_for_another_user(
    app_client: TestClient, factory: Factory, db: Database
) -> None:
    admin = factory.user(is_admin=True)
    other = factory.user(email="kim@example.test")

    r = app_client.post(
        "/api/v1/tokens", json={"name": "bot", "user_email": "KIM@example.test"}, headers=admin.headers
    )

    assert r.status_code == 201, r.text
    assert r.json()["user_id"] == other.id
    assert len(_tokens_of(db, other.id)) == 2
    me = app_client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {r.json()['token']}"})
    assert me.json()["id"] == other.id


def test_non_admin_cannot_create_a_token_for_another_user(
    app_client: TestClient, factory: Factory, db: Database
) -> None:
    user = factory.user()
    other = factory.user(email="lia@example.test")

    r = app_client.post("/api/v1/tokens", json={"user_email": "lia@example.test"}, headers=user.headers)

    assert_error(r, 404, "not_found")
    assert len(_tokens_of(db, other.id)) == 1
    assert len(_tokens_of(db, user.id)) == 1


def test_non_admin_may_name_themselves(app_client: TestClient, factory: Factory, db: Database) -> None:
    user = factory.user(email="max@example.test")

    r = app_client.post("/api/v1/tokens", json={"user_email": "max@example.test"}, headers=user.headers)

    assert r.status_code == 201, r.text
    assert r.json()["user_id"] == user.id
    assert len(_tokens_of(db, user.id)) == 2


def test_token_expiring_in_the_past_is_refused(
    app_client: TestClient, factory: Factory, db: Database
) -> None:
    user = factory.user()
    past = datetime.now(UTC) - timedelta(minutes=1)

    r = app_client.post("/api/v1/tokens", json={"expires_at": past.isoformat()}, headers=user.headers)

    assert_error(r, 400, "invalid_input")
    assert len(_tokens_of(db, user.id)) == 1


def test_expired_token_is_refused(app_client: TestClient, factory: Factory, db: Database) -> None:
    user = factory.user()
    raw = app_client.post("/api/v1/tokens", json={"name": "short"}, headers=user.headers).json()["token"]
    with db.write() as session:
        row = session.scalars(
            select(ApiToken).where(ApiToken.token_hash == hashlib.sha256(raw.encode()).digest())
        ).one()
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)

    r = app_client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {raw}"})

    assert_error(r, 401, "invalid_token")


def test_unknown_field_is_422(app_client: TestClient, factory: Factory, db: Database) -> None:
    user = factory.user()

    r = app_client.post("/api/v1/tokens", json={"nmae": "typo"}, headers=user.headers)

    error = assert_error(r, 422, "validation_error")
    assert [d["field"] for d in error["details"]] == ["nmae"]
    assert len(_tokens_of(db, user.id)) == 1


def test_create_token_without_credentials_is_401(app_client: TestClient, db: Database) -> None:
    r = app_client.post("/api/v1/tokens", json={"name": "x"})

    assert_error(r, 401, "not_authenticated")
    with db.read() as session:
        assert session.scalars(select(ApiToken)).all() == []
