"""GET /api/v1/workspaces/{id}/members: every member with their role, for any member of the workspace."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from consenso.store.database import Database
from consenso.store.models import Membership, User
from tests.api.v1.assertions import When, assert_error
from tests.conftest import World


def test_member_lists_members(app_client: TestClient, world: World, db: Database) -> None:
    r = app_client.get(f"/api/v1/workspaces/{world.workspace_id}/members", headers=world.viewer.headers)

    assert r.status_code == 200, r.text
    with db.read() as session:
        rows = session.execute(
            select(Membership, User)
            .join(User, User.id == Membership.user_id)
            .where(Membership.workspace_id == world.workspace_id)
            .order_by(Membership.id)
        ).all()
    assert r.json() == [
        {
            "id": m.id,
            "workspace_id": world.workspace_id,
            "user_id": u.id,
            "email": u.email,
            "name": u.name,
            "role": m.role,
            "created_at": When(m.created_at),
            # a viewer sees their own skills only
            "skills": {"languages": [], "domains": []} if u.id == world.viewer.id else None,
        }
        for m, u in rows
    ]
    assert [m["role"] for m in r.json()] == [
        "admin",
        "manager",
        "reviewer",
        "annotator",
        "annotator",
        "viewer",
    ]


def test_outsider_gets_404(app_client: TestClient, world: World) -> None:
    r = app_client.get(f"/api/v1/workspaces/{world.workspace_id}/members", headers=world.outsider.headers)

    assert_error(r, 404, "not_found")
