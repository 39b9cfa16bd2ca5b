"""The adjudication queue, one task's adjudication view, deciding, reopening and history.

``GET /projects/{id}/adjudication/tasks``, ``GET|POST /tasks/{id}/adjudication``, ``POST /tasks/{id}/reopen``,
``GET /tasks/{id}/history``.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from consenso.services.adjudication import MAX_REASONING
from consenso.store.database import Database
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
from tests.api.v1.assertions import When, assert_error
from tests.conftest import Factory, World

SPLIT = ["positive", "negative", "neutral"]


@pytest.fixture
def panel(factory: Factory, world: World) -> Panel:
    return make_panel(factory, world)


def _queue(client: TestClient, panel: Panel, **params: Any) -> Any:
    return client.get(
        f"/api/v1/projects/{panel.project_id}/adjudication/tasks",
        params=params,
        headers=panel.world.reviewer.headers,
    )


def _decide(
    client: TestClient,
    task_id: int,
    headers: dict[str, str],
    label: str = "neutral",
    reasoning: str = "The text is a plain statement.",
    **extra: str,
) -> Any:
    return client.post(
        f"/api/v1/tasks/{task_id}/adjudication",
        json={"result": {"sentiment": label}, "reasoning": reasoning},
        headers={**headers, **extra},
    )


def _reopen(
    client: TestClient, task_id: int, headers: dict[str, str], reasoning: str = "New guideline."
) -> Any:
    return client.post(f"/api/v1/tasks/{task_id}/reopen", json={"reasoning": reasoning}, headers=headers)


def test_the_queue_holds_exactly_the_escalated_tasks_oldest_first(
    app_client: TestClient, panel: Panel, db: Database
) -> None:
    t = panel.task_ids
    vote(app_client, panel, t[3], SPLIT)
    vote(app_client, panel, t[0], ["positive", "positive", "negative"])  # final
    vote(app_client, panel, t[1], SPLIT)
    vote(app_client, panel, t[2], ["positive", "negative"])  # incomplete
    make_gold(db, t[5], {"sentiment": "positive"}, overlap=3)
    vote(app_client, panel, t[5], SPLIT)  # gold: never in the queue

    r = _queue(app_client, panel)

    assert r.status_code == 200, r.text
    [row1] = history(db, t[1])
    [row3] = history(db, t[3])
    assert r.json() == {
        "items": [
            {
                "task_id": task,
                "data": {"text": f"panel text {index}"},
                "annotation_count": 3,
                "overlap": 3,
                "suggestion": {
                    "result": {"sentiment": "negative"},
                    "method": "majority_vote",
                    "confidence": pytest.approx(1 / 3),
                    "agreement": {"sentiment": pytest.approx(1 / 3)},
                },
                "agreement": {"sentiment": pytest.approx(1 / 3)},
                "escalated_at": When(row.created_at),
                "reopened": False,
                "annotated_by_you": False,
            }
            for task, index, row in ((t[1], 1, row1), (t[3], 3, row3))
        ],
        "next_cursor": None,
    }


def test_the_queue_pages_by_cursor_without_repeating_a_task(app_client: TestClient, panel: Panel) -> None:
    for task in panel.task_ids[:5]:
        vote(app_client, panel, task, SPLIT)
    first = _queue(app_client, panel, limit=2).json()
    assert [i["task_id"] for i in first["items"]] == panel.task_ids[:2]
    # one decided meanwhile leaves the queue; the walk goes on after the page it had
    assert _decide(app_client, panel.task_ids[2], panel.world.manager.headers).status_code == 201
    second = _queue(app_client, panel, limit=2, cursor=first["next_cursor"]).json()
    assert [i["task_id"] for i in second["items"]] == panel.task_ids[3:5]
    assert second["next_cursor"] is None
    assert_error(_queue(app_client, panel, cursor="bogus"), 400, "invalid_cursor")


def test_the_view_shows_every_annotation_the_suggestion_reliability_and_history(
    app_client: TestClient, panel: Panel, db: Database
) -> None:
    task = panel.task_ids[0]
    vote(
        app_client, panel, panel.task_ids[1], ["positive", "positive", "negative"]
    )  # a final label for C to miss
    made = vote(app_client, panel, task, SPLIT)

    r = app_client.get(f"/api/v1/tasks/{task}/adjudication", headers=panel.world.reviewer.headers)

    assert r.status_code == 200, r.text
    body = r.json()
    [row] = history(db, task)
    pseudonyms = [{"label": f"Annotator {n}", "id": None, "name": None, "email": None} for n in (1, 2, 3)]
    assert {k: v for k, v in body.items() if k not in ("annotations", "reliability", "history")} == {
        "id": task,
        "project_id": panel.project_id,
        "data": {"text": "panel text 0"},
        "meta": {},
        "overlap": 3,
        "annotation_count": 3,
        "created_at": body["created_at"],
        "qa_status": "escalated",
        "show_annotator_names": False,
        "suggestion": {
            "result": {"sentiment": "negative"},
            "method": "majority_vote",
            "confidence": pytest.approx(1 / 3),
            "agreement": {"sentiment": pytest.approx(1 / 3)},
        },
        "final": None,
    }
    assert body["annotations"] == [
        {
            "id": a["id"],
            "annotator": pseudonyms[n],
            "result": a["result"],
            "lead_time_ms": None,
            "origin": "human",
            "created_at": a["created_at"],
        }
        for n, a in enumerate(made)
    ]
    assert [e["annotator"] for e in body["reliability"]] == pseudonyms
    assert [e["annotations"] for e in body["reliability"]] == [2, 2, 2]
    # agreement with the other task's final label ("positive"): A and B agreed, C did not
    assert [e["agreement_with_final"]["agreed"] for e in body["reliability"]] == [1, 1, 0]
    assert [e["gold"]["answers"] for e in body["reliability"]] == [0, 0, 0]
    assert body["history"] == [
        {
            "id": row.id,
            "task_id": task,
            "project_id": panel.project_id,
            "method": "escalated",
            "aggregation": "majority_vote",
            "result": {"sentiment": "negative"},
            "confidence": pytest.approx(1 / 3),
            "agreement": {"sentiment": pytest.approx(1 / 3)},
            "reasoning": "",
            "decided_by": None,
            "created_at": When(row.created_at),
        }
    ]


def test_names_are_shown_when_the_project_says_so(app_client: TestClient, panel: Panel, db: Database) -> None:
    set_qa(db, panel.project_id, show_annotator_names=True)
    task = panel.task_ids[0]
    vote(app_client, panel, task, SPLIT)

    body = app_client.get(f"/api/v1/tasks/{task}/adjudication", headers=panel.world.manager.headers).json()

    expected = [
        {"label": f"Annotator {n}", "id": who.id, "name": "", "email": who.email}
        for n, who in enumerate(panel.annotators, start=1)
    ]
    assert body["show_annotator_names"] is True
    assert [a["annotator"] for a in body["annotations"]] == expected
    assert [e["annotator"] for e in body["reliability"]] == expected


def test_pseudonyms_are_in_spanish_for_spanish_readers(app_client: TestClient, panel: Panel) -> None:
    vote(app_client, panel, panel.task_ids[0], SPLIT)
    r = app_client.get(
        f"/api/v1/tasks/{panel.task_ids[0]}/adjudication",
        headers={**panel.world.manager.headers, "Accept-Language": "es"},
    )
    assert [a["annotator"]["label"] for a in r.json()["annotations"]] == [
        "Anotador 1",
        "Anotador 2",
        "Anotador 3",
    ]


def test_adjudicating_makes_the_task_final_with_its_reasoning(
    app_client: TestClient, panel: Panel, db: Database
) -> None:
    task = panel.task_ids[0]
    vote(app_client, panel, task, SPLIT)

    r = _decide(
        app_client, task, panel.world.reviewer.headers, "neutral", "  Neutral: no opinion is given.  "
    )

    assert r.status_code == 201, r.text
    escalated, decided = history(db, task)
    assert r.json() == {
        "id": decided.id,
        "task_id": task,
        "project_id": panel.project_id,
        "method": "adjudicated",
        "aggregation": None,
        "result": {"sentiment": "neutral"},
        "confidence": None,
        "agreement": {"sentiment": pytest.approx(1 / 3)},  # one annotation in three said neutral
        "reasoning": "Neutral: no opinion is given.",
        "decided_by": {"id": panel.world.reviewer.id, "name": "", "email": panel.world.reviewer.email},
        "created_at": When(decided.created_at),
    }
    assert status(db, task) == "final"
    assert (decided.decided_by, decided.method) == (panel.world.reviewer.id, "adjudicated")
    [event] = events(db, "task.adjudicate")
    assert (
        event.actor_id,
        event.object_id,
        event.details["adjudication_id"],
        event.details["reasoning"],
    ) == (
        panel.world.reviewer.id,
        str(task),
        decided.id,
        "Neutral: no opinion is given.",
    )
    assert _queue(app_client, panel).json()["items"] == []
    view = app_client.get(f"/api/v1/tasks/{task}/adjudication", headers=panel.world.manager.headers).json()
    assert view["qa_status"] == "final"
    assert view["final"]["id"] == decided.id
    assert view["suggestion"]["result"] == escalated.result  # the aggregate's proposal is still shown

    again = _decide(app_client, task, panel.world.manager.headers)
    error = assert_error(again, 409, "task_not_escalated")
    assert error["message"] == f"Task {task} is not waiting for adjudication."
    assert len(history(db, task)) == 2


def test_reopen_puts_the_task_back_in_the_queue_and_keeps_the_history(
    app_client: TestClient, panel: Panel, db: Database
) -> None:
    task = panel.task_ids[0]
    vote(app_client, panel, task, ["positive", "positive", "negative"])  # final by majority vote
    assert_error(_decide(app_client, task, panel.world.manager.headers), 409, "task_not_escalated")

    r = _reopen(app_client, task, panel.world.manager.headers, "The guideline changed for sarcasm.")

    assert r.status_code == 201, r.text
    _, reopened = history(db, task)
    assert r.json()["method"] == "reopened" and r.json()["id"] == reopened.id
    assert (reopened.result, reopened.reasoning, reopened.decided_by) == (
        {},
        "The guideline changed for sarcasm.",
        panel.world.manager.id,
    )
    assert status(db, task) == "escalated"
    [item] = _queue(app_client, panel).json()["items"]
    assert (item["task_id"], item["reopened"], item["escalated_at"]) == (
        task,
        True,
        When(reopened.created_at),
    )
    assert item["suggestion"]["result"] == {"sentiment": "positive"}  # the reopened automatic label
    assert_error(_reopen(app_client, task, panel.world.manager.headers), 409, "task_not_final")

    assert _decide(app_client, task, panel.world.reviewer.headers, "negative").status_code == 201
    assert _reopen(app_client, task, panel.world.admin.headers, "Second look.").status_code == 201
    assert _decide(app_client, task, panel.world.manager.headers, "positive").status_code == 201

    r = app_client.get(f"/api/v1/tasks/{task}/history", headers=panel.world.viewer.headers)

    assert r.status_code == 200, r.text
    assert [(h["method"], h["result"], h["decided_by"] and h["decided_by"]["id"]) for h in r.json()] == [
        ("majority_vote", {"sentiment": "positive"}, None),
        ("reopened", {}, panel.world.manager.id),
        ("adjudicated", {"sentiment": "negative"}, panel.world.reviewer.id),
        ("reopened", {}, panel.world.admin.id),
        ("adjudicated", {"sentiment": "positive"}, panel.world.manager.id),
    ]
    assert [h["id"] for h in r.json()] == [row.id for row in history(db, task)]
    assert status(db, task) == "final"
    assert [e.object_id for e in events(db, "task.reopen")] == [str(task), str(task)]


def test_the_result_is_checked_against_the_schema(app_client: TestClient, panel: Panel, db: Database) -> None:
    task = panel.task_ids[0]
    vote(app_client, panel, task, SPLIT)
    r = _decide(app_client, task, panel.world.manager.headers, label="sarcastic")
    assert_error(r, 422, "result_invalid")
    r = app_client.post(
        f"/api/v1/tasks/{task}/adjudication",
        json={"result": {"sentiment": "neutral"}},
        headers=panel.world.manager.headers,
    )
    assert r.status_code == 422  # reasoning is a required field
    assert (status(db, task), len(history(db, task))) == ("escalated", 1)


@pytest.mark.parametrize(
    ("reasoning", "code", "en", "es"),
    [
        (
            "   ",
            "adjudication_reasoning_required",
            "An adjudication needs its reasoning: say why this is the right label.",
            "Una adjudicación necesita su razonamiento: explique por qué esta es la etiqueta correcta.",
        ),
        (
            "x" * (MAX_REASONING + 1),
            "adjudication_reasoning_too_long",
            f"The reasoning has {MAX_REASONING + 1} characters; the limit is {MAX_REASONING}.",
            f"El razonamiento tiene {MAX_REASONING + 1} caracteres; el límite es {MAX_REASONING}.",
        ),
    ],
)
def test_reasoning_errors_in_english_and_spanish(
    app_client: TestClient, panel: Panel, db: Database, reasoning: str, code: str, en: str, es: str
) -> None:
    task = panel.task_ids[0]
    vote(app_client, panel, task, SPLIT)
    headers = panel.world.manager.headers
    assert assert_error(_decide(app_client, task, headers, reasoning=reasoning), 422, code)["message"] == en
    r = _decide(app_client, task, {**headers, "Accept-Language": "es"}, reasoning=reasoning)
    assert assert_error(r, 422, code)["message"] == es
    assert (status(db, task), len(history(db, task))) == ("escalated", 1)
    assert _decide(app_client, task, headers, reasoning="x" * MAX_REASONING).status_code == 201


def test_reopen_needs_reasoning_and_a_final_task_in_spanish(app_client: TestClient, panel: Panel) -> None:
    task = panel.task_ids[0]
    vote(app_client, panel, task, SPLIT)
    es = {**panel.world.manager.headers, "Accept-Language": "es"}
    error = assert_error(_reopen(app_client, task, es), 409, "task_not_final")
    assert error["message"] == f"La tarea {task} no tiene una etiqueta final que reabrir."
    _decide(app_client, task, panel.world.manager.headers)
    error = assert_error(_reopen(app_client, task, es, ""), 422, "reopen_reasoning_required")
    assert error["message"].startswith("Reabrir una etiqueta final necesita su razonamiento")
    error = assert_error(_decide(app_client, task, es), 409, "task_not_escalated")
    assert error["message"] == f"La tarea {task} no está esperando adjudicación."


def test_nobody_adjudicates_a_task_they_annotated(app_client: TestClient, panel: Panel, db: Database) -> None:
    task = panel.task_ids[0]
    reviewer = panel.world.reviewer
    submit(app_client, task, reviewer, {"sentiment": "positive"})
    vote(app_client, panel, task, ["negative", "neutral"])
    assert status(db, task) == "escalated"

    [item] = _queue(app_client, panel).json()["items"]
    assert item["annotated_by_you"] is True
    for r in (
        app_client.get(f"/api/v1/tasks/{task}/adjudication", headers=reviewer.headers),
        _decide(app_client, task, reviewer.headers),
        _decide(app_client, task, {**reviewer.headers, "Accept-Language": "es"}),
    ):
        error = assert_error(r, 403, "adjudication_own_task")
    assert error["message"] == f"Usted anotó la tarea {task}: su etiqueta final debe decidirla otra persona."
    assert (status(db, task), len(history(db, task))) == ("escalated", 1)
    assert _decide(app_client, task, panel.world.manager.headers).status_code == 201
    assert_error(_reopen(app_client, task, reviewer.headers), 403, "adjudication_own_task")


def test_a_gold_task_has_no_adjudication(app_client: TestClient, panel: Panel, db: Database) -> None:
    gold = panel.task_ids[5]
    make_gold(db, gold, {"sentiment": "positive"})
    headers = panel.world.manager.headers
    for r in (
        app_client.get(f"/api/v1/tasks/{gold}/adjudication", headers=headers),
        _decide(app_client, gold, headers),
        _reopen(app_client, gold, headers),
        app_client.get(f"/api/v1/tasks/{gold}/history", headers=headers),
    ):
        error = assert_error(r, 409, "gold_task_no_finalization")
    assert error["message"] == f"Task {gold} is a gold task: it has an expected result and no final label."
    assert history(db, gold) == []


def test_viewers_may_read_the_history_but_not_adjudicate(
    app_client: TestClient, panel: Panel, db: Database
) -> None:
    task = panel.task_ids[0]
    vote(app_client, panel, task, SPLIT)
    viewer = panel.world.viewer.headers
    r = app_client.get(f"/api/v1/projects/{panel.project_id}/adjudication/tasks", headers=viewer)
    assert_error(r, 403, "permission_denied")
    assert_error(
        app_client.get(f"/api/v1/tasks/{task}/adjudication", headers=viewer), 403, "permission_denied"
    )
    assert_error(_decide(app_client, task, viewer), 403, "permission_denied")
    assert_error(_reopen(app_client, task, viewer), 403, "permission_denied")
    assert app_client.get(f"/api/v1/tasks/{task}/history", headers=viewer).status_code == 200
    assert (status(db, task), len(history(db, task))) == ("escalated", 1)


def test_outsiders_and_missing_tasks_are_404(app_client: TestClient, panel: Panel) -> None:
    task = panel.task_ids[0]
    vote(app_client, panel, task, SPLIT)
    outsider = panel.world.outsider.headers
    for r in (
        app_client.get(f"/api/v1/projects/{panel.project_id}/adjudication/tasks", headers=outsider),
        app_client.get(f"/api/v1/tasks/{task}/adjudication", headers=outsider),
        _decide(app_client, task, outsider),
        _reopen(app_client, task, outsider),
        app_client.get(f"/api/v1/tasks/{task}/history", headers=outsider),
        app_client.get("/api/v1/tasks/999999/adjudication", headers=panel.world.admin.headers),
    ):
        assert_error(r, 404, "not_found")
    assert app_client.get(f"/api/v1/tasks/{task}/history").status_code == 401


def test_an_idempotent_retry_returns_the_stored_decision(
    app_client: TestClient, panel: Panel, db: Database
) -> None:
    task, other = panel.task_ids[:2]
    vote(app_client, panel, task, SPLIT)
    vote(app_client, panel, other, SPLIT)
    headers = panel.world.manager.headers

    first = _decide(app_client, task, headers, **{"Idempotency-Key": "adj-1"})
    replay = _decide(app_client, task, headers, **{"Idempotency-Key": "adj-1"})

    assert first.status_code == replay.status_code == 201
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert replay.json() == first.json()
    assert len(history(db, task)) == 2 and len(events(db, "task.adjudicate")) == 1
    # the same key with another body, or on another task, or to reopen: refused, nothing written
    assert_error(
        _decide(app_client, task, headers, "positive", **{"Idempotency-Key": "adj-1"}),
        409,
        "idempotency_key_reused",
    )
    assert_error(
        _decide(app_client, other, headers, **{"Idempotency-Key": "adj-1"}), 409, "idempotency_key_reused"
    )
    r = app_client.post(
        f"/api/v1/tasks/{task}/reopen",
        json={"reasoning": "The text is a plain statement."},
        headers={**headers, "Idempotency-Key": "adj-1"},
    )
    assert_error(r, 409, "idempotency_key_reused")
    assert status(db, other) == "escalated"
    # another person may use the same key for their own decision
    assert (
        _decide(app_client, other, panel.world.reviewer.headers, **{"Idempotency-Key": "adj-1"}).status_code
        == 201
    )

    reopened = app_client.post(
        f"/api/v1/tasks/{task}/reopen",
        json={"reasoning": "Again."},
        headers={**headers, "Idempotency-Key": "re-1"},
    )
    replayed = app_client.post(
        f"/api/v1/tasks/{task}/reopen",
        json={"reasoning": "Again."},
        headers={**headers, "Idempotency-Key": "re-1"},
    )
    assert (reopened.status_code, replayed.status_code) == (201, 201)
    assert replayed.json() == reopened.json() and replayed.headers["Idempotent-Replayed"] == "true"
    assert [row.method for row in history(db, task)] == ["escalated", "adjudicated", "reopened"]


def test_a_nul_character_is_refused(app_client: TestClient, panel: Panel, db: Database) -> None:
    task = panel.task_ids[0]
    vote(app_client, panel, task, SPLIT)
    assert_error(
        _decide(app_client, task, panel.world.manager.headers, reasoning="a\u0000b"), 400, "nul_character"
    )
    assert status(db, task) == "escalated"
