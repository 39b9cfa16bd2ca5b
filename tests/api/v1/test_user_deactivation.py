"""PATCH /api/v1/users/{user_id}: instance admins deactivate and reactivate users. Deactivating revokes every
session and API token at once and gives back the user's leases; reactivating revives none of them; nobody
deactivates themselves. Audited ``user.deactivated`` / ``user.reactivated``."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from consenso.services import auth
from consenso.services.principal import Principal
from consenso.store.database import Database
from consenso.store.models import ApiToken, Assignment, AuditEvent, AuthSession, User
from tests.api.v1.assertions import When, assert_error
from tests.conftest import Actor, Factory, World

PASSWORD = "password-123"  # Factory.user's default
ME = "/api/v1/auth/me"


def _patch(client: TestClient, user_id: int | str, who: Actor, body: Any, lang: str = "en") -> httpx.Response:
    r: httpx.Response = client.patch(
        f"/api/v1/users/{user_id}", json=body, headers={**who.headers, "Accept-Language": lang}
    )
    return r


def _login(client: TestClient, email: str) -> str:
    client.cookies.clear()
    r = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    client.cookies.clear()
    return str(r.cookies["consenso_session"])


def _me(client: TestClient, cookie: str) -> httpx.Response:
    client.cookies.clear()
    r: httpx.Response = client.get(ME, headers={"Cookie": f"consenso_session={cookie}"})
    return r


def _user(db: Database, user_id: int) -> User:
    with db.read() as session:
        user = session.get(User, user_id)
        assert user is not None
        return user


def _revoked(db: Database, user_id: int) -> tuple[list[bool], list[bool]]:
    """Per session and per token of the user, in creation order: revoked or not."""
    with db.read() as session:
        sessions = session.scalars(
            select(AuthSession.revoked_at).where(AuthSession.user_id == user_id).order_by(AuthSession.id)
        ).all()
        tokens = session.scalars(
            select(ApiToken.revoked_at).where(ApiToken.user_id == user_id).order_by(ApiToken.id)
        ).all()
    return [r is not None for r in sessions], [r is not None for r in tokens]


def _events(db: Database) -> list[AuditEvent]:
    with db.read() as session:
        return list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action.in_(["user.deactivated", "user.reactivated"]))
                .order_by(AuditEvent.id)
            )
        )


def test_deactivation_signs_the_user_out_everywhere_at_once(
    app_client: TestClient, world: World, db: Database
) -> None:
    who = world.annotator
    first, second = _login(app_client, who.email), _login(app_client, who.email)
    leased = app_client.get(f"/api/v1/projects/{world.project_id}/next", headers=who.headers)
    assert leased.status_code == 200, leased.text
    assert _me(app_client, first).status_code == 200

    r = _patch(app_client, who.id, world.admin, {"is_active": False})

    assert r.status_code == 200, r.text
    row = _user(db, who.id)
    assert r.json() == {
        "id": who.id,
        "email": who.email,
        "name": "",
        "is_admin": False,
        "is_active": False,
        "locale": "en",
        "created_at": When(row.created_at),
    }
    assert row.is_active is False
    assert _revoked(db, who.id) == ([True, True], [True])
    # every credential is refused from the next request on
    assert_error(_me(app_client, first), 401, "session_expired")
    assert_error(_me(app_client, second), 401, "session_expired")
    assert_error(app_client.get(ME, headers=who.headers), 401, "invalid_token")
    assert_error(
        app_client.post("/api/v1/auth/login", json={"email": who.email, "password": PASSWORD}),
        401,
        "invalid_credentials",
    )
    # the task they held goes back to the pool now, not when the lease runs out
    with db.read() as session:
        assert session.scalars(select(Assignment.state)).all() == ["expired"]
    [event] = _events(db)
    assert (event.action, event.actor_id, event.object_type, event.object_id, event.outcome) == (
        "user.deactivated",
        world.admin.id,
        "user",
        str(who.id),
        "success",
    )
    assert event.details == {"sessions_revoked": 2, "tokens_revoked": 1, "leases_released": 1}
    assert event.origin == "testclient"


def test_other_users_keep_their_sessions_and_tokens(
    app_client: TestClient, world: World, db: Database
) -> None:
    theirs = _login(app_client, world.annotator2.email)

    r = _patch(app_client, world.annotator.id, world.admin, {"is_active": False})

    assert r.status_code == 200, r.text
    assert _me(app_client, theirs).status_code == 200
    assert app_client.get(ME, headers=world.annotator2.headers).status_code == 200
    assert _revoked(db, world.annotator2.id) == ([False], [False])


def test_an_inactive_users_token_is_refused_even_when_not_revoked(
    app_client: TestClient, world: World, db: Database
) -> None:
    """``authenticate_token`` checks ``is_active`` itself: a token made after the deactivation (by the
    operator) does not work either."""
    who = world.annotator
    assert _patch(app_client, who.id, world.admin, {"is_active": False}).status_code == 200
    late = auth.create_token(db, Principal.local_admin(who.id, who.email), name="late").token

    assert_error(app_client.get(ME, headers={"Authorization": f"Bearer {late}"}), 401, "user_inactive")


def test_reactivation_revives_no_old_session_or_token(
    app_client: TestClient, world: World, db: Database
) -> None:
    who = world.annotator
    old_cookie = _login(app_client, who.email)
    assert _patch(app_client, who.id, world.admin, {"is_active": False}).status_code == 200

    r = _patch(app_client, who.id, world.admin, {"is_active": True})

    assert r.status_code == 200, r.text
    assert r.json()["is_active"] is True
    assert _user(db, who.id).is_active is True
    assert_error(_me(app_client, old_cookie), 401, "session_expired")
    assert_error(app_client.get(ME, headers=who.headers), 401, "invalid_token")
    assert _revoked(db, who.id) == ([True], [True])
    # they log in again, with a new session
    new_cookie = _login(app_client, who.email)
    assert _me(app_client, new_cookie).json()["id"] == who.id
    assert [(e.action, e.actor_id, e.details) for e in _events(db)] == [
        (
            "user.deactivated",
            world.admin.id,
            {"sessions_revoked": 1, "tokens_revoked": 1, "leases_released": 0},
        ),
        ("user.reactivated", world.admin.id, {}),
    ]


def test_asking_for_the_state_the_user_is_in_changes_nothing(
    app_client: TestClient, world: World, db: Database
) -> None:
    active = _patch(app_client, world.viewer.id, world.admin, {"is_active": True})
    off = _patch(app_client, world.viewer.id, world.admin, {"is_active": False})
    again = _patch(app_client, world.viewer.id, world.admin, {"is_active": False})

    assert [r.status_code for r in (active, off, again)] == [200, 200, 200]
    assert again.json()["is_active"] is False
    assert [e.action for e in _events(db)] == ["user.deactivated"]


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("en", "You cannot deactivate your own account; ask another instance administrator."),
        ("es", "No puede desactivar su propia cuenta; pídaselo a otro administrador de la instancia."),
    ],
)
def test_an_admin_cannot_deactivate_themselves(
    app_client: TestClient, world: World, db: Database, lang: str, message: str
) -> None:
    cookie = _login(app_client, world.admin.email)

    r = _patch(app_client, world.admin.id, world.admin, {"is_active": False}, lang)

    error = assert_error(r, 409, "cannot_deactivate_self")
    assert (error["message"], error["details"]) == (message, None)
    assert _user(db, world.admin.id).is_active is True
    assert _revoked(db, world.admin.id) == ([False], [False])
    assert _me(app_client, cookie).status_code == 200
    assert _events(db) == []


def test_an_admin_deactivates_another_instance_admin(
    app_client: TestClient, world: World, factory: Factory, db: Database
) -> None:
    other = factory.user(is_admin=True)

    r = _patch(app_client, other.id, world.admin, {"is_active": False})

    assert r.status_code == 200, r.text
    assert (r.json()["is_admin"], r.json()["is_active"]) == (True, False)
    assert_error(app_client.get(ME, headers=other.headers), 401, "invalid_token")


@pytest.mark.parametrize("who", ["outsider", "manager", "reviewer", "annotator2", "viewer"])
def test_only_instance_admins_deactivate(
    app_client: TestClient, world: World, db: Database, who: str
) -> None:
    """Workspace roles do not count, not even a workspace's own admin (``outsider`` is B's admin)."""
    r = _patch(app_client, world.annotator.id, getattr(world, who), {"is_active": False})

    assert assert_error(r, 403, "admin_required")["message"] == "Only instance administrators can do this."
    assert _user(db, world.annotator.id).is_active is True
    assert app_client.get(ME, headers=world.annotator.headers).status_code == 200
    assert _events(db) == []


@pytest.mark.parametrize("user_id", [987654, 2**63])
def test_an_unknown_user_is_404(app_client: TestClient, world: World, db: Database, user_id: int) -> None:
    r = _patch(app_client, user_id, world.admin, {"is_active": False})

    assert assert_error(r, 404, "not_found")["message"] == "User not found."
    assert _events(db) == []


def test_a_non_admin_gets_403_even_for_an_unknown_user(app_client: TestClient, world: World) -> None:
    """The 403 comes first: a non-admin cannot probe which user ids exist."""
    assert_error(_patch(app_client, 987654, world.manager, {"is_active": False}), 403, "admin_required")


def test_by_cookie_the_csrf_header_is_required(app_client: TestClient, world: World, db: Database) -> None:
    cookie = _login(app_client, world.admin.email)
    app_client.cookies.clear()

    r = app_client.patch(
        f"/api/v1/users/{world.annotator.id}",
        json={"is_active": False},
        headers={"Cookie": f"consenso_session={cookie}"},
    )

    assert_error(r, 403, "csrf_failed")
    assert _user(db, world.annotator.id).is_active is True


@pytest.mark.parametrize(
    ("body", "field", "kind"),
    [
        ({}, "is_active", "missing"),
        ({"is_active": "maybe"}, "is_active", "bool_parsing"),
        ({"is_active": None}, "is_active", "bool_type"),
        ({"is_active": False, "is_admin": True}, "is_admin", "extra_forbidden"),
    ],
    ids=["missing", "not-bool", "null", "unknown-field"],
)
def test_invalid_bodies_are_422_and_change_nothing(
    app_client: TestClient, world: World, db: Database, body: Any, field: str, kind: str
) -> None:
    r = _patch(app_client, world.annotator.id, world.admin, body)

    error = assert_error(r, 422, "validation_error")
    assert [(d["field"], d["type"]) for d in error["details"]] == [(field, kind)]
    assert _user(db, world.annotator.id).is_active is True
    assert _events(db) == []
