"""Member skills: PATCH /api/v1/workspaces/{id}/members/{user_id} with ``skills``, and who reads them.

Skills (languages with a level and optional dialect, domains) are set by those who manage members, checked
by ``parse_skills`` (400 ``skill_invalid`` naming the field, in English and Spanish), stored normalised and
audited (``member.skills``). Managers see everyone's in the members list; any other member their own.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from consenso.store.database import Database
from consenso.store.models import AuditEvent, Membership
from tests.api.v1.assertions import When, assert_error
from tests.conftest import Actor, Factory, World

EMPTY = {"languages": [], "domains": []}
SKILLS_IN = {
    "languages": [
        {"code": "es", "dialect": "es-CO", "level": "native"},
        {"code": "en", "level": "B2"},
    ],
    "domains": ["medical", "legal", "medical"],
}
SKILLS_OUT = {
    "languages": [
        {"code": "es", "dialect": "es-CO", "level": "native"},
        {"code": "en", "dialect": None, "level": "B2"},
    ],
    "domains": ["medical", "legal"],
}


def _patch(client: TestClient, world: World, user_id: int, who: Actor, body: Any, **headers: str) -> Any:
    return client.patch(
        f"/api/v1/workspaces/{world.workspace_id}/members/{user_id}",
        json=body,
        headers={**who.headers, **headers},
    )


def _membership(db: Database, workspace_id: int, user_id: int) -> Membership:
    with db.read() as session:
        return session.scalars(
            select(Membership).where(Membership.workspace_id == workspace_id, Membership.user_id == user_id)
        ).one()


def _state(db: Database, workspace_id: int) -> dict[int, tuple[str, dict[str, Any]]]:
    with db.read() as session:
        rows = session.scalars(select(Membership).where(Membership.workspace_id == workspace_id))
        return {m.user_id: (m.role, dict(m.skills)) for m in rows}


def _events(db: Database, action: str = "member.skills") -> list[AuditEvent]:
    with db.read() as session:
        return list(
            session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
        )


def test_admin_sets_a_members_skills(app_client: TestClient, world: World, db: Database) -> None:
    r = _patch(app_client, world, world.annotator.id, world.admin, {"skills": SKILLS_IN})

    assert r.status_code == 200, r.text
    row = _membership(db, world.workspace_id, world.annotator.id)
    assert r.json() == {
        "id": row.id,
        "workspace_id": world.workspace_id,
        "user_id": world.annotator.id,
        "email": world.annotator.email,
        "name": "",
        "role": "annotator",
        "created_at": When(row.created_at),
        "skills": SKILLS_OUT,
    }
    assert row.skills == SKILLS_OUT  # stored normalised: dialect spelled out, domains once each
    assert row.role == "annotator"
    [event] = _events(db)
    assert (event.actor_id, event.workspace_id, event.object_type, event.object_id) == (
        world.admin.id,
        world.workspace_id,
        "membership",
        str(row.id),
    )
    assert event.details == {"user_id": world.annotator.id, "from": EMPTY, "to": SKILLS_OUT}
    assert _events(db, "membership.update") == []


def test_manager_sets_skills_and_the_same_skills_again_change_nothing(
    app_client: TestClient, world: World, db: Database
) -> None:
    first = _patch(app_client, world, world.annotator.id, world.manager, {"skills": SKILLS_IN})
    again = _patch(app_client, world, world.annotator.id, world.manager, {"skills": SKILLS_OUT})

    assert first.status_code == 200, first.text
    assert again.status_code == 200, again.text
    assert again.json()["skills"] == SKILLS_OUT
    assert len(_events(db)) == 1


@pytest.mark.parametrize("cleared", [{}, None, {"languages": [], "domains": []}])
def test_skills_are_cleared(app_client: TestClient, world: World, db: Database, cleared: Any) -> None:
    _patch(app_client, world, world.annotator.id, world.admin, {"skills": SKILLS_IN})

    r = _patch(app_client, world, world.annotator.id, world.admin, {"skills": cleared})

    assert r.status_code == 200, r.text
    assert r.json()["skills"] == EMPTY
    assert _membership(db, world.workspace_id, world.annotator.id).skills == EMPTY
    assert [e.details["to"] for e in _events(db)] == [SKILLS_OUT, EMPTY]


def test_role_and_skills_change_together(app_client: TestClient, world: World, db: Database) -> None:
    r = _patch(
        app_client,
        world,
        world.viewer.id,
        world.admin,
        {"role": "annotator", "skills": {"domains": ["finance"]}},
    )

    assert r.status_code == 200, r.text
    assert (r.json()["role"], r.json()["skills"]) == ("annotator", {"languages": [], "domains": ["finance"]})
    assert _state(db, world.workspace_id)[world.viewer.id] == (
        "annotator",
        {"languages": [], "domains": ["finance"]},
    )
    assert [e.details["to"] for e in _events(db, "membership.update")] == ["annotator"]
    assert [e.details["to"] for e in _events(db)] == [{"languages": [], "domains": ["finance"]}]


def test_a_role_change_alone_keeps_the_skills(app_client: TestClient, world: World, db: Database) -> None:
    _patch(app_client, world, world.annotator.id, world.admin, {"skills": SKILLS_IN})

    r = _patch(app_client, world, world.annotator.id, world.admin, {"role": "reviewer"})

    assert r.status_code == 200, r.text
    assert (r.json()["role"], r.json()["skills"]) == ("reviewer", SKILLS_OUT)
    assert len(_events(db)) == 1


def test_bad_skills_leave_the_role_unchanged_too(app_client: TestClient, world: World, db: Database) -> None:
    before = _state(db, world.workspace_id)

    r = _patch(
        app_client,
        world,
        world.annotator.id,
        world.admin,
        {"role": "viewer", "skills": {"languages": [{"code": "es", "level": "fluent"}]}},
    )

    assert_error(r, 400, "skill_invalid")
    assert _state(db, world.workspace_id) == before
    assert _events(db) == [] and _events(db, "membership.update") == []


_HELP = (
    "is not valid: languages need a code such as 'es', an optional dialect such as 'es-CO' and a level "
    "(A1, A2, B1, B2, C1, C2 or native); domains are lowercase words."
)


@pytest.mark.parametrize(
    ("skills", "field"),
    [
        (["es"], "skills"),
        ("es:native", "skills"),
        ({"languages": [], "certificates": []}, "skills"),
        ({"languages": {"code": "es"}}, "skills.languages"),
        ({"languages": [{"code": "es", "level": "B2"}] * 51}, "skills.languages"),
        ({"domains": "medical"}, "skills.domains"),
        ({"domains": [f"d{i}" for i in range(51)]}, "skills.domains"),
        ({"languages": ["es"]}, "skills.languages[0]"),
        ({"languages": [{"code": "es", "level": "C1", "years": 3}]}, "skills.languages[0]"),
        (
            {"languages": [{"code": "en", "level": "C1"}, {"code": "ES", "level": "C1"}]},
            "skills.languages[1].code",
        ),
        ({"languages": [{"level": "C1"}]}, "skills.languages[0].code"),
        ({"languages": [{"code": "es", "dialect": "pt-BR", "level": "C1"}]}, "skills.languages[0].dialect"),
        ({"languages": [{"code": "es", "dialect": "es_CO", "level": "C1"}]}, "skills.languages[0].dialect"),
        ({"languages": [{"code": "es", "level": "fluent"}]}, "skills.languages[0].level"),
        ({"languages": [{"code": "es"}]}, "skills.languages[0].level"),
        ({"domains": ["medical", "Legal"]}, "skills.domains[1]"),
        ({"domains": ["medical", 7]}, "skills.domains[1]"),
    ],
    ids=[
        "list",
        "string",
        "unknown-key",
        "languages-not-list",
        "too-many-languages",
        "domains-not-list",
        "too-many-domains",
        "language-not-object",
        "language-unknown-key",
        "code-uppercase",
        "code-missing",
        "dialect-of-another-language",
        "dialect-bad-tag",
        "level-unknown",
        "level-missing",
        "domain-uppercase",
        "domain-not-text",
    ],
)
def test_invalid_skills_are_400_naming_the_field(
    app_client: TestClient, world: World, db: Database, skills: Any, field: str
) -> None:
    before = _state(db, world.workspace_id)

    r = _patch(app_client, world, world.annotator.id, world.manager, {"skills": skills})

    error = assert_error(r, 400, "skill_invalid")
    assert error["message"] == f"The skill '{field}' {_HELP}"
    assert _state(db, world.workspace_id) == before
    assert _events(db) == []


def test_invalid_skills_in_spanish(app_client: TestClient, world: World, db: Database) -> None:
    r = _patch(
        app_client,
        world,
        world.annotator.id,
        world.manager,
        {"skills": {"languages": [{"code": "es", "level": "nativo"}]}},
        **{"Accept-Language": "es"},
    )

    error = assert_error(r, 400, "skill_invalid")
    assert error["message"] == (
        "La habilidad 'skills.languages[0].level' no es válida: los idiomas necesitan un código como 'es', un "
        "dialecto opcional como 'es-CO' y un nivel (A1, A2, B1, B2, C1, C2 o native); los dominios son "
        "palabras en minúsculas."
    )
    assert _events(db) == []


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("en", "Say what to change: send the member's new 'role', their 'skills', or both."),
        ("es", "Indique qué cambiar: envíe el nuevo 'role' del miembro, sus 'skills' o ambos."),
    ],
)
def test_an_empty_patch_is_400(
    app_client: TestClient, world: World, db: Database, lang: str, message: str
) -> None:
    before = _state(db, world.workspace_id)

    r = _patch(app_client, world, world.annotator.id, world.admin, {}, **{"Accept-Language": lang})

    assert assert_error(r, 400, "member_change_required")["message"] == message
    assert _state(db, world.workspace_id) == before


@pytest.mark.parametrize("who", ["annotator", "reviewer", "viewer"])
@pytest.mark.parametrize("target", ["self", "other"])
def test_non_staff_cannot_set_skills(
    app_client: TestClient, world: World, db: Database, who: str, target: str
) -> None:
    actor: Actor = getattr(world, who)
    before = _state(db, world.workspace_id)
    user_id = actor.id if target == "self" else world.annotator2.id

    r = _patch(app_client, world, user_id, actor, {"skills": SKILLS_IN})

    assert_error(r, 403, "permission_denied")
    assert _state(db, world.workspace_id) == before
    assert _events(db) == []


def test_non_staff_are_refused_before_their_skills_are_read(app_client: TestClient, world: World) -> None:
    r = _patch(app_client, world, world.annotator.id, world.annotator, {"skills": ["not", "skills"]})

    assert_error(r, 403, "permission_denied")


def test_manager_cannot_change_an_admins_skills(
    app_client: TestClient, world: World, factory: Factory, db: Database
) -> None:
    second_admin = factory.member(world.admin, world.workspace_id, "admin")
    before = _state(db, world.workspace_id)

    r = _patch(app_client, world, second_admin.id, world.manager, {"skills": SKILLS_IN})

    error = assert_error(r, 403, "cannot_manage_role")
    assert error["message"] == "Your role cannot change or remove a member whose role is 'admin'."
    assert _state(db, world.workspace_id) == before


def test_outsider_gets_404(app_client: TestClient, world: World, db: Database) -> None:
    before = _state(db, world.workspace_id)

    r = _patch(app_client, world, world.annotator.id, world.outsider, {"skills": SKILLS_IN})

    assert assert_error(r, 404, "not_found")["message"] == "Workspace not found."
    assert _state(db, world.workspace_id) == before


def test_skills_of_someone_not_a_member_is_404(app_client: TestClient, world: World, db: Database) -> None:
    r = _patch(app_client, world, world.outsider.id, world.admin, {"skills": SKILLS_IN})

    assert assert_error(r, 404, "not_found")["message"] == "Member not found."
    assert _events(db) == []


def _listed_skills(client: TestClient, world: World, who: Actor) -> dict[int, Any]:
    r = client.get(f"/api/v1/workspaces/{world.workspace_id}/members", headers=who.headers)
    assert r.status_code == 200, r.text
    return {m["user_id"]: m["skills"] for m in r.json()}


def test_who_reads_which_skills_in_the_members_list(app_client: TestClient, world: World) -> None:
    _patch(app_client, world, world.annotator.id, world.admin, {"skills": SKILLS_IN})
    _patch(app_client, world, world.reviewer.id, world.admin, {"skills": {"domains": ["legal"]}})
    members = [world.admin, world.manager, world.reviewer, world.annotator, world.annotator2, world.viewer]
    everyone = {
        m.id: (
            SKILLS_OUT
            if m is world.annotator
            else {"languages": [], "domains": ["legal"]}
            if m is world.reviewer
            else EMPTY
        )
        for m in members
    }

    # staff read every member's skills
    assert _listed_skills(app_client, world, world.admin) == everyone
    assert _listed_skills(app_client, world, world.manager) == everyone
    # anyone else reads their own, and null for the others
    for who in (world.reviewer, world.annotator, world.annotator2, world.viewer):
        assert _listed_skills(app_client, world, who) == {
            m.id: everyone[m.id] if m.id == who.id else None for m in members
        }


def test_a_new_member_starts_without_skills(app_client: TestClient, world: World, factory: Factory) -> None:
    newcomer = factory.user()

    r = app_client.post(
        f"/api/v1/workspaces/{world.workspace_id}/members",
        json={"user_id": newcomer.id, "role": "annotator"},
        headers=world.manager.headers,
    )

    assert r.status_code == 201, r.text
    assert r.json()["skills"] == EMPTY
