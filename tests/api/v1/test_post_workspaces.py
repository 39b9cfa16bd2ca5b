"""POST /api/v1/workspaces: instance admins only; the creator becomes the workspace admin."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from consenso.store.database import Database
from consenso.store.models import AuditEvent, Membership, Workspace
from tests.api.v1.assertions import When, assert_error
from tests.conftest import Factory


def test_admin_creates_a_workspace(app_client: TestClient, factory: Factory, db: Database) -> None:
    admin = factory.user(is_admin=True)

    r = app_client.post("/api/v1/workspaces", json={"name": "Clínica Norte"}, headers=admin.headers)

    assert r.status_code == 201, r.text
    with db.read() as session:
        ws = session.scalars(select(Workspace)).one()
        members = [(m.user_id, m.role) for m in session.scalars(select(Membership))]
        events = [(e.action, e.workspace_id, e.actor_id) for e in session.scalars(select(AuditEvent))]
    assert r.json() == {
        "id": ws.id,
        "name": "Clínica Norte",
        "role": "admin",
        "created_at": When(ws.created_at),
    }
    assert members == [(admin.id, "admin")]
    assert ("workspace.create", ws.id, admin.id) in events


def test_non_admin_is_403(app_client: TestClient, factory: Factory, db: Database) -> None:
    user = factory.user()

    r = app_client.post("/api/v1/workspaces", json={"name": "Mine"}, headers=user.headers)

    assert_error(r, 403, "admin_required")
    with db.read() as session:
        assert session.scalars(select(Workspace)).all() == []


def test_empty_name_is_422(app_client: TestClient, factory: Factory, db: Database) -> None:
    admin = factory.user(is_admin=True)

    r = app_client.post("/api/v1/workspaces", json={"name": ""}, headers=admin.headers)

    error = assert_error(r, 422, "validation_error")
    assert [(d["field"], d["type"]) for d in error["details"]] == [("name", "string_too_short")]
    with db.read() as session:
        assert session.scalars(select(Workspace)).all() == []
