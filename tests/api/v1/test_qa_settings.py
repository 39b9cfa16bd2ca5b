"""A project's QA settings: POST /projects and PATCH /projects/{id} take `qa` (partial changes over the settings
in force), GET shows them to the roles that edit or review, and an overlap change leaves gold tasks alone."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from consenso.core.qa import GOLD_OVERLAP
from consenso.store.database import Database
from consenso.store.models import AuditEvent, Project, Task
from tests.api.v1.assertions import assert_error
from tests.conftest import SENTIMENT_SCHEMA, World

DEFAULT_QA: dict[str, Any] = {
    "method": "majority_vote",
    "agreement_threshold": 0.6,
    "control_thresholds": {},
    "min_confidence": 0.5,
    "gold_rate": 0.1,
    "min_gold_accuracy": 0.6,
    "min_gold_answers": 3,
    "gold_pass_score": 0.8,
    "rating_tolerance": 0,
    "show_annotator_names": False,
    "min_language_level": "B2",
}


def _stored_qa(db: Database, project_id: int) -> dict[str, Any]:
    with db.read() as session:
        row = session.get(Project, project_id)
        assert row is not None
        return dict(row.qa)


def _project_count(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Project)) or 0)


def _create(client: TestClient, world: World, qa: Any, **headers: str) -> Any:
    return client.post(
        "/api/v1/projects",
        json={"workspace_id": world.workspace_id, "name": "QA", "schema": SENTIMENT_SCHEMA, "qa": qa},
        headers={**world.manager.headers, **headers},
    )


def test_a_project_is_created_with_qa_settings(app_client: TestClient, world: World, db: Database) -> None:
    r = _create(
        app_client,
        world,
        {"gold_rate": 0.2, "method": "dawid_skene", "control_thresholds": {"sentiment": 0.75}},
    )

    assert r.status_code == 201, r.text
    expected = DEFAULT_QA | {
        "gold_rate": 0.2,
        "method": "dawid_skene",
        "control_thresholds": {"sentiment": 0.75},
    }
    assert r.json()["qa"] == expected
    assert _stored_qa(db, r.json()["id"]) == expected


def test_a_project_created_without_qa_settings_shows_the_defaults(
    app_client: TestClient, world: World, db: Database
) -> None:
    r = app_client.get(f"/api/v1/projects/{world.project_id}", headers=world.manager.headers)

    assert r.status_code == 200, r.text
    assert r.json()["qa"] == DEFAULT_QA
    assert _stored_qa(db, world.project_id) == {}  # nothing stored: the defaults apply


@pytest.mark.parametrize(
    ("qa", "code", "message"),
    [
        (
            {"gold_rate": 0.9},
            "qa_setting_invalid",
            "The QA setting 'gold_rate' is not valid (see docs/quality.md, 'QA workflow', for each setting's range).",
        ),
        ({"min_gold_answers": 0}, "qa_setting_invalid", None),
        ({"show_annotator_names": "yes"}, "qa_setting_invalid", None),
        ({"agreement_threshold": True}, "qa_setting_invalid", None),
        ({"control_thresholds": {"sentiment": 1.5}}, "qa_setting_invalid", None),
        ({"min_language_level": "fluent"}, "qa_setting_invalid", None),
        ({"gold_ratio": 0.1}, "qa_setting_unknown", "There is no QA setting 'gold_ratio'."),
        ({"method": "coin_flip"}, "unknown_aggregation_method", None),
    ],
)
def test_bad_settings_are_refused_and_create_nothing(
    app_client: TestClient, world: World, db: Database, qa: dict[str, Any], code: str, message: str | None
) -> None:
    before = _project_count(db)

    r = _create(app_client, world, qa)

    error = assert_error(r, 422, code)
    if message is not None:
        assert error["message"] == message
    assert _project_count(db) == before


def test_a_bad_setting_is_named_in_spanish(app_client: TestClient, world: World) -> None:
    r = app_client.patch(
        f"/api/v1/projects/{world.project_id}",
        json={"qa": {"min_gold_accuracy": -0.1}},
        headers={**world.manager.headers, "Accept-Language": "es"},
    )

    error = assert_error(r, 422, "qa_setting_invalid")
    assert error["message"] == (
        "El ajuste de calidad 'min_gold_accuracy' no es válido (vea docs/quality.md, 'QA workflow', para el "
        "rango de cada ajuste)."
    )


def test_qa_must_be_an_object(app_client: TestClient, world: World) -> None:
    r = _create(app_client, world, [0.1])

    assert_error(r, 422, "validation_error")


def test_patch_changes_only_the_fields_given(app_client: TestClient, world: World, db: Database) -> None:
    first = app_client.patch(
        f"/api/v1/projects/{world.project_id}",
        json={"qa": {"min_gold_answers": 5, "show_annotator_names": True}},
        headers=world.manager.headers,
    )
    assert first.status_code == 200, first.text

    r = app_client.patch(
        f"/api/v1/projects/{world.project_id}", json={"qa": {"gold_rate": 0.25}}, headers=world.admin.headers
    )

    assert r.status_code == 200, r.text
    expected = DEFAULT_QA | {"min_gold_answers": 5, "show_annotator_names": True, "gold_rate": 0.25}
    assert r.json()["qa"] == expected
    assert _stored_qa(db, world.project_id) == expected
    with db.read() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "project.update").order_by(AuditEvent.id)
        ).all()
    assert [{k: v for k, v in e.details.items() if k != "digest"} for e in events] == [
        {"fields": ["qa"], "qa": {"min_gold_answers": 5, "show_annotator_names": True}},
        {"fields": ["qa"], "qa": {"gold_rate": 0.25}},
    ]
    # digests of the settings before and after each change: one change's "after" is the next one's "before"
    first_digest, second_digest = (e.details["digest"] for e in events)
    assert (
        first_digest["before"] != first_digest["after"] == second_digest["before"] != second_digest["after"]
    )


def test_a_refused_patch_changes_nothing(app_client: TestClient, world: World, db: Database) -> None:
    app_client.patch(
        f"/api/v1/projects/{world.project_id}", json={"qa": {"gold_rate": 0.3}}, headers=world.manager.headers
    )
    before = _stored_qa(db, world.project_id)

    r = app_client.patch(
        f"/api/v1/projects/{world.project_id}",
        json={"name": "Renamed", "qa": {"gold_rate": 0.2, "rating_tolerance": -1}},
        headers=world.manager.headers,
    )

    assert_error(r, 422, "qa_setting_invalid")
    assert _stored_qa(db, world.project_id) == before
    with db.read() as session:
        project = session.get(Project, world.project_id)
        assert project is not None and project.name == "P"


@pytest.mark.parametrize("who", ["reviewer", "annotator", "viewer"])
def test_only_staff_change_qa_settings(app_client: TestClient, world: World, db: Database, who: str) -> None:
    r = app_client.patch(
        f"/api/v1/projects/{world.project_id}",
        json={"qa": {"gold_rate": 0.5}},
        headers=getattr(world, who).headers,
    )

    assert_error(r, 403, "permission_denied")
    assert _stored_qa(db, world.project_id) == {}


@pytest.mark.parametrize(
    ("who", "sees"),
    [("admin", True), ("manager", True), ("reviewer", True), ("annotator", False), ("viewer", False)],
)
def test_settings_are_shown_to_the_roles_that_edit_or_review(
    app_client: TestClient, world: World, who: str, sees: bool
) -> None:
    actor = getattr(world, who)
    one = app_client.get(f"/api/v1/projects/{world.project_id}", headers=actor.headers).json()
    listed = app_client.get("/api/v1/projects", headers=actor.headers).json()

    assert one["qa"] == (DEFAULT_QA if sees else None)
    assert [p["qa"] for p in listed if p["id"] == world.project_id] == [DEFAULT_QA if sees else None]


def test_annotators_and_viewers_count_no_gold_task(app_client: TestClient, world: World) -> None:
    for task_id in world.task_ids[3:]:
        r = app_client.put(
            f"/api/v1/tasks/{task_id}/gold",
            json={"result": {"sentiment": "positive"}},
            headers=world.manager.headers,
        )
        assert r.status_code == 200, r.text

    counts = {
        who: app_client.get(
            f"/api/v1/projects/{world.project_id}", headers=getattr(world, who).headers
        ).json()["task_count"]
        for who in ("manager", "reviewer", "annotator", "viewer")
    }
    listed = {
        who: [
            p["task_count"]
            for p in app_client.get("/api/v1/projects", headers=getattr(world, who).headers).json()
        ]
        for who in ("manager", "annotator")
    }

    assert counts == {"manager": 5, "reviewer": 5, "annotator": 3, "viewer": 3}
    assert listed == {"manager": [5], "annotator": [3]}


def _overlaps(db: Database, project_id: int) -> dict[int, int]:
    with db.read() as session:
        return dict(session.execute(select(Task.id, Task.overlap).where(Task.project_id == project_id)).all())


def test_an_overlap_change_leaves_gold_tasks_open_to_everyone(
    app_client: TestClient, world: World, db: Database
) -> None:
    gold = world.task_ids[4]
    assert (
        app_client.put(
            f"/api/v1/tasks/{gold}/gold",
            json={"result": {"sentiment": "neutral"}},
            headers=world.manager.headers,
        ).status_code
        == 200
    )
    # the gold task holds three answers, more than the overlap of 1 asked below: that does not block it
    for who in (world.annotator, world.annotator2, world.reviewer):
        r = app_client.post(
            f"/api/v1/tasks/{gold}/annotations",
            json={"result": {"sentiment": "neutral"}},
            headers=who.headers,
        )
        assert r.status_code == 201, r.text
    one = app_client.post(
        f"/api/v1/tasks/{world.task_ids[0]}/annotations",
        json={"result": {"sentiment": "neutral"}},
        headers=world.annotator.headers,
    )
    assert one.status_code == 201, one.text

    r = app_client.patch(
        f"/api/v1/projects/{world.project_id}", json={"overlap": 1}, headers=world.manager.headers
    )

    assert r.status_code == 200, r.text
    assert _overlaps(db, world.project_id) == {t: (GOLD_OVERLAP if t == gold else 1) for t in world.task_ids}

    # an ordinary task holding two answers still blocks an overlap of 1
    app_client.patch(
        f"/api/v1/projects/{world.project_id}", json={"overlap": 2}, headers=world.manager.headers
    )
    two = app_client.post(
        f"/api/v1/tasks/{world.task_ids[0]}/annotations",
        json={"result": {"sentiment": "neutral"}},
        headers=world.annotator2.headers,
    )
    assert two.status_code == 201, two.text
    refused = app_client.patch(
        f"/api/v1/projects/{world.project_id}", json={"overlap": 1}, headers=world.manager.headers
    )
    assert_error(refused, 409, "overlap_below_taken")
    assert _overlaps(db, world.project_id) == {t: (GOLD_OVERLAP if t == gold else 2) for t in world.task_ids}
