"""Pauses by gold accuracy: an annotator whose gold answers fall below the bar is paused (next and submit 403
`annotator_paused`), the managers see it (GET /projects/{id}/pauses, the dashboard), and a manager resumes
them (POST /projects/{id}/pauses/{user_id}/resume); answers before the resume no longer count."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from consenso.core.agreement import wilson_interval
from consenso.store.database import Database
from consenso.store.models import AnnotatorPause, Assignment, AuditEvent, Task
from tests.api.v1.assertions import When, assert_error
from tests.conftest import Actor, Factory, World

PAUSED_EN = (
    "You are paused from this project: your answers to the quality-check questions fell below the project's "
    "bar. A manager has been told and can resume you."
)
PAUSED_ES = (
    "Está en pausa en este proyecto: sus respuestas a las preguntas de control de calidad quedaron por debajo "
    "del nivel del proyecto. Se ha avisado a un responsable, que puede reanudarle."
)


def _gold_project(
    client: TestClient, factory: Factory, world: World, ordinary: int, gold: int
) -> tuple[int, list[int], list[int]]:
    """A project (overlap 2, gold rate 0: ``next`` serves ordinary tasks only) with ``gold`` gold tasks
    expecting "negative"; returns (project, ordinary task ids, gold task ids)."""
    project = factory.project(world.admin, world.workspace_id, overlap=2, name="Gold")
    ids = factory.tasks(world.admin, project, [f"task {i}" for i in range(ordinary + gold)])
    r = client.patch(
        f"/api/v1/projects/{project}", json={"qa": {"gold_rate": 0}}, headers=world.manager.headers
    )
    assert r.status_code == 200, r.text
    for task_id in ids[ordinary:]:
        r = client.put(
            f"/api/v1/tasks/{task_id}/gold",
            json={"result": {"sentiment": "negative"}},
            headers=world.manager.headers,
        )
        assert r.status_code == 200, r.text
    return project, ids[:ordinary], ids[ordinary:]


def _answer(client: TestClient, task_id: int, who: Actor, label: str, **headers: str) -> Any:
    return client.post(
        f"/api/v1/tasks/{task_id}/annotations",
        json={"result": {"sentiment": label}},
        headers={**who.headers, **headers},
    )


def _pauses(db: Database) -> list[AnnotatorPause]:
    with db.read() as session:
        rows = list(session.scalars(select(AnnotatorPause).order_by(AnnotatorPause.id)))
        for row in rows:
            session.expunge(row)
        return rows


def _slots(db: Database, task_id: int) -> int:
    with db.read() as session:
        task = session.get(Task, task_id)
        assert task is not None
        return task.slots_taken


def test_an_always_wrong_annotator_is_paused_after_min_gold_answers(
    app_client: TestClient, factory: Factory, world: World, db: Database
) -> None:
    project, ordinary, gold = _gold_project(app_client, factory, world, ordinary=2, gold=3)
    first = _answer(app_client, gold[0], world.annotator, "positive", **{"Idempotency-Key": "gold-0"})
    assert first.status_code == 201, first.text
    assert _answer(app_client, gold[1], world.annotator, "positive").status_code == 201
    assert _pauses(db) == []  # two wrong answers are too few to judge (min_gold_answers = 3)
    leased = app_client.get(f"/api/v1/projects/{project}/next", headers=world.annotator.headers)
    assert leased.json()["id"] == ordinary[0] and _slots(db, ordinary[0]) == 1

    third = _answer(app_client, gold[2], world.annotator, "positive")

    assert third.status_code == 201, third.text
    assert set(third.json()) == set(first.json())  # the answer that pauses looks like any other
    (pause,) = _pauses(db)
    upper = wilson_interval(0, 3, 0.95)[1]
    assert (pause.project_id, pause.user_id, pause.reason, pause.gold_answers, pause.gold_accuracy) == (
        project,
        world.annotator.id,
        "gold_accuracy",
        3,
        0.0,
    )
    assert pause.gold_upper_bound == pytest.approx(upper)
    assert pause.resumed_at is None
    # the lease they held is given back: its slot is free and the task may be served to them again later
    assert _slots(db, ordinary[0]) == 0
    with db.read() as session:
        assert session.scalars(select(Assignment).where(Assignment.task_id == ordinary[0])).all() == []
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "annotator.pause")).one()
    assert (event.object_type, event.object_id, event.actor_id) == ("user", str(world.annotator.id), None)
    assert event.details == {
        "project_id": project,
        "pause_id": pause.id,
        "reason": "gold_accuracy",
        "gold_answers": 3,
        "gold_correct": 0,
        "gold_accuracy": 0.0,
        "gold_upper_bound": pytest.approx(upper),
        "min_gold_accuracy": 0.6,
        "released_task_id": ordinary[0],
    }

    # paused: next and new submissions are refused, in English and Spanish
    en = app_client.get(f"/api/v1/projects/{project}/next", headers=world.annotator.headers)
    es = app_client.get(
        f"/api/v1/projects/{project}/next", headers={**world.annotator.headers, "Accept-Language": "es"}
    )
    assert assert_error(en, 403, "annotator_paused")["message"] == PAUSED_EN
    assert assert_error(es, 403, "annotator_paused")["message"] == PAUSED_ES
    assert_error(_answer(app_client, ordinary[1], world.annotator, "neutral"), 403, "annotator_paused")
    # ...but a retry of an answer stored before still answers as it did
    replay = _answer(app_client, gold[0], world.annotator, "positive", **{"Idempotency-Key": "gold-0"})
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    # the others work on
    assert (
        app_client.get(f"/api/v1/projects/{project}/next", headers=world.annotator2.headers).status_code
        == 200
    )


def test_the_paused_annotator_and_the_managers_are_told(
    app_client: TestClient, factory: Factory, world: World, db: Database
) -> None:
    project, _, gold = _gold_project(app_client, factory, world, ordinary=2, gold=3)
    for task_id in gold:
        assert _answer(app_client, task_id, world.annotator, "neutral").status_code == 201
    (pause,) = _pauses(db)

    mine = app_client.get(f"/api/v1/projects/{project}/progress", headers=world.annotator.headers).json()
    theirs = app_client.get(f"/api/v1/projects/{project}/progress", headers=world.annotator2.headers).json()
    dashboard = app_client.get(f"/api/v1/projects/{project}/dashboard", headers=world.manager.headers).json()
    listed = app_client.get(f"/api/v1/projects/{project}/pauses", headers=world.reviewer.headers)

    assert (mine["paused"], mine["available"]) == (True, 0)
    assert (theirs["paused"], theirs["available"]) == (False, 2)  # gold rate 0: no gold question to come
    expected = {
        "id": pause.id,
        "project_id": project,
        "user_id": world.annotator.id,
        "email": world.annotator.email,
        "name": "",
        "reason": "gold_accuracy",
        "gold_answers": 3,
        "gold_accuracy": 0.0,
        "gold_upper_bound": pytest.approx(wilson_interval(0, 3, 0.95)[1]),
        "paused_at": When(pause.paused_at),
        "resumed_at": None,
        "resumed_by": None,
        "resumed_by_name": None,
        "live": True,
    }
    assert dashboard["paused"] == [expected]
    assert listed.status_code == 200, listed.text
    assert listed.json() == {"items": [expected], "next_cursor": None}


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("annotator", 403, "permission_denied"),
        ("viewer", 403, "permission_denied"),
        ("outsider", 404, "not_found"),
    ],
)
def test_the_pause_list_is_for_those_who_see_the_dashboard(
    app_client: TestClient, factory: Factory, world: World, who: str, status: int, code: str
) -> None:
    project, _, _ = _gold_project(app_client, factory, world, ordinary=1, gold=1)

    assert_error(
        app_client.get(f"/api/v1/projects/{project}/pauses", headers=getattr(world, who).headers),
        status,
        code,
    )


def test_a_manager_resumes_a_paused_annotator(
    app_client: TestClient, factory: Factory, world: World, db: Database
) -> None:
    project, ordinary, gold = _gold_project(app_client, factory, world, ordinary=2, gold=3)
    for task_id in gold:
        assert _answer(app_client, task_id, world.annotator, "positive").status_code == 201
    url = f"/api/v1/projects/{project}/pauses/{world.annotator.id}/resume"
    for who in (world.reviewer, world.annotator):
        assert_error(app_client.post(url, headers=who.headers), 403, "permission_denied")
    assert _pauses(db)[0].resumed_at is None

    r = app_client.post(url, headers=world.manager.headers)

    assert r.status_code == 200, r.text
    (pause,) = _pauses(db)
    assert pause.resumed_at is not None and pause.resumed_by == world.manager.id
    body = r.json()
    assert (body["id"], body["live"], body["resumed_by"], body["resumed_at"]) == (
        pause.id,
        False,
        world.manager.id,
        When(pause.resumed_at),
    )
    with db.read() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "annotator.resume")).one()
    assert (event.actor_id, event.object_id, event.details) == (
        world.manager.id,
        str(world.annotator.id),
        {"project_id": project, "pause_id": pause.id},
    )
    progress = app_client.get(f"/api/v1/projects/{project}/progress", headers=world.annotator.headers).json()
    assert (progress["paused"], progress["available"]) == (False, 2)
    served = app_client.get(f"/api/v1/projects/{project}/next", headers=world.annotator.headers)
    assert served.status_code == 200 and served.json()["id"] == ordinary[0]
    assert (
        app_client.get(f"/api/v1/projects/{project}/dashboard", headers=world.manager.headers).json()[
            "paused"
        ]
        == []
    )
    history = app_client.get(f"/api/v1/projects/{project}/pauses", headers=world.manager.headers).json()[
        "items"
    ]
    assert [(p["id"], p["live"], p["resumed_by_name"]) for p in history] == [(pause.id, False, "")]

    again = app_client.post(url, headers={**world.manager.headers, "Accept-Language": "es"})
    error = assert_error(again, 404, "pause_not_found")
    assert error["message"] == f"El anotador {world.annotator.id} no está en pausa en este proyecto."
    never = app_client.post(
        f"/api/v1/projects/{project}/pauses/{world.annotator2.id}/resume", headers=world.admin.headers
    )
    assert assert_error(never, 404, "pause_not_found")["message"] == (
        f"Annotator {world.annotator2.id} is not paused in this project."
    )


def test_answers_before_a_resume_no_longer_count(
    app_client: TestClient, factory: Factory, world: World, db: Database
) -> None:
    project, _, gold = _gold_project(app_client, factory, world, ordinary=2, gold=7)
    for task_id in gold[:3]:
        assert _answer(app_client, task_id, world.annotator, "positive").status_code == 201
    assert len(_pauses(db)) == 1
    assert (
        app_client.post(
            f"/api/v1/projects/{project}/pauses/{world.annotator.id}/resume", headers=world.manager.headers
        ).status_code
        == 200
    )

    # one and two wrong answers since the resume: too few to judge again
    for task_id in gold[3:5]:
        assert _answer(app_client, task_id, world.annotator, "positive").status_code == 201
        assert [p.resumed_at is None for p in _pauses(db)] == [False]
    assert _answer(app_client, gold[5], world.annotator, "positive").status_code == 201

    first, second = _pauses(db)
    assert (first.resumed_at is not None, second.resumed_at, second.gold_answers) == (True, None, 3)
    listed = app_client.get(
        f"/api/v1/projects/{project}/pauses?limit=1", headers=world.manager.headers
    ).json()
    assert [p["id"] for p in listed["items"]] == [second.id]  # newest first
    rest = app_client.get(
        f"/api/v1/projects/{project}/pauses?limit=1&cursor={listed['next_cursor']}",
        headers=world.manager.headers,
    ).json()
    assert ([p["id"] for p in rest["items"]], rest["next_cursor"]) == ([first.id], None)


def test_a_good_or_fair_annotator_is_not_paused(
    app_client: TestClient, factory: Factory, world: World, db: Database
) -> None:
    project, _, gold = _gold_project(app_client, factory, world, ordinary=1, gold=6)
    for task_id in gold:
        assert _answer(app_client, task_id, world.annotator, "negative").status_code == 201
    # two right, one wrong: 2/3 may well be above 0.6
    for task_id, label in zip(gold[:3], ("negative", "positive", "negative"), strict=True):
        assert _answer(app_client, task_id, world.annotator2, label).status_code == 201

    assert _pauses(db) == []
    assert (
        app_client.get(f"/api/v1/projects/{project}/next", headers=world.annotator2.headers).status_code
        == 200
    )


def test_an_undone_gold_answer_no_longer_counts(
    app_client: TestClient, factory: Factory, world: World, db: Database
) -> None:
    _project, _, gold = _gold_project(app_client, factory, world, ordinary=1, gold=4)
    assert _answer(app_client, gold[0], world.annotator, "positive").status_code == 201
    second = _answer(app_client, gold[1], world.annotator, "positive")
    assert second.status_code == 201
    undo = app_client.delete(f"/api/v1/annotations/{second.json()['id']}", headers=world.annotator.headers)
    assert undo.status_code == 200, undo.text
    assert (
        app_client.post(f"/api/v1/tasks/{gold[1]}/skip", headers=world.annotator.headers).status_code == 200
    )

    assert _answer(app_client, gold[2], world.annotator, "positive").status_code == 201

    assert _pauses(db) == []  # two wrong answers stand, not three
    assert _answer(app_client, gold[3], world.annotator, "positive").status_code == 201
    assert len(_pauses(db)) == 1


def test_settings_set_the_bar(app_client: TestClient, factory: Factory, world: World, db: Database) -> None:
    project, _, gold = _gold_project(app_client, factory, world, ordinary=1, gold=2)
    r = app_client.patch(
        f"/api/v1/projects/{project}",
        json={"qa": {"min_gold_answers": 1, "min_gold_accuracy": 0.99}},
        headers=world.manager.headers,
    )
    assert r.status_code == 200, r.text

    assert (
        _answer(app_client, gold[0], world.annotator, "negative").status_code == 201
    )  # right: upper bound 1
    assert _pauses(db) == []
    assert _answer(app_client, gold[1], world.annotator2, "positive").status_code == 201  # one wrong answer

    (pause,) = _pauses(db)
    assert (pause.user_id, pause.gold_answers) == (world.annotator2.id, 1)
