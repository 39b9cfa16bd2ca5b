"""GET /api/v1/projects/{id}: one project with its task_count and the caller's role."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from consenso.store.database import Database
from consenso.store.models import Project
from tests.api.v1.assertions import When, assert_error
from tests.api.v1.test_post_projects import NORMALISED_SENTIMENT
from tests.conftest import World


def test_reads_the_project_with_task_count(app_client: TestClient, world: World, db: Database) -> None:
    with db.read() as session:
        row = session.get(Project, world.project_id)
        assert row is not None

    r = app_client.get(f"/api/v1/projects/{world.project_id}", headers=world.viewer.headers)

    assert r.status_code == 200, r.text
    assert r.json() == {
        "id": world.project_id,
        "workspace_id": world.workspace_id,
        "name": "P",
        "description": "",
        "overlap": 2,
        "lease_seconds": 600,
        "schema": NORMALISED_SENTIMENT,
        "schema_version": 1,
        "guidelines": {"en": "", "es": ""},
        "guideline_version": None,
        "task_count": 5,
        "role": "viewer",
        "created_at": When(row.created_at),
        "updated_at": When(row.updated_at),
        "qa": None,  # viewers do not see the QA settings (tests/api/v1/test_qa_settings.py)
        "pii": None,  # nor the PII policy (tests/api/v1/test_pii_import.py)
    }


def test_task_count_follows_imports(app_client: TestClient, world: World) -> None:
    imported = app_client.post(
        f"/api/v1/projects/{world.project_id}/tasks",
        json=[{"data": {"text": "new one"}}, {"data": {"text": "text number 0"}}],
        headers=world.manager.headers,
    )
    assert imported.status_code == 201, imported.text

    r = app_client.get(f"/api/v1/projects/{world.project_id}", headers=world.annotator.headers)

    assert r.json()["task_count"] == 6


def test_instance_admin_reads_any_project_as_admin(app_client: TestClient, world: World) -> None:
    r = app_client.get(f"/api/v1/projects/{world.project_id}", headers=world.admin.headers)

    assert r.status_code == 200 and r.json()["role"] == "admin"


def test_outsider_gets_404(app_client: TestClient, world: World) -> None:
    r = app_client.get(f"/api/v1/projects/{world.project_id}", headers=world.outsider.headers)

    error = assert_error(r, 404, "not_found")
    assert error["message"] == "Project not found."


@pytest.mark.parametrize("project_id", ["999999", str(2**63)])
def test_missing_project_is_404(app_client: TestClient, world: World, project_id: str) -> None:
    r = app_client.get(f"/api/v1/projects/{project_id}", headers=world.admin.headers)

    assert_error(r, 404, "not_found")


def test_non_integer_id_is_422(app_client: TestClient, world: World) -> None:
    r = app_client.get("/api/v1/projects/abc", headers=world.admin.headers)

    error = assert_error(r, 422, "validation_error")
    assert [(d["field"], d["type"]) for d in error["details"]] == [("path.project_id", "int_parsing")]
