"""Annotators are blind at the adjudication endpoints: every one answers them exactly as it answers for a task
or project that does not exist (404), whatever the task's state, whether they annotated it, whether it is gold
and whether the project shows annotator names. Nothing they can call reveals another annotator's answer or a
task's finalization state."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from consenso.store.database import Database
from tests.api.v1.adjudication_setup import Panel, history, make_gold, make_panel, set_qa, status, vote
from tests.conftest import Actor, Factory, World

SPLIT = ["positive", "negative", "neutral"]
MISSING_TASK = 987_654
MISSING_PROJECT = 876_543


@pytest.fixture(params=[False, True], ids=["names_hidden", "names_shown"])
def panel(request: pytest.FixtureRequest, factory: Factory, world: World, db: Database) -> Panel:
    made = make_panel(factory, world)
    set_qa(db, made.project_id, show_annotator_names=request.param)
    return made


def _calls(client: TestClient, who: Actor, task_id: int, project_id: int) -> list[Any]:
    h = {**who.headers, "Idempotency-Key": f"blind-{task_id}"}
    return [
        client.get(f"/api/v1/projects/{project_id}/adjudication/tasks", headers=who.headers),
        client.get(f"/api/v1/tasks/{task_id}/adjudication", headers=who.headers),
        client.post(
            f"/api/v1/tasks/{task_id}/adjudication",
            json={"result": {"sentiment": "neutral"}, "reasoning": "I know better."},
            headers=h,
        ),
        client.post(f"/api/v1/tasks/{task_id}/reopen", json={"reasoning": "Again."}, headers=h),
        client.get(f"/api/v1/tasks/{task_id}/history", headers=who.headers),
    ]


def _bodies(responses: list[Any]) -> list[tuple[int, Any]]:
    return [(r.status_code, r.json()) for r in responses]


def test_every_adjudication_endpoint_is_404_to_annotators_as_for_nothing_at_all(
    app_client: TestClient, panel: Panel, db: Database
) -> None:
    escalated, final, pending, gold = panel.task_ids[:4]
    vote(app_client, panel, escalated, SPLIT)
    vote(app_client, panel, final, ["positive", "positive", "negative"])
    vote(app_client, panel, pending, ["positive"])
    make_gold(db, gold, {"sentiment": "positive"})
    vote(app_client, panel, gold, SPLIT)
    before = {t: (status(db, t), len(history(db, t))) for t in panel.task_ids}

    for who in panel.annotators:
        nothing = _bodies(_calls(app_client, who, MISSING_TASK, MISSING_PROJECT))
        assert [code for code, _ in nothing] == [404] * 5
        assert nothing[0][1] == {
            "error": {"code": "not_found", "message": "Project not found.", "details": None}
        }
        assert nothing[1][1] == {
            "error": {"code": "not_found", "message": "Task not found.", "details": None}
        }
        for task in (escalated, final, pending, gold):
            responses = _calls(app_client, who, task, panel.project_id)
            # the very same answers as for a task and project that do not exist
            assert _bodies(responses) == nothing, (who.id, task)
            for r in responses:
                assert "Idempotent-Replayed" not in r.headers

    assert {t: (status(db, t), len(history(db, t))) for t in panel.task_ids} == before


def test_in_spanish_too(app_client: TestClient, panel: Panel) -> None:
    task = panel.task_ids[0]
    vote(app_client, panel, task, SPLIT)
    r = app_client.get(
        f"/api/v1/tasks/{task}/adjudication", headers={**panel.annotators[0].headers, "Accept-Language": "es"}
    )
    assert (r.status_code, r.json()["error"]["message"]) == (404, "Tarea: no se encontró.")


def test_what_an_annotator_can_read_never_holds_another_answer_or_the_state(
    app_client: TestClient, panel: Panel
) -> None:
    task = panel.task_ids[0]
    made = vote(app_client, panel, task, SPLIT)
    me = panel.annotators[0]
    others = {a["id"] for a in made[1:]}

    # the submission that completed (and escalated) the task answered like any other
    assert set(made[2]) == set(made[0])
    assert not {"qa_status", "gold", "final", "suggestion"} & set(made[2])

    mine = app_client.get(f"/api/v1/projects/{panel.project_id}/annotations", headers=me.headers)
    assert mine.status_code == 200, mine.text
    assert {a["id"] for a in mine.json()["items"]} == {made[0]["id"]}
    assert not others & {a["id"] for a in mine.json()["items"]}

    tasks = app_client.get(f"/api/v1/projects/{panel.project_id}/tasks", headers=me.headers)
    assert tasks.status_code == 200, tasks.text
    for item in tasks.json()["items"]:
        assert not {"qa_status", "gold", "final", "suggestion", "annotations"} & set(item)
    text = tasks.text + mine.text
    for label in ("negative", "neutral", "escalated", "majority_vote"):
        assert label not in text
