"""PATCH /api/v1/workspaces/{id}/members/{user_id} on oneself: nobody changes their own role (403
``cannot_change_own_role``, English and Spanish), whatever their role; one's own skills and leaving the
workspace keep their rules."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from consenso.store.database import Database
from consenso.store.models import AuditEvent, Membership
from tests.api.v1.assertions import assert_error
from tests.conftest import Actor, Factory, World

MESSAGE = {
    "en": "Nobody can change their own role; ask another admin or manager of the workspace.",
    "es": "Nadie puede cambiar su propio rol; pídaselo a otro administrador o responsable del espacio de "
    "trabajo.",
}
SKILLS = {"languages": [{"code": "es", "level": "native"}], "domains": ["legal"]}


def _members(db: Database, workspace_id: int) -> dict[int, tuple[str, Any]]:
    with db.read() as session:
        rows = session.scalars(select(Membership).where(Membership.workspace_id == workspace_id))
        return {m.user_id: (m.role, m.skills) for m in rows}


def _member_events(db: Database) -> list[str]:
    with db.read() as session:
        return [
            e.action
            for e in session.scalars(select(AuditEvent).where(AuditEvent.action.like("member%")))
            if e.action != "membership.create"
        ]


def _patch(client: TestClient, world: World, who: Actor, body: Any, lang: str = "en") -> Any:
    return client.patch(
        f"/api/v1/workspaces/{world.workspace_id}/members/{who.id}",
        json=body,
        headers={**who.headers, "Accept-Language": lang},
    )


@pytest.mark.parametrize(
    ("who", "new"),
    [
        ("admin_member", "manager"),  # a workspace admin, not an instance admin
        ("admin_member", "viewer"),
        ("manager", "reviewer"),
        ("manager", "annotator"),
        ("reviewer", "manager"),
        ("annotator", "reviewer"),
        ("viewer", "annotator"),
    ],
)
@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_member_cannot_change_their_own_role(
    app_client: TestClient, world: World, factory: Factory, db: Database, who: str, new: str, lang: str
) -> None:
    # a second admin: the self rule is not the last-admin rule
    actor = factory.member(world.admin, world.workspace_id, "admin") if who == "admin_member" else None
    actor = actor or getattr(world, who)
    before = _members(db, world.workspace_id)

    r = _patch(app_client, world, actor, {"role": new}, lang)

    error = assert_error(r, 403, "cannot_change_own_role")
    assert (error["message"], error["details"]) == (MESSAGE[lang], None)
    assert _members(db, world.workspace_id) == before
    assert _member_events(db) == []


def test_an_instance_admin_who_is_a_member_cannot_change_their_own_role(
    app_client: TestClient, world: World, factory: Factory, db: Database
) -> None:
    """world.admin is an instance admin and the workspace's admin member; with a second admin, demoting
    themselves would pass every other rule."""
    factory.member(world.admin, world.workspace_id, "admin")
    root = factory.user(is_admin=True)
    added = app_client.post(
        f"/api/v1/workspaces/{world.workspace_id}/members",
        json={"user_id": root.id, "role": "manager"},
        headers=world.admin.headers,
    )
    assert added.status_code == 201, added.text
    before = _members(db, world.workspace_id)

    demote = _patch(app_client, world, world.admin, {"role": "manager"})
    # an instance admin acts as admin everywhere, but still cannot raise their own membership
    promote = _patch(app_client, world, root, {"role": "admin"})

    assert_error(demote, 403, "cannot_change_own_role")
    assert_error(promote, 403, "cannot_change_own_role")
    assert _members(db, world.workspace_id) == before
    assert _member_events(db) == []


def test_a_role_change_with_skills_on_oneself_changes_neither(
    app_client: TestClient, world: World, db: Database
) -> None:
    before = _members(db, world.workspace_id)

    r = _patch(app_client, world, world.manager, {"role": "reviewer", "skills": SKILLS})

    assert_error(r, 403, "cannot_change_own_role")
    assert _members(db, world.workspace_id) == before
    assert _member_events(db) == []


def test_asking_for_the_role_one_has_is_no_change(app_client: TestClient, world: World, db: Database) -> None:
    r = _patch(app_client, world, world.manager, {"role": "manager"})

    assert r.status_code == 200, r.text
    assert r.json()["role"] == "manager"
    assert _member_events(db) == []


def test_a_manager_still_sets_their_own_skills(app_client: TestClient, world: World, db: Database) -> None:
    r = _patch(app_client, world, world.manager, {"skills": SKILLS})

    assert r.status_code == 200, r.text
    role, skills = _members(db, world.workspace_id)[world.manager.id]
    assert (role, skills) == (
        "manager",
        {"languages": [{"code": "es", "dialect": None, "level": "native"}], "domains": ["legal"]},
    )
    assert _member_events(db) == ["member.skills"]


def test_others_still_change_the_role(app_client: TestClient, world: World, db: Database) -> None:
    r = _patch(app_client, world, world.manager, {"role": "reviewer"})
    assert_error(r, 403, "cannot_change_own_role")

    by_admin = app_client.patch(
        f"/api/v1/workspaces/{world.workspace_id}/members/{world.manager.id}",
        json={"role": "reviewer"},
        headers=world.admin.headers,
    )

    assert by_admin.status_code == 200, by_admin.text
    assert _members(db, world.workspace_id)[world.manager.id][0] == "reviewer"
    assert _member_events(db) == ["membership.update"]


def test_a_manager_may_still_leave_the_workspace(app_client: TestClient, world: World, db: Database) -> None:
    r = app_client.delete(
        f"/api/v1/workspaces/{world.workspace_id}/members/{world.manager.id}", headers=world.manager.headers
    )

    assert r.status_code == 204, r.text
    assert world.manager.id not in _members(db, world.workspace_id)
