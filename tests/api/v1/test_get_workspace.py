"""GET /api/v1/workspaces/{id}: one workspace with the caller's role; another's workspace is 404."""

from __future__ import annotations

from fastapi.testclient import TestClient

from consenso.store.database import Database
from consenso.store.models import Workspace
from tests.api.v1.assertions import When, assert_error
from tests.conftest import World


def test_member_reads_their_workspace(app_client: TestClient, world: World, db: Database) -> None:
    with db.read() as session:
        ws = session.get(Workspace, world.workspace_id)
        assert ws is not None

    r = app_client.get(f"/api/v1/workspaces/{world.workspace_id}", headers=world.reviewer.headers)

    assert r.status_code == 200, r.text
    assert r.json() == {"id": ws.id, "name": "Acme", "role": "reviewer", "created_at": When(ws.created_at)}


def test_other_workspace_is_404(app_client: TestClient, world: World) -> None:
    r = app_client.get(f"/api/v1/workspaces/{world.workspace_id}", headers=world.outsider.headers)

    error = assert_error(r, 404, "not_found")
    assert error["message"] == "Workspace not found."


def test_missing_workspace_is_404_like_a_foreign_one(app_client: TestClient, world: World) -> None:
    r = app_client.get("/api/v1/workspaces/999999", headers=world.annotator.headers)

    assert_error(r, 404, "not_found")


def test_id_beyond_64_bits_is_404_not_500(app_client: TestClient, world: World) -> None:
    r = app_client.get(f"/api/v1/workspaces/{2**64}", headers=world.admin.headers)

    assert_error(r, 404, "not_found")
