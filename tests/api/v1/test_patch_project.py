"""PATCH /api/v1/projects/{id}: change fields; a new schema or guidelines makes a new version."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from consenso.core.audit import digest
from consenso.store.database import Database
from consenso.store.models import AuditEvent, Project, SchemaVersion, Task
from tests.api.v1.assertions import When, assert_error
from tests.conftest import World

RATING_SCHEMA = {"controls": [{"name": "stars", "type": "rating", "field": "text"}]}


def _project(db: Database, project_id: int) -> Project:
    with db.read() as session:
        row = session.get(Project, project_id)
        assert row is not None
        return row


def _settings(row: Project) -> dict[str, object]:
    return {
        "name": row.name,
        "description": row.description,
        "overlap": row.overlap,
        "lease_seconds": row.lease_seconds,
        "qa": row.qa,
        "pii": row.pii,
        "schema_version_id": row.schema_version_id,
        "guideline_version_id": row.guideline_version_id,
    }


def test_manager_changes_fields(app_client: TestClient, world: World, db: Database) -> None:
    before = _project(db, world.project_id)

    r = app_client.patch(
        f"/api/v1/projects/{world.project_id}",
        json={"name": "Renamed", "description": "Now described", "lease_seconds": 60, "overlap": 3},
        headers=world.manager.headers,
    )

    assert r.status_code == 200, r.text
    after = _project(db, world.project_id)
    body = r.json()
    assert {
        k: body[k]
        for k in (
            "id",
            "name",
            "description",
            "lease_seconds",
            "overlap",
            "schema_version",
            "task_count",
            "role",
        )
    } == {
        "id": world.project_id,
        "name": "Renamed",
        "description": "Now described",
        "lease_seconds": 60,
        "overlap": 3,
        "schema_version": 1,
        "task_count": 5,
        "role": "manager",
    }
    assert body["updated_at"] == When(after.updated_at)
    assert after.updated_at > before.updated_at
    assert (after.name, after.description, after.lease_seconds, after.overlap) == (
        "Renamed",
        "Now described",
        60,
        3,
    )
    with db.read() as session:
        overlaps = set(session.scalars(select(Task.overlap).where(Task.project_id == world.project_id)))
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "project.update")).one()
    assert overlaps == {3}
    assert event.details == {
        "fields": ["description", "lease_seconds", "name", "overlap"],
        # the audit log keeps digests of the settings before and after (docs/security.md, Audit log)
        "digest": {"before": digest(_settings(before)), "after": digest(_settings(after))},
    }


def test_new_schema_and_guidelines_make_new_versions(
    app_client: TestClient, world: World, db: Database
) -> None:
    r = app_client.patch(
        f"/api/v1/projects/{world.project_id}",
        json={"schema": RATING_SCHEMA, "guidelines": {"en": "Rate it.", "es": "Califíquelo."}},
        headers=world.admin.headers,
    )

    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["schema_version"], body["guideline_version"]) == (2, 1)
    assert body["schema"]["controls"][0]["name"] == "stars"
    assert body["guidelines"] == {"en": "Rate it.", "es": "Califíquelo."}
    with db.read() as session:
        versions = session.scalars(
            select(SchemaVersion.version)
            .where(SchemaVersion.project_id == world.project_id)
            .order_by(SchemaVersion.id)
        ).all()
    assert list(versions) == [1, 2]
    assert _project(db, world.project_id).name == "P"  # untouched


def test_bad_schema_is_422_and_changes_nothing(app_client: TestClient, world: World, db: Database) -> None:
    before = _project(db, world.project_id)

    r = app_client.patch(
        f"/api/v1/projects/{world.project_id}",
        json={"name": "Should not stick", "schema": {"controls": [{"name": "x", "type": "choice"}]}},
        headers=world.manager.headers,
    )

    error = assert_error(r, 422, "schema_invalid")
    assert {d["path"] for d in error["details"]} >= {"controls[0].field"}
    after = _project(db, world.project_id)
    assert (after.name, after.schema_version_id) == (before.name, before.schema_version_id)


def test_overlap_below_taken_slots_is_409(app_client: TestClient, world: World, db: Database) -> None:
    for who in (world.annotator, world.annotator2):
        assert (
            app_client.get(f"/api/v1/projects/{world.project_id}/next", headers=who.headers).status_code
            == 200
        )

    r = app_client.patch(
        f"/api/v1/projects/{world.project_id}", json={"overlap": 1}, headers=world.manager.headers
    )

    error = assert_error(r, 409, "overlap_below_taken")
    assert error["message"] == "Overlap cannot go down to 1: a task already holds 2 annotations or leases."
    assert _project(db, world.project_id).overlap == 2


def test_unknown_field_is_422(app_client: TestClient, world: World, db: Database) -> None:
    r = app_client.patch(
        f"/api/v1/projects/{world.project_id}", json={"owner": 3}, headers=world.manager.headers
    )

    error = assert_error(r, 422, "validation_error")
    assert [(d["field"], d["type"]) for d in error["details"]] == [("owner", "extra_forbidden")]


def test_annotator_cannot_edit(app_client: TestClient, world: World, db: Database) -> None:
    r = app_client.patch(
        f"/api/v1/projects/{world.project_id}", json={"name": "Mine"}, headers=world.annotator.headers
    )

    assert_error(r, 403, "permission_denied")
    assert _project(db, world.project_id).name == "P"


def test_outsider_gets_404(app_client: TestClient, world: World, db: Database) -> None:
    r = app_client.patch(
        f"/api/v1/projects/{world.project_id}", json={"name": "Mine"}, headers=world.outsider.headers
    )

    assert_error(r, 404, "not_found")
    assert _project(db, world.project_id).name == "P"
