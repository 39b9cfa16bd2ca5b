"""``consenso user add``: creates a user, prints it as JSON on the last stdout line (the bench parses it)."""

from __future__ import annotations

import re

import orjson
import pytest
from sqlalchemy import select

from consenso.core.errors import NotAuthenticated
from consenso.services import auth
from consenso.store.database import Database
from consenso.store.models import AuditEvent, User
from tests.cli.conftest import RunCli, assert_failed, assert_ok, last_line

# what /work/shared/bench/consenso_setup.py accepts as "the user exists already"
BENCH_EXISTS = re.compile(r"already|exist|duplicate|unique", re.I)


def _users(db: Database) -> list[User]:
    with db.read() as session:
        return list(session.scalars(select(User).order_by(User.id)))


def _logs_in(db: Database, email: str, password: str) -> bool:
    try:
        auth.login(db, email, password, max_seconds=3600)
    except NotAuthenticated:
        return False
    return True


def test_user_add_prints_the_user_as_json_on_the_last_line(run_cli: RunCli, db: Database) -> None:
    result = run_cli(["user", "add", "--email", "ann@example.test", "--password", "correct-horse-1"])

    assert_ok(result)
    [user] = _users(db)
    assert result.stdout == f'{{"id":{user.id},"email":"ann@example.test","is_admin":false}}\n'
    assert orjson.loads(last_line(result.stdout)) == {
        "id": user.id,
        "email": "ann@example.test",
        "is_admin": False,
    }
    assert result.stderr.strip() == f"Created user {user.id} <ann@example.test>."
    assert (user.email, user.name, user.is_admin, user.is_active, user.locale) == (
        "ann@example.test",
        "",
        False,
        True,
        "en",
    )
    assert _logs_in(db, "ann@example.test", "correct-horse-1")
    with db.read() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.create")).one()
    assert (event.actor_id, event.object_id, event.details) == (None, str(user.id), {"is_admin": False})


def test_user_add_with_admin_name_and_locale(run_cli: RunCli, db: Database) -> None:
    result = run_cli(
        [
            "user",
            "add",
            "--email",
            "  Boss@Example.TEST ",
            "--password",
            "correct-horse-1",
            "--admin",
            "--name",
            "Big Boss",
            "--locale",
            "es",
        ]
    )

    assert_ok(result)
    [user] = _users(db)
    assert orjson.loads(last_line(result.stdout)) == {
        "id": user.id,
        "email": "boss@example.test",
        "is_admin": True,
    }
    assert result.stderr.strip() == f"Created user {user.id} <boss@example.test> (instance admin)."
    assert (user.email, user.name, user.is_admin, user.locale) == (
        "boss@example.test",
        "Big Boss",
        True,
        "es",
    )


def test_user_add_with_an_unknown_locale_stores_english(run_cli: RunCli, db: Database) -> None:
    result = run_cli(
        ["user", "add", "--email", "fr@example.test", "--password", "correct-horse-1", "--locale", "fr"]
    )

    assert_ok(result)
    assert [u.locale for u in _users(db)] == ["en"]


@pytest.mark.parametrize("args", [["--password", "-"], []], ids=["password-dash", "no-password-option"])
def test_user_add_reads_the_password_from_stdin(run_cli: RunCli, db: Database, args: list[str]) -> None:
    result = run_cli(
        ["user", "add", "--email", "pipe@example.test", *args], input="  from stdin 123  \r\nignored\n"
    )

    assert_ok(result)
    [user] = _users(db)
    assert orjson.loads(last_line(result.stdout))["id"] == user.id
    # only the line ending is stripped: spaces are part of the password
    assert _logs_in(db, "pipe@example.test", "  from stdin 123  ")
    assert not _logs_in(db, "pipe@example.test", "from stdin 123")


@pytest.mark.parametrize("args", [["--password", "-"], []], ids=["password-dash", "no-password-option"])
def test_user_add_with_empty_stdin_fails_and_creates_nobody(
    run_cli: RunCli, db: Database, args: list[str]
) -> None:
    result = run_cli(["user", "add", "--email", "pipe@example.test", *args], input="")

    assert_failed(result, "Error: No password given: pass --password or pipe it on standard input.")
    assert _users(db) == []


def test_user_add_with_an_existing_email_fails_as_the_bench_expects(run_cli: RunCli, db: Database) -> None:
    first = run_cli(["user", "add", "--email", "dup@example.test", "--password", "correct-horse-1"])
    assert_ok(first)

    again = run_cli(
        ["user", "add", "--email", "DUP@example.test", "--password", "other-password-2", "--admin"]
    )

    assert_failed(again, "Error: A user with e-mail dup@example.test already exists.")
    assert BENCH_EXISTS.search(again.stdout + again.stderr)
    [user] = _users(db)
    assert user.is_admin is False
    assert _logs_in(db, "dup@example.test", "correct-horse-1")
    assert not _logs_in(db, "dup@example.test", "other-password-2")


def test_user_add_with_a_short_password_fails_and_creates_nobody(run_cli: RunCli, db: Database) -> None:
    result = run_cli(["user", "add", "--email", "short@example.test", "--password", "1234567"])

    assert_failed(result, "Error: The password must have at least 8 characters.")
    assert _users(db) == []


def test_user_add_with_an_invalid_email_fails(run_cli: RunCli, db: Database) -> None:
    result = run_cli(["user", "add", "--email", "not-an-email", "--password", "correct-horse-1"])

    assert isinstance(result.exception, SystemExit)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert result.stdout == ""
    assert _users(db) == []


def test_user_add_messages_in_spanish(run_cli: RunCli, db: Database) -> None:
    created = run_cli(
        ["user", "add", "--email", "eva@example.test", "--password", "correct-horse-1", "--admin"],
        CONSENSO_LANG="es",
    )
    assert_ok(created)
    [user] = _users(db)
    assert (
        created.stderr.strip()
        == f"Usuario {user.id} <eva@example.test> creado (administrador de la instancia)."
    )
    # the JSON line is for programs: the same in every language
    assert orjson.loads(last_line(created.stdout)) == {
        "id": user.id,
        "email": "eva@example.test",
        "is_admin": True,
    }

    again = run_cli(
        ["user", "add", "--email", "eva@example.test", "--password", "correct-horse-1"], CONSENSO_LANG="es"
    )
    assert_failed(again, "Error: Ya existe un usuario con el correo eva@example.test.")
    assert BENCH_EXISTS.search(again.stderr)

    short = run_cli(["user", "add", "--email", "leo@example.test", "--password", "corta"], CONSENSO_LANG="es")
    assert_failed(short, "Error: La contraseña debe tener al menos 8 caracteres.")


def test_user_add_follows_lang_when_consenso_lang_is_unset(run_cli: RunCli, db: Database) -> None:
    result = run_cli(
        ["user", "add", "--email", "x@example.test", "--password", "corta"],
        CONSENSO_LANG=None,
        LANG="es_ES.UTF-8",
    )

    assert_failed(result, "Error: La contraseña debe tener al menos 8 caracteres.")


def test_consenso_lang_wins_over_lang(run_cli: RunCli, db: Database) -> None:
    result = run_cli(
        ["user", "add", "--email", "x@example.test", "--password", "short"],
        CONSENSO_LANG="en",
        LANG="es_ES.UTF-8",
    )

    assert_failed(result, "Error: The password must have at least 8 characters.")


def test_user_add_with_markup_like_characters_in_the_email(run_cli: RunCli, db: Database) -> None:
    """Rich markup must not be applied to data: ``[/x]`` is a valid e-mail local part for Consenso."""
    result = run_cli(["user", "add", "--email", "[/x]@example.test", "--password", "correct-horse-1"])

    assert_ok(result)
    [user] = _users(db)
    assert result.stderr.strip() == f"Created user {user.id} <[/x]@example.test>."

    again = run_cli(["user", "add", "--email", "[/x]@example.test", "--password", "correct-horse-1"])

    assert_failed(again, "Error: A user with e-mail [/x]@example.test already exists.")
