"""Gold tasks: PUT/DELETE /api/v1/tasks/{id}/gold, GET /api/v1/projects/{id}/gold, scoring on submit, and gold
tasks left out of progress totals, the review queue and quality reports."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from consenso.core.qa import GOLD_OVERLAP
from consenso.store.database import Database
from consenso.store.models import Annotation, AuditEvent, Task
from tests.api.v1.assertions import When, assert_error
from tests.conftest import Actor, Factory, World


def _put_gold(client: TestClient, task_id: int, who: Actor, result: Any, **headers: str) -> Any:
    return client.put(
        f"/api/v1/tasks/{task_id}/gold", json={"result": result}, headers={**who.headers, **headers}
    )


def _submit(client: TestClient, task_id: int, who: Actor, label: str) -> Any:
    r = client.post(
        f"/api/v1/tasks/{task_id}/annotations", json={"result": {"sentiment": label}}, headers=who.headers
    )
    assert r.status_code == 201, r.text
    return r.json()


def _task(db: Database, task_id: int) -> Task:
    with db.read() as session:
        task = session.get(Task, task_id)
        assert task is not None
        session.expunge(task)
        return task


def _scores(db: Database, task_id: int) -> dict[int, float | None]:
    with db.read() as session:
        rows = session.execute(
            select(Annotation.annotator_id, Annotation.gold_score).where(Annotation.task_id == task_id)
        ).all()
    return dict(rows)


def _events(db: Database, action: str) -> list[AuditEvent]:
    with db.read() as session:
        rows = list(
            session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
        )
        for row in rows:
            session.expunge(row)
        return rows


def test_a_manager_marks_a_task_gold(app_client: TestClient, world: World, db: Database) -> None:
    task_id = world.task_ids[1]

    r = _put_gold(app_client, task_id, world.manager, {"sentiment": "negative"})

    assert r.status_code == 200, r.text
    task = _task(db, task_id)
    assert r.json() == {
        "id": task_id,
        "project_id": world.project_id,
        "data": {"text": "text number 1"},
        "meta": {},
        "result": {"sentiment": "negative"},
        "answers": 0,
        "scored": 0,
        "correct": 0,
        "mean_score": None,
        "created_at": When(task.created_at),
    }
    assert (task.gold, task.overlap, task.qa_status) == ({"sentiment": "negative"}, GOLD_OVERLAP, "pending")
    (event,) = _events(db, "gold.set")
    assert (event.actor_id, event.object_type, event.object_id) == (world.manager.id, "task", str(task_id))
    assert event.details == {
        "project_id": world.project_id,
        "result": {"sentiment": "negative"},
        "previous": None,
        "rescored": 0,
    }
    # the other tasks are untouched
    assert {_task(db, t).overlap for t in world.task_ids if t != task_id} == {2}


def test_an_expected_result_that_does_not_fit_the_schema_is_refused(
    app_client: TestClient, world: World, db: Database
) -> None:
    r = _put_gold(
        app_client, world.task_ids[0], world.manager, {"sentiment": "furious"}, **{"Accept-Language": "es"}
    )

    error = assert_error(r, 422, "result_invalid")
    assert error["details"][0]["path"] == "sentiment"
    assert error["details"][0]["message"] != ""
    assert _task(db, world.task_ids[0]).gold is None
    assert _task(db, world.task_ids[0]).overlap == 2
    assert _events(db, "gold.set") == []


def test_a_nul_character_in_the_expected_result_is_refused(
    app_client: TestClient, world: World, factory: Factory, db: Database
) -> None:
    project = factory.project(
        world.admin,
        world.workspace_id,
        schema={"controls": [{"name": "t", "type": "text", "field": "text"}]},
        name="T",
    )
    (task_id,) = factory.tasks(world.admin, project, ["x"])

    r = _put_gold(app_client, task_id, world.manager, {"t": "a\u0000b"})

    assert_error(r, 400, "nul_character")
    assert _task(db, task_id).gold is None


def test_a_task_answered_as_ordinary_work_cannot_become_gold(
    app_client: TestClient, world: World, db: Database
) -> None:
    task_id = world.task_ids[0]
    _submit(app_client, task_id, world.annotator, "positive")

    r = _put_gold(app_client, task_id, world.manager, {"sentiment": "positive"})

    error = assert_error(r, 409, "gold_has_annotations")
    assert error["message"] == (
        f"Task {task_id} already has annotations as an ordinary task; only a task nobody has answered can "
        "become a gold task."
    )
    task = _task(db, task_id)
    assert (task.gold, task.overlap) == (None, 2)


@pytest.mark.parametrize("who", ["reviewer", "annotator", "viewer"])
def test_only_staff_mark_gold(app_client: TestClient, world: World, db: Database, who: str) -> None:
    r = _put_gold(app_client, world.task_ids[0], getattr(world, who), {"sentiment": "positive"})

    assert_error(r, 403, "permission_denied")
    assert _task(db, world.task_ids[0]).gold is None


def test_outsiders_and_missing_tasks_get_404(app_client: TestClient, world: World) -> None:
    assert_error(
        _put_gold(app_client, world.task_ids[0], world.outsider, {"sentiment": "positive"}), 404, "not_found"
    )
    assert_error(_put_gold(app_client, 999_999, world.manager, {"sentiment": "positive"}), 404, "not_found")
    assert_error(
        app_client.delete(f"/api/v1/tasks/{world.task_ids[0]}/gold", headers=world.outsider.headers),
        404,
        "not_found",
    )


def test_answers_to_a_gold_task_are_scored_and_rescored_when_the_expected_result_changes(
    app_client: TestClient, world: World, db: Database
) -> None:
    task_id = world.task_ids[2]
    assert _put_gold(app_client, task_id, world.manager, {"sentiment": "negative"}).status_code == 200
    right = _submit(app_client, task_id, world.annotator, "negative")
    wrong = _submit(app_client, task_id, world.annotator2, "positive")
    third = _submit(app_client, task_id, world.reviewer, "negative")  # a third answer: every annotator may
    assert set(right) == set(wrong) == set(third)
    assert "gold_score" not in right
    assert _scores(db, task_id) == {world.annotator.id: 1.0, world.annotator2.id: 0.0, world.reviewer.id: 1.0}
    assert _task(db, task_id).annotation_count == 3

    r = _put_gold(app_client, task_id, world.admin, {"sentiment": "positive"})

    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["result"], body["answers"], body["scored"], body["correct"]) == (
        {"sentiment": "positive"},
        3,
        3,
        1,
    )
    assert body["mean_score"] == pytest.approx(1 / 3)
    assert _scores(db, task_id) == {world.annotator.id: 0.0, world.annotator2.id: 1.0, world.reviewer.id: 0.0}
    second = _events(db, "gold.set")[-1]
    assert second.details["previous"] == {"sentiment": "negative"}
    assert second.details["rescored"] == 3


def test_a_gold_task_without_a_scorable_control_stores_no_score(
    app_client: TestClient, world: World, factory: Factory, db: Database
) -> None:
    project = factory.project(
        world.admin,
        world.workspace_id,
        schema={"controls": [{"name": "t", "type": "text", "field": "text"}]},
        name="T",
    )
    (task_id,) = factory.tasks(world.admin, project, ["x"])
    assert _put_gold(app_client, task_id, world.manager, {"t": "expected"}).status_code == 200

    r = app_client.post(
        f"/api/v1/tasks/{task_id}/annotations",
        json={"result": {"t": "given"}},
        headers=world.annotator.headers,
    )

    assert r.status_code == 201, r.text
    assert _scores(db, task_id) == {world.annotator.id: None}


def test_unmarking_gives_the_task_back_an_ordinary_overlap(
    app_client: TestClient, world: World, db: Database
) -> None:
    task_id = world.task_ids[3]
    assert _put_gold(app_client, task_id, world.manager, {"sentiment": "neutral"}).status_code == 200
    for who in (world.annotator, world.annotator2, world.reviewer):
        _submit(app_client, task_id, who, "neutral")

    r = app_client.delete(f"/api/v1/tasks/{task_id}/gold", headers=world.manager.headers)

    assert r.status_code == 200, r.text
    # three answers hold three slots: more than the project's overlap of 2
    assert r.json() == {"id": task_id, "project_id": world.project_id, "overlap": 3, "annotation_count": 3}
    task = _task(db, task_id)
    assert (task.gold, task.overlap, task.slots_taken, task.annotation_count) == (None, 3, 3, 3)
    assert _scores(db, task_id) == {
        world.annotator.id: None,
        world.annotator2.id: None,
        world.reviewer.id: None,
    }
    (event,) = _events(db, "gold.unset")
    assert event.details == {
        "project_id": world.project_id,
        "previous": {"sentiment": "neutral"},
        "overlap": 3,
        "answers": 3,
    }


def test_unmarking_an_unanswered_gold_task_restores_the_project_overlap(
    app_client: TestClient, world: World, db: Database
) -> None:
    task_id = world.task_ids[4]
    assert _put_gold(app_client, task_id, world.manager, {"sentiment": "neutral"}).status_code == 200

    r = app_client.delete(f"/api/v1/tasks/{task_id}/gold", headers=world.admin.headers)

    assert r.status_code == 200, r.text
    assert _task(db, task_id).overlap == 2
    # and it is ordinary work again: the project's overlap applies, and it can be marked gold again
    assert _put_gold(app_client, task_id, world.manager, {"sentiment": "positive"}).status_code == 200


def test_unmarking_a_task_that_is_not_gold_is_404(app_client: TestClient, world: World) -> None:
    r = app_client.delete(
        f"/api/v1/tasks/{world.task_ids[0]}/gold", headers={**world.manager.headers, "Accept-Language": "es"}
    )

    error = assert_error(r, 404, "not_found")
    assert error["message"] == "Tarea de control: no se encontró."
    assert_error(
        app_client.delete(f"/api/v1/tasks/{world.task_ids[0]}/gold", headers=world.annotator.headers),
        403,
        "permission_denied",
    )


def test_listing_gold_tasks_with_their_scores(app_client: TestClient, world: World, db: Database) -> None:
    t = world.task_ids
    for task_id, label in ((t[1], "positive"), (t[3], "negative"), (t[4], "neutral")):
        assert _put_gold(app_client, task_id, world.manager, {"sentiment": label}).status_code == 200
    _submit(app_client, t[1], world.annotator, "positive")
    _submit(app_client, t[1], world.annotator2, "neutral")
    _submit(app_client, t[3], world.annotator, "negative")

    first = app_client.get(
        f"/api/v1/projects/{world.project_id}/gold?limit=2", headers=world.reviewer.headers
    )

    assert first.status_code == 200, first.text
    page = first.json()
    assert [
        (i["id"], i["result"], i["answers"], i["scored"], i["correct"], i["mean_score"])
        for i in page["items"]
    ] == [
        (t[1], {"sentiment": "positive"}, 2, 2, 1, 0.5),
        (t[3], {"sentiment": "negative"}, 1, 1, 1, 1.0),
    ]
    assert page["next_cursor"]
    rest = app_client.get(
        f"/api/v1/projects/{world.project_id}/gold?limit=2&cursor={page['next_cursor']}",
        headers=world.manager.headers,
    ).json()
    assert [(i["id"], i["answers"], i["mean_score"]) for i in rest["items"]] == [(t[4], 0, None)]
    assert rest["next_cursor"] is None


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("annotator", 403, "permission_denied"),
        ("viewer", 403, "permission_denied"),
        ("outsider", 404, "not_found"),
    ],
)
def test_gold_listing_is_for_staff_and_reviewers(
    app_client: TestClient, world: World, who: str, status: int, code: str
) -> None:
    _put_gold(app_client, world.task_ids[1], world.manager, {"sentiment": "positive"})

    r = app_client.get(f"/api/v1/projects/{world.project_id}/gold", headers=getattr(world, who).headers)

    assert_error(r, status, code)


def test_gold_tasks_are_left_out_of_totals_review_queue_and_quality(
    app_client: TestClient, world: World, db: Database
) -> None:
    t = world.task_ids
    assert _put_gold(app_client, t[4], world.manager, {"sentiment": "negative"}).status_code == 200
    for who, label in (
        (world.annotator, "positive"),
        (world.annotator2, "positive"),
        (world.reviewer, "negative"),
    ):
        _submit(app_client, t[4], who, label)
    _submit(app_client, t[0], world.annotator, "neutral")
    _submit(app_client, t[0], world.annotator2, "neutral")

    dashboard = app_client.get(
        f"/api/v1/projects/{world.project_id}/dashboard", headers=world.manager.headers
    ).json()
    progress = app_client.get(
        f"/api/v1/projects/{world.project_id}/progress", headers=world.manager.headers
    ).json()
    queue = app_client.get(
        f"/api/v1/projects/{world.project_id}/review/tasks", headers=world.reviewer.headers
    ).json()
    quality = app_client.get(
        f"/api/v1/projects/{world.project_id}/quality", headers=world.manager.headers
    ).json()

    assert dashboard["tasks"] == {"total": 4, "complete": 1, "in_progress": 0, "untouched": 3}
    assert dashboard["annotations"] == 5  # gold answers are annotations like any other
    assert (progress["tasks_total"], progress["tasks_complete"]) == (4, 1)
    assert [item["task_id"] for item in queue["items"]] == [t[0]]
    # the quality report reads the two ordinary answers only (the gold task's three would add labels)
    assert quality["annotations"] == 2
    labels = {entry["label"]: entry["count"] for entry in quality["controls"][0]["labels"]}
    assert labels == {"positive": 0, "negative": 0, "neutral": 2}
