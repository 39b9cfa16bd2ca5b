"""GET /api/v1/workspaces: the workspaces the caller belongs to, with their role; admins see every one."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from consenso.store.database import Database
from consenso.store.models import Workspace
from tests.api.v1.assertions import When, assert_error
from tests.conftest import Factory, World


def _created(db: Database) -> dict[int, Workspace]:
    with db.read() as session:
        return {w.id: w for w in session.scalars(select(Workspace))}


def test_member_sees_only_their_workspaces(app_client: TestClient, world: World, db: Database) -> None:
    ws = _created(db)[world.workspace_id]

    r = app_client.get("/api/v1/workspaces", headers=world.annotator.headers)

    assert r.status_code == 200, r.text
    assert r.json() == [{"id": ws.id, "name": "Acme", "role": "annotator", "created_at": When(ws.created_at)}]


def test_outsider_sees_only_the_other_workspace(app_client: TestClient, world: World) -> None:
    r = app_client.get("/api/v1/workspaces", headers=world.outsider.headers)

    assert r.status_code == 200, r.text
    assert [(w["name"], w["role"]) for w in r.json()] == [("Other", "admin")]


def test_instance_admin_sees_every_workspace(app_client: TestClient, world: World, db: Database) -> None:
    r = app_client.get("/api/v1/workspaces", headers=world.admin.headers)

    assert r.status_code == 200, r.text
    assert [(w["id"], w["name"], w["role"]) for w in r.json()] == [
        (w.id, w.name, "admin") for w in sorted(_created(db).values(), key=lambda w: w.id)
    ]


def test_user_without_workspaces_gets_an_empty_list(
    app_client: TestClient, world: World, factory: Factory
) -> None:
    loner = factory.user()

    r = app_client.get("/api/v1/workspaces", headers=loner.headers)

    assert r.status_code == 200, r.text
    assert r.json() == []


def test_without_credentials_is_401(app_client: TestClient) -> None:
    assert_error(app_client.get("/api/v1/workspaces"), 401, "not_authenticated")
