"""POST /api/v1/auth/password: the signed-in user changes their own password. Every other session is revoked,
the current one is replaced (new cookie and CSRF token), a wrong current password changes nothing; the
operator's reset (``users.set_password``) also signs the user out everywhere. Audited without a password."""

from __future__ import annotations

import hashlib
from http.cookies import Morsel, SimpleCookie
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from consenso.services import users
from consenso.settings import Settings
from consenso.store.database import Database
from consenso.store.models import AuditEvent, AuthSession, LoginThrottle, User
from tests.api.v1.assertions import When, assert_error
from tests.conftest import Actor, Factory

PASSWORD = "old-password-1"
NEW = "new-password-22"
CHANGE = "/api/v1/auth/password"
ME = "/api/v1/auth/me"


def _login(client: TestClient, email: str, password: str = PASSWORD) -> tuple[str, str]:
    """A new session: its cookie value and CSRF token. The client's cookie jar is left empty."""
    client.cookies.clear()
    r = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    cookie = r.cookies["consenso_session"]
    client.cookies.clear()
    return cookie, r.json()["csrf_token"]


def _me(client: TestClient, cookie: str) -> httpx.Response:
    client.cookies.clear()
    r: httpx.Response = client.get(ME, headers={"Cookie": f"consenso_session={cookie}"})
    return r


def _change(client: TestClient, cookie: str, csrf: str | None, body: Any, lang: str = "en") -> httpx.Response:
    client.cookies.clear()
    headers = {"Cookie": f"consenso_session={cookie}", "Accept-Language": lang}
    if csrf is not None:
        headers["X-CSRF-Token"] = csrf
    r: httpx.Response = client.post(CHANGE, json=body, headers=headers)
    return r


def _set_cookies(response: httpx.Response) -> dict[str, Morsel[str]]:
    jar: dict[str, Morsel[str]] = {}
    for header in response.headers.get_list("set-cookie"):
        parsed = SimpleCookie()
        parsed.load(header)
        jar.update(parsed)
    return jar


def _sessions(db: Database, user_id: int) -> list[AuthSession]:
    with db.read() as session:
        return list(
            session.scalars(
                select(AuthSession).where(AuthSession.user_id == user_id).order_by(AuthSession.id)
            )
        )


def _events(db: Database, prefix: str = "user.password") -> list[AuditEvent]:
    with db.read() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.action.like(prefix + "%")).order_by(AuditEvent.id)
            )
        )


def _password_hash(db: Database, user_id: int) -> str | None:
    with db.read() as session:
        user = session.get(User, user_id)
        assert user is not None
        return user.password_hash


def _logs_in(client: TestClient, email: str, password: str) -> bool:
    client.cookies.clear()
    r = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    client.cookies.clear()
    return r.status_code == 200


def test_password_change_revokes_every_other_session_and_rotates_the_current_one(
    app_client: TestClient, factory: Factory, db: Database, settings: Settings
) -> None:
    user = factory.user(email="ana@example.test", password=PASSWORD)
    current, csrf = _login(app_client, user.email)
    other, _ = _login(app_client, user.email)  # another browser, or a thief's copy of an old cookie

    r = _change(app_client, current, csrf, {"current_password": PASSWORD, "new_password": NEW})

    assert r.status_code == 200, r.text
    rows = _sessions(db, user.id)
    assert len(rows) == 3
    fresh = rows[2]
    assert r.json() == {
        "sessions_revoked": 1,
        "csrf_token": fresh.csrf_token,
        "expires_at": When(fresh.expires_at),
    }
    # the new cookies, set as login sets them
    cookies = _set_cookies(r)
    new_cookie = cookies["consenso_session"].value
    assert cookies["consenso_session"]["httponly"] is True
    assert cookies["consenso_session"]["samesite"].lower() == "strict"
    assert cookies["consenso_session"]["max-age"] == str(settings.session_max_seconds)
    assert cookies["consenso_csrf"].value == fresh.csrf_token != csrf
    assert new_cookie not in (current, other)
    assert fresh.token_hash == hashlib.sha256(new_cookie.encode()).digest()
    assert [s.revoked_at is not None for s in rows] == [True, True, False]
    assert rows[0].revoked_at == rows[1].revoked_at  # one instant, one transaction

    # the old cookie and the other session are signed out; the new cookie works
    assert_error(_me(app_client, current), 401, "session_expired")
    assert_error(_me(app_client, other), 401, "session_expired")
    assert _me(app_client, new_cookie).json()["id"] == user.id
    # and the API token the user made on purpose still works
    assert app_client.get(ME, headers=user.headers).status_code == 200

    # the new session's writes need the new CSRF token, not the old one
    stale = _change(app_client, new_cookie, csrf, {"current_password": NEW, "new_password": PASSWORD})
    assert_error(stale, 403, "csrf_failed")

    assert not _logs_in(app_client, user.email, PASSWORD)
    assert _logs_in(app_client, user.email, NEW)

    [event] = _events(db)
    assert (event.action, event.actor_id, event.object_type, event.object_id, event.outcome) == (
        "user.password_changed",
        user.id,
        "user",
        str(user.id),
        "success",
    )
    assert event.details == {"sessions_revoked": 1, "session_rotated": True}
    assert event.origin == "testclient"


def test_the_new_session_can_change_the_password_again(
    app_client: TestClient, factory: Factory, db: Database
) -> None:
    user = factory.user(email="bea@example.test", password=PASSWORD)
    cookie, csrf = _login(app_client, user.email)
    first = _change(app_client, cookie, csrf, {"current_password": PASSWORD, "new_password": NEW})
    assert first.status_code == 200, first.text

    again = _change(
        app_client,
        first.cookies["consenso_session"],
        first.json()["csrf_token"],
        {"current_password": NEW, "new_password": "third-password-333"},
    )

    assert again.status_code == 200, again.text
    assert again.json()["sessions_revoked"] == 0
    assert [s.revoked_at is None for s in _sessions(db, user.id)] == [False, False, True]


def test_a_bearer_token_changes_the_password_and_signs_out_every_session(
    app_client: TestClient, factory: Factory, db: Database
) -> None:
    user = factory.user(email="cris@example.test", password=PASSWORD)
    first, _ = _login(app_client, user.email)
    second, _ = _login(app_client, user.email)

    r = app_client.post(
        CHANGE, json={"current_password": PASSWORD, "new_password": NEW}, headers=user.headers
    )

    assert r.status_code == 200, r.text
    assert r.json() == {"sessions_revoked": 2, "csrf_token": None, "expires_at": None}
    assert "set-cookie" not in r.headers
    assert [s.revoked_at is not None for s in _sessions(db, user.id)] == [True, True]
    assert_error(_me(app_client, first), 401, "session_expired")
    assert_error(_me(app_client, second), 401, "session_expired")
    assert app_client.get(ME, headers=user.headers).status_code == 200
    assert [e.details for e in _events(db)] == [{"sessions_revoked": 2, "session_rotated": False}]


def test_other_users_sessions_are_untouched(app_client: TestClient, factory: Factory, db: Database) -> None:
    user = factory.user(email="dani@example.test", password=PASSWORD)
    neighbour = factory.user(email="eli@example.test", password=PASSWORD)
    theirs, _ = _login(app_client, neighbour.email)

    r = app_client.post(
        CHANGE, json={"current_password": PASSWORD, "new_password": NEW}, headers=user.headers
    )

    assert r.status_code == 200, r.text
    assert _me(app_client, theirs).status_code == 200
    assert [s.revoked_at for s in _sessions(db, neighbour.id)] == [None]


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("en", "The current password is wrong; nothing was changed."),
        ("es", "La contraseña actual no es correcta; no se cambió nada."),
    ],
)
def test_a_wrong_current_password_changes_nothing(
    app_client: TestClient, factory: Factory, db: Database, lang: str, message: str
) -> None:
    user = factory.user(email="fer@example.test", password=PASSWORD)
    cookie, csrf = _login(app_client, user.email)
    other, _ = _login(app_client, user.email)
    hash_before = _password_hash(db, user.id)

    r = _change(app_client, cookie, csrf, {"current_password": "not-it-at-all", "new_password": NEW}, lang)

    error = assert_error(r, 400, "wrong_current_password")
    assert (error["message"], error["details"]) == (message, None)
    assert "set-cookie" not in r.headers
    assert _password_hash(db, user.id) == hash_before
    assert [s.revoked_at for s in _sessions(db, user.id)] == [None, None]
    assert _me(app_client, cookie).status_code == 200 and _me(app_client, other).status_code == 200
    # it is not a failed login: nothing counts towards the lockout of the address
    with db.read() as session:
        assert session.scalars(select(LoginThrottle)).all() == []
    [event] = _events(db)
    assert (event.action, event.actor_id, event.outcome, event.details) == (
        "user.password_change_failed",
        user.id,
        "failure",
        {"reason": "wrong_current_password"},
    )
    assert _logs_in(app_client, user.email, PASSWORD)


def test_the_csrf_header_is_required_with_a_session_cookie(
    app_client: TestClient, factory: Factory, db: Database
) -> None:
    user = factory.user(email="gus@example.test", password=PASSWORD)
    cookie, csrf = _login(app_client, user.email)
    hash_before = _password_hash(db, user.id)
    body = {"current_password": PASSWORD, "new_password": NEW}

    missing = _change(app_client, cookie, None, body)
    wrong = _change(app_client, cookie, csrf[:-2] + "xx", body)

    assert_error(missing, 403, "csrf_failed")
    assert_error(wrong, 403, "csrf_failed")
    assert _password_hash(db, user.id) == hash_before
    assert [s.revoked_at for s in _sessions(db, user.id)] == [None]
    assert _events(db) == []


@pytest.mark.parametrize(
    ("body", "field", "kind"),
    [
        ({"current_password": PASSWORD, "new_password": "short12"}, "new_password", "string_too_short"),
        ({"current_password": PASSWORD, "new_password": "x" * 1025}, "new_password", "string_too_long"),
        ({"current_password": "", "new_password": NEW}, "current_password", "string_too_short"),
        ({"current_password": PASSWORD}, "new_password", "missing"),
        ({"current_password": PASSWORD, "new_password": 12345678}, "new_password", "string_type"),
        ({"current_password": PASSWORD, "new_password": NEW, "email": "x@y.z"}, "email", "extra_forbidden"),
    ],
    ids=["too-short", "too-long", "no-current", "no-new", "not-text", "unknown-field"],
)
def test_invalid_bodies_are_422_and_change_nothing(
    app_client: TestClient, factory: Factory, db: Database, body: Any, field: str, kind: str
) -> None:
    user = factory.user(email="hugo@example.test", password=PASSWORD)
    hash_before = _password_hash(db, user.id)

    r = app_client.post(CHANGE, json=body, headers=user.headers)

    error = assert_error(r, 422, "validation_error")
    assert [(d["field"], d["type"]) for d in error["details"]] == [(field, kind)]
    assert _password_hash(db, user.id) == hash_before
    assert _events(db) == []


def test_without_credentials_is_401(app_client: TestClient) -> None:
    r = app_client.post(CHANGE, json={"current_password": PASSWORD, "new_password": NEW})

    assert_error(r, 401, "not_authenticated")


def test_a_revoked_session_cannot_change_the_password(
    app_client: TestClient, factory: Factory, db: Database
) -> None:
    user = factory.user(email="juan@example.test", password=PASSWORD)
    cookie, csrf = _login(app_client, user.email)
    r = app_client.post(
        CHANGE, json={"current_password": PASSWORD, "new_password": NEW}, headers=user.headers
    )
    assert r.status_code == 200, r.text

    again = _change(app_client, cookie, csrf, {"current_password": NEW, "new_password": "third-password-333"})

    assert_error(again, 401, "session_expired")
    assert _logs_in(app_client, user.email, NEW)


def test_the_operators_reset_revokes_every_session(
    app_client: TestClient, factory: Factory, db: Database
) -> None:
    user: Actor = factory.user(email="kim@example.test", password=PASSWORD)
    first, _ = _login(app_client, user.email)
    second, _ = _login(app_client, user.email)

    users.set_password(db, "KIM@example.test", NEW)

    assert [s.revoked_at is not None for s in _sessions(db, user.id)] == [True, True]
    assert_error(_me(app_client, first), 401, "session_expired")
    assert_error(_me(app_client, second), 401, "session_expired")
    assert app_client.get(ME, headers=user.headers).status_code == 200
    assert _logs_in(app_client, user.email, NEW)
    [event] = _events(db)
    assert (event.action, event.actor_id, event.origin, event.details) == (
        "user.password",
        None,
        "cli",
        {"sessions_revoked": 2},
    )
