"""POST /api/v1/tasks/{id}/skip: give a task back; its slot is freed and it is never served again."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from consenso.store.database import Database
from consenso.store.models import Assignment, Task
from tests.api.v1.assertions import assert_error
from tests.conftest import World


def _task(db: Database, task_id: int) -> Task:
    with db.read() as session:
        task = session.get(Task, task_id)
        assert task is not None
        return task


def _states(db: Database, annotator_id: int) -> dict[int, str]:
    with db.read() as session:
        rows = session.execute(
            select(Assignment.task_id, Assignment.state).where(Assignment.annotator_id == annotator_id)
        )
        return {r.task_id: r.state for r in rows}


def test_skipping_a_leased_task_frees_its_slot(app_client: TestClient, world: World, db: Database) -> None:
    leased = app_client.get(
        f"/api/v1/projects/{world.project_id}/next", headers=world.annotator.headers
    ).json()
    assert _task(db, leased["id"]).slots_taken == 1

    r = app_client.post(f"/api/v1/tasks/{leased['id']}/skip", headers=world.annotator.headers)

    assert r.status_code == 200, r.text
    assert r.json() == {"task_id": leased["id"], "state": "skipped"}
    task = _task(db, leased["id"])
    assert (task.slots_taken, task.annotation_count) == (0, 0)
    assert _states(db, world.annotator.id) == {leased["id"]: "skipped"}
    with db.read() as session:
        row = session.scalars(select(Assignment)).one()
    assert row.finished_at is not None


def test_skipped_task_is_never_served_again(app_client: TestClient, world: World, db: Database) -> None:
    leased = app_client.get(
        f"/api/v1/projects/{world.project_id}/next", headers=world.annotator.headers
    ).json()
    app_client.post(f"/api/v1/tasks/{leased['id']}/skip", headers=world.annotator.headers)

    served = []
    while True:
        r = app_client.get(f"/api/v1/projects/{world.project_id}/next", headers=world.annotator.headers)
        if r.status_code == 204:
            break
        assert r.status_code == 200, r.text
        served.append(r.json()["id"])
        done = app_client.post(
            f"/api/v1/tasks/{r.json()['id']}/annotations",
            json={"result": {"sentiment": "neutral"}},
            headers=world.annotator.headers,
        )
        assert done.status_code == 201, done.text
        assert len(served) <= 5

    assert served == world.task_ids[1:]
    # ... but the freed slot goes to somebody else
    other = app_client.get(
        f"/api/v1/projects/{world.project_id}/next", headers=world.annotator2.headers
    ).json()
    assert other["id"] == leased["id"]


def test_skipping_without_a_lease_records_it_and_keeps_slots(
    app_client: TestClient, world: World, db: Database
) -> None:
    task_id = world.task_ids[3]

    r = app_client.post(f"/api/v1/tasks/{task_id}/skip", headers=world.annotator.headers)

    assert r.status_code == 200, r.text
    assert r.json() == {"task_id": task_id, "state": "skipped"}
    assert _task(db, task_id).slots_taken == 0
    assert _states(db, world.annotator.id) == {task_id: "skipped"}


def test_skipping_twice_is_harmless(app_client: TestClient, world: World, db: Database) -> None:
    leased = app_client.get(
        f"/api/v1/projects/{world.project_id}/next", headers=world.annotator.headers
    ).json()
    assert (
        app_client.post(f"/api/v1/tasks/{leased['id']}/skip", headers=world.annotator.headers).status_code
        == 200
    )

    r = app_client.post(f"/api/v1/tasks/{leased['id']}/skip", headers=world.annotator.headers)

    assert r.status_code == 200, r.text
    assert _task(db, leased["id"]).slots_taken == 0  # not decremented twice


def test_skipping_a_submitted_task_is_409(app_client: TestClient, world: World, db: Database) -> None:
    done = app_client.post(
        f"/api/v1/tasks/{world.task_ids[0]}/annotations",
        json={"result": {"sentiment": "positive"}},
        headers=world.annotator.headers,
    )
    assert done.status_code == 201, done.text

    r = app_client.post(f"/api/v1/tasks/{world.task_ids[0]}/skip", headers=world.annotator.headers)

    assert_error(r, 409, "already_annotated")
    task = _task(db, world.task_ids[0])
    assert (task.slots_taken, task.annotation_count) == (1, 1)
    assert _states(db, world.annotator.id) == {world.task_ids[0]: "submitted"}


def test_skip_leaves_the_other_annotators_lease_alone(
    app_client: TestClient, world: World, db: Database
) -> None:
    for who in (world.annotator, world.annotator2):
        app_client.get(f"/api/v1/projects/{world.project_id}/next", headers=who.headers)

    r = app_client.post(f"/api/v1/tasks/{world.task_ids[0]}/skip", headers=world.annotator.headers)

    assert r.status_code == 200, r.text
    assert _task(db, world.task_ids[0]).slots_taken == 1
    assert _states(db, world.annotator2.id) == {world.task_ids[0]: "leased"}


def test_viewer_is_403(app_client: TestClient, world: World, db: Database) -> None:
    r = app_client.post(f"/api/v1/tasks/{world.task_ids[0]}/skip", headers=world.viewer.headers)

    assert_error(r, 403, "permission_denied")
    assert _states(db, world.viewer.id) == {}


def test_outsider_and_missing_task_are_404(app_client: TestClient, world: World, db: Database) -> None:
    assert_error(
        app_client.post(f"/api/v1/tasks/{world.task_ids[0]}/skip", headers=world.outsider.headers),
        404,
        "not_found",
    )
    assert_error(app_client.post("/api/v1/tasks/999999/skip", headers=world.admin.headers), 404, "not_found")
    assert _states(db, world.outsider.id) == {}
