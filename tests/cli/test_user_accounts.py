"""``consenso user set-password EMAIL``, ``user deactivate EMAIL``, ``user activate EMAIL``: the operator's
account commands. Each signs the user out where it should, and is audited with ``origin`` ``cli``."""

from __future__ import annotations

from sqlalchemy import select

from consenso.core.errors import NotAuthenticated
from consenso.services import auth
from consenso.services.principal import Principal
from consenso.services.users import create_user
from consenso.store.database import Database
from consenso.store.models import ApiToken, AuditEvent, AuthSession, User
from tests.cli.conftest import RunCli, assert_failed, assert_ok

PASSWORD = "first-password-1"


def _user_with_credentials(db: Database, email: str) -> tuple[int, str]:
    """A user with one live session and one API token; their id and the token."""
    view = create_user(db, None, email=email, password=PASSWORD)
    auth.login(db, email, PASSWORD, max_seconds=3600)
    token = auth.create_token(db, Principal.local_admin(view.id, view.email), name="ci").token
    return view.id, token


def _logs_in(db: Database, email: str, password: str) -> bool:
    try:
        auth.login(db, email, password, max_seconds=3600)
    except NotAuthenticated:
        return False
    return True


def _token_works(db: Database, token: str) -> bool:
    try:
        auth.authenticate_token(db, token)
    except NotAuthenticated:
        return False
    return True


def _state(db: Database, user_id: int) -> tuple[bool, list[bool], list[bool]]:
    """Active or not; per session and per token, revoked or not."""
    with db.read() as session:
        user = session.get(User, user_id)
        assert user is not None
        sessions = session.scalars(
            select(AuthSession.revoked_at).where(AuthSession.user_id == user_id).order_by(AuthSession.id)
        ).all()
        tokens = session.scalars(select(ApiToken.revoked_at).where(ApiToken.user_id == user_id)).all()
    return user.is_active, [s is not None for s in sessions], [t is not None for t in tokens]


def _events(db: Database, prefix: str) -> list[AuditEvent]:
    with db.read() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.action.like(prefix + "%")).order_by(AuditEvent.id)
            )
        )


def test_set_password_from_stdin_signs_the_user_out(run_cli: RunCli, db: Database) -> None:
    user_id, token = _user_with_credentials(db, "ana@example.test")

    result = run_cli(["user", "set-password", "ANA@example.test"], input="second-password-2\n")

    assert_ok(result)
    assert result.stderr.strip() == (
        f"New password set for user {user_id} <ana@example.test>; every session of theirs is signed out."
    )
    assert result.stdout == ""
    assert _state(db, user_id) == (True, [True], [False])
    assert _token_works(db, token)  # tokens are not passwords: they stay
    assert not _logs_in(db, "ana@example.test", PASSWORD)
    assert _logs_in(db, "ana@example.test", "second-password-2")
    [event] = _events(db, "user.password")
    assert (event.actor_id, event.object_id, event.origin, event.details) == (
        None,
        str(user_id),
        "cli",
        {"sessions_revoked": 1},
    )


def test_set_password_refusals(run_cli: RunCli, db: Database) -> None:
    user_id, _ = _user_with_credentials(db, "bea@example.test")

    missing = run_cli(["user", "set-password", "nobody@example.test", "--password", "long-enough-1"])
    short = run_cli(["user", "set-password", "bea@example.test", "--password", "short"], CONSENSO_LANG="es")

    assert_failed(missing, "Error: No user with e-mail nobody@example.test.")
    assert_failed(short, "Error: La contraseña debe tener al menos 8 caracteres.")
    assert _state(db, user_id) == (True, [False], [False])
    assert _logs_in(db, "bea@example.test", PASSWORD)
    assert _events(db, "user.password") == []


def test_deactivate_then_activate(run_cli: RunCli, db: Database) -> None:
    user_id, token = _user_with_credentials(db, "cris@example.test")

    off = run_cli(["user", "deactivate", "cris@example.test"])

    assert_ok(off)
    assert off.stderr.strip() == (
        f"Deactivated user {user_id} <cris@example.test>: signed out everywhere, API tokens revoked."
    )
    assert _state(db, user_id) == (False, [True], [True])
    assert not _token_works(db, token)
    assert not _logs_in(db, "cris@example.test", PASSWORD)

    on = run_cli(["user", "activate", "cris@example.test"], CONSENSO_LANG="es")

    assert_ok(on)
    assert on.stderr.strip() == (
        f"Usuario {user_id} <cris@example.test> activado: puede volver a iniciar sesión (las sesiones y los "
        "tokens anteriores siguen revocados)."
    )
    assert _state(db, user_id) == (True, [True], [True])
    assert not _token_works(db, token)
    assert _logs_in(db, "cris@example.test", PASSWORD)
    events = _events(db, "user.")
    assert [(e.action, e.actor_id, e.origin, e.details) for e in events if e.action != "user.create"] == [
        ("user.deactivated", None, "cli", {"sessions_revoked": 1, "tokens_revoked": 1, "leases_released": 0}),
        ("user.reactivated", None, "cli", {}),
    ]


def test_deactivate_an_unknown_user_fails(run_cli: RunCli, db: Database) -> None:
    result = run_cli(["user", "deactivate", "ghost@example.test"])

    assert_failed(result, "Error: No user with e-mail ghost@example.test.")
