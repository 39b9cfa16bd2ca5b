"""GET /api/v1/projects/{id}/progress: the caller's own figures and the project's task totals, nothing else."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from consenso.store.database import Database
from consenso.store.models import Assignment
from tests.api.v1.assertions import assert_error
from tests.conftest import Actor, Factory, World


def _progress(client: TestClient, project_id: int, who: Actor, **headers: str) -> Any:
    return client.get(f"/api/v1/projects/{project_id}/progress", headers={**who.headers, **headers})


def _submit(client: TestClient, task_id: int, who: Actor) -> Any:
    r = client.post(
        f"/api/v1/tasks/{task_id}/annotations", json={"result": {"sentiment": "neutral"}}, headers=who.headers
    )
    assert r.status_code == 201, r.text
    return r.json()


def _expire(db: Database, who: Actor) -> None:
    with db.write() as session:
        lease = session.scalars(
            select(Assignment).where(Assignment.annotator_id == who.id, Assignment.state == "leased")
        ).one()
        lease.expires_at = lease.leased_at - timedelta(seconds=1)


def _assignments(db: Database) -> list[tuple[int, int, str]]:
    with db.read() as session:
        return sorted(
            session.execute(select(Assignment.task_id, Assignment.annotator_id, Assignment.state)).all()
        )


def test_an_annotators_own_numbers_and_the_project_totals(
    app_client: TestClient, world: World, db: Database
) -> None:
    t = world.task_ids
    _submit(app_client, t[0], world.annotator)
    _submit(app_client, t[0], world.annotator2)  # task 0 is complete (overlap 2)
    assert app_client.post(f"/api/v1/tasks/{t[1]}/skip", headers=world.annotator.headers).status_code == 200
    leased = app_client.get(f"/api/v1/projects/{world.project_id}/next", headers=world.annotator.headers)
    assert leased.json()["id"] == t[2]
    before = _assignments(db)

    r = _progress(app_client, world.project_id, world.annotator)

    assert r.status_code == 200, r.text
    assert r.json() == {
        "project_id": world.project_id,
        "user_id": world.annotator.id,
        "submitted": 1,
        "skipped": 1,
        "available": 3,  # tasks 3 and 4, and task 2 which they hold
        "leased_task_id": t[2],
        "tasks_total": 5,
        "tasks_complete": 1,
        "paused": False,
    }
    assert _assignments(db) == before  # reading progress leases nothing


def test_a_newcomer_sees_every_open_task_available(
    app_client: TestClient, world: World, db: Database
) -> None:
    _submit(app_client, world.task_ids[0], world.annotator)
    _submit(app_client, world.task_ids[0], world.annotator2)

    r = _progress(app_client, world.project_id, world.reviewer)

    assert r.json() == {
        "project_id": world.project_id,
        "user_id": world.reviewer.id,
        "submitted": 0,
        "skipped": 0,
        "available": 4,  # task 0 is full
        "leased_task_id": None,
        "tasks_total": 5,
        "tasks_complete": 1,
        "paused": False,
    }


def test_a_slot_held_by_an_expired_lease_counts_as_free(
    app_client: TestClient, world: World, factory: Factory, db: Database
) -> None:
    project = factory.project(world.admin, world.workspace_id, overlap=1, name="Single")
    factory.tasks(world.admin, project, ["a", "b"])
    for who in (world.annotator, world.annotator2):  # both tasks leased: nothing free
        assert app_client.get(f"/api/v1/projects/{project}/next", headers=who.headers).status_code == 200
    assert _progress(app_client, project, world.reviewer).json()["available"] == 0

    _expire(db, world.annotator2)

    body = _progress(app_client, project, world.reviewer).json()
    assert body["available"] == 1  # next would reclaim it and serve it
    # ... and the holder of the expired lease is not offered that task again, nor counted as holding it
    own = _progress(app_client, project, world.annotator2).json()
    assert (own["available"], own["leased_task_id"]) == (0, None)
    served = app_client.get(f"/api/v1/projects/{project}/next", headers=world.reviewer.headers)
    assert served.status_code == 200, served.text


def test_an_undone_annotation_is_no_longer_counted(
    app_client: TestClient, world: World, db: Database
) -> None:
    submitted = _submit(app_client, world.task_ids[0], world.annotator)
    undone = app_client.delete(f"/api/v1/annotations/{submitted['id']}", headers=world.annotator.headers)
    assert undone.status_code == 200, undone.text

    r = _progress(app_client, world.project_id, world.annotator)

    assert r.json() == {
        "project_id": world.project_id,
        "user_id": world.annotator.id,
        "submitted": 0,
        "skipped": 0,
        "available": 5,
        "leased_task_id": world.task_ids[0],
        "tasks_total": 5,
        "tasks_complete": 0,
        "paused": False,
    }


def test_a_viewer_sees_zeros_and_the_totals(app_client: TestClient, world: World) -> None:
    _submit(app_client, world.task_ids[0], world.annotator)

    r = _progress(app_client, world.project_id, world.viewer)

    assert r.status_code == 200, r.text
    assert r.json() == {
        "project_id": world.project_id,
        "user_id": world.viewer.id,
        "submitted": 0,
        "skipped": 0,
        "available": 5,
        "leased_task_id": None,
        "tasks_total": 5,
        "tasks_complete": 0,
        "paused": False,
    }


@pytest.mark.parametrize("lang", ["en", "es"])
def test_outsider_and_missing_project_are_404(app_client: TestClient, world: World, lang: str) -> None:
    expected = {"en": "Project not found.", "es": "Proyecto: no se encontró."}[lang]
    for project_id, who in ((world.project_id, world.outsider), (987654, world.admin), (2**63, world.admin)):
        error = assert_error(
            _progress(app_client, project_id, who, **{"Accept-Language": lang}), 404, "not_found"
        )
        assert error["message"] == expected


@pytest.mark.parametrize("project_id", ["abc", "0", "%00"])
def test_a_malformed_id_is_422(app_client: TestClient, world: World, project_id: str) -> None:
    r = app_client.get(f"/api/v1/projects/{project_id}/progress", headers=world.annotator.headers)

    error = assert_error(r, 422, "validation_error")
    assert [d["field"] for d in error["details"]] == ["path.project_id"]


def test_unauthenticated_is_401(app_client: TestClient, world: World) -> None:
    assert_error(app_client.get(f"/api/v1/projects/{world.project_id}/progress"), 401, "not_authenticated")
