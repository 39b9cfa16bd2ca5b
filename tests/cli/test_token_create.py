"""``consenso token create --user E``: a personal access token on the last stdout line, shown once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consenso.core.errors import NotAuthenticated
from consenso.services import auth
from consenso.store.database import Database
from consenso.store.models import ApiToken, AuditEvent
from tests.cli.conftest import RunCli, assert_failed, assert_ok, last_line
from tests.conftest import Factory


def test_token_create_prints_a_token_that_authenticates(
    run_cli: RunCli, db: Database, factory: Factory
) -> None:
    user = factory.user(email="tina@example.test")

    result = run_cli(["token", "create", "--user", "tina@example.test"])

    assert_ok(result)
    token = last_line(result.stdout)
    assert result.stdout == token + "\n"
    assert token.startswith("cns_")
    assert " " not in token
    assert len(token) > len("cns_") + 40  # 32 random bytes, URL-safe base64
    assert result.stderr.strip() == "New token for tina@example.test (shown once; store it now):"
    principal = auth.authenticate_token(db, token)
    assert (principal.user_id, principal.email, principal.is_admin, principal.via) == (
        user.id,
        "tina@example.test",
        False,
        "token",
    )
    with db.read() as session:
        row = session.scalars(select(ApiToken).where(ApiToken.token_prefix == token[:12])).one()
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "token.create", AuditEvent.object_id == str(row.id))
        ).one()
    assert (row.user_id, row.name, row.revoked_at, row.expires_at) == (user.id, "cli", None, None)
    assert row.token_hash == auth.digest(token)  # only the hash is stored
    assert event.details == {"for_user": user.id}


def test_token_create_for_an_admin_with_a_name_and_any_email_case(
    run_cli: RunCli, db: Database, factory: Factory
) -> None:
    admin = factory.user(email="root@example.test", is_admin=True)

    result = run_cli(["token", "create", "--user", " ROOT@Example.test ", "--name", "bench"])

    assert_ok(result)
    token = last_line(result.stdout)
    principal = auth.authenticate_token(db, token)
    assert (principal.user_id, principal.is_admin) == (admin.id, True)
    with db.read() as session:
        names = session.scalars(
            select(ApiToken.name).where(ApiToken.user_id == admin.id).order_by(ApiToken.id)
        ).all()
    assert names == ["test", "bench"]  # the factory's token, then ours


def test_every_call_makes_a_new_token_and_the_old_ones_stay_valid(
    run_cli: RunCli, db: Database, factory: Factory
) -> None:
    user = factory.user(email="twice@example.test")

    first = run_cli(["token", "create", "--user", "twice@example.test"])
    second = run_cli(["token", "create", "--user", "twice@example.test"])

    assert_ok(first)
    assert_ok(second)
    tokens = [last_line(first.stdout), last_line(second.stdout)]
    assert tokens[0] != tokens[1]
    assert [auth.authenticate_token(db, t).user_id for t in tokens] == [user.id, user.id]


def test_token_create_for_an_unknown_user_fails_and_creates_nothing(
    run_cli: RunCli, db: Database, factory: Factory
) -> None:
    factory.user(email="someone@example.test")

    result = run_cli(["token", "create", "--user", "nobody@example.test"])

    assert_failed(result, "Error: No user with e-mail nobody@example.test.")
    with db.read() as session:
        assert session.scalars(select(ApiToken.name)).all() == ["test"]  # only the factory's


def test_token_create_for_an_unknown_user_in_spanish(run_cli: RunCli, db: Database) -> None:
    result = run_cli(["token", "create", "--user", "nadie@example.test"], CONSENSO_LANG="es")

    assert_failed(result, "Error: No existe un usuario con el correo nadie@example.test.")


def test_a_garbled_token_does_not_authenticate(run_cli: RunCli, db: Database, factory: Factory) -> None:
    factory.user(email="tom@example.test")
    token = last_line(run_cli(["token", "create", "--user", "tom@example.test"]).stdout)

    with pytest.raises(NotAuthenticated):
        auth.authenticate_token(db, token[:-1] + ("A" if token[-1] != "A" else "B"))
