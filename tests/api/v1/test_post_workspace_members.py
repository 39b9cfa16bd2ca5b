"""POST /api/v1/workspaces/{id}/members: add a member by user id or e-mail; who may grant which role."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from consenso.store.database import Database
from consenso.store.models import AuditEvent, Membership
from tests.api.v1.assertions import When, assert_error
from tests.conftest import Factory, World


def _members(db: Database, workspace_id: int) -> dict[int, str]:
    with db.read() as session:
        rows = session.scalars(select(Membership).where(Membership.workspace_id == workspace_id))
        return {m.user_id: m.role for m in rows}


def test_admin_adds_a_member_by_user_id(
    app_client: TestClient, world: World, factory: Factory, db: Database
) -> None:
    newcomer = factory.user(email="pablo@example.test")

    r = app_client.post(
        f"/api/v1/workspaces/{world.workspace_id}/members",
        json={"user_id": newcomer.id, "role": "reviewer"},
        headers=world.admin.headers,
    )

    assert r.status_code == 201, r.text
    with db.read() as session:
        row = session.scalars(select(Membership).where(Membership.user_id == newcomer.id)).one()
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "membership.create")).all()[-1]
    assert r.json() == {
        "id": row.id,
        "workspace_id": world.workspace_id,
        "user_id": newcomer.id,
        "email": "pablo@example.test",
        "name": "",
        "role": "reviewer",
        "created_at": When(row.created_at),
        "skills": {"languages": [], "domains": []},
    }
    assert (event.actor_id, event.details) == (world.admin.id, {"user_id": newcomer.id, "role": "reviewer"})
    # the new member now sees the workspace
    seen = app_client.get(f"/api/v1/workspaces/{world.workspace_id}", headers=newcomer.headers)
    assert seen.status_code == 200 and seen.json()["role"] == "reviewer"


def test_manager_adds_a_member_by_email(
    app_client: TestClient, world: World, factory: Factory, db: Database
) -> None:
    newcomer = factory.user(email="quela@example.test")

    r = app_client.post(
        f"/api/v1/workspaces/{world.workspace_id}/members",
        json={"email": "Quela@Example.test", "role": "annotator"},
        headers=world.manager.headers,
    )

    assert r.status_code == 201, r.text
    assert (r.json()["user_id"], r.json()["role"]) == (newcomer.id, "annotator")
    assert _members(db, world.workspace_id)[newcomer.id] == "annotator"


@pytest.mark.parametrize(
    "body", [{"role": "viewer"}, {"role": "viewer", "user_id": 1, "email": "a@example.test"}]
)
def test_both_or_neither_of_user_id_and_email_is_400(
    app_client: TestClient, world: World, db: Database, body: dict[str, Any]
) -> None:
    before = _members(db, world.workspace_id)

    r = app_client.post(
        f"/api/v1/workspaces/{world.workspace_id}/members", json=body, headers=world.admin.headers
    )

    error = assert_error(r, 400, "user_or_email_required")
    assert error["message"] == "Give exactly one of 'user_id' or 'email'."
    assert _members(db, world.workspace_id) == before


def test_already_a_member_is_409(app_client: TestClient, world: World, db: Database) -> None:
    r = app_client.post(
        f"/api/v1/workspaces/{world.workspace_id}/members",
        json={"user_id": world.annotator.id, "role": "manager"},
        headers=world.admin.headers,
    )

    assert_error(r, 409, "already_member")
    assert _members(db, world.workspace_id)[world.annotator.id] == "annotator"


def test_manager_cannot_grant_admin(
    app_client: TestClient, world: World, factory: Factory, db: Database
) -> None:
    newcomer = factory.user()

    r = app_client.post(
        f"/api/v1/workspaces/{world.workspace_id}/members",
        json={"user_id": newcomer.id, "role": "admin"},
        headers=world.manager.headers,
    )

    error = assert_error(r, 403, "cannot_grant_role")
    assert error["message"] == "Your role cannot grant the role 'admin'."
    assert newcomer.id not in _members(db, world.workspace_id)


@pytest.mark.parametrize("who", ["annotator", "reviewer", "viewer"])
def test_non_staff_cannot_add_members(
    app_client: TestClient, world: World, factory: Factory, db: Database, who: str
) -> None:
    newcomer = factory.user()

    r = app_client.post(
        f"/api/v1/workspaces/{world.workspace_id}/members",
        json={"user_id": newcomer.id, "role": "viewer"},
        headers=getattr(world, who).headers,
    )

    assert_error(r, 403, "permission_denied")
    assert newcomer.id not in _members(db, world.workspace_id)


def test_unknown_email_is_404(app_client: TestClient, world: World, db: Database) -> None:
    before = _members(db, world.workspace_id)

    r = app_client.post(
        f"/api/v1/workspaces/{world.workspace_id}/members",
        json={"email": "ghost@example.test", "role": "viewer"},
        headers=world.admin.headers,
    )

    error = assert_error(r, 404, "not_found")
    assert error["message"] == "User not found."
    assert _members(db, world.workspace_id) == before


def test_unknown_user_id_is_404(app_client: TestClient, world: World) -> None:
    r = app_client.post(
        f"/api/v1/workspaces/{world.workspace_id}/members",
        json={"user_id": 987654, "role": "viewer"},
        headers=world.admin.headers,
    )

    assert_error(r, 404, "not_found")


def test_outsider_cannot_add_to_a_foreign_workspace(
    app_client: TestClient, world: World, factory: Factory, db: Database
) -> None:
    newcomer = factory.user()

    r = app_client.post(
        f"/api/v1/workspaces/{world.workspace_id}/members",
        json={"user_id": newcomer.id, "role": "viewer"},
        headers=world.outsider.headers,
    )

    error = assert_error(r, 404, "not_found")
    assert error["message"] == "Workspace not found."
    assert newcomer.id not in _members(db, world.workspace_id)


def test_unknown_role_is_422(app_client: TestClient, world: World, factory: Factory) -> None:
    newcomer = factory.user()

    r = app_client.post(
        f"/api/v1/workspaces/{world.workspace_id}/members",
        json={"user_id": newcomer.id, "role": "owner"},
        headers=world.admin.headers,
    )

    error = assert_error(r, 422, "validation_error")
    assert [(d["field"], d["type"]) for d in error["details"]] == [("role", "enum")]
