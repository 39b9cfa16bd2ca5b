"""POST /api/v1/annotations/{id}/reviews: accept, reject with a comment, or fix an annotation.

Admins, managers and reviewers, never on their own annotation; every review is kept (the newest is the
annotation's current verdict); the annotation itself never changes; each review is in the audit log.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from consenso.store.database import Database
from consenso.store.models import Annotation, AuditEvent, Project, Review
from tests.api.v1.assertions import When, assert_error
from tests.conftest import Factory, World


def _submit(client: TestClient, task_id: int, headers: dict[str, str], label: str = "positive") -> Any:
    r = client.post(
        f"/api/v1/tasks/{task_id}/annotations",
        json={"result": {"sentiment": label}, "lead_time_ms": 700},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    return r.json()


def _review(client: TestClient, annotation_id: int | str, body: Any, headers: dict[str, str]) -> Any:
    return client.post(f"/api/v1/annotations/{annotation_id}/reviews", json=body, headers=headers)


def _state(db: Database) -> dict[str, Any]:
    """Everything a review may change: reviews, their audit events, and the annotations (which it must not)."""
    with db.read() as session:
        return {
            "reviews": [
                (r.id, r.annotation_id, r.reviewer_id, r.verdict, r.comment, r.fixed_result)
                for r in session.scalars(select(Review).order_by(Review.id))
            ],
            "events": [
                (e.action, e.object_id)
                for e in session.scalars(
                    select(AuditEvent).where(AuditEvent.action == "review.create").order_by(AuditEvent.id)
                )
            ],
            "annotations": [
                (a.id, a.result) for a in session.scalars(select(Annotation).order_by(Annotation.id))
            ],
        }


def _schema_version(db: Database, project_id: int) -> int:
    with db.read() as session:
        project = session.get(Project, project_id)
        assert project is not None and project.schema_version_id is not None
        return project.schema_version_id


def test_a_reviewer_accepts_an_annotation(app_client: TestClient, world: World, db: Database) -> None:
    annotation = _submit(app_client, world.task_ids[0], world.annotator.headers)

    r = _review(app_client, annotation["id"], {"verdict": "accepted"}, world.reviewer.headers)

    assert r.status_code == 201, r.text
    assert "idempotent-replayed" not in r.headers
    with db.read() as session:
        row = session.scalars(select(Review)).one()
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "review.create")).one()
    schema_version = _schema_version(db, world.project_id)
    assert r.json() == {
        "id": row.id,
        "annotation_id": annotation["id"],
        "task_id": world.task_ids[0],
        "project_id": world.project_id,
        "reviewer_id": world.reviewer.id,
        "reviewer_name": "",
        "verdict": "accepted",
        "comment": "",
        "fixed_result": None,
        "schema_version_id": schema_version,
        "guideline_version_id": None,
        "created_at": When(row.created_at),
    }
    assert (row.annotation_id, row.task_id, row.project_id, row.reviewer_id) == (
        annotation["id"],
        world.task_ids[0],
        world.project_id,
        world.reviewer.id,
    )
    assert (row.verdict, row.comment, row.fixed_result, row.idempotency_key) == ("accepted", "", None, None)
    assert (event.actor_id, event.workspace_id, event.object_type, event.object_id) == (
        world.reviewer.id,
        world.workspace_id,
        "review",
        str(row.id),
    )
    assert event.details == {
        "annotation_id": annotation["id"],
        "task_id": world.task_ids[0],
        "project_id": world.project_id,
        "annotator_id": world.annotator.id,
        "verdict": "accepted",
        "previous_verdict": None,
        "comment": "",
        "fixed_result": None,
        "schema_version_id": schema_version,
    }


def test_a_rejection_keeps_its_comment_trimmed(app_client: TestClient, world: World, db: Database) -> None:
    annotation = _submit(app_client, world.task_ids[0], world.annotator.headers)

    r = _review(
        app_client,
        annotation["id"],
        {"verdict": "rejected", "comment": "  The text is sarcastic: negative.\n"},
        world.reviewer.headers,
    )

    assert r.status_code == 201, r.text
    assert (r.json()["verdict"], r.json()["comment"]) == ("rejected", "The text is sarcastic: negative.")
    with db.read() as session:
        row = session.scalars(select(Review)).one()
    assert (row.verdict, row.comment, row.fixed_result) == (
        "rejected",
        "The text is sarcastic: negative.",
        None,
    )


def test_a_fix_records_the_right_answer_and_leaves_the_annotation_alone(
    app_client: TestClient, world: World, db: Database
) -> None:
    annotation = _submit(app_client, world.task_ids[0], world.annotator.headers, "positive")

    r = _review(
        app_client,
        annotation["id"],
        {"verdict": "fixed", "fixed_result": {"sentiment": "neutral"}, "comment": "Only facts."},
        world.manager.headers,
    )

    assert r.status_code == 201, r.text
    with db.read() as session:
        row = session.scalars(select(Review)).one()
        stored = session.get(Annotation, annotation["id"])
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "review.create")).one()
    assert r.json() == {
        "id": row.id,
        "annotation_id": annotation["id"],
        "task_id": world.task_ids[0],
        "project_id": world.project_id,
        "reviewer_id": world.manager.id,
        "reviewer_name": "",
        "verdict": "fixed",
        "comment": "Only facts.",
        "fixed_result": {"sentiment": "neutral"},
        "schema_version_id": _schema_version(db, world.project_id),
        "guideline_version_id": None,
        "created_at": When(row.created_at),
    }
    assert row.fixed_result == {"sentiment": "neutral"}
    assert stored is not None and stored.result == {"sentiment": "positive"}
    assert (event.details["verdict"], event.details["fixed_result"]) == ("fixed", {"sentiment": "neutral"})


def test_reviews_are_history_and_the_newest_is_the_current_verdict(
    app_client: TestClient, world: World, db: Database
) -> None:
    annotation = _submit(app_client, world.task_ids[0], world.annotator.headers)
    first = _review(app_client, annotation["id"], {"verdict": "accepted"}, world.reviewer.headers)
    assert first.status_code == 201, first.text

    second = _review(
        app_client,
        annotation["id"],
        {"verdict": "rejected", "comment": "Missed the irony."},
        world.manager.headers,
    )

    assert second.status_code == 201, second.text
    assert second.json()["id"] > first.json()["id"]
    with db.read() as session:
        rows = session.execute(select(Review.reviewer_id, Review.verdict).order_by(Review.id)).all()
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "review.create").order_by(AuditEvent.id)
        ).all()
    assert [tuple(r) for r in rows] == [(world.reviewer.id, "accepted"), (world.manager.id, "rejected")]
    assert [(e.details["verdict"], e.details["previous_verdict"]) for e in events] == [
        ("accepted", None),
        ("rejected", "accepted"),
    ]
    listed = app_client.get(
        f"/api/v1/projects/{world.project_id}/annotations", headers=world.annotator.headers
    ).json()
    assert [a["review"]["verdict"] for a in listed["items"]] == ["rejected"]


@pytest.mark.parametrize("who", ["reviewer", "manager", "admin"])
def test_reviewers_managers_and_admins_may_review(
    app_client: TestClient, world: World, db: Database, who: str
) -> None:
    annotation = _submit(app_client, world.task_ids[0], world.annotator.headers)

    r = _review(app_client, annotation["id"], {"verdict": "accepted"}, getattr(world, who).headers)

    assert r.status_code == 201, r.text
    assert r.json()["reviewer_id"] == getattr(world, who).id
    assert len(_state(db)["reviews"]) == 1


@pytest.mark.parametrize("who", ["annotator", "annotator2", "viewer"])
def test_annotators_and_viewers_get_403(app_client: TestClient, world: World, db: Database, who: str) -> None:
    annotation = _submit(app_client, world.task_ids[0], world.annotator.headers)
    before = _state(db)

    r = _review(app_client, annotation["id"], {"verdict": "accepted"}, getattr(world, who).headers)

    error = assert_error(r, 403, "permission_denied")
    assert error["message"] == "Your role does not allow this action."
    assert _state(db) == before


def test_outsider_missing_and_withdrawn_annotations_are_404(
    app_client: TestClient, world: World, db: Database
) -> None:
    annotation = _submit(app_client, world.task_ids[0], world.annotator.headers)
    withdrawn = _submit(app_client, world.task_ids[1], world.annotator2.headers)
    undone = app_client.delete(f"/api/v1/annotations/{withdrawn['id']}", headers=world.annotator2.headers)
    assert undone.status_code == 200, undone.text
    before = _state(db)

    for annotation_id, who in (
        (annotation["id"], world.outsider),
        (withdrawn["id"], world.reviewer),
        (987654, world.reviewer),
        (2**63, world.admin),
    ):
        r = _review(app_client, annotation_id, {"verdict": "accepted"}, who.headers)
        assert assert_error(r, 404, "not_found")["message"] == "Annotation not found."
    assert _state(db) == before


@pytest.mark.parametrize("annotation_id", ["abc", "0", "-1"])
def test_a_malformed_id_is_422(app_client: TestClient, world: World, annotation_id: str) -> None:
    r = _review(app_client, annotation_id, {"verdict": "accepted"}, world.reviewer.headers)

    error = assert_error(r, 422, "validation_error")
    assert [d["field"] for d in error["details"]] == ["path.annotation_id"]


def test_nobody_reviews_their_own_annotation(app_client: TestClient, world: World, db: Database) -> None:
    own = _submit(app_client, world.task_ids[0], world.reviewer.headers)
    others = _submit(app_client, world.task_ids[0], world.annotator.headers, "negative")
    before = _state(db)

    r = _review(app_client, own["id"], {"verdict": "accepted"}, world.reviewer.headers)

    error = assert_error(r, 409, "review_own_annotation")
    assert error["message"] == "You cannot review your own annotation."
    assert _state(db) == before
    # the other answer on the same task is theirs to judge
    assert (
        _review(app_client, others["id"], {"verdict": "accepted"}, world.reviewer.headers).status_code == 201
    )


@pytest.mark.parametrize(
    ("body", "status", "code", "message"),
    [
        (
            {"verdict": "rejected"},
            422,
            "review_comment_required",
            "A rejection needs a comment saying what is wrong.",
        ),
        (
            {"verdict": "rejected", "comment": " \n\t "},
            422,
            "review_comment_required",
            "A rejection needs a comment saying what is wrong.",
        ),
        (
            {"verdict": "accepted", "comment": "x" * 2001},
            422,
            "review_comment_too_long",
            "The comment has 2001 characters; the limit is 2000.",
        ),
        (
            {"verdict": "fixed"},
            422,
            "review_fixed_result_required",
            "The verdict 'fixed' needs 'fixed_result': the corrected answer.",
        ),
        (
            {"verdict": "accepted", "fixed_result": {"sentiment": "neutral"}},
            422,
            "review_fixed_result_not_allowed",
            "'fixed_result' goes only with the verdict 'fixed', not with 'accepted'.",
        ),
        (
            {"verdict": "fixed", "fixed_result": {"sentiment": "positive"}},
            422,
            "review_fix_unchanged",
            "The fixed answer is the same as the annotation's; accept it instead.",
        ),
        (
            {"verdict": "rejected", "comment": "bad\x00"},
            400,
            "nul_character",
            "Text may not contain the NUL character (U+0000).",
        ),
        (
            {"verdict": "fixed", "fixed_result": {"sentiment": "neutral\x00"}},
            400,
            "nul_character",
            "Text may not contain the NUL character (U+0000).",
        ),
    ],
)
def test_a_verdict_without_what_it_needs_is_refused(
    app_client: TestClient,
    world: World,
    db: Database,
    body: dict[str, Any],
    status: int,
    code: str,
    message: str,
) -> None:
    annotation = _submit(app_client, world.task_ids[0], world.annotator.headers, "positive")
    before = _state(db)

    r = _review(app_client, annotation["id"], body, world.reviewer.headers)

    error = assert_error(r, status, code)
    assert error["message"] == message
    assert error["details"] is None
    assert _state(db) == before


def test_a_comment_of_exactly_2000_characters_is_kept(
    app_client: TestClient, world: World, db: Database
) -> None:
    annotation = _submit(app_client, world.task_ids[0], world.annotator.headers)

    r = _review(
        app_client, annotation["id"], {"verdict": "rejected", "comment": "é" * 2000}, world.reviewer.headers
    )

    assert r.status_code == 201, r.text
    assert _state(db)["reviews"][0][4] == "é" * 2000


def test_a_fix_that_does_not_fit_the_schema_lists_every_issue(
    app_client: TestClient, world: World, db: Database
) -> None:
    annotation = _submit(app_client, world.task_ids[0], world.annotator.headers)
    before = _state(db)

    r = _review(
        app_client,
        annotation["id"],
        {"verdict": "fixed", "fixed_result": {"sentiment": "furious", "tone": "x"}},
        {**world.reviewer.headers, "Accept-Language": "es"},
    )

    error = assert_error(r, 422, "result_invalid")
    assert error["message"] == "La anotación no se ajusta al esquema de etiquetas: 2 problema(s)."
    assert [(d["code"], d["path"]) for d in error["details"]] == [
        ("unknown_label", "sentiment"),
        ("unknown_control", "tone"),
    ]
    assert _state(db) == before


@pytest.mark.parametrize(
    "body",
    [
        {"verdict": "maybe"},
        {},
        {"verdict": "accepted", "score": 3},
        {"verdict": "accepted", "comment": None},
        {"verdict": "fixed", "fixed_result": ["neutral"]},
    ],
)
def test_a_malformed_body_is_422(
    app_client: TestClient, world: World, db: Database, body: dict[str, Any]
) -> None:
    annotation = _submit(app_client, world.task_ids[0], world.annotator.headers)
    before = _state(db)

    r = _review(app_client, annotation["id"], body, world.reviewer.headers)

    assert_error(r, 422, "validation_error")
    assert _state(db) == before


@pytest.mark.parametrize(
    ("setup", "status", "code", "message"),
    [
        (
            "no_comment",
            422,
            "review_comment_required",
            "Un rechazo necesita un comentario que diga qué está mal.",
        ),
        (
            "too_long",
            422,
            "review_comment_too_long",
            "El comentario tiene 2001 caracteres; el límite es 2000.",
        ),
        (
            "no_fix",
            422,
            "review_fixed_result_required",
            "El veredicto 'fixed' necesita 'fixed_result': la respuesta corregida.",
        ),
        (
            "fix_not_allowed",
            422,
            "review_fixed_result_not_allowed",
            "'fixed_result' solo acompaña al veredicto 'fixed', no a 'rejected'.",
        ),
        (
            "unchanged",
            422,
            "review_fix_unchanged",
            "La respuesta corregida es igual a la de la anotación; acéptela en su lugar.",
        ),
        ("own", 409, "review_own_annotation", "No puede revisar su propia anotación."),
        ("annotator", 403, "permission_denied", "Su rol no permite esta acción."),
        ("outsider", 404, "not_found", "Anotación: no se encontró."),
        ("nul", 400, "nul_character", "El texto no puede contener el carácter NUL (U+0000)."),
    ],
)
def test_refusals_in_spanish(
    app_client: TestClient, world: World, setup: str, status: int, code: str, message: str
) -> None:
    annotation = _submit(app_client, world.task_ids[0], world.annotator.headers, "positive")
    body: dict[str, Any] = {
        "no_comment": {"verdict": "rejected"},
        "too_long": {"verdict": "accepted", "comment": "y" * 2001},
        "no_fix": {"verdict": "fixed"},
        "fix_not_allowed": {"verdict": "rejected", "comment": "no", "fixed_result": {"sentiment": "neutral"}},
        "unchanged": {"verdict": "fixed", "fixed_result": {"sentiment": "positive"}},
        "nul": {"verdict": "accepted", "comment": "\x00"},
    }.get(setup, {"verdict": "accepted"})
    who = {"own": world.annotator, "annotator": world.annotator2, "outsider": world.outsider}.get(
        setup, world.reviewer
    )
    if setup == "own":  # an annotator may not review at all; a manager who annotated meets the own rule
        annotation = _submit(app_client, world.task_ids[1], world.manager.headers)
        who = world.manager

    r = _review(app_client, annotation["id"], body, {**who.headers, "Accept-Language": "es"})

    assert assert_error(r, status, code)["message"] == message


def test_a_retry_with_the_same_idempotency_key_returns_the_stored_review(
    app_client: TestClient, world: World, db: Database
) -> None:
    annotation = _submit(app_client, world.task_ids[0], world.annotator.headers)
    headers = {**world.reviewer.headers, "Idempotency-Key": "review-1"}
    body = {"verdict": "rejected", "comment": "Wrong label."}
    first = _review(app_client, annotation["id"], body, headers)
    assert first.status_code == 201, first.text
    before = _state(db)

    again = _review(app_client, annotation["id"], body, headers)

    assert again.status_code == 201, again.text
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert _state(db) == before
    with db.read() as session:
        assert session.scalars(select(Review.idempotency_key)).all() == ["review-1"]


def test_the_same_key_with_another_body_is_409(app_client: TestClient, world: World, db: Database) -> None:
    annotation = _submit(app_client, world.task_ids[0], world.annotator.headers)
    other = _submit(app_client, world.task_ids[1], world.annotator.headers)
    headers = {**world.reviewer.headers, "Idempotency-Key": "review-2"}
    assert _review(app_client, annotation["id"], {"verdict": "accepted"}, headers).status_code == 201
    before = _state(db)

    for target, body in (
        (annotation["id"], {"verdict": "accepted", "comment": "fine"}),
        (other["id"], {"verdict": "accepted"}),
    ):
        error = assert_error(_review(app_client, target, body, headers), 409, "idempotency_key_reused")
        assert error["message"] == "Idempotency-Key 'review-2' was already used for a different request."
    assert _state(db) == before
    # another reviewer may use the same key for their own request
    r = _review(
        app_client,
        annotation["id"],
        {"verdict": "accepted"},
        {**world.manager.headers, "Idempotency-Key": "review-2"},
    )
    assert r.status_code == 201, r.text


def test_a_fix_is_checked_against_the_projects_current_schema(
    app_client: TestClient, world: World, factory: Factory, db: Database
) -> None:
    schema = {
        "controls": [
            {
                "name": "topic",
                "type": "choice",
                "field": "text",
                "labels": [{"value": "sport"}, {"value": "news"}],
            },
            {"name": "quality", "type": "rating", "field": "text", "min": 1, "max": 3},
        ]
    }
    project = factory.project(world.admin, world.workspace_id, schema=schema, name="Topics")
    [task_id] = factory.tasks(world.admin, project, ["goal!"])
    r = app_client.post(
        f"/api/v1/tasks/{task_id}/annotations",
        json={"result": {"topic": "news", "quality": 2}},
        headers=world.annotator.headers,
    )
    assert r.status_code == 201, r.text

    bad = _review(
        app_client,
        r.json()["id"],
        {"verdict": "fixed", "fixed_result": {"topic": "sport"}},
        world.reviewer.headers,
    )
    good = _review(
        app_client,
        r.json()["id"],
        {"verdict": "fixed", "fixed_result": {"topic": "sport", "quality": 2}},
        world.reviewer.headers,
    )

    error = assert_error(bad, 422, "result_invalid")
    assert [d["code"] for d in error["details"]] == ["missing_answer"]
    assert good.status_code == 201, good.text
    assert good.json()["fixed_result"] == {"topic": "sport", "quality": 2}
    assert good.json()["schema_version_id"] == _schema_version(db, project)
