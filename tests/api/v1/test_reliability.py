"""GET /api/v1/projects/{id}/reliability and /reliability/me: per-annotator reliability.

The project (``make_reliability_project``) is small enough to work out by hand. Three annotators A, B, C
answer the sentiment of seven ordinary tasks t0…t6 (overlap 5, so that no task completes and finalization
stays as set here) and some of three gold tasks g0…g2::

    task   truth     A and B   C (always disagrees)   state
    t0     positive  truth     negative               final: majority_vote → positive
    t1     negative  truth     positive               final: majority_vote → negative
    t2     neutral   truth     positive               final: majority_vote → neutral
    t3     positive  truth     negative               final: majority_vote → positive
    t4     negative  truth     positive               escalated (the suggestion is no final label)
    t5     positive  truth     negative               majority_vote → reopened → adjudicated negative: final
    t6     neutral   truth     positive               majority_vote → reopened: escalated again (no final)
    g0…g2  gold      A: 1.0, 1.0, 0.5   B: g0 0.8, g1 unscored   C: 0, 0, 0      (gold scores)

Gold tasks and states are written straight into the tables after the answers (the services that mark gold
and finalize are tested on their own); the figures only read rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from consenso.core.aggregation import DawidSkene
from consenso.core.agreement import wilson_interval
from consenso.core.qa import GOLD_OVERLAP
from consenso.services import annotate
from consenso.services.clock import utcnow
from consenso.store.database import Database
from consenso.store.models import Adjudication, Annotation, AnnotatorPause, Project, Task
from tests.api.v1.assertions import When, assert_error
from tests.conftest import Actor, Factory

LABELS = ["positive", "negative", "neutral"]
TRUTH = ["positive", "negative", "neutral", "positive", "negative", "positive", "neutral"]
OPPOSITE = {"positive": "negative", "negative": "positive", "neutral": "positive"}
A_LEADS = [10_000, 20_000, 30_000, 40_000, 50_000, 60_000, 70_000, 80_000, 90_000, None]


@dataclass
class ReliabilityProject:
    admin: Actor
    manager: Actor
    reviewer: Actor
    viewer: Actor
    outsider: Actor
    annotators: list[Actor]  # A, B, C
    workspace_id: int
    project_id: int
    tasks: list[int]  # t0…t6, then t7 (unanswered)
    gold: list[int]  # g0…g2
    day1: datetime
    day2: datetime
    paused_at: datetime


def _submit(db: Database, who: Actor, task_id: int, label: str, lead: int | None, at: datetime) -> None:
    annotate.submit_annotation(
        db, who.principal, task_id, result={"sentiment": label}, lead_time_ms=lead, now=at
    )


def _decide(
    session: Any, project_id: int, task_id: int, rows: list[tuple[str, str | None]], status: str
) -> None:
    for method, label in rows:
        session.add(
            Adjudication(
                task_id=task_id,
                project_id=project_id,
                result={} if label is None else {"sentiment": label},
                method=method,
                confidence=None,
            )
        )
    session.execute(update(Task).where(Task.id == task_id).values(qa_status=status))


def make_reliability_project(factory: Factory, db: Database) -> ReliabilityProject:
    admin = factory.user(is_admin=True)
    ws = factory.workspace(admin)
    manager = factory.member(admin, ws, "manager")
    reviewer = factory.member(admin, ws, "reviewer")
    viewer = factory.member(admin, ws, "viewer")
    a, b, c = (factory.member(admin, ws, "annotator") for _ in range(3))
    outsider = factory.member(admin, factory.workspace(admin, "Other"), "admin")
    project = factory.project(admin, ws, overlap=5)
    ids = factory.tasks(admin, project, [f"review {i}" for i in range(11)])
    tasks, gold = ids[:8], ids[8:]
    day1 = (utcnow() - timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    day2 = day1 + timedelta(days=1)
    items = [*zip(tasks[:7], TRUTH, strict=True), *((g, "positive") for g in gold)]
    for i, (task, label) in enumerate(items):
        _submit(db, a, task, label, A_LEADS[i], (day1 if i < 5 else day2) + timedelta(minutes=i))
    for i, (task, label) in enumerate(items[:9]):
        _submit(db, b, task, label, 4000, day1 + timedelta(minutes=30 + i))
    for i, (task, label) in enumerate(items):
        _submit(db, c, task, OPPOSITE[label], 3000, day2 + timedelta(minutes=30 + i))
    paused_at = day2 + timedelta(hours=2)
    with db.write() as session:
        session.execute(
            update(Task).where(Task.id.in_(gold)).values(gold={"sentiment": "positive"}, overlap=GOLD_OVERLAP)
        )
        scores = {(a.id, 0): 1.0, (a.id, 1): 1.0, (a.id, 2): 0.5, (b.id, 0): 0.8, (b.id, 1): None}
        scores |= {(c.id, g): 0.0 for g in range(3)}
        for (who, g), score in scores.items():
            session.execute(
                update(Annotation)
                .where(Annotation.task_id == gold[g], Annotation.annotator_id == who)
                .values(gold_score=score)
            )
        for t in range(4):
            _decide(session, project, tasks[t], [("majority_vote", TRUTH[t])], "final")
        _decide(session, project, tasks[4], [("escalated", "positive")], "escalated")
        _decide(
            session,
            project,
            tasks[5],
            [("majority_vote", "positive"), ("reopened", None), ("adjudicated", "negative")],
            "final",
        )
        _decide(session, project, tasks[6], [("majority_vote", "neutral"), ("reopened", None)], "escalated")
        session.add(
            AnnotatorPause(project_id=project, user_id=c.id, reason="gold_accuracy", paused_at=paused_at)
        )
        session.add(
            AnnotatorPause(
                project_id=project,
                user_id=b.id,
                reason="manual",
                paused_at=day1,
                resumed_at=day1 + timedelta(hours=1),
            )
        )
    return ReliabilityProject(
        admin, manager, reviewer, viewer, outsider, [a, b, c], ws, project, tasks, gold, day1, day2, paused_at
    )


@pytest.fixture
def rp(factory: Factory, db: Database) -> ReliabilityProject:
    return make_reliability_project(factory, db)


def _get(client: TestClient, project_id: int, who: Actor, me: bool = False, **headers: str) -> Any:
    suffix = "/me" if me else ""
    return client.get(
        f"/api/v1/projects/{project_id}/reliability{suffix}", headers={**who.headers, **headers}
    )


def _rate(agreed: int, compared: int) -> dict[str, Any]:
    low, high = wilson_interval(agreed, compared)
    return {"rate": pytest.approx(agreed / compared), "low": pytest.approx(low), "high": pytest.approx(high)}


def _gold(correct: int, answers: int, mean: float) -> dict[str, Any]:
    low, high = wilson_interval(correct, answers)
    return {
        "answers": answers,
        "correct": correct,
        "accuracy": pytest.approx(correct / answers),
        "low": pytest.approx(low),
        "high": pytest.approx(high),
        "mean_score": pytest.approx(mean),
    }


def _final(agreed: int, compared: int, kappa: float) -> dict[str, Any]:
    control = {"control": "sentiment", "type": "choice", "compared": compared, "agreed": agreed}
    control |= _rate(agreed, compared) | {"kappa": pytest.approx(kappa), "mean_f1": None}
    return {"compared": compared, "agreed": agreed, **_rate(agreed, compared), "controls": [control]}


def _expected_matrices(db: Database, rp: ReliabilityProject) -> dict[int, list[list[float]]]:
    """An independent Dawid-Skene fit on the DataFrame layer (labels sorted by name), in schema order."""
    with db.read() as session:
        rows = session.execute(
            select(Annotation.task_id, Annotation.annotator_id, Annotation.result)
            .join(Task, Task.id == Annotation.task_id)
            .where(Annotation.project_id == rp.project_id, Task.gold.is_(None))
            .order_by(Annotation.id)
        ).all()
    frame = pd.DataFrame(
        [(task, who, result["sentiment"]) for task, who, result in rows],
        columns=["item", "annotator", "label"],
    )
    ds = DawidSkene().fit(frame)
    order = [list(ds.classes_).index(label) for label in LABELS]
    return {
        int(who): ds.errors_[code][np.ix_(order, order)].tolist() for code, who in enumerate(ds.annotators_)
    }


def _matrix_close(actual: list[list[float]], expected: list[list[float]]) -> None:
    assert np.allclose(np.array(actual), np.array(expected), atol=1e-9), (actual, expected)
    assert np.allclose(np.array(actual).sum(axis=1), 1.0)


def test_every_figure_of_every_annotator(
    app_client: TestClient, rp: ReliabilityProject, db: Database
) -> None:
    r = _get(app_client, rp.project_id, rp.manager)

    assert r.status_code == 200, r.text
    body = r.json()
    a, b, c = rp.annotators
    matrices = _expected_matrices(db, rp)
    for row in body["annotators"]:
        (confusion,) = row.pop("confusion")
        assert {k: v for k, v in confusion.items() if k != "matrix"} == {
            "control": "sentiment",
            "type": "choice",
            "labels": LABELS,
            "answers": 7,
            "reason": None,
        }
        _matrix_close(confusion["matrix"], matrices[row["user_id"]])
    assert body == {
        "project_id": rp.project_id,
        "schema_version": 1,
        "gold_pass_score": 0.8,
        "confidence": 0.95,
        "reasons": {},
        # the most annotations first, then user id: A and C (10), B (9)
        "annotators": [
            {
                "user_id": a.id,
                "email": a.email,
                "name": "",
                "annotations": 10,
                # 1.0 and 1.0 pass 0.8, 0.5 does not
                "gold": _gold(2, 3, 2.5 / 3),
                # t0…t3 agree, t5 (adjudicated negative) does not; kappa (0.8 − 9/25) / (1 − 9/25)
                "agreement_with_final": _final(4, 5, 0.6875),
                # nine timed answers of 10…90 s: 9 / (450 s) = 72 an hour; 10 answers over 2 days
                "throughput": {
                    "per_active_hour": pytest.approx(72.0),
                    "active_ms": 450_000,
                    "timed_annotations": 9,
                    "per_day": 5.0,
                    "days": 2,
                },
                # median of 10…90 s: 50 s; p90 at h = 7.2: 80 + 0.2 · 10 s
                "lead_time_ms": {"count": 9, "median": 50_000.0, "p90": pytest.approx(82_000.0)},
                "paused": False,
                "paused_at": None,
            },
            {
                "user_id": c.id,
                "email": c.email,
                "name": "",
                "annotations": 10,
                "gold": {
                    "answers": 3,
                    "correct": 0,
                    "accuracy": 0.0,
                    "low": 0.0,
                    "high": pytest.approx(wilson_interval(0, 3)[1]),
                    "mean_score": 0.0,
                },
                # only t5, whose adjudicated label is negative; kappa (0.2 − 10/25) / (1 − 10/25)
                "agreement_with_final": _final(1, 5, -1 / 3),
                "throughput": {
                    "per_active_hour": pytest.approx(1200.0),
                    "active_ms": 30_000,
                    "timed_annotations": 10,
                    "per_day": 10.0,
                    "days": 1,
                },
                "lead_time_ms": {"count": 10, "median": 3000.0, "p90": 3000.0},
                "paused": True,
                "paused_at": When(rp.paused_at),
            },
            {
                "user_id": b.id,
                "email": b.email,
                "name": "",
                "annotations": 9,
                # g0 scored 0.8 (correct at the pass score), g1 unscored: not counted
                "gold": _gold(1, 1, 0.8),
                "agreement_with_final": _final(4, 5, 0.6875),
                "throughput": {
                    "per_active_hour": pytest.approx(900.0),
                    "active_ms": 36_000,
                    "timed_annotations": 9,
                    "per_day": 9.0,
                    "days": 1,
                },
                "lead_time_ms": {"count": 9, "median": 4000.0, "p90": 4000.0},
                # a resumed pause is history
                "paused": False,
                "paused_at": None,
            },
        ],
    }
    # A and B gave the same answers, so they share a matrix; C's differs (seven items are too few for the
    # crowd prior to let C's matrix stray far: tests/core/test_qa_reliability.py learns a liar on more)
    assert matrices[a.id] == matrices[b.id]
    assert not np.allclose(matrices[a.id], matrices[c.id])


def test_reviewers_and_admins_see_it_annotators_and_viewers_do_not(
    app_client: TestClient, rp: ReliabilityProject
) -> None:
    manager = _get(app_client, rp.project_id, rp.manager).json()
    for who in (rp.reviewer, rp.admin):
        r = _get(app_client, rp.project_id, who)
        assert r.status_code == 200, r.text
        assert r.json() == manager
    for who in (rp.annotators[0], rp.viewer):
        assert_error(_get(app_client, rp.project_id, who), 403, "permission_denied")
    assert_error(_get(app_client, rp.project_id, rp.outsider), 404, "not_found")
    assert_error(_get(app_client, rp.project_id + 1000, rp.manager), 404, "not_found")
    assert_error(app_client.get(f"/api/v1/projects/{rp.project_id}/reliability"), 401, "not_authenticated")


def test_my_figures_are_mine_only(app_client: TestClient, rp: ReliabilityProject) -> None:
    a, b, c = rp.annotators
    everyone = {
        row["user_id"]: row for row in _get(app_client, rp.project_id, rp.manager).json()["annotators"]
    }

    r = _get(app_client, rp.project_id, c, me=True)

    assert r.status_code == 200, r.text
    body = r.json()
    # ten annotations: one whole block of ten, so every figure counts all of them, as the managers see them
    assert body == {
        "project_id": rp.project_id,
        "schema_version": 1,
        "gold_pass_score": 0.8,
        "confidence": 0.95,
        "block": 10,
        "covered_annotations": 10,
        "annotator": everyone[c.id],
        "reasons": {},
    }
    text = json.dumps(body)
    for other in (a, b, rp.manager):
        assert other.email not in text
    mine = _get(app_client, rp.project_id, a, me=True).json()["annotator"]
    assert mine == everyone[a.id]
    assert mine["user_id"] == a.id and c.email not in json.dumps(mine)


def test_my_gold_and_final_figures_move_only_by_whole_blocks(
    app_client: TestClient, rp: ReliabilityProject, db: Database
) -> None:
    b = rp.annotators[1]

    nine = _get(app_client, rp.project_id, b, me=True).json()

    # nine annotations, less than a block: counts and speed are up to date, gold and final labels wait
    assert nine["covered_annotations"] == 0
    figures = nine["annotator"]
    assert figures["annotations"] == 9
    assert figures["lead_time_ms"] == {"count": 9, "median": 4000.0, "p90": 4000.0}
    assert figures["gold"] == {
        "answers": 0,
        "correct": 0,
        "accuracy": None,
        "low": None,
        "high": None,
        "mean_score": None,
    }
    assert figures["agreement_with_final"]["compared"] == 0
    assert figures["agreement_with_final"]["controls"][0]["rate"] is None
    assert figures["confusion"] == [
        {
            "control": "sentiment",
            "type": "choice",
            "labels": LABELS,
            "answers": 0,
            "matrix": None,
            "reason": "no_answers",
        }
    ]
    assert nine["reasons"] == {
        "no_answers": "The annotator has not answered this control on a task that is not a gold task."
    }

    _submit(db, b, rp.tasks[7], "neutral", 4000, utcnow())
    ten = _get(app_client, rp.project_id, b, me=True).json()

    assert ten["covered_annotations"] == 10
    everyone = {
        row["user_id"]: row for row in _get(app_client, rp.project_id, rp.manager).json()["annotators"]
    }
    assert ten["annotator"] == everyone[b.id]
    assert ten["annotator"]["gold"]["answers"] == 1
    assert ten["annotator"]["agreement_with_final"]["compared"] == 5
    assert ten["annotator"]["confusion"][0]["answers"] == 8


def test_the_block_follows_the_gold_rate(
    app_client: TestClient, rp: ReliabilityProject, db: Database
) -> None:
    with db.write() as session:
        session.execute(update(Project).where(Project.id == rp.project_id).values(qa={"gold_rate": 0.05}))

    body = _get(app_client, rp.project_id, rp.annotators[2], me=True).json()

    # one gold question in twenty: the figures wait for twenty annotations
    assert (body["block"], body["covered_annotations"]) == (20, 0)
    assert body["annotator"]["annotations"] == 10
    assert body["annotator"]["gold"]["answers"] == 0
    assert body["annotator"]["paused"] is True


def test_who_may_ask_for_their_own_figures(app_client: TestClient, rp: ReliabilityProject) -> None:
    r = _get(app_client, rp.project_id, rp.manager, me=True)
    assert r.status_code == 200, r.text
    figures = r.json()["annotator"]
    assert (figures["user_id"], figures["email"], figures["annotations"]) == (
        rp.manager.id,
        rp.manager.email,
        0,
    )
    assert figures["throughput"] == {
        "per_active_hour": None,
        "active_ms": 0,
        "timed_annotations": 0,
        "per_day": None,
        "days": 0,
    }
    assert figures["lead_time_ms"] == {"count": 0, "median": None, "p90": None}
    assert_error(_get(app_client, rp.project_id, rp.viewer, me=True), 403, "permission_denied")
    assert_error(_get(app_client, rp.project_id, rp.outsider, me=True), 404, "not_found")
    assert_error(app_client.get(f"/api/v1/projects/{rp.project_id}/reliability/me"), 401, "not_authenticated")


def test_reasons_in_spanish_and_an_empty_project(
    app_client: TestClient, rp: ReliabilityProject, factory: Factory
) -> None:
    body = _get(app_client, rp.project_id, rp.annotators[1], me=True, **{"Accept-Language": "es"}).json()
    assert body["reasons"] == {
        "no_answers": "El anotador no ha respondido a este control en ninguna tarea que no sea de control."
    }

    empty = factory.project(rp.admin, rp.workspace_id, name="Empty")
    r = _get(app_client, empty, rp.manager)
    assert r.status_code == 200, r.text
    assert r.json()["annotators"] == []


def test_every_control_type_is_compared_with_its_final_value(
    app_client: TestClient, factory: Factory, db: Database
) -> None:
    schema = {
        "controls": [
            {"name": "stars", "type": "rating", "field": "text", "min": 1, "max": 5},
            {
                "name": "topics",
                "type": "multi_choice",
                "field": "text",
                "labels": [{"value": "price"}, {"value": "food"}],
            },
            {"name": "who", "type": "spans", "field": "text", "labels": [{"value": "PER"}, {"value": "ORG"}]},
            {"name": "note", "type": "text", "field": "text", "required": False},
        ]
    }
    admin = factory.user(is_admin=True)
    ws = factory.workspace(admin)
    annotator = factory.member(admin, ws, "annotator")
    project = factory.project(admin, ws, schema=schema, overlap=3)
    t1, t2 = factory.tasks(admin, project, ["Ana Lopez works at Acme Corp", "Bob at Initech"])
    per = {"start": 0, "end": 4, "label": "PER"}
    org = {"start": 19, "end": 23, "label": "ORG"}
    answers = {
        t1: {"stars": 4, "topics": ["food", "price"], "who": [org, per], "note": "x"},
        t2: {"stars": 2, "topics": ["price"], "who": [per]},
    }
    finals = {
        t1: {"stars": 4, "topics": ["price", "food"], "who": [per, org]},  # the same, in another order
        t2: {"stars": 3, "topics": [], "who": [per, org]},  # all different; spans F1 2·1 / (1 + 2)
    }
    for task, result in answers.items():
        annotate.submit_annotation(db, annotator.principal, task, result=result, lead_time_ms=None)
    with db.write() as session:
        for task, result in finals.items():
            session.add(Adjudication(task_id=task, project_id=project, result=result, method="dawid_skene"))
            session.execute(update(Task).where(Task.id == task).values(qa_status="final"))

    body = app_client.get(f"/api/v1/projects/{project}/reliability", headers=admin.headers).json()

    (row,) = body["annotators"]
    final = row["agreement_with_final"]
    assert (final["agreed"], final["compared"]) == (3, 6)
    by_control = {c["control"]: c for c in final["controls"]}
    assert list(by_control) == ["stars", "topics", "who"]
    assert (by_control["stars"]["agreed"], by_control["stars"]["compared"]) == (1, 2)
    assert (by_control["topics"]["agreed"], by_control["topics"]["compared"]) == (1, 2)
    assert (by_control["who"]["agreed"], by_control["who"]["compared"]) == (1, 2)
    assert by_control["who"]["mean_f1"] == pytest.approx((1 + 2 / 3) / 2)
    assert by_control["who"]["kappa"] is None
    assert by_control["stars"]["mean_f1"] is None
    # one confusion matrix, for the rating, over the five values 1…5
    (confusion,) = row["confusion"]
    assert (confusion["control"], confusion["labels"], confusion["answers"]) == ("stars", [1, 2, 3, 4, 5], 2)
    assert len(confusion["matrix"]) == 5 and all(len(r) == 5 for r in confusion["matrix"])
    assert row["throughput"]["per_active_hour"] is None and row["throughput"]["per_day"] == 2.0
