"""GET /api/v1/projects/{id}/export: every task with its annotations, one JSON object a line."""

from __future__ import annotations

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from consenso.store.database import Database
from consenso.store.models import Annotation, AuditEvent
from tests.api.v1.assertions import When, assert_error
from tests.conftest import World


def test_export_streams_jsonl_with_the_documented_keys(
    app_client: TestClient, world: World, db: Database
) -> None:
    imported = app_client.post(
        f"/api/v1/projects/{world.project_id}/tasks",
        json=[{"data": {"text": "with meta"}, "meta": {"source": "web"}}],
        headers=world.manager.headers,
    )
    assert imported.status_code == 201, imported.text
    for who, label in ((world.annotator, "positive"), (world.annotator2, "negative")):
        r = app_client.post(
            f"/api/v1/tasks/{world.task_ids[1]}/annotations",
            json={"result": {"sentiment": label}, "lead_time_ms": 700},
            headers=who.headers,
        )
        assert r.status_code == 201, r.text
    app_client.post(
        f"/api/v1/tasks/{world.task_ids[4]}/annotations",
        json={"result": {"sentiment": "neutral"}},
        headers=world.annotator.headers,
    )

    r = app_client.get(f"/api/v1/projects/{world.project_id}/export", headers=world.manager.headers)

    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/x-ndjson")
    assert r.headers["content-disposition"] == f'attachment; filename="project-{world.project_id}.jsonl"'
    assert r.content.endswith(b"\n")
    lines = [orjson.loads(line) for line in r.content.splitlines()]
    with db.read() as session:
        annotations = session.scalars(select(Annotation).order_by(Annotation.id)).all()
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "project.export")).one()
    by_task = {
        t: [
            {
                "id": a.id,
                "annotator_id": a.annotator_id,
                "result": a.result,
                "lead_time_ms": a.lead_time_ms,
                "created_at": When(a.created_at),
            }
            for a in annotations
            if a.task_id == t
        ]
        for t in world.task_ids
    }
    expected = [
        {"id": t, "data": {"text": f"text number {i}"}, "meta": {}, "annotations": by_task[t]}
        for i, t in enumerate(world.task_ids)
    ]
    assert lines[:5] == expected
    assert [len(line["annotations"]) for line in lines] == [0, 2, 0, 0, 1, 0]
    assert {k: lines[5][k] for k in ("data", "meta", "annotations")} == {
        "data": {"text": "with meta"},
        "meta": {"source": "web"},
        "annotations": [],
    }
    assert all(set(line) == {"id", "data", "meta", "annotations"} for line in lines)
    assert lines[1]["annotations"][0]["created_at"].endswith("Z")
    assert (event.actor_id, event.object_id, event.details) == (
        world.manager.id,
        str(world.project_id),
        {"format": "jsonl"},
    )


@pytest.mark.parametrize("who", ["annotator", "reviewer", "viewer"])
def test_non_staff_cannot_export(app_client: TestClient, world: World, db: Database, who: str) -> None:
    r = app_client.get(f"/api/v1/projects/{world.project_id}/export", headers=getattr(world, who).headers)

    assert_error(r, 403, "permission_denied")
    with db.read() as session:
        assert session.scalars(select(AuditEvent).where(AuditEvent.action == "project.export")).all() == []


def test_unknown_format_is_400(app_client: TestClient, world: World) -> None:
    r = app_client.get(
        f"/api/v1/projects/{world.project_id}/export", params={"format": "xml"}, headers=world.admin.headers
    )

    error = assert_error(r, 400, "unsupported_export_format")
    assert error["message"] == "Export format 'xml' is not supported; use one of: jsonl."


def test_outsider_is_404(app_client: TestClient, world: World) -> None:
    r = app_client.get(f"/api/v1/projects/{world.project_id}/export", headers=world.outsider.headers)

    assert_error(r, 404, "not_found")
