"""PATCH /api/v1/workspaces/{id}/members/{user_id}: change a member's role; who may; the last admin stays."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from consenso.core.errors import ConsensoError
from consenso.core.permissions import Role
from consenso.services import workspaces
from consenso.services.principal import Principal
from consenso.store.database import Database
from consenso.store.models import Assignment, AuditEvent, Membership, Task
from tests.api.v1.assertions import When, assert_error
from tests.conftest import Actor, Factory, World


def _members(db: Database, workspace_id: int) -> dict[int, str]:
    with db.read() as session:
        rows = session.scalars(select(Membership).where(Membership.workspace_id == workspace_id))
        return {m.user_id: m.role for m in rows}


def _events(db: Database) -> list[AuditEvent]:
    with db.read() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == "membership.update")))


def _patch(
    client: TestClient, world: World, user_id: int | str, who: Actor, body: Any, **headers: str
) -> Any:
    return client.patch(
        f"/api/v1/workspaces/{world.workspace_id}/members/{user_id}",
        json=body,
        headers={**who.headers, **headers},
    )


def test_admin_changes_a_role(app_client: TestClient, world: World, db: Database) -> None:
    r = _patch(app_client, world, world.annotator.id, world.admin, {"role": "reviewer"})

    assert r.status_code == 200, r.text
    with db.read() as session:
        row = session.scalars(select(Membership).where(Membership.user_id == world.annotator.id)).one()
    assert r.json() == {
        "id": row.id,
        "workspace_id": world.workspace_id,
        "user_id": world.annotator.id,
        "email": world.annotator.email,
        "name": "",
        "role": "reviewer",
        "created_at": When(row.created_at),
        "skills": {"languages": [], "domains": []},
    }
    assert row.role == "reviewer"
    [event] = _events(db)
    assert (event.actor_id, event.object_id, event.details) == (
        world.admin.id,
        str(row.id),
        {"user_id": world.annotator.id, "from": "annotator", "to": "reviewer", "leases_released": 0},
    )
    # the new role takes effect at once
    seen = app_client.get(f"/api/v1/projects/{world.project_id}/quality", headers=world.annotator.headers)
    assert seen.status_code == 200, seen.text


def test_manager_promotes_an_annotator_to_manager(app_client: TestClient, world: World, db: Database) -> None:
    r = _patch(app_client, world, world.annotator.id, world.manager, {"role": "manager"})

    assert r.status_code == 200, r.text
    assert _members(db, world.workspace_id)[world.annotator.id] == "manager"


def test_the_same_role_changes_nothing(app_client: TestClient, world: World, db: Database) -> None:
    r = _patch(app_client, world, world.viewer.id, world.admin, {"role": "viewer"})

    assert r.status_code == 200, r.text
    assert r.json()["role"] == "viewer"
    assert _events(db) == []


def test_manager_cannot_grant_admin(app_client: TestClient, world: World, db: Database) -> None:
    before = _members(db, world.workspace_id)

    r = _patch(app_client, world, world.annotator.id, world.manager, {"role": "admin"})

    error = assert_error(r, 403, "cannot_grant_role")
    assert error["message"] == "Your role cannot grant the role 'admin'."
    assert _members(db, world.workspace_id) == before


def test_manager_cannot_change_an_admin(
    app_client: TestClient, world: World, factory: Factory, db: Database
) -> None:
    second_admin = factory.member(world.admin, world.workspace_id, "admin")
    before = _members(db, world.workspace_id)

    r = _patch(app_client, world, second_admin.id, world.manager, {"role": "viewer"})

    error = assert_error(r, 403, "cannot_manage_role")
    assert error["message"] == "Your role cannot change or remove a member whose role is 'admin'."
    assert _members(db, world.workspace_id) == before


def test_the_last_admin_cannot_be_demoted(
    app_client: TestClient, world: World, factory: Factory, db: Database
) -> None:
    assert [u for u, role in _members(db, world.workspace_id).items() if role == "admin"] == [world.admin.id]
    root = factory.user(is_admin=True)  # an instance admin, not a member: acts as admin, may change others
    before = _members(db, world.workspace_id)

    r = _patch(app_client, world, world.admin.id, root, {"role": "manager"})

    error = assert_error(r, 409, "last_admin")
    assert error["message"] == (
        "The workspace must keep at least one admin, and this member is the last one; make someone else "
        "admin first."
    )
    assert _members(db, world.workspace_id) == before
    assert _events(db) == []


def test_an_admin_may_be_demoted_when_another_remains(
    app_client: TestClient, world: World, factory: Factory, db: Database
) -> None:
    second_admin = factory.member(world.admin, world.workspace_id, "admin")

    # by the other admin: nobody changes their own role (tests/api/v1/test_own_role.py)
    r = _patch(app_client, world, world.admin.id, second_admin, {"role": "annotator"})

    assert r.status_code == 200, r.text
    assert _members(db, world.workspace_id)[world.admin.id] == "annotator"


@pytest.mark.parametrize(
    ("setup", "code", "message"),
    [
        (
            "last_admin",
            "last_admin",
            "El espacio de trabajo debe conservar al menos un administrador y este miembro es el último; "
            "nombre antes a otro administrador.",
        ),
        (
            "admin_target",
            "cannot_manage_role",
            "Su rol no puede cambiar ni quitar a un miembro cuyo rol es 'admin'.",
        ),
        ("grant_admin", "cannot_grant_role", "Su rol no puede otorgar el rol 'admin'."),
        ("not_member", "not_found", "Miembro: no se encontró."),
    ],
)
def test_refusals_in_spanish(
    app_client: TestClient, world: World, factory: Factory, db: Database, setup: str, code: str, message: str
) -> None:
    target, who, role = world.admin.id, world.admin, "manager"
    if setup == "last_admin":
        who = factory.user(is_admin=True)  # not a member: one's own role would be refused first
    elif setup == "admin_target":
        target, who = factory.member(world.admin, world.workspace_id, "admin").id, world.manager
    elif setup == "grant_admin":
        target, who, role = world.annotator.id, world.manager, "admin"
    elif setup == "not_member":
        target = world.outsider.id
    before = _members(db, world.workspace_id)

    r = _patch(app_client, world, target, who, {"role": role}, **{"Accept-Language": "es"})

    status = {"last_admin": 409, "not_member": 404}.get(setup, 403)
    assert assert_error(r, status, code)["message"] == message
    assert _members(db, world.workspace_id) == before


def test_a_member_who_may_no_longer_annotate_gives_back_their_lease(
    app_client: TestClient, world: World, db: Database
) -> None:
    leased = app_client.get(f"/api/v1/projects/{world.project_id}/next", headers=world.annotator.headers)
    assert leased.status_code == 200, leased.text

    r = _patch(app_client, world, world.annotator.id, world.admin, {"role": "viewer"})

    assert r.status_code == 200, r.text
    with db.read() as session:
        states = session.scalars(select(Assignment.state)).all()
        task = session.get(Task, leased.json()["id"])
    assert states == ["expired"]
    assert task is not None and task.slots_taken == 0
    assert _events(db)[-1].details["leases_released"] == 1


def test_a_member_who_still_annotates_keeps_their_lease(
    app_client: TestClient, world: World, db: Database
) -> None:
    app_client.get(f"/api/v1/projects/{world.project_id}/next", headers=world.annotator.headers)

    r = _patch(app_client, world, world.annotator.id, world.admin, {"role": "reviewer"})

    assert r.status_code == 200, r.text
    with db.read() as session:
        assert session.scalars(select(Assignment.state)).all() == ["leased"]


@pytest.mark.parametrize("who", ["annotator", "reviewer", "viewer"])
def test_non_staff_cannot_change_roles(app_client: TestClient, world: World, db: Database, who: str) -> None:
    before = _members(db, world.workspace_id)

    r = _patch(app_client, world, world.annotator2.id, getattr(world, who), {"role": "viewer"})

    assert_error(r, 403, "permission_denied")
    assert _members(db, world.workspace_id) == before


def test_outsider_gets_404_for_the_workspace(app_client: TestClient, world: World, db: Database) -> None:
    before = _members(db, world.workspace_id)

    r = _patch(app_client, world, world.annotator.id, world.outsider, {"role": "viewer"})

    assert assert_error(r, 404, "not_found")["message"] == "Workspace not found."
    assert _members(db, world.workspace_id) == before


@pytest.mark.parametrize("user_id", [987654, 2**63])
def test_unknown_user_is_404(app_client: TestClient, world: World, db: Database, user_id: int) -> None:
    before = _members(db, world.workspace_id)

    assert_error(_patch(app_client, world, user_id, world.admin, {"role": "viewer"}), 404, "not_found")
    assert _members(db, world.workspace_id) == before


@pytest.mark.parametrize(
    ("user_id", "body", "field", "kind"),
    [
        ("1", {"role": "owner"}, "role", "enum"),
        ("1", {"role": "view\x00er"}, "role", "enum"),
        ("1", {"role": 3}, "role", "enum"),
        ("1", {"role": "viewer", "email": "x@example.test"}, "email", "extra_forbidden"),
        ("abc", {"role": "viewer"}, "path.user_id", "int_parsing"),
        ("0", {"role": "viewer"}, "path.user_id", "greater_than_equal"),
    ],
    ids=["unknown-role", "nul", "not-text", "unknown-field", "id-not-int", "id-zero"],
)
def test_invalid_input_is_422(
    app_client: TestClient, world: World, db: Database, user_id: str, body: Any, field: str, kind: str
) -> None:
    before = _members(db, world.workspace_id)

    r = _patch(app_client, world, world.annotator.id if user_id == "1" else user_id, world.admin, body)

    error = assert_error(r, 422, "validation_error")
    assert [(d["field"], d["type"]) for d in error["details"]] == [(field, kind)]
    assert _members(db, world.workspace_id) == before


def test_two_admins_demoting_each_other_at_once_leave_one(
    world: World, factory: Factory, db: Database
) -> None:
    second = factory.member(world.admin, world.workspace_id, "admin")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def demote(actor: Actor, target: Actor) -> None:
        # as plain workspace members: an instance admin acts as admin whatever their membership says
        principal = Principal(user_id=actor.id, email=actor.email, is_admin=False, via="token")
        barrier.wait()
        try:
            workspaces.change_member_role(db, principal, world.workspace_id, target.id, role=Role.MANAGER)
            outcomes.append("ok")
        except ConsensoError as exc:
            outcomes.append(exc.message_key)

    threads = [
        threading.Thread(target=demote, args=(world.admin, second)),
        threading.Thread(target=demote, args=(second, world.admin)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # whoever came second was no longer an admin, and could not touch one
    assert sorted(outcomes) == ["cannot_manage_role", "ok"]
    assert list(_members(db, world.workspace_id).values()).count("admin") == 1
