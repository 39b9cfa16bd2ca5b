"""Finalization: on the submission that completes a task, and the pass ``POST /projects/{id}/finalize``.

A complete task's annotations are aggregated with the project's method; every control reaching its agreement
threshold and the minimum confidence gives a final label (method and confidence recorded), anything else an
escalation to the adjudication queue with the aggregate's suggestion. Gold tasks are never finalized.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from consenso.core.quality import aggregates, collect_answers
from consenso.core.schema import LabelSchema
from consenso.services import adjudication, finalize
from consenso.store.database import Database
from consenso.store.models import Annotation
from tests.api.v1.adjudication_setup import (
    Panel,
    events,
    history,
    make_gold,
    make_panel,
    set_qa,
    status,
    submit,
    vote,
)
from tests.api.v1.assertions import assert_error
from tests.conftest import SENTIMENT_SCHEMA, Factory, World


@pytest.fixture
def panel(factory: Factory, world: World) -> Panel:
    return make_panel(factory, world)


def _queue(client: TestClient, panel: Panel) -> list[int]:
    r = client.get(
        f"/api/v1/projects/{panel.project_id}/adjudication/tasks", headers=panel.world.manager.headers
    )
    assert r.status_code == 200, r.text
    return [item["task_id"] for item in r.json()["items"]]


def _finalize(client: TestClient, panel: Panel, **body: Any) -> Any:
    return client.post(
        f"/api/v1/projects/{panel.project_id}/finalize", json=body, headers=panel.world.manager.headers
    )


def test_a_split_vote_is_escalated_with_the_suggestion_and_queued(
    app_client: TestClient, panel: Panel, db: Database
) -> None:
    task = panel.task_ids[0]
    vote(app_client, panel, task, ["positive", "negative"])
    assert status(db, task) == "pending" and history(db, task) == []  # 2 of 3: not complete

    submit(app_client, task, panel.annotators[2], {"sentiment": "neutral"})

    assert status(db, task) == "escalated"
    [row] = history(db, task)
    # majority vote on a three-way tie keeps the first label in sorted order; one vote in three
    assert (row.method, row.aggregation, row.result, row.decided_by, row.reasoning) == (
        "escalated",
        "majority_vote",
        {"sentiment": "negative"},
        None,
        "",
    )
    assert row.confidence == pytest.approx(1 / 3)
    assert row.agreement == {"sentiment": pytest.approx(1 / 3)}
    [event] = events(db, "task.escalate")
    assert (event.object_id, event.actor_id, event.details["adjudication_id"], event.details["trigger"]) == (
        str(task),
        None,
        row.id,
        "submission",
    )
    assert _queue(app_client, panel) == [task]


def test_two_to_one_is_final_by_majority_vote_with_confidence_two_thirds(
    app_client: TestClient, panel: Panel, db: Database
) -> None:
    task = panel.task_ids[1]
    vote(app_client, panel, task, ["positive", "neutral", "positive"])

    assert status(db, task) == "final"
    [row] = history(db, task)
    assert (row.method, row.aggregation, row.result) == (
        "majority_vote",
        "majority_vote",
        {"sentiment": "positive"},
    )
    assert row.confidence == pytest.approx(2 / 3)
    assert row.agreement == {"sentiment": pytest.approx(2 / 3)}
    assert [e.object_id for e in events(db, "task.finalize")] == [str(task)]
    assert events(db, "task.escalate") == []
    assert _queue(app_client, panel) == []


def test_thresholds_come_from_the_project_settings(
    app_client: TestClient, panel: Panel, db: Database
) -> None:
    set_qa(db, panel.project_id, control_thresholds={"sentiment": 0.9})
    vote(app_client, panel, panel.task_ids[0], ["positive", "neutral", "positive"])
    set_qa(db, panel.project_id, min_confidence=0.7)
    vote(app_client, panel, panel.task_ids[1], ["positive", "neutral", "positive"])
    set_qa(db, panel.project_id, agreement_threshold=0.3, min_confidence=0.3)
    vote(app_client, panel, panel.task_ids[2], ["positive", "negative", "neutral"])

    assert [status(db, t) for t in panel.task_ids[:3]] == ["escalated", "escalated", "final"]
    assert _queue(app_client, panel) == panel.task_ids[:2]


def test_undoing_the_completing_annotation_reverts_the_automatic_decision_until_a_person_decides(
    app_client: TestClient, panel: Panel, db: Database
) -> None:
    task = panel.task_ids[0]
    *_, last = vote(app_client, panel, task, ["positive", "positive", "negative"])
    assert status(db, task) == "final"

    r = app_client.delete(f"/api/v1/annotations/{last['id']}", headers=panel.annotators[2].headers)
    assert r.status_code == 200, r.text
    assert status(db, task) == "pending"
    assert [row.method for row in history(db, task)] == ["majority_vote", "withdrawn"]

    # answered again, split three ways: escalated; once an adjudicator decides, the answers stand
    again = submit(app_client, task, panel.annotators[2], {"sentiment": "neutral"})
    assert status(db, task) == "final"  # 2 of 3 still agree
    r = app_client.post(
        f"/api/v1/tasks/{task}/reopen",
        json={"reasoning": "Check the irony."},
        headers=panel.world.reviewer.headers,
    )
    assert r.status_code == 201, r.text
    r = app_client.delete(f"/api/v1/annotations/{again['id']}", headers=panel.annotators[2].headers)
    assert_error(r, 409, "undo_task_closed")

    other = panel.task_ids[1]
    first = submit(app_client, other, panel.annotators[0], {"sentiment": "positive"})
    r = app_client.delete(f"/api/v1/annotations/{first['id']}", headers=panel.annotators[0].headers)
    assert r.status_code == 200, r.text
    assert status(db, other) == "pending"


def test_overlap_one_finalizes_each_submission(
    app_client: TestClient, world: World, factory: Factory, db: Database
) -> None:
    project = factory.project(world.admin, world.workspace_id, overlap=1, name="Single")
    [task] = factory.tasks(world.admin, project, ["alone"])
    submit(app_client, task, world.annotator, {"sentiment": "neutral"})

    [row] = history(db, task)
    assert status(db, task) == "final"
    assert (row.method, row.result, row.confidence, row.agreement) == (
        "majority_vote",
        {"sentiment": "neutral"},
        1.0,
        {"sentiment": None},  # one answer cannot disagree
    )


def test_free_text_only_is_always_escalated(
    app_client: TestClient, world: World, factory: Factory, db: Database
) -> None:
    schema = {"controls": [{"name": "note", "type": "text", "field": "text"}]}
    project = factory.project(world.admin, world.workspace_id, overlap=1, name="Notes", schema=schema)
    [task] = factory.tasks(world.admin, project, ["write"])
    submit(app_client, task, world.annotator, {"note": "hello"})

    [row] = history(db, task)
    assert (status(db, task), row.method, row.result, row.confidence) == ("escalated", "escalated", {}, None)


def test_a_gold_task_is_never_finalized(app_client: TestClient, panel: Panel, db: Database) -> None:
    gold = panel.task_ids[5]
    make_gold(db, gold, {"sentiment": "positive"}, overlap=3)  # even with a small overlap
    vote(app_client, panel, gold, ["positive", "positive", "negative"])

    assert status(db, gold) == "pending"
    assert history(db, gold) == []
    r = _finalize(app_client, panel, redecide=True)
    assert r.json()["decided"] == 0
    assert status(db, gold) == "pending"


def _dawid_skene_panel(app_client: TestClient, panel: Panel, db: Database) -> int:
    """Annotators A and B agree on five tasks, C contradicts them; then a 2-1 task where C sides with A.

    Per item, majority vote and a one-task fit treat the three alike; the project-wide Dawid-Skene fit has
    learnt that C is unreliable, which changes the posterior of the last task."""
    set_qa(db, panel.project_id, method="dawid_skene")
    labels = ["positive", "negative", "neutral", "positive", "negative"]
    for task, label in zip(panel.task_ids[:5], labels, strict=True):
        wrong = "neutral" if label != "neutral" else "positive"
        vote(app_client, panel, task, [label, label, wrong])
    last = panel.task_ids[5]
    vote(app_client, panel, last, ["positive", "negative", "positive"])
    return last


def _project_fit(db: Database, panel: Panel, task: int) -> tuple[str, float]:
    with db.read() as session:
        rows = session.execute(
            select(Annotation.task_id, Annotation.annotator_id, Annotation.result)
            .where(Annotation.project_id == panel.project_id)
            .order_by(Annotation.id)
        ).all()
    schema = LabelSchema.parse(SENTIMENT_SCHEMA)
    answers = collect_answers(schema, [tuple(r) for r in rows])
    fitted = aggregates(schema, answers, "dawid_skene")["sentiment"]
    assert fitted is not None
    hit = fitted.lookup([task])[0]  # type: ignore[union-attr]
    assert hit is not None
    return str(hit[0]), float(hit[1])


def _task_only_fit(db: Database, task: int) -> float:
    with db.read() as session:
        rows = session.execute(
            select(Annotation.task_id, Annotation.annotator_id, Annotation.result).where(
                Annotation.task_id == task
            )
        ).all()
    schema = LabelSchema.parse(SENTIMENT_SCHEMA)
    answers = collect_answers(schema, [tuple(r) for r in rows])
    fitted = aggregates(schema, answers, "dawid_skene")["sentiment"]
    hit = fitted.lookup([task])[0]  # type: ignore[union-attr]
    assert hit is not None
    return float(hit[1])


def test_dawid_skene_finalization_uses_the_project_fit(
    app_client: TestClient, panel: Panel, db: Database
) -> None:
    last = _dawid_skene_panel(app_client, panel, db)

    [row] = history(db, last)
    label, confidence = _project_fit(db, panel, last)
    assert (row.aggregation, row.result["sentiment"]) == ("dawid_skene", label)
    assert row.confidence == pytest.approx(confidence)
    assert row.confidence != pytest.approx(_task_only_fit(db, last), abs=1e-3)  # not a one-task fit
    assert row.method == ("dawid_skene" if status(db, last) == "final" else "escalated")


def test_above_the_inline_limit_a_model_waits_for_the_finalize_pass(
    app_client: TestClient, panel: Panel, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(finalize, "INLINE_FIT_LIMIT", 4)
    set_qa(db, panel.project_id, method="dawid_skene")
    vote(app_client, panel, panel.task_ids[0], ["positive", "positive", "positive"])  # 3 annotations: inline
    vote(app_client, panel, panel.task_ids[1], ["negative", "negative", "positive"])  # 6 > 4: waits
    vote(app_client, panel, panel.task_ids[2], ["neutral", "neutral"])  # incomplete
    assert [status(db, t) for t in panel.task_ids[:3]] == ["final", "pending", "pending"]

    r = _finalize(app_client, panel)

    assert r.status_code == 200, r.text
    assert r.json() == {
        "project_id": panel.project_id,
        "method": "dawid_skene",
        "decided": 1,
        "final": 1,
        "escalated": 0,
        "changed": 0,
        "unchanged": 0,
    }
    assert [status(db, t) for t in panel.task_ids[:3]] == ["final", "final", "pending"]
    [row] = history(db, panel.task_ids[1])
    label, confidence = _project_fit(db, panel, panel.task_ids[1])
    assert (row.method, row.result, row.confidence) == (
        "dawid_skene",
        {"sentiment": label},
        pytest.approx(confidence),
    )
    [event] = [e for e in events(db, "task.finalize") if e.object_id == str(panel.task_ids[1])]
    assert (event.actor_id, event.details["trigger"]) == (panel.world.manager.id, "finalize")
    [summary] = events(db, "project.finalize")
    assert summary.details["decided"] == 1 and summary.actor_id == panel.world.manager.id

    # a second pass has nothing left to do
    assert _finalize(app_client, panel).json()["decided"] == 0


def test_redecide_writes_a_row_only_when_the_outcome_or_result_changes(
    app_client: TestClient, panel: Panel, db: Database
) -> None:
    unanimous, split, tie, decided = panel.task_ids[:4]
    vote(app_client, panel, unanimous, ["positive"] * 3)
    vote(app_client, panel, split, ["positive", "positive", "negative"])
    vote(app_client, panel, tie, ["positive", "negative", "neutral"])
    vote(app_client, panel, decided, ["positive", "negative", "neutral"])
    adjudication.adjudicate_task(
        db, panel.world.manager.principal, decided, result={"sentiment": "neutral"}, reasoning="Context."
    )
    assert [status(db, t) for t in (unanimous, split, tie, decided)] == [
        "final",
        "final",
        "escalated",
        "final",
    ]
    before = {t: [r.id for r in history(db, t)] for t in (unanimous, split, tie, decided)}

    set_qa(db, panel.project_id, agreement_threshold=0.9)
    plain = _finalize(app_client, panel)  # without redecide nothing moves
    assert plain.json()["changed"] == plain.json()["unchanged"] == plain.json()["decided"] == 0

    r = _finalize(app_client, panel, redecide=True)

    assert r.status_code == 200, r.text
    assert r.json() == {
        "project_id": panel.project_id,
        "method": "majority_vote",
        "decided": 0,
        "final": 0,
        "escalated": 1,
        "changed": 1,
        "unchanged": 2,  # the unanimous one and the tie (still escalated, same suggestion)
    }
    assert [status(db, t) for t in (unanimous, split, tie, decided)] == [
        "final",
        "escalated",
        "escalated",
        "final",
    ]
    assert [r.id for r in history(db, unanimous)] == before[unanimous]
    assert [r.id for r in history(db, tie)] == before[tie]
    assert [r.id for r in history(db, decided)] == before[decided]  # a person's decision is never redecided
    old, new = history(db, split)
    assert (old.method, new.method, new.aggregation, new.result) == (
        "majority_vote",
        "escalated",
        "majority_vote",
        {"sentiment": "positive"},
    )
    [event] = [e for e in events(db, "task.escalate") if e.object_id == str(split)]
    assert (event.details["trigger"], event.details["previous_adjudication_id"]) == ("redecide", old.id)
    assert _queue(app_client, panel) == [split, tie]


def test_a_decision_made_while_the_pass_computes_stands(
    app_client: TestClient, panel: Panel, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    task = panel.task_ids[0]
    vote(app_client, panel, task, ["positive", "negative", "neutral"])
    set_qa(
        db, panel.project_id, agreement_threshold=0.3, min_confidence=0.3
    )  # a redecide would make it final
    plan = finalize._plan

    def plan_then_adjudicate(*args: Any) -> Any:
        planned = plan(*args)
        adjudication.adjudicate_task(
            db, panel.world.manager.principal, task, result={"sentiment": "neutral"}, reasoning="Mine."
        )
        return planned

    monkeypatch.setattr(finalize, "_plan", plan_then_adjudicate)

    r = _finalize(app_client, panel, redecide=True)

    assert r.json()["changed"] == 0
    assert [row.method for row in history(db, task)] == ["escalated", "adjudicated"]
    assert status(db, task) == "final"


@pytest.mark.parametrize(
    ("who", "code", "status_code"),
    [
        ("annotator", "permission_denied", 403),
        ("reviewer", "permission_denied", 403),
        ("viewer", "permission_denied", 403),
        ("outsider", "not_found", 404),
    ],
)
def test_only_staff_run_the_finalize_pass(
    app_client: TestClient, panel: Panel, db: Database, who: str, code: str, status_code: int
) -> None:
    vote(app_client, panel, panel.task_ids[0], ["positive", "negative", "neutral"])
    r = app_client.post(
        f"/api/v1/projects/{panel.project_id}/finalize", json={}, headers=getattr(panel.world, who).headers
    )
    assert_error(r, status_code, code)
    assert events(db, "project.finalize") == []


def test_the_body_is_optional_and_strict(app_client: TestClient, panel: Panel) -> None:
    url = f"/api/v1/projects/{panel.project_id}/finalize"
    assert app_client.post(url, headers=panel.world.admin.headers).status_code == 200
    r = app_client.post(url, json={"redecide": True, "extra": 1}, headers=panel.world.admin.headers)
    assert r.status_code == 422
