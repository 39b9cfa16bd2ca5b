"""POST /api/v1/auth/login locks an e-mail address after repeated failures: 429 ``login_locked`` with Retry-After,
whatever the password and whether or not the address has an account; a success resets the count; all audited."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from consenso.api.app import create_app
from consenso.services import auth
from consenso.settings import Settings, load_settings
from consenso.store.database import Database
from consenso.store.models import AuditEvent, AuthSession, LoginThrottle
from tests.api.v1.assertions import assert_error
from tests.conftest import Factory

LOGIN = "/api/v1/auth/login"
PASSWORD = "right-password"
WRONG = "wrong-password"
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Clock:
    """The services' "now", moved by the test."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(auth, "utcnow", fake)
    return fake


def _login(client: TestClient, email: str, password: str, lang: str = "en") -> httpx.Response:
    r: httpx.Response = client.post(
        LOGIN, json={"email": email, "password": password}, headers={"Accept-Language": lang}
    )
    return r


def _fail(client: TestClient, email: str, times: int) -> list[httpx.Response]:
    return [_login(client, email, WRONG) for _ in range(times)]


def _outline(r: httpx.Response) -> tuple[int, str, str, str | None]:
    """What a caller can tell from an answer (the code, the message, the Retry-After header)."""
    body = r.json()
    code = body["error"]["code"] if "error" in body else "ok"
    message = body["error"]["message"] if "error" in body else ""
    return r.status_code, code, message, r.headers.get("retry-after")


def _events(db: Database, action: str) -> list[AuditEvent]:
    with db.read() as session:
        return list(
            session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
        )


def test_five_failures_lock_and_even_the_right_password_then_gets_429(
    app_client: TestClient, factory: Factory, db: Database, clock: Clock
) -> None:
    user = factory.user(email="ana@example.test", password=PASSWORD)

    first_four = _fail(app_client, "ana@example.test", 4)
    fifth = _login(app_client, "Ana@Example.test", WRONG)  # the same address, however it is spelt
    clock.advance(minutes=5)
    right = _login(app_client, "ana@example.test", PASSWORD)

    for r in first_four:
        assert_error(r, 401, "invalid_credentials")
    error = assert_error(fifth, 429, "login_locked")
    assert fifth.headers["retry-after"] == "900"
    assert error["message"] == "Too many failed logins for this account: try again in 15 minutes."
    assert "www-authenticate" not in fifth.headers
    error = assert_error(right, 429, "login_locked")
    assert right.headers["retry-after"] == "600"
    assert error["message"] == "Too many failed logins for this account: try again in 10 minutes."
    assert "set-cookie" not in right.headers
    with db.read() as session:
        assert session.scalars(select(AuthSession)).all() == []

    failed = _events(db, "auth.login_failed")
    assert [(e.actor_id, e.object_id, e.outcome, e.details) for e in failed] == [
        *[(user.id, str(user.id), "failure", {"email": "ana@example.test"})] * 5,
        (user.id, str(user.id), "failure", {"email": "ana@example.test", "reason": "locked"}),
    ]
    locked = _events(db, "auth.locked")
    assert [(e.actor_id, e.object_type, e.object_id, e.outcome, e.created_at, e.details) for e in locked] == [
        (
            user.id,
            "user",
            str(user.id),
            "failure",
            START,
            {
                "email": "ana@example.test",
                "failures": 5,
                "lock": 1,
                "locked_until": (START + timedelta(minutes=15)).isoformat(),
            },
        )
    ]
    with db.read() as session:
        texts = [str(e.details) for e in session.scalars(select(AuditEvent))]
    assert not any(PASSWORD in t or WRONG in t for t in texts)


def test_after_the_lock_login_works_and_the_count_starts_over(
    app_client: TestClient, factory: Factory, db: Database, clock: Clock
) -> None:
    factory.user(email="bob@example.test", password=PASSWORD)
    _fail(app_client, "bob@example.test", 5)
    clock.advance(minutes=14, seconds=59)
    assert_error(_login(app_client, "bob@example.test", PASSWORD), 429, "login_locked")

    clock.advance(seconds=1)
    ok = _login(app_client, "bob@example.test", PASSWORD)

    assert ok.status_code == 200, ok.text
    with db.read() as session:
        assert session.scalars(select(LoginThrottle)).all() == []
    # the count starts over: four more failures are plain 401s, the fifth locks for the base period again
    again = _fail(app_client, "bob@example.test", 5)
    assert [r.status_code for r in again] == [401, 401, 401, 401, 429]
    assert again[-1].headers["retry-after"] == "900"


def test_a_success_before_the_limit_resets_the_count(
    app_client: TestClient, factory: Factory, clock: Clock
) -> None:
    factory.user(email="cai@example.test", password=PASSWORD)
    _fail(app_client, "cai@example.test", 4)

    assert _login(app_client, "cai@example.test", PASSWORD).status_code == 200

    assert [r.status_code for r in _fail(app_client, "cai@example.test", 4)] == [401] * 4


def test_each_further_lock_before_a_success_lasts_twice_as_long_up_to_the_cap(
    db: Database, factory: Factory, tmp_path_factory: pytest.TempPathFactory, clock: Clock
) -> None:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("data"),
        environment="test",
        login_max_failures=2,
        login_lock_seconds=60,
        login_lock_max_seconds=150,
    )
    factory.user(email="dee@example.test", password=PASSWORD)
    retry_after = []
    with TestClient(create_app(settings, db=db), raise_server_exceptions=False) as client:
        for _ in range(3):
            answers = _fail(client, "dee@example.test", 2)
            assert [r.status_code for r in answers] == [401, 429]
            retry_after.append(answers[-1].headers["retry-after"])
            clock.advance(hours=1)
        assert _login(client, "dee@example.test", PASSWORD).status_code == 200
        after_success = _fail(client, "dee@example.test", 2)

    assert retry_after == ["60", "120", "150"]
    assert after_success[-1].headers["retry-after"] == "60"


def test_an_unknown_address_gets_the_same_answers_as_a_known_one(
    app_client: TestClient, factory: Factory, db: Database, clock: Clock
) -> None:
    user = factory.user(email="eva@example.test", password=PASSWORD)

    def sequence(email: str) -> list[tuple[int, str, str, str | None]]:
        answers = _fail(app_client, email, 5)
        answers.append(_login(app_client, email, PASSWORD))
        answers.append(_login(app_client, email, WRONG, lang="es"))
        return [_outline(r) for r in answers]

    known = sequence("eva@example.test")
    unknown = sequence("nobody@example.test")

    assert unknown == known
    assert [status for status, *_ in known] == [401, 401, 401, 401, 429, 429, 429]
    assert known[-1][2] == (
        "Demasiados intentos fallidos para esta cuenta: vuelva a intentarlo en 15 minutos."
    )
    locked = _events(db, "auth.locked")
    assert [(e.actor_id, e.object_id, e.details["email"]) for e in locked] == [
        (user.id, str(user.id), "eva@example.test"),
        (None, "", "nobody@example.test"),
    ]
    failed = _events(db, "auth.login_failed")
    assert len(failed) == 14
    assert [e.details.get("reason") for e in failed if e.actor_id is None] == [None] * 5 + ["locked"] * 2
    # only a hash of each address is kept in the throttle table
    with db.read() as session:
        keys = set(session.scalars(select(LoginThrottle.key_hash)))
    assert keys == {hashlib.sha256(a.encode()).digest() for a in ("eva@example.test", "nobody@example.test")}


def test_a_lock_is_per_address(app_client: TestClient, factory: Factory, clock: Clock) -> None:
    factory.user(email="fay@example.test", password=PASSWORD)
    factory.user(email="gil@example.test", password=PASSWORD)
    _fail(app_client, "fay@example.test", 5)

    assert _login(app_client, "gil@example.test", PASSWORD).status_code == 200
    assert_error(_login(app_client, "fay@example.test", PASSWORD), 429, "login_locked")


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("en", "Too many failed logins for this account: try again in 2 minutes."),
        ("es", "Demasiados intentos fallidos para esta cuenta: vuelva a intentarlo en 2 minutos."),
    ],
)
def test_the_lock_message_in_english_and_spanish_rounds_the_minutes_up(
    app_client: TestClient, factory: Factory, clock: Clock, lang: str, message: str
) -> None:
    factory.user(email="hal@example.test", password=PASSWORD)
    _fail(app_client, "hal@example.test", 5)
    clock.advance(minutes=13, seconds=30)  # 90 seconds left

    r = _login(app_client, "hal@example.test", PASSWORD, lang=lang)

    assert assert_error(r, 429, "login_locked")["message"] == message
    assert r.headers["retry-after"] == "90"


@pytest.fixture
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "CONSENSO_LOGIN_MAX_FAILURES",
        "CONSENSO_LOGIN_LOCK_SECONDS",
        "CONSENSO_LOGIN_LOCK_MAX_SECONDS",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("_no_env")
def test_lockout_settings_default_and_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = load_settings()
    assert (defaults.login_max_failures, defaults.login_lock_seconds, defaults.login_lock_max_seconds) == (
        5,
        900,
        86400,
    )
    monkeypatch.setenv("CONSENSO_LOGIN_MAX_FAILURES", "3")
    monkeypatch.setenv("CONSENSO_LOGIN_LOCK_SECONDS", "60")
    monkeypatch.setenv("CONSENSO_LOGIN_LOCK_MAX_SECONDS", "3600")

    s = load_settings()

    assert (s.login_max_failures, s.login_lock_seconds, s.login_lock_max_seconds) == (3, 60, 3600)
    monkeypatch.setenv("CONSENSO_LOGIN_MAX_FAILURES", "0")
    with pytest.raises(ValueError, match="login_max_failures"):
        load_settings()
