"""DELETE /api/v1/annotations/{id}: undo the caller's latest submission while its task is open and nobody
has reviewed it.

The annotation is deleted (the audit log keeps it), its slot becomes the annotator's lease again and
``next`` hands them the same task; a lease they held on another task is given back.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from consenso.store.database import Database
from consenso.store.models import Adjudication, Annotation, Assignment, AuditEvent, Project, Review, Task
from tests.api.v1.assertions import When, assert_error
from tests.conftest import Factory, World


def _next(client: TestClient, world: World, headers: dict[str, str], project_id: int | None = None) -> Any:
    return client.get(f"/api/v1/projects/{project_id or world.project_id}/next", headers=headers)


def _submit(client: TestClient, task_id: int, headers: dict[str, str], label: str = "positive") -> Any:
    r = client.post(
        f"/api/v1/tasks/{task_id}/annotations",
        json={"result": {"sentiment": label}, "lead_time_ms": 900},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    return r.json()


def _undo(client: TestClient, annotation_id: int | str, headers: dict[str, str]) -> Any:
    return client.delete(f"/api/v1/annotations/{annotation_id}", headers=headers)


def _state(db: Database) -> dict[str, Any]:
    """Everything an undo may change: annotations, assignments, task counters, withdrawal events."""
    with db.read() as session:
        return {
            "annotations": sorted(
                (a.id, a.task_id, a.annotator_id) for a in session.scalars(select(Annotation))
            ),
            "assignments": sorted(
                (a.task_id, a.annotator_id, a.state, a.expires_at)
                for a in session.scalars(select(Assignment))
            ),
            "tasks": sorted((t.id, t.slots_taken, t.annotation_count) for t in session.scalars(select(Task))),
            "events": len(
                session.scalars(select(AuditEvent).where(AuditEvent.action == "annotation.withdraw")).all()
            ),
        }


def _task(db: Database, task_id: int) -> tuple[int, int]:
    with db.read() as session:
        task = session.get(Task, task_id)
        assert task is not None
        return task.slots_taken, task.annotation_count


def test_undo_returns_the_annotation_and_leases_its_task_again(
    app_client: TestClient, world: World, db: Database
) -> None:
    first = _next(app_client, world, world.annotator.headers).json()
    submitted = _submit(app_client, first["id"], world.annotator.headers, "negative")
    second = _next(app_client, world, world.annotator.headers).json()  # the UI moves on at once
    assert second["id"] == world.task_ids[1]

    r = _undo(app_client, submitted["id"], world.annotator.headers)

    assert r.status_code == 200, r.text
    with db.read() as session:
        project = session.get(Project, world.project_id)
        assert project is not None
        lease = session.scalars(select(Assignment).where(Assignment.annotator_id == world.annotator.id)).one()
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "annotation.withdraw")).one()
    assert r.json() == {
        "annotation": {
            "id": submitted["id"],
            "task_id": first["id"],
            "project_id": world.project_id,
            "annotator_id": world.annotator.id,
            "result": {"sentiment": "negative"},
            "lead_time_ms": 900,
            "origin": "human",
            "schema_version_id": project.schema_version_id,
            "guideline_version_id": None,
            "created_at": submitted["created_at"],
        },
        "task": {
            "id": first["id"],
            "project_id": world.project_id,
            "data": {"text": "text number 0"},
            "meta": {},
            "lease_expires_at": When(lease.expires_at),
            "prediction": None,
        },
    }
    # the annotation is gone; its slot is the annotator's lease again, for the project's lease time
    with db.read() as session:
        assert session.scalars(select(Annotation)).all() == []
    assert (lease.task_id, lease.state, lease.finished_at) == (first["id"], "leased", None)
    assert lease.expires_at - lease.leased_at == timedelta(seconds=600)
    assert _task(db, first["id"]) == (1, 0)
    # the lease on the next task was given back as if never handed out
    assert _task(db, second["id"]) == (0, 0)
    # the audit log keeps what was withdrawn
    assert (event.actor_id, event.workspace_id, event.object_type, event.object_id) == (
        world.annotator.id,
        world.workspace_id,
        "annotation",
        str(submitted["id"]),
    )
    assert event.details == {
        "task_id": first["id"],
        "project_id": world.project_id,
        "result": {"sentiment": "negative"},
        "lead_time_ms": 900,
        "origin": "human",
        "schema_version_id": project.schema_version_id,
        "guideline_version_id": None,
        "idempotency_key": None,
        "submitted_at": When(datetime.fromisoformat(submitted["created_at"])),
        "released_task_id": second["id"],
        "reverted_decision": None,  # the task was not complete: nothing had been decided
    }


def test_next_hands_the_task_back_and_it_can_be_answered_again(
    app_client: TestClient, world: World, db: Database
) -> None:
    submitted = _submit(app_client, world.task_ids[0], world.annotator.headers, "negative")
    undone = _undo(app_client, submitted["id"], world.annotator.headers)
    assert undone.status_code == 200, undone.text

    again = _next(app_client, world, world.annotator.headers)

    assert again.status_code == 200, again.text
    assert again.json() == undone.json()["task"]  # same task, same lease
    fixed = _submit(app_client, world.task_ids[0], world.annotator.headers, "positive")
    with db.read() as session:
        rows = session.scalars(select(Annotation)).all()
        states = session.scalars(select(Assignment.state)).all()
    assert [(a.id, a.result) for a in rows] == [(fixed["id"], {"sentiment": "positive"})]
    assert states == ["submitted"]
    assert _task(db, world.task_ids[0]) == (1, 1)
    # and the one after it is served next, as before the undo
    assert _next(app_client, world, world.annotator.headers).json()["id"] == world.task_ids[1]


def test_a_complete_task_can_be_undone_and_its_slot_stays_with_the_annotator(
    app_client: TestClient, world: World, factory: Factory, db: Database
) -> None:
    project = factory.project(world.admin, world.workspace_id, overlap=1, name="Single")
    [task_id] = factory.tasks(world.admin, project, ["only one"])
    submitted = _submit(app_client, task_id, world.annotator.headers)
    assert _task(db, task_id) == (1, 1)  # complete: overlap 1

    r = _undo(app_client, submitted["id"], world.annotator.headers)

    assert r.status_code == 200, r.text
    assert _task(db, task_id) == (1, 0)
    # nobody else can take the slot meanwhile
    assert _next(app_client, world, world.annotator2.headers, project).status_code == 204
    refused = app_client.post(
        f"/api/v1/tasks/{task_id}/annotations",
        json={"result": {"sentiment": "neutral"}},
        headers=world.annotator2.headers,
    )
    assert_error(refused, 409, "no_free_slot")


def _history(db: Database, task_id: int) -> tuple[str, list[tuple[str, dict[str, Any]]]]:
    with db.read() as session:
        task = session.get(Task, task_id)
        assert task is not None
        rows = session.scalars(
            select(Adjudication).where(Adjudication.task_id == task_id).order_by(Adjudication.id)
        )
        return task.qa_status, [(row.method, row.result) for row in rows]


def test_undoing_the_answer_an_automatic_decision_stood_on_reverts_it(
    app_client: TestClient, world: World, factory: Factory, db: Database
) -> None:
    # completing a task decides it at once; undoing that answer puts the task back to pending (the history
    # keeps both), and answering again decides it anew
    project = factory.project(world.admin, world.workspace_id, overlap=1, name="Single")
    [task_id] = factory.tasks(world.admin, project, ["only one"])
    submitted = _submit(app_client, task_id, world.annotator.headers, "positive")
    assert _history(db, task_id) == ("final", [("majority_vote", {"sentiment": "positive"})])

    r = _undo(app_client, submitted["id"], world.annotator.headers)

    assert r.status_code == 200, r.text
    assert _history(db, task_id) == (
        "pending",
        [("majority_vote", {"sentiment": "positive"}), ("withdrawn", {})],
    )
    export = app_client.get(f"/api/v1/projects/{project}/export", headers=world.manager.headers)
    assert (
        orjson.loads(export.content.splitlines()[0])["final"] is None
    )  # no final label on a withdrawn answer

    _submit(app_client, task_id, world.annotator.headers, "negative")
    assert _history(db, task_id) == (
        "final",
        [
            ("majority_vote", {"sentiment": "positive"}),
            ("withdrawn", {}),
            ("majority_vote", {"sentiment": "negative"}),
        ],
    )


def test_only_the_latest_annotation_can_be_undone(app_client: TestClient, world: World, db: Database) -> None:
    older = _submit(app_client, world.task_ids[0], world.annotator.headers)
    _submit(app_client, world.task_ids[1], world.annotator.headers)
    before = _state(db)

    r = _undo(app_client, older["id"], world.annotator.headers)

    error = assert_error(r, 409, "undo_not_latest")
    assert error["message"] == (
        f"Only your most recent annotation in this project can be undone; annotation {older['id']} is not it."
    )
    assert _state(db) == before


def test_the_latest_is_per_project(
    app_client: TestClient, world: World, factory: Factory, db: Database
) -> None:
    other = factory.project(world.admin, world.workspace_id, name="Other")
    [other_task] = factory.tasks(world.admin, other, ["elsewhere"])
    here = _submit(app_client, world.task_ids[0], world.annotator.headers)
    _submit(app_client, other_task, world.annotator.headers)  # newer, but in another project

    r = _undo(app_client, here["id"], world.annotator.headers)

    assert r.status_code == 200, r.text


def _close(db: Database, task_id: int) -> None:
    """The task's finalization has started (as when its last answer came in, or a decision was made)."""
    with db.write() as session:
        task = session.get(Task, task_id)
        assert task is not None
        task.qa_status = "final"


def test_an_adjudicated_task_is_closed(app_client: TestClient, world: World, db: Database) -> None:
    submitted = _submit(app_client, world.task_ids[0], world.annotator.headers)
    _close(db, world.task_ids[0])
    with db.write() as session:
        session.add(
            Adjudication(
                task_id=world.task_ids[0],
                project_id=world.project_id,
                decided_by=world.reviewer.id,
                result={"sentiment": "positive"},
                method="adjudicated",
            )
        )
    before = _state(db)

    r = _undo(app_client, submitted["id"], world.annotator.headers)

    error = assert_error(r, 409, "undo_task_closed")
    assert error["message"] == (
        f"Task {world.task_ids[0]} is closed (its final label has been decided); its annotations can no "
        "longer be undone."
    )
    assert _state(db) == before


def _reviewed(client: TestClient, world: World, annotation_id: int) -> None:
    r = client.post(
        f"/api/v1/annotations/{annotation_id}/reviews",
        json={"verdict": "rejected", "comment": "Look again."},
        headers=world.reviewer.headers,
    )
    assert r.status_code == 201, r.text


def test_a_reviewed_annotation_can_no_longer_be_undone(
    app_client: TestClient, world: World, db: Database
) -> None:
    submitted = _submit(app_client, world.task_ids[0], world.annotator.headers)
    _reviewed(app_client, world, submitted["id"])
    before = _state(db)
    with db.read() as session:
        reviews = session.scalars(select(Review.id)).all()

    r = _undo(app_client, submitted["id"], world.annotator.headers)

    error = assert_error(r, 409, "undo_reviewed")
    assert error["message"] == (
        f"Annotation {submitted['id']} has been reviewed; it can no longer be undone."
    )
    assert _state(db) == before
    with db.read() as session:
        assert session.scalars(select(Review.id)).all() == reviews


def test_a_review_of_another_answer_on_the_task_does_not_block_the_undo(
    app_client: TestClient, world: World, factory: Factory, db: Database
) -> None:
    project = factory.project(world.admin, world.workspace_id, overlap=3, name="Three")
    [task_id] = factory.tasks(world.admin, project, ["reviewed"])
    other = _submit(app_client, task_id, world.annotator2.headers)
    _reviewed(app_client, world, other["id"])
    submitted = _submit(app_client, task_id, world.annotator.headers)  # 2 of 3: not complete

    r = _undo(app_client, submitted["id"], world.annotator.headers)

    assert r.status_code == 200, r.text
    with db.read() as session:
        assert session.scalars(select(Annotation.id)).all() == [other["id"]]
        assert session.scalars(select(Review.annotation_id)).all() == [other["id"]]


def _age(db: Database, annotation_id: int, minutes: float) -> None:
    with db.write() as session:
        row = session.get(Annotation, annotation_id)
        assert row is not None
        row.created_at = row.created_at - timedelta(minutes=minutes)


def test_after_ten_minutes_it_is_too_late(app_client: TestClient, world: World, db: Database) -> None:
    submitted = _submit(app_client, world.task_ids[0], world.annotator.headers)
    _age(db, submitted["id"], 10.5)
    before = _state(db)

    r = _undo(app_client, submitted["id"], world.annotator.headers)

    error = assert_error(r, 409, "undo_too_late")
    assert error["message"] == (
        f"Annotation {submitted['id']} was submitted more than 10 minutes ago; it can no longer be undone."
    )
    assert _state(db) == before


def test_within_ten_minutes_it_is_not(app_client: TestClient, world: World, db: Database) -> None:
    submitted = _submit(app_client, world.task_ids[0], world.annotator.headers)
    _age(db, submitted["id"], 9.5)

    assert _undo(app_client, submitted["id"], world.annotator.headers).status_code == 200


@pytest.mark.parametrize(
    ("setup", "code", "message"),
    [
        (
            "not_latest",
            "undo_not_latest",
            "Solo se puede deshacer su anotación más reciente en este proyecto; la anotación {id} no lo es.",
        ),
        (
            "too_late",
            "undo_too_late",
            "La anotación {id} se envió hace más de 10 minutos; ya no se puede deshacer.",
        ),
        (
            "closed",
            "undo_task_closed",
            "La tarea {task} está cerrada (ya se decidió su etiqueta final); sus anotaciones ya no se pueden "
            "deshacer.",
        ),
        ("not_own", "undo_not_own", "Solo quien envió una anotación puede deshacerla."),
        ("reviewed", "undo_reviewed", "La anotación {id} ya fue revisada; ya no se puede deshacer."),
        ("other_annotator", "not_found", "Anotación: no se encontró."),
    ],
)
def test_refusals_in_spanish(
    app_client: TestClient, world: World, db: Database, setup: str, code: str, message: str
) -> None:
    submitted = _submit(app_client, world.task_ids[0], world.annotator.headers)
    who = world.annotator
    if setup == "not_latest":
        _submit(app_client, world.task_ids[1], world.annotator.headers)
    elif setup == "too_late":
        _age(db, submitted["id"], 11)
    elif setup == "closed":
        _close(db, world.task_ids[0])
        with db.write() as session:
            session.add(
                Adjudication(
                    task_id=world.task_ids[0],
                    project_id=world.project_id,
                    decided_by=world.reviewer.id,
                    result={"sentiment": "negative"},
                    method="adjudicated",
                )
            )
    elif setup == "not_own":
        who = world.manager
    elif setup == "reviewed":
        _reviewed(app_client, world, submitted["id"])
    else:
        who = world.annotator2

    r = _undo(app_client, submitted["id"], {**who.headers, "Accept-Language": "es"})

    status = {"not_own": 403, "other_annotator": 404}.get(setup, 409)
    error = assert_error(r, status, code)
    assert error["message"] == message.format(id=submitted["id"], task=world.task_ids[0])


def test_another_annotators_annotation_is_404_blind(
    app_client: TestClient, world: World, db: Database
) -> None:
    submitted = _submit(app_client, world.task_ids[0], world.annotator.headers)
    before = _state(db)

    r = _undo(app_client, submitted["id"], world.annotator2.headers)

    error = assert_error(r, 404, "not_found")
    assert error["message"] == "Annotation not found."
    assert _state(db) == before


@pytest.mark.parametrize("who", ["manager", "reviewer", "viewer", "admin"])
def test_roles_that_read_all_annotations_get_403_for_someone_elses(
    app_client: TestClient, world: World, db: Database, who: str
) -> None:
    submitted = _submit(app_client, world.task_ids[0], world.annotator.headers)
    before = _state(db)

    r = _undo(app_client, submitted["id"], getattr(world, who).headers)

    error = assert_error(r, 403, "undo_not_own")
    assert error["message"] == "Only the annotator who submitted an annotation can undo it."
    assert _state(db) == before


def test_outsider_and_missing_annotation_are_404(app_client: TestClient, world: World, db: Database) -> None:
    submitted = _submit(app_client, world.task_ids[0], world.annotator.headers)
    before = _state(db)

    for annotation_id, who in (
        (submitted["id"], world.outsider),
        (987654, world.annotator),
        (2**63, world.admin),
    ):
        error = assert_error(_undo(app_client, annotation_id, who.headers), 404, "not_found")
        assert error["message"] == "Annotation not found."
    assert _state(db) == before


@pytest.mark.parametrize("annotation_id", ["abc", "0", "-1", "1.5", "%00"])
def test_a_malformed_id_is_422(
    app_client: TestClient, world: World, db: Database, annotation_id: str
) -> None:
    _submit(app_client, world.task_ids[0], world.annotator.headers)
    before = _state(db)

    r = _undo(app_client, annotation_id, world.annotator.headers)

    error = assert_error(r, 422, "validation_error")
    assert [d["field"] for d in error["details"]] == ["path.annotation_id"]
    assert _state(db) == before


def test_a_member_who_may_no_longer_annotate_cannot_undo(
    app_client: TestClient, world: World, db: Database
) -> None:
    submitted = _submit(app_client, world.task_ids[0], world.annotator.headers)
    changed = app_client.patch(
        f"/api/v1/workspaces/{world.workspace_id}/members/{world.annotator.id}",
        json={"role": "viewer"},
        headers=world.admin.headers,
    )
    assert changed.status_code == 200, changed.text
    before = _state(db)

    r = _undo(app_client, submitted["id"], world.annotator.headers)

    assert_error(r, 403, "permission_denied")
    assert _state(db) == before


def test_undoing_twice_is_404(app_client: TestClient, world: World, db: Database) -> None:
    submitted = _submit(app_client, world.task_ids[0], world.annotator.headers)
    assert _undo(app_client, submitted["id"], world.annotator.headers).status_code == 200
    before = _state(db)

    r = _undo(app_client, submitted["id"], world.annotator.headers)

    assert_error(r, 404, "not_found")
    assert _state(db) == before


def test_an_expired_lease_on_another_task_is_given_back_too(
    app_client: TestClient, world: World, db: Database
) -> None:
    submitted = _submit(app_client, world.task_ids[0], world.annotator.headers)
    held = _next(app_client, world, world.annotator.headers).json()
    with db.write() as session:
        lease = session.scalars(select(Assignment).where(Assignment.task_id == held["id"])).one()
        lease.expires_at = lease.leased_at - timedelta(seconds=1)

    r = _undo(app_client, submitted["id"], world.annotator.headers)

    assert r.status_code == 200, r.text
    with db.read() as session:
        rows = session.execute(select(Assignment.task_id, Assignment.state)).all()
    assert sorted(rows) == [(world.task_ids[0], "leased")]
    assert _task(db, held["id"]) == (0, 0)


def test_the_undone_prediction_origin_is_kept_in_the_audit_log(
    app_client: TestClient, world: World, factory: Factory, db: Database
) -> None:
    project = factory.project(world.admin, world.workspace_id, overlap=2, name="Pre-labelled")
    [task_id] = factory.records(
        world.admin,
        project,
        [
            {
                "data": {"text": "ok"},
                "prediction": {"result": {"sentiment": "neutral"}, "model": "m", "score": 0.5},
            }
        ],
    )
    r = app_client.post(
        f"/api/v1/tasks/{task_id}/annotations",
        json={"result": {"sentiment": "neutral"}, "origin": "prediction_accepted"},
        headers={**world.annotator.headers, "Idempotency-Key": "k-9"},
    )
    assert r.status_code == 201, r.text

    undone = _undo(app_client, r.json()["id"], world.annotator.headers)

    assert undone.status_code == 200, undone.text
    assert undone.json()["annotation"]["origin"] == "prediction_accepted"
    assert undone.json()["task"]["prediction"] == {
        "result": {"sentiment": "neutral"},
        "score": 0.5,
        "model": "m",
    }
    with db.read() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "annotation.withdraw")).one()
    assert (event.details["origin"], event.details["idempotency_key"]) == ("prediction_accepted", "k-9")
