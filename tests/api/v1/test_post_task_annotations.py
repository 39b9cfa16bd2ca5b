"""POST /api/v1/tasks/{id}/annotations: submit once; Idempotency-Key replays; slots and leases respected."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from consenso.store.database import Database
from consenso.store.models import Annotation, Assignment, Project, Task
from tests.api.v1.assertions import When, assert_error
from tests.conftest import Factory, World


def _annotations(db: Database, task_id: int | None = None) -> list[Annotation]:
    with db.read() as session:
        stmt = select(Annotation).order_by(Annotation.id)
        if task_id is not None:
            stmt = stmt.where(Annotation.task_id == task_id)
        return list(session.scalars(stmt))


def _task(db: Database, task_id: int) -> Task:
    with db.read() as session:
        task = session.get(Task, task_id)
        assert task is not None
        return task


def _submit(client: TestClient, task_id: int, headers: dict[str, str], **body: Any) -> Any:
    payload = {"result": {"sentiment": "positive"}, **body}
    return client.post(f"/api/v1/tasks/{task_id}/annotations", json=payload, headers=headers)


def test_submit_with_a_lease_returns_201_and_the_annotation(
    app_client: TestClient, world: World, db: Database
) -> None:
    leased = app_client.get(
        f"/api/v1/projects/{world.project_id}/next", headers=world.annotator.headers
    ).json()

    r = app_client.post(
        f"/api/v1/tasks/{leased['id']}/annotations",
        json={"result": {"sentiment": "negative"}, "lead_time_ms": 1234},
        headers=world.annotator.headers,
    )

    assert r.status_code == 201, r.text
    assert "idempotent-replayed" not in r.headers
    [row] = _annotations(db)
    with db.read() as session:
        project = session.get(Project, world.project_id)
        assert project is not None
        assignment = session.scalars(select(Assignment)).one()
    assert r.json() == {
        "id": row.id,
        "task_id": leased["id"],
        "project_id": world.project_id,
        "annotator_id": world.annotator.id,
        "result": {"sentiment": "negative"},
        "lead_time_ms": 1234,
        "origin": "human",
        "schema_version_id": project.schema_version_id,
        "guideline_version_id": None,
        "created_at": When(row.created_at),
    }
    assert (row.result, row.lead_time_ms, row.idempotency_key) == ({"sentiment": "negative"}, 1234, None)
    assert assignment.state == "submitted"
    task = _task(db, leased["id"])
    assert (task.slots_taken, task.annotation_count) == (1, 1)  # the lease's slot became the annotation's


def test_idempotency_key_replay_returns_the_same_annotation(
    app_client: TestClient, world: World, db: Database
) -> None:
    headers = {**world.annotator.headers, "Idempotency-Key": "submit-7f3a"}
    first = _submit(app_client, world.task_ids[0], headers, lead_time_ms=50)
    assert first.status_code == 201, first.text

    replay = _submit(app_client, world.task_ids[0], headers, lead_time_ms=50)

    assert replay.status_code == 201, replay.text
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == first.json()
    rows = _annotations(db)
    assert [(a.id, a.idempotency_key) for a in rows] == [(first.json()["id"], "submit-7f3a")]
    task = _task(db, world.task_ids[0])
    assert (task.slots_taken, task.annotation_count) == (1, 1)


@pytest.mark.parametrize(
    ("task_index", "body"),
    [
        (0, {"result": {"sentiment": "negative"}, "lead_time_ms": 50}),
        (0, {"result": {"sentiment": "positive"}, "lead_time_ms": 51}),
        (0, {"result": {"sentiment": "positive"}, "lead_time_ms": 50, "origin": "prediction_accepted"}),
        (1, {"result": {"sentiment": "positive"}, "lead_time_ms": 50}),
    ],
    ids=["other-result", "other-lead-time", "other-origin", "other-task"],
)
def test_same_key_for_a_different_request_is_409(
    app_client: TestClient, world: World, db: Database, task_index: int, body: dict[str, Any]
) -> None:
    headers = {**world.annotator.headers, "Idempotency-Key": "k-1"}
    first = _submit(app_client, world.task_ids[0], headers, lead_time_ms=50)
    assert first.status_code == 201, first.text

    r = app_client.post(f"/api/v1/tasks/{world.task_ids[task_index]}/annotations", json=body, headers=headers)

    error = assert_error(r, 409, "idempotency_key_reused")
    assert error["message"] == "Idempotency-Key 'k-1' was already used for a different request."
    rows = _annotations(db)
    assert [(a.id, a.task_id, a.result, a.origin) for a in rows] == [
        (first.json()["id"], world.task_ids[0], {"sentiment": "positive"}, "human")
    ]


def test_the_same_key_of_another_annotator_is_independent(
    app_client: TestClient, world: World, db: Database
) -> None:
    for who in (world.annotator, world.annotator2):
        r = _submit(app_client, world.task_ids[0], {**who.headers, "Idempotency-Key": "shared"})
        assert r.status_code == 201, r.text
        assert "idempotent-replayed" not in r.headers
    assert len(_annotations(db, world.task_ids[0])) == 2


@pytest.mark.parametrize("key", ["", "x" * 201, "clé"], ids=["empty", "too-long", "non-ascii"])
def test_invalid_idempotency_key_is_400(app_client: TestClient, world: World, db: Database, key: str) -> None:
    headers = {**world.annotator.headers, "Idempotency-Key": key.encode()}

    r = app_client.post(
        f"/api/v1/tasks/{world.task_ids[0]}/annotations",
        json={"result": {"sentiment": "positive"}},
        headers=headers,
    )

    assert_error(r, 400, "invalid_idempotency_key")
    assert _annotations(db) == []


def test_second_submission_is_409_already_annotated(
    app_client: TestClient, world: World, db: Database
) -> None:
    assert _submit(app_client, world.task_ids[0], world.annotator.headers).status_code == 201

    r = _submit(app_client, world.task_ids[0], world.annotator.headers, result={"sentiment": "negative"})

    error = assert_error(r, 409, "already_annotated")
    assert error["message"] == f"You have already annotated task {world.task_ids[0]}."
    assert [a.result for a in _annotations(db)] == [{"sentiment": "positive"}]
    task = _task(db, world.task_ids[0])
    assert (task.slots_taken, task.annotation_count) == (1, 1)


def test_invalid_result_is_422_with_details(app_client: TestClient, world: World, db: Database) -> None:
    leased = app_client.get(
        f"/api/v1/projects/{world.project_id}/next", headers=world.annotator.headers
    ).json()

    r = _submit(app_client, leased["id"], world.annotator.headers, result={"sentiment": "happy", "mood": 3})

    error = assert_error(r, 422, "result_invalid")
    assert error["message"] == "The annotation does not fit the label schema: 2 problem(s)."
    assert error["details"] == [
        {
            "code": "unknown_label",
            "path": "sentiment",
            "message": "'happy' is not a label of control 'sentiment'.",
            "control": "sentiment",
            "label": "happy",
        },
        {
            "code": "unknown_control",
            "path": "mood",
            "message": "The schema has no control named 'mood'.",
            "control": "mood",
        },
    ]
    assert _annotations(db) == []
    with db.read() as session:
        assert session.scalars(select(Assignment.state)).all() == ["leased"]  # the lease is kept for a retry


def test_invalid_result_details_in_spanish(app_client: TestClient, world: World) -> None:
    r = _submit(
        app_client, world.task_ids[0], {**world.annotator.headers, "Accept-Language": "es"}, result={}
    )

    error = assert_error(r, 422, "result_invalid")
    assert error["message"] == "La anotación no se ajusta al esquema de etiquetas: 1 problema(s)."
    assert error["details"] == [
        {
            "code": "missing_answer",
            "path": "sentiment",
            "message": "El control 'sentiment' es obligatorio, pero no tiene respuesta.",
            "control": "sentiment",
        }
    ]


def test_without_a_lease_accepted_while_a_slot_is_free(
    app_client: TestClient, world: World, db: Database
) -> None:
    task_id = world.task_ids[2]
    for who in (world.annotator, world.annotator2):  # overlap 2: both slots, no lease
        r = _submit(app_client, task_id, who.headers)
        assert r.status_code == 201, r.text
    assert (_task(db, task_id).slots_taken, _task(db, task_id).annotation_count) == (2, 2)

    r = _submit(app_client, task_id, world.reviewer.headers)

    error = assert_error(r, 409, "no_free_slot")
    assert error["details"] is None
    assert [a.annotator_id for a in _annotations(db, task_id)] == [world.annotator.id, world.annotator2.id]
    task = _task(db, task_id)
    assert (task.slots_taken, task.annotation_count) == (2, 2)
    with db.read() as session:
        assert (
            session.scalars(select(Assignment).where(Assignment.annotator_id == world.reviewer.id)).all()
            == []
        )


def test_without_a_lease_refused_when_live_leases_hold_the_slots(
    app_client: TestClient, world: World, db: Database
) -> None:
    for who in (world.annotator, world.annotator2):
        leased = app_client.get(f"/api/v1/projects/{world.project_id}/next", headers=who.headers).json()
        assert leased["id"] == world.task_ids[0]

    r = _submit(app_client, world.task_ids[0], world.reviewer.headers)

    assert_error(r, 409, "no_free_slot")
    assert _annotations(db) == []
    # the lease holders still submit
    assert _submit(app_client, world.task_ids[0], world.annotator.headers).status_code == 201
    assert _submit(app_client, world.task_ids[0], world.annotator2.headers).status_code == 201
    task = _task(db, world.task_ids[0])
    assert (task.slots_taken, task.annotation_count) == (2, 2)


@pytest.mark.parametrize(
    ("body", "field", "kind"),
    [
        ({"result": {"sentiment": "positive"}, "lead_time_ms": -1}, "lead_time_ms", "greater_than_equal"),
        ({"result": {"sentiment": "positive"}, "origin": "robot"}, "origin", "literal_error"),
        ({"result": "positive"}, "result", "dict_type"),
        ({"sentiment": "positive"}, "result", "missing"),
    ],
    ids=["negative-lead-time", "bad-origin", "result-not-object", "no-result"],
)
def test_malformed_body_is_422(
    app_client: TestClient, world: World, db: Database, body: dict[str, Any], field: str, kind: str
) -> None:
    r = app_client.post(
        f"/api/v1/tasks/{world.task_ids[0]}/annotations", json=body, headers=world.annotator.headers
    )

    error = assert_error(r, 422, "validation_error")
    assert (error["details"][0]["field"], error["details"][0]["type"]) == (field, kind)
    assert _annotations(db) == []
    assert _task(db, world.task_ids[0]).slots_taken == 0


def test_viewer_is_403(app_client: TestClient, world: World, db: Database) -> None:
    r = _submit(app_client, world.task_ids[0], world.viewer.headers)

    assert_error(r, 403, "permission_denied")
    assert _annotations(db) == []


@pytest.mark.parametrize("task_id", [None, 999999])
def test_outsider_or_missing_task_is_404(
    app_client: TestClient, world: World, db: Database, task_id: int | None
) -> None:
    r = _submit(
        app_client,
        task_id or world.task_ids[0],
        world.outsider.headers if task_id is None else world.admin.headers,
    )

    error = assert_error(r, 404, "not_found")
    assert error["message"] == "Task not found."
    assert _annotations(db) == []


def test_key_of_a_refused_request_can_be_used_again(
    app_client: TestClient, world: World, db: Database
) -> None:
    headers = {**world.annotator.headers, "Idempotency-Key": "retry-after-fix"}
    refused = _submit(app_client, world.task_ids[0], headers, result={"sentiment": "typo"})
    assert_error(refused, 422, "result_invalid")

    r = _submit(app_client, world.task_ids[0], headers)

    assert r.status_code == 201, r.text
    assert "idempotent-replayed" not in r.headers
    assert [(a.result, a.idempotency_key) for a in _annotations(db)] == [
        ({"sentiment": "positive"}, "retry-after-fix")
    ]


def test_submit_after_the_own_lease_expired_takes_a_free_slot(
    app_client: TestClient, world: World, db: Database
) -> None:
    for who in (world.annotator, world.annotator2):
        app_client.get(f"/api/v1/projects/{world.project_id}/next", headers=who.headers)
    with db.write() as session:
        lease = session.scalars(select(Assignment).where(Assignment.annotator_id == world.annotator.id)).one()
        lease.expires_at = lease.leased_at - timedelta(seconds=1)

    r = _submit(app_client, world.task_ids[0], world.annotator.headers)

    assert r.status_code == 201, r.text
    task = _task(db, world.task_ids[0])
    assert (task.slots_taken, task.annotation_count) == (2, 1)  # annotator2's live lease + this annotation
    with db.read() as session:
        states = {
            r.annotator_id: r.state
            for r in session.execute(select(Assignment.annotator_id, Assignment.state))
        }
    assert states == {world.annotator.id: "submitted", world.annotator2.id: "leased"}


def test_submit_after_the_own_lease_expired_and_its_slot_was_given_away_is_409(
    app_client: TestClient, world: World, db: Database
) -> None:
    for who in (world.annotator, world.annotator2):
        app_client.get(f"/api/v1/projects/{world.project_id}/next", headers=who.headers)
    with db.write() as session:
        lease = session.scalars(select(Assignment).where(Assignment.annotator_id == world.annotator.id)).one()
        lease.expires_at = lease.leased_at - timedelta(seconds=1)
    # the reviewer's next reclaims the expired lease and takes the freed slot
    taken = app_client.get(f"/api/v1/projects/{world.project_id}/next", headers=world.reviewer.headers)
    assert taken.json()["id"] == world.task_ids[0]

    r = _submit(app_client, world.task_ids[0], world.annotator.headers)

    assert_error(r, 409, "no_free_slot")
    assert _annotations(db) == []
    assert _task(db, world.task_ids[0]).slots_taken == 2


def test_lead_time_over_a_week_is_422(app_client: TestClient, world: World, db: Database) -> None:
    r = _submit(app_client, world.task_ids[0], world.annotator.headers, lead_time_ms=7 * 24 * 3600 * 1000 + 1)

    error = assert_error(r, 422, "validation_error")
    assert [(d["field"], d["type"]) for d in error["details"]] == [("lead_time_ms", "less_than_equal")]
    assert _annotations(db) == []


@pytest.mark.parametrize("origin", ["prediction_accepted", "prediction_edited", "prediction_rejected"])
def test_an_origin_from_the_prediction_is_stored_and_returned(
    app_client: TestClient, world: World, factory: Factory, db: Database, origin: str
) -> None:
    project = factory.project(world.admin, world.workspace_id, name="Pre-labelled")
    [task_id] = factory.records(
        world.admin,
        project,
        [{"data": {"text": "so so"}, "prediction": {"result": {"sentiment": "neutral"}, "model": "m"}}],
    )

    r = _submit(app_client, task_id, world.annotator.headers, result={"sentiment": "negative"}, origin=origin)

    assert r.status_code == 201, r.text
    [row] = _annotations(db)
    with db.read() as session:
        schema_version_id = session.get(Project, project).schema_version_id  # type: ignore[union-attr]
    assert r.json() == {
        "id": row.id,
        "task_id": task_id,
        "project_id": project,
        "annotator_id": world.annotator.id,
        "result": {"sentiment": "negative"},
        "lead_time_ms": None,
        "origin": origin,
        "schema_version_id": schema_version_id,
        "guideline_version_id": None,
        "created_at": When(row.created_at),
    }
    assert row.origin == origin


@pytest.mark.parametrize("origin", ["prediction_accepted", "prediction_edited", "prediction_rejected"])
def test_an_origin_from_a_prediction_on_a_task_without_one_is_422(
    app_client: TestClient, world: World, db: Database, origin: str
) -> None:
    r = _submit(app_client, world.task_ids[0], world.annotator.headers, origin=origin)

    error = assert_error(r, 422, "no_prediction")
    assert error["message"] == (
        f"Task {world.task_ids[0]} has no model prediction, so the origin '{origin}' is not possible; "
        "send the origin 'human'."
    )
    assert error["details"] is None
    assert _annotations(db) == []
    task = _task(db, world.task_ids[0])
    assert (task.slots_taken, task.annotation_count) == (0, 0)
    with db.read() as session:
        assert session.scalars(select(Assignment)).all() == []


def test_no_prediction_in_spanish(app_client: TestClient, world: World, db: Database) -> None:
    r = _submit(
        app_client,
        world.task_ids[1],
        {**world.annotator.headers, "Accept-Language": "es"},
        origin="prediction_accepted",
    )

    error = assert_error(r, 422, "no_prediction")
    assert error["message"] == (
        f"La tarea {world.task_ids[1]} no tiene predicción del modelo, así que el origen "
        "'prediction_accepted' no es posible; envíe el origen 'human'."
    )
    assert _annotations(db) == []
