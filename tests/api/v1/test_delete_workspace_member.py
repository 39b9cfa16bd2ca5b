"""DELETE /api/v1/workspaces/{id}/members/{user_id}: remove a member; who may; the last admin stays."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from consenso.store.database import Database
from consenso.store.models import Annotation, Assignment, AuditEvent, Membership, Task
from tests.api.v1.assertions import assert_error
from tests.conftest import Actor, Factory, World


def _members(db: Database, workspace_id: int) -> dict[int, str]:
    with db.read() as session:
        rows = session.scalars(select(Membership).where(Membership.workspace_id == workspace_id))
        return {m.user_id: m.role for m in rows}


def _delete(client: TestClient, world: World, user_id: int | str, who: Actor, **headers: str) -> Any:
    return client.delete(
        f"/api/v1/workspaces/{world.workspace_id}/members/{user_id}", headers={**who.headers, **headers}
    )


def test_admin_removes_a_member(app_client: TestClient, world: World, db: Database) -> None:
    submitted = app_client.post(
        f"/api/v1/tasks/{world.task_ids[0]}/annotations",
        json={"result": {"sentiment": "positive"}},
        headers=world.annotator.headers,
    )
    assert submitted.status_code == 201, submitted.text
    leased = app_client.get(
        f"/api/v1/projects/{world.project_id}/next", headers=world.annotator.headers
    ).json()
    with db.read() as session:
        membership_id = session.scalars(
            select(Membership.id).where(Membership.user_id == world.annotator.id)
        ).one()

    r = _delete(app_client, world, world.annotator.id, world.admin)

    assert r.status_code == 204, r.text
    assert r.content == b""
    assert world.annotator.id not in _members(db, world.workspace_id)
    with db.read() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "membership.delete")).one()
        annotations = session.scalars(select(Annotation.annotator_id)).all()
        states = dict(session.execute(select(Assignment.task_id, Assignment.state)).all())
        task = session.get(Task, leased["id"])
    assert (event.actor_id, event.object_type, event.object_id, event.details) == (
        world.admin.id,
        "membership",
        str(membership_id),
        {"user_id": world.annotator.id, "role": "annotator", "leases_released": 1},
    )
    assert annotations == [world.annotator.id]  # their work stays
    assert states == {world.task_ids[0]: "submitted", leased["id"]: "expired"}  # the lease is given back
    assert task is not None and task.slots_taken == 0
    # and they no longer see the workspace
    gone = app_client.get(f"/api/v1/projects/{world.project_id}/next", headers=world.annotator.headers)
    assert_error(gone, 404, "not_found")


def test_manager_removes_an_annotator(app_client: TestClient, world: World, db: Database) -> None:
    assert _delete(app_client, world, world.annotator2.id, world.manager).status_code == 204
    assert world.annotator2.id not in _members(db, world.workspace_id)


def test_a_manager_may_leave(app_client: TestClient, world: World, db: Database) -> None:
    assert _delete(app_client, world, world.manager.id, world.manager).status_code == 204
    assert world.manager.id not in _members(db, world.workspace_id)


def test_manager_cannot_remove_an_admin(
    app_client: TestClient, world: World, factory: Factory, db: Database
) -> None:
    second_admin = factory.member(world.admin, world.workspace_id, "admin")
    before = _members(db, world.workspace_id)

    r = _delete(app_client, world, second_admin.id, world.manager)

    error = assert_error(r, 403, "cannot_manage_role")
    assert error["message"] == "Your role cannot change or remove a member whose role is 'admin'."
    assert _members(db, world.workspace_id) == before


def test_the_last_admin_cannot_be_removed(app_client: TestClient, world: World, db: Database) -> None:
    before = _members(db, world.workspace_id)

    r = _delete(app_client, world, world.admin.id, world.admin)

    error = assert_error(r, 409, "last_admin")
    assert error["message"] == (
        "The workspace must keep at least one admin, and this member is the last one; make someone else "
        "admin first."
    )
    assert _members(db, world.workspace_id) == before
    with db.read() as session:
        assert session.scalars(select(AuditEvent).where(AuditEvent.action == "membership.delete")).all() == []


def test_the_last_admin_in_spanish(app_client: TestClient, world: World, db: Database) -> None:
    r = _delete(app_client, world, world.admin.id, world.admin, **{"Accept-Language": "es"})

    assert assert_error(r, 409, "last_admin")["message"] == (
        "El espacio de trabajo debe conservar al menos un administrador y este miembro es el último; "
        "nombre antes a otro administrador."
    )


def test_an_admin_may_be_removed_while_another_remains(
    app_client: TestClient, world: World, factory: Factory, db: Database
) -> None:
    second_admin = factory.member(world.admin, world.workspace_id, "admin")

    assert _delete(app_client, world, world.admin.id, second_admin).status_code == 204
    assert [u for u, role in _members(db, world.workspace_id).items() if role == "admin"] == [second_admin.id]


@pytest.mark.parametrize("who", ["annotator", "reviewer", "viewer"])
def test_non_staff_cannot_remove(app_client: TestClient, world: World, db: Database, who: str) -> None:
    before = _members(db, world.workspace_id)

    assert_error(
        _delete(app_client, world, world.annotator2.id, getattr(world, who)), 403, "permission_denied"
    )
    assert _members(db, world.workspace_id) == before


def test_outsider_gets_404(app_client: TestClient, world: World, db: Database) -> None:
    before = _members(db, world.workspace_id)

    r = _delete(app_client, world, world.annotator.id, world.outsider)

    assert assert_error(r, 404, "not_found")["message"] == "Workspace not found."
    assert _members(db, world.workspace_id) == before


@pytest.mark.parametrize("lang", ["en", "es"])
def test_not_a_member_is_404(app_client: TestClient, world: World, db: Database, lang: str) -> None:
    before = _members(db, world.workspace_id)

    r = _delete(app_client, world, world.outsider.id, world.admin, **{"Accept-Language": lang})

    error = assert_error(r, 404, "not_found")
    assert error["message"] == {"en": "Member not found.", "es": "Miembro: no se encontró."}[lang]
    assert _members(db, world.workspace_id) == before


def test_removing_twice_is_404(app_client: TestClient, world: World, db: Database) -> None:
    assert _delete(app_client, world, world.viewer.id, world.admin).status_code == 204

    assert_error(_delete(app_client, world, world.viewer.id, world.admin), 404, "not_found")


@pytest.mark.parametrize(
    ("user_id", "status", "code"),
    [
        ("abc", 422, "validation_error"),
        ("0", 422, "validation_error"),
        ("%00", 422, "validation_error"),
        (str(2**63), 404, "not_found"),
    ],
)
def test_bad_ids(
    app_client: TestClient, world: World, db: Database, user_id: str, status: int, code: str
) -> None:
    before = _members(db, world.workspace_id)

    assert_error(_delete(app_client, world, user_id, world.admin), status, code)
    assert _members(db, world.workspace_id) == before


def test_unauthenticated_is_401(app_client: TestClient, world: World, db: Database) -> None:
    r = app_client.delete(f"/api/v1/workspaces/{world.workspace_id}/members/{world.annotator.id}")

    assert_error(r, 401, "not_authenticated")
    assert world.annotator.id in _members(db, world.workspace_id)
