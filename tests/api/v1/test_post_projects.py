"""POST /api/v1/projects: create a project; its label schema is validated and stored normalised."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from consenso.store.database import Database
from consenso.store.models import AuditEvent, GuidelineVersion, Project, SchemaVersion
from tests.api.v1.assertions import When, assert_error
from tests.api.v1.test_qa_settings import DEFAULT_QA
from tests.conftest import SENTIMENT_SCHEMA, World

# SENTIMENT_SCHEMA as the server stores and returns it: every default filled in
NORMALISED_SENTIMENT: dict[str, Any] = {
    "version": 1,
    "controls": [
        {
            "name": "sentiment",
            "type": "choice",
            "field": "text",
            "required": True,
            "title": {"en": "sentiment", "es": "sentiment"},
            "labels": [
                {
                    "value": "positive",
                    "names": {"en": "Positive", "es": "Positivo"},
                    "hotkey": "1",
                    "color": "#3b82f6",
                },
                {
                    "value": "negative",
                    "names": {"en": "Negative", "es": "Negativo"},
                    "hotkey": "2",
                    "color": "#f97316",
                },
                {
                    "value": "neutral",
                    "names": {"en": "Neutral", "es": "Neutral"},
                    "hotkey": "3",
                    "color": "#22c55e",
                },
            ],
        }
    ],
}


def _project_count(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Project)) or 0)


def test_manager_creates_a_project(app_client: TestClient, world: World, db: Database) -> None:
    r = app_client.post(
        "/api/v1/projects",
        json={
            "workspace_id": world.workspace_id,
            "name": "Reseñas",
            "description": "Product reviews",
            "schema": SENTIMENT_SCHEMA,
            "overlap": 3,
            "lease_seconds": 120,
            "guidelines": {"en": "Be kind.", "es": "Sea amable."},
        },
        headers=world.manager.headers,
    )

    assert r.status_code == 201, r.text
    body = r.json()
    with db.read() as session:
        row = session.get(Project, body["id"])
        assert row is not None
        schema_rows = session.scalars(select(SchemaVersion).where(SchemaVersion.project_id == row.id)).all()
        guideline_rows = session.scalars(
            select(GuidelineVersion).where(GuidelineVersion.project_id == row.id)
        ).all()
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "project.create")).all()[-1]
    assert body == {
        "id": row.id,
        "workspace_id": world.workspace_id,
        "name": "Reseñas",
        "description": "Product reviews",
        "overlap": 3,
        "lease_seconds": 120,
        "schema": NORMALISED_SENTIMENT,
        "schema_version": 1,
        "guidelines": {"en": "Be kind.", "es": "Sea amable."},
        "guideline_version": 1,
        "task_count": 0,
        "role": "manager",
        "created_at": When(row.created_at),
        "updated_at": When(row.updated_at),
        "qa": DEFAULT_QA,
        "pii": None,  # no masking until a manager sets a policy (tests/api/v1/test_pii_import.py)
    }
    assert (row.created_by, row.overlap, row.lease_seconds, row.task_count) == (world.manager.id, 3, 120, 0)
    assert [(s.id, s.version, s.schema) for s in schema_rows] == [
        (row.schema_version_id, 1, NORMALISED_SENTIMENT)
    ]
    assert [(g.id, g.content) for g in guideline_rows] == [
        (row.guideline_version_id, {"en": "Be kind.", "es": "Sea amable."})
    ]
    assert (event.workspace_id, event.actor_id, event.object_id) == (
        world.workspace_id,
        world.manager.id,
        str(row.id),
    )


def test_defaults_without_guidelines(app_client: TestClient, world: World) -> None:
    r = app_client.post(
        "/api/v1/projects",
        json={"workspace_id": world.workspace_id, "name": "Bare", "schema": SENTIMENT_SCHEMA},
        headers=world.admin.headers,
    )

    assert r.status_code == 201, r.text
    body = r.json()
    assert {
        k: body[k] for k in ("description", "overlap", "lease_seconds", "guidelines", "guideline_version")
    } == {
        "description": "",
        "overlap": 1,
        "lease_seconds": 3600,
        "guidelines": {"en": "", "es": ""},
        "guideline_version": None,
    }


def test_bad_schema_is_422_naming_the_control_and_path(
    app_client: TestClient, world: World, db: Database
) -> None:
    schema = {
        "controls": [
            {"name": "sentiment", "type": "choice", "field": "text", "labels": [{"value": "a"}]},
            {"name": "mood", "type": "dial", "field": "text"},
        ]
    }
    before = _project_count(db)

    r = app_client.post(
        "/api/v1/projects",
        json={"workspace_id": world.workspace_id, "name": "Broken", "schema": schema},
        headers=world.manager.headers,
    )

    error = assert_error(r, 422, "schema_invalid")
    assert error["message"] == "The label schema is not valid: 1 problem(s)."
    assert error["details"] == [
        {
            "code": "unknown_control_type",
            "path": "controls[1].type",
            "message": "Control 'mood' has the unknown type 'dial'; use one of: choice, multi_choice, spans, rating, text.",
            "control": "mood",
            "type": "dial",
            "known": "choice, multi_choice, spans, rating, text",
        }
    ]
    assert _project_count(db) == before


def test_schema_without_controls_is_422(app_client: TestClient, world: World, db: Database) -> None:
    before = _project_count(db)

    r = app_client.post(
        "/api/v1/projects",
        json={"workspace_id": world.workspace_id, "name": "Empty", "schema": {"controls": []}},
        headers=world.manager.headers,
    )

    error = assert_error(r, 422, "schema_invalid")
    assert [(d["code"], d["path"]) for d in error["details"]] == [("no_controls", "controls")]
    assert _project_count(db) == before


@pytest.mark.parametrize(
    ("change", "field", "kind"),
    [
        ({"overlap": 0}, "overlap", "greater_than_equal"),
        ({"overlap": 101}, "overlap", "less_than_equal"),
        ({"lease_seconds": 5}, "lease_seconds", "greater_than_equal"),
        ({"name": ""}, "name", "string_too_short"),
        ({"colour": "red"}, "colour", "extra_forbidden"),
        ({"label_schema": SENTIMENT_SCHEMA}, "label_schema", "extra_forbidden"),
    ],
)
def test_invalid_body_is_422_naming_the_field(
    app_client: TestClient, world: World, db: Database, change: dict[str, Any], field: str, kind: str
) -> None:
    before = _project_count(db)
    body = {"workspace_id": world.workspace_id, "name": "P2", "schema": SENTIMENT_SCHEMA, **change}

    r = app_client.post("/api/v1/projects", json=body, headers=world.manager.headers)

    error = assert_error(r, 422, "validation_error")
    assert [(d["field"], d["type"]) for d in error["details"]] == [(field, kind)]
    assert field in error["message"]
    assert _project_count(db) == before


@pytest.mark.parametrize("who", ["reviewer", "annotator", "viewer"])
def test_non_staff_cannot_create(app_client: TestClient, world: World, db: Database, who: str) -> None:
    before = _project_count(db)

    r = app_client.post(
        "/api/v1/projects",
        json={"workspace_id": world.workspace_id, "name": "Nope", "schema": SENTIMENT_SCHEMA},
        headers=getattr(world, who).headers,
    )

    assert_error(r, 403, "permission_denied")
    assert _project_count(db) == before


def test_outsider_gets_404_for_a_foreign_workspace(
    app_client: TestClient, world: World, db: Database
) -> None:
    before = _project_count(db)

    r = app_client.post(
        "/api/v1/projects",
        json={"workspace_id": world.workspace_id, "name": "Intrusion", "schema": SENTIMENT_SCHEMA},
        headers=world.outsider.headers,
    )

    assert_error(r, 404, "not_found")
    assert _project_count(db) == before
