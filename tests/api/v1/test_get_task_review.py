"""GET /api/v1/tasks/{id}/review: one task with all its annotations side by side, each with its reviews.

For reviewers, managers and admins only: annotators never see others' work (403), viewers neither.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from consenso.store.database import Database
from consenso.store.models import Annotation, Project, Review, Task, User
from tests.api.v1.assertions import When, assert_error
from tests.conftest import Factory, World


def _submit(client: TestClient, task_id: int, headers: dict[str, str], label: str, **extra: Any) -> Any:
    r = client.post(
        f"/api/v1/tasks/{task_id}/annotations",
        json={"result": {"sentiment": label}, **extra},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    return r.json()


def _review(client: TestClient, annotation_id: int, body: dict[str, Any], headers: dict[str, str]) -> Any:
    r = client.post(f"/api/v1/annotations/{annotation_id}/reviews", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def _name(db: Database, user_id: int, name: str) -> None:
    with db.write() as session:
        session.execute(update(User).where(User.id == user_id).values(name=name))


def test_every_annotation_side_by_side_with_its_reviews(
    app_client: TestClient, world: World, db: Database
) -> None:
    task_id = world.task_ids[2]
    _name(db, world.annotator.id, "Ana")
    _name(db, world.annotator2.id, "Beto")
    _name(db, world.reviewer.id, "Rita")
    first = _submit(app_client, task_id, world.annotator.headers, "positive", lead_time_ms=1200)
    second = _submit(app_client, task_id, world.annotator2.headers, "negative")
    accepted = _review(app_client, first["id"], {"verdict": "accepted"}, world.reviewer.headers)
    rejected = _review(
        app_client, first["id"], {"verdict": "rejected", "comment": "Irony."}, world.manager.headers
    )

    r = app_client.get(f"/api/v1/tasks/{task_id}/review", headers=world.reviewer.headers)

    assert r.status_code == 200, r.text
    with db.read() as session:
        task = session.get(Task, task_id)
        project = session.get(Project, world.project_id)
        assert task is not None and project is not None
    version = project.schema_version_id

    def annotation(a: dict[str, Any], name: str, verdict: str | None, reviews: list[Any]) -> dict[str, Any]:
        return {
            "id": a["id"],
            "annotator_id": a["annotator_id"],
            "annotator_name": name,
            "result": a["result"],
            "lead_time_ms": a["lead_time_ms"],
            "origin": "human",
            "schema_version_id": version,
            "guideline_version_id": None,
            "created_at": When(datetime.fromisoformat(a["created_at"])),
            "verdict": verdict,
            "reviews": reviews,
        }

    assert r.json() == {
        "id": task_id,
        "project_id": world.project_id,
        "data": {"text": "text number 2"},
        "meta": {},
        "overlap": 2,
        "annotation_count": 2,
        "created_at": When(task.created_at),
        "prediction": None,
        "annotations": [
            annotation(first, "Ana", "rejected", [accepted, rejected]),
            annotation(second, "Beto", None, []),
        ],
    }
    assert (first["lead_time_ms"], second["lead_time_ms"]) == (1200, None)
    assert (accepted["reviewer_name"], rejected["reviewer_name"]) == ("Rita", "")


@pytest.mark.parametrize("who", ["reviewer", "manager", "admin"])
def test_reviewers_managers_and_admins_may_look(app_client: TestClient, world: World, who: str) -> None:
    _submit(app_client, world.task_ids[0], world.annotator.headers, "positive")

    r = app_client.get(f"/api/v1/tasks/{world.task_ids[0]}/review", headers=getattr(world, who).headers)

    assert r.status_code == 200, r.text
    assert [a["annotator_id"] for a in r.json()["annotations"]] == [world.annotator.id]


@pytest.mark.parametrize("who", ["annotator", "annotator2", "viewer"])
def test_annotators_never_see_others_work_and_viewers_do_not_review(
    app_client: TestClient, world: World, who: str
) -> None:
    """Even the annotator of the task: its other answers are not theirs to see."""
    _submit(app_client, world.task_ids[0], world.annotator.headers, "positive")
    _submit(app_client, world.task_ids[0], world.annotator2.headers, "negative")

    r = app_client.get(
        f"/api/v1/tasks/{world.task_ids[0]}/review",
        headers={**getattr(world, who).headers, "Accept-Language": "es"},
    )

    error = assert_error(r, 403, "permission_denied")
    assert error["message"] == "Su rol no permite esta acción."
    assert "negative" not in r.text and "positive" not in r.text


def test_outsider_and_missing_task_are_404(app_client: TestClient, world: World) -> None:
    for task_id, who in ((world.task_ids[0], world.outsider), (987654, world.reviewer), (2**63, world.admin)):
        r = app_client.get(f"/api/v1/tasks/{task_id}/review", headers=who.headers)
        assert assert_error(r, 404, "not_found")["message"] == "Task not found."

    r = app_client.get(
        f"/api/v1/tasks/{world.task_ids[0]}/review",
        headers={**world.outsider.headers, "Accept-Language": "es"},
    )
    assert assert_error(r, 404, "not_found")["message"] == "Tarea: no se encontró."


def test_a_task_without_annotations_shows_none(app_client: TestClient, world: World) -> None:
    r = app_client.get(f"/api/v1/tasks/{world.task_ids[4]}/review", headers=world.reviewer.headers)

    assert r.status_code == 200, r.text
    assert (r.json()["annotation_count"], r.json()["annotations"]) == (0, [])


def test_the_prediction_origin_and_fix_are_shown(
    app_client: TestClient, world: World, factory: Factory, db: Database
) -> None:
    project = factory.project(world.admin, world.workspace_id, name="Pre-labelled")
    [task_id] = factory.records(
        world.admin,
        project,
        [
            {
                "data": {"text": "ok"},
                "prediction": {"result": {"sentiment": "neutral"}, "model": "m1", "score": 0.9},
            }
        ],
    )
    annotation = _submit(
        app_client, task_id, world.annotator.headers, "neutral", origin="prediction_accepted"
    )
    fixed = _review(
        app_client,
        annotation["id"],
        {"verdict": "fixed", "fixed_result": {"sentiment": "positive"}},
        world.reviewer.headers,
    )

    r = app_client.get(f"/api/v1/tasks/{task_id}/review", headers=world.manager.headers)

    assert r.status_code == 200, r.text
    body = r.json()
    assert body["prediction"] == {"result": {"sentiment": "neutral"}, "score": 0.9, "model": "m1"}
    [shown] = body["annotations"]
    assert (shown["origin"], shown["verdict"], shown["reviews"]) == ("prediction_accepted", "fixed", [fixed])
    # the annotation keeps its own answer; the fix is in the review
    with db.read() as session:
        stored = session.scalars(select(Annotation.result)).one()
        assert session.scalars(select(Review.fixed_result)).one() == {"sentiment": "positive"}
    assert stored == shown["result"] == {"sentiment": "neutral"}
