"""GET /api/v1/projects/{id}/dashboard: progress, 24-hour throughput, per-annotator counts and lead times.

Every figure is checked against an independent count of the stored rows, on both backends (the hourly
bucketing is SQL of its own on each).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from consenso.core.progress import task_status
from consenso.services import annotate
from consenso.services.clock import utcnow
from consenso.store.database import Database
from consenso.store.models import Annotation, Task
from tests.api.v1.assertions import When, assert_error
from tests.conftest import Actor, Factory, World


def _dashboard(client: TestClient, world: World, who: Actor, project_id: int | None = None) -> Any:
    return client.get(f"/api/v1/projects/{project_id or world.project_id}/dashboard", headers=who.headers)


def _submit(db: Database, who: Actor, task_id: int, lead_time_ms: int | None, at: datetime) -> None:
    annotate.submit_annotation(
        db, who.principal, task_id, result={"sentiment": "positive"}, lead_time_ms=lead_time_ms, now=at
    )


def _hours(generated_at: str, stamps: list[datetime]) -> list[dict[str, Any]]:
    """The expected throughput, counted here from the submission times."""
    now = datetime.fromisoformat(generated_at)
    current = now.replace(minute=0, second=0, microsecond=0)
    starts = [current - timedelta(hours=23 - i) for i in range(24)]
    return [
        {"hour": When(start), "annotations": sum(start <= s < start + timedelta(hours=1) for s in stamps)}
        for start in starts
    ]


def test_the_whole_dashboard(app_client: TestClient, world: World, db: Database) -> None:
    t = world.task_ids
    now = utcnow()
    stamps = [
        (world.annotator, t[0], 100, now - timedelta(hours=30)),  # outside the 24 hours
        (world.annotator, t[1], 200, now - timedelta(hours=5)),
        (world.annotator, t[2], 400, now - timedelta(hours=1)),
        (world.annotator, t[3], 800, now),
        (world.annotator2, t[0], 1000, now - timedelta(minutes=1)),
        (world.annotator2, t[2], None, now - timedelta(minutes=2)),  # no lead time reported
    ]
    for who, task_id, lead, at in stamps:
        _submit(db, who, task_id, lead, at)
    for who, task_id in ((world.annotator2, t[4]), (world.manager, t[4])):
        assert app_client.post(f"/api/v1/tasks/{task_id}/skip", headers=who.headers).status_code == 200
    leased = app_client.get(f"/api/v1/projects/{world.project_id}/next", headers=world.reviewer.headers)
    assert leased.json()["id"] == t[1]  # task 1: one annotation and a lease

    r = _dashboard(app_client, world, world.manager)

    assert r.status_code == 200, r.text
    body = r.json()
    assert body == {
        "project_id": world.project_id,
        "overlap": 2,
        "generated_at": body["generated_at"],
        # task 0 and 2 complete; 1 (annotation + lease) and 3 in progress; 4 only skipped: untouched
        "tasks": {"total": 5, "complete": 2, "in_progress": 2, "untouched": 1},
        "annotations": 6,
        "skips": 2,
        # 100 200 400 800 1000: median 400; p90 at h = 3.6: 800 + 0.6 · 200
        "lead_time_ms": {"count": 5, "median": 400.0, "p90": 920.0},
        "throughput": _hours(body["generated_at"], [at for *_, at in stamps]),
        "annotators": [
            {
                "user_id": world.annotator.id,
                "email": world.annotator.email,
                "name": "",
                "annotations": 4,
                "skips": 0,
                "last_annotation_at": When(now),
                # 100 200 400 800: median 300; p90 at h = 2.7: 400 + 0.7 · 400
                "lead_time_ms": {"count": 4, "median": 300.0, "p90": 680.0},
            },
            {
                "user_id": world.annotator2.id,
                "email": world.annotator2.email,
                "name": "",
                "annotations": 2,
                "skips": 1,
                "last_annotation_at": When(now - timedelta(minutes=1)),
                "lead_time_ms": {"count": 1, "median": 1000.0, "p90": 1000.0},
            },
            {
                "user_id": world.manager.id,
                "email": world.manager.email,
                "name": "",
                "annotations": 0,
                "skips": 1,
                "last_annotation_at": None,
                "lead_time_ms": {"count": 0, "median": None, "p90": None},
            },
        ],
        "paused": [],
    }
    assert now <= datetime.fromisoformat(body["generated_at"]) <= utcnow()
    assert sum(h["annotations"] for h in body["throughput"]) == 5


def test_task_counts_match_the_status_of_every_task(
    app_client: TestClient, world: World, db: Database
) -> None:
    now = utcnow()
    for who, task_id in ((world.annotator, 0), (world.annotator2, 0), (world.annotator, 1)):
        _submit(db, who, world.task_ids[task_id], 10, now)
    app_client.get(f"/api/v1/projects/{world.project_id}/next", headers=world.reviewer.headers)
    app_client.get(f"/api/v1/projects/{world.project_id}/next", headers=world.viewer.headers)  # 403: no lease

    body = _dashboard(app_client, world, world.reviewer).json()

    with db.read() as session:
        statuses = [
            task_status(slots_taken=t.slots_taken, annotation_count=t.annotation_count, overlap=t.overlap)
            for t in session.scalars(select(Task).where(Task.project_id == world.project_id))
        ]
    counted = {s.value: statuses.count(s) for s in set(statuses)}
    assert body["tasks"] == {
        "total": len(statuses),
        "complete": counted.get("complete", 0),
        "in_progress": counted.get("in_progress", 0),
        "untouched": counted.get("untouched", 0),
    }
    assert body["tasks"] == {"total": 5, "complete": 1, "in_progress": 1, "untouched": 3}


def test_an_empty_project(app_client: TestClient, world: World, factory: Factory) -> None:
    project = factory.project(world.admin, world.workspace_id, overlap=3, name="Empty")

    r = _dashboard(app_client, world, world.admin, project)

    assert r.status_code == 200, r.text
    body = r.json()
    assert body == {
        "project_id": project,
        "overlap": 3,
        "generated_at": body["generated_at"],
        "tasks": {"total": 0, "complete": 0, "in_progress": 0, "untouched": 0},
        "annotations": 0,
        "skips": 0,
        "lead_time_ms": {"count": 0, "median": None, "p90": None},
        "throughput": _hours(body["generated_at"], []),
        "annotators": [],
        "paused": [],
    }


def test_an_undone_annotation_leaves_the_figures(app_client: TestClient, world: World, db: Database) -> None:
    r = app_client.post(
        f"/api/v1/tasks/{world.task_ids[0]}/annotations",
        json={"result": {"sentiment": "neutral"}, "lead_time_ms": 50},
        headers=world.annotator.headers,
    )
    assert app_client.delete(
        f"/api/v1/annotations/{r.json()['id']}", headers=world.annotator.headers
    ).is_success

    body = _dashboard(app_client, world, world.manager).json()

    assert (body["annotations"], body["lead_time_ms"], body["annotators"]) == (
        0,
        {"count": 0, "median": None, "p90": None},
        [],
    )
    assert body["tasks"] == {"total": 5, "complete": 0, "in_progress": 1, "untouched": 4}  # the lease
    assert sum(h["annotations"] for h in body["throughput"]) == 0


def test_hour_buckets_split_at_the_hour(app_client: TestClient, world: World, db: Database) -> None:
    # two annotations a second apart across an hour boundary inside the window fall in two buckets
    boundary = utcnow().replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)
    stamps = [boundary - timedelta(seconds=1), boundary, boundary + timedelta(microseconds=1)]
    for who, task_id, at in zip(
        (world.annotator, world.annotator2, world.reviewer), world.task_ids[:3], stamps, strict=True
    ):
        _submit(db, who, task_id, 1, at)

    body = _dashboard(app_client, world, world.manager).json()

    by_hour = {datetime.fromisoformat(h["hour"]): h["annotations"] for h in body["throughput"]}
    assert by_hour[boundary - timedelta(hours=1)] == 1
    assert by_hour[boundary] == 2
    assert body["throughput"] == _hours(body["generated_at"], stamps)
    with db.read() as session:
        assert len(session.scalars(select(Annotation)).all()) == 3


def test_many_lead_times_match_the_reference_percentiles(
    app_client: TestClient, world: World, factory: Factory, db: Database
) -> None:
    leads = [37, 5, 5, 1200, 640, 88, 91, 3000, 12, 12, 450]
    texts = [f"extra {i}" for i in range(len(leads))]
    ids = factory.tasks(world.admin, world.project_id, texts)[5:]
    now = utcnow()
    for task_id, lead in zip(ids, leads, strict=True):
        _submit(db, world.annotator, task_id, lead, now)

    body = _dashboard(app_client, world, world.manager).json()

    expected = {
        "count": len(leads),
        "median": pytest.approx(float(np.percentile(leads, 50))),
        "p90": pytest.approx(float(np.percentile(leads, 90))),
    }
    assert body["lead_time_ms"] == expected
    assert body["annotators"][0]["lead_time_ms"] == expected


@pytest.mark.parametrize("who", ["annotator", "viewer"])
def test_annotators_and_viewers_are_403(app_client: TestClient, world: World, who: str) -> None:
    error = assert_error(_dashboard(app_client, world, getattr(world, who)), 403, "permission_denied")
    assert error["message"] == "Your role does not allow this action."


def test_403_in_spanish(app_client: TestClient, world: World) -> None:
    r = app_client.get(
        f"/api/v1/projects/{world.project_id}/dashboard",
        headers={**world.annotator.headers, "Accept-Language": "es"},
    )
    assert assert_error(r, 403, "permission_denied")["message"] == "Su rol no permite esta acción."


@pytest.mark.parametrize("who", ["admin", "manager", "reviewer"])
def test_staff_and_reviewers_may_see_it(app_client: TestClient, world: World, who: str) -> None:
    assert _dashboard(app_client, world, getattr(world, who)).status_code == 200


def test_outsider_and_missing_project_are_404(app_client: TestClient, world: World) -> None:
    for project_id, who in ((world.project_id, world.outsider), (987654, world.admin), (2**63, world.admin)):
        error = assert_error(_dashboard(app_client, world, who, project_id), 404, "not_found")
        assert error["message"] == "Project not found."


@pytest.mark.parametrize("project_id", ["abc", "-3", "%00"])
def test_a_malformed_id_is_422(app_client: TestClient, world: World, project_id: str) -> None:
    r = app_client.get(f"/api/v1/projects/{project_id}/dashboard", headers=world.manager.headers)

    error = assert_error(r, 422, "validation_error")
    assert [d["field"] for d in error["details"]] == ["path.project_id"]


def test_unauthenticated_is_401(app_client: TestClient, world: World) -> None:
    assert_error(app_client.get(f"/api/v1/projects/{world.project_id}/dashboard"), 401, "not_authenticated")


def test_generated_at_is_utc(app_client: TestClient, world: World) -> None:
    body = _dashboard(app_client, world, world.manager).json()
    assert datetime.fromisoformat(body["generated_at"]).utcoffset() == timedelta(0)
    assert all(datetime.fromisoformat(h["hour"]).tzinfo is not None for h in body["throughput"])
    assert datetime.fromisoformat(body["throughput"][-1]["hour"]) <= datetime.now(UTC)
