"""GET /api/v1/projects: the projects of the caller's workspaces (optionally one workspace)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.v1.assertions import assert_error
from tests.conftest import Factory, World


def test_member_lists_projects_of_their_workspaces(
    app_client: TestClient, world: World, factory: Factory
) -> None:
    other_ws_project = factory.project(world.outsider, 2, name="Foreign")
    second = factory.project(world.admin, world.workspace_id, name="Second")

    r = app_client.get("/api/v1/projects", headers=world.annotator.headers)

    assert r.status_code == 200, r.text
    assert [(p["id"], p["name"], p["role"], p["task_count"]) for p in r.json()] == [
        (world.project_id, "P", "annotator", 5),
        (second, "Second", "annotator", 0),
    ]
    assert other_ws_project not in [p["id"] for p in r.json()]


def test_filter_by_a_foreign_workspace_gives_nothing(app_client: TestClient, world: World) -> None:
    r = app_client.get(f"/api/v1/projects?workspace_id={world.workspace_id}", headers=world.outsider.headers)

    assert r.status_code == 200, r.text
    assert r.json() == []


def test_without_credentials_is_401(app_client: TestClient) -> None:
    assert_error(app_client.get("/api/v1/projects"), 401, "not_authenticated")
