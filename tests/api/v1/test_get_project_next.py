"""GET /api/v1/projects/{id}/next: lease the next task to the calling annotator; 204 when nothing is left."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from consenso.store.database import Database
from consenso.store.models import Assignment, Prediction, Task
from tests.api.v1.assertions import When, assert_error
from tests.conftest import Factory, World


def _slots(db: Database, task_id: int) -> int:
    with db.read() as session:
        task = session.get(Task, task_id)
        assert task is not None
        return task.slots_taken


def test_next_leases_the_first_task(app_client: TestClient, world: World, db: Database) -> None:
    r = app_client.get(f"/api/v1/projects/{world.project_id}/next", headers=world.annotator.headers)

    assert r.status_code == 200, r.text
    with db.read() as session:
        lease = session.scalars(select(Assignment).where(Assignment.annotator_id == world.annotator.id)).one()
    assert r.json() == {
        "id": world.task_ids[0],
        "project_id": world.project_id,
        "data": {"text": "text number 0"},
        "meta": {},
        "lease_expires_at": When(lease.expires_at),
        "prediction": None,
    }
    assert (lease.task_id, lease.project_id, lease.state) == (world.task_ids[0], world.project_id, "leased")
    assert lease.expires_at - lease.leased_at == timedelta(seconds=600)  # the project's lease_seconds
    assert _slots(db, world.task_ids[0]) == 1


def test_same_task_comes_back_while_the_lease_lives(
    app_client: TestClient, world: World, db: Database
) -> None:
    first = app_client.get(f"/api/v1/projects/{world.project_id}/next", headers=world.annotator.headers)
    again = app_client.get(f"/api/v1/projects/{world.project_id}/next", headers=world.annotator.headers)

    assert again.status_code == 200, again.text
    assert again.json() == first.json()  # same task, same expiry
    assert _slots(db, world.task_ids[0]) == 1  # reloading never burns a slot
    with db.read() as session:
        assert len(session.scalars(select(Assignment)).all()) == 1


def test_overlap_hands_one_task_to_two_annotators_then_moves_on(
    app_client: TestClient, world: World, db: Database
) -> None:
    a = app_client.get(f"/api/v1/projects/{world.project_id}/next", headers=world.annotator.headers).json()
    b = app_client.get(f"/api/v1/projects/{world.project_id}/next", headers=world.annotator2.headers).json()
    c = app_client.get(f"/api/v1/projects/{world.project_id}/next", headers=world.reviewer.headers).json()

    assert (a["id"], b["id"], c["id"]) == (world.task_ids[0], world.task_ids[0], world.task_ids[1])
    assert _slots(db, world.task_ids[0]) == 2
    assert _slots(db, world.task_ids[1]) == 1


def test_never_serves_a_task_already_submitted_or_skipped(
    app_client: TestClient, world: World, db: Database
) -> None:
    submitted = app_client.post(
        f"/api/v1/tasks/{world.task_ids[0]}/annotations",
        json={"result": {"sentiment": "positive"}},
        headers=world.annotator.headers,
    )
    assert submitted.status_code == 201, submitted.text
    skipped = app_client.post(f"/api/v1/tasks/{world.task_ids[1]}/skip", headers=world.annotator.headers)
    assert skipped.status_code == 200, skipped.text

    served: list[int] = []
    for _ in range(4):
        r = app_client.get(f"/api/v1/projects/{world.project_id}/next", headers=world.annotator.headers)
        if r.status_code == 204:
            break
        task_id = r.json()["id"]
        served.append(task_id)
        done = app_client.post(f"/api/v1/tasks/{task_id}/skip", headers=world.annotator.headers)
        assert done.status_code == 200, done.text

    assert served == world.task_ids[2:]
    assert not {world.task_ids[0], world.task_ids[1]} & set(served)


def test_204_when_nothing_is_left(
    app_client: TestClient, world: World, factory: Factory, db: Database
) -> None:
    for task_id in world.task_ids:
        r = app_client.post(
            f"/api/v1/tasks/{task_id}/annotations",
            json={"result": {"sentiment": "neutral"}},
            headers=world.annotator.headers,
        )
        assert r.status_code == 201, r.text

    r = app_client.get(f"/api/v1/projects/{world.project_id}/next", headers=world.annotator.headers)

    assert r.status_code == 204, r.text
    assert r.content == b""
    with db.read() as session:
        assert session.scalars(select(Assignment.state).where(Assignment.state == "leased")).all() == []


def test_204_when_every_slot_is_taken_by_others(
    app_client: TestClient, world: World, factory: Factory
) -> None:
    project = factory.project(world.admin, world.workspace_id, overlap=1, name="Single")
    factory.tasks(world.admin, project, ["only one"])
    got = app_client.get(f"/api/v1/projects/{project}/next", headers=world.annotator.headers)
    assert got.status_code == 200, got.text

    r = app_client.get(f"/api/v1/projects/{project}/next", headers=world.annotator2.headers)

    assert r.status_code == 204, r.text


def test_expired_lease_is_reclaimed_and_a_new_task_served(
    app_client: TestClient, world: World, db: Database
) -> None:
    first = app_client.get(
        f"/api/v1/projects/{world.project_id}/next", headers=world.annotator.headers
    ).json()
    with db.write() as session:
        lease = session.scalars(select(Assignment).where(Assignment.annotator_id == world.annotator.id)).one()
        lease.expires_at = lease.leased_at - timedelta(seconds=1)

    r = app_client.get(f"/api/v1/projects/{world.project_id}/next", headers=world.annotator.headers)

    assert r.status_code == 200, r.text
    assert r.json()["id"] == world.task_ids[1]  # the touched task is not served again
    with db.read() as session:
        states = {r.task_id: r.state for r in session.execute(select(Assignment.task_id, Assignment.state))}
    assert states == {first["id"]: "expired", world.task_ids[1]: "leased"}
    assert _slots(db, first["id"]) == 0


def test_viewer_is_403(app_client: TestClient, world: World, db: Database) -> None:
    r = app_client.get(f"/api/v1/projects/{world.project_id}/next", headers=world.viewer.headers)

    assert_error(r, 403, "permission_denied")
    with db.read() as session:
        assert session.scalars(select(Assignment)).all() == []


def test_outsider_is_404(app_client: TestClient, world: World, db: Database) -> None:
    r = app_client.get(f"/api/v1/projects/{world.project_id}/next", headers=world.outsider.headers)

    assert_error(r, 404, "not_found")
    with db.read() as session:
        assert session.scalars(select(Assignment)).all() == []


def test_next_shows_the_tasks_model_prediction(
    app_client: TestClient, world: World, factory: Factory, db: Database
) -> None:
    project = factory.project(world.admin, world.workspace_id, name="Pre-labelled")
    [task_id] = factory.records(
        world.admin,
        project,
        [
            {
                "data": {"text": "love it"},
                "meta": {"lang": "en"},
                "prediction": {"result": {"sentiment": "positive"}, "score": 0.875, "model": "bert-2026-11"},
            }
        ],
    )

    r = app_client.get(f"/api/v1/projects/{project}/next", headers=world.annotator.headers)

    assert r.status_code == 200, r.text
    with db.read() as session:
        lease = session.scalars(select(Assignment).where(Assignment.annotator_id == world.annotator.id)).one()
    assert r.json() == {
        "id": task_id,
        "project_id": project,
        "data": {"text": "love it"},
        "meta": {"lang": "en"},
        "lease_expires_at": When(lease.expires_at),
        "prediction": {"result": {"sentiment": "positive"}, "score": 0.875, "model": "bert-2026-11"},
    }
    assert (lease.task_id, lease.state) == (task_id, "leased")


def test_next_shows_the_newest_of_several_predictions(
    app_client: TestClient, world: World, factory: Factory, db: Database
) -> None:
    # imports give a task one prediction; a later pre-labelling run may add another: the newest is shown
    with db.write() as session:
        for model, label in (("v1", "negative"), ("v2", "neutral")):
            session.add(
                Prediction(
                    task_id=world.task_ids[0],
                    project_id=world.project_id,
                    model_version=model,
                    result={"sentiment": label},
                    score=None,
                )
            )

    r = app_client.get(f"/api/v1/projects/{world.project_id}/next", headers=world.annotator.headers)

    assert r.status_code == 200, r.text
    assert r.json()["prediction"] == {"result": {"sentiment": "neutral"}, "score": None, "model": "v2"}
