"""GET /projects/{id}/export delivers final labels with their provenance; gold tasks only when asked for."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from consenso.services import export
from consenso.store.database import Database
from tests.api.v1.adjudication_setup import Panel, events, history, make_gold, make_panel, vote
from tests.api.v1.assertions import When
from tests.conftest import Factory, World

SPLIT = ["positive", "negative", "neutral"]


@pytest.fixture
def panel(factory: Factory, world: World) -> Panel:
    return make_panel(factory, world)


def _export(client: TestClient, panel: Panel, **params: Any) -> list[dict[str, Any]]:
    r = client.get(
        f"/api/v1/projects/{panel.project_id}/export", params=params, headers=panel.world.manager.headers
    )
    assert r.status_code == 200, r.text
    return [orjson.loads(line) for line in r.content.splitlines()]


def _adjudicate(client: TestClient, panel: Panel, task: int, label: str, reasoning: str) -> dict[str, Any]:
    r = client.post(
        f"/api/v1/tasks/{task}/adjudication",
        json={"result": {"sentiment": label}, "reasoning": reasoning},
        headers=panel.world.reviewer.headers,
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def test_each_line_carries_its_state_and_final_label_with_provenance(
    app_client: TestClient, panel: Panel, db: Database
) -> None:
    automatic, escalated, adjudicated, pending = panel.task_ids[:4]
    vote(app_client, panel, automatic, ["positive", "positive", "negative"])
    vote(app_client, panel, escalated, SPLIT)
    vote(app_client, panel, adjudicated, SPLIT)
    _adjudicate(app_client, panel, adjudicated, "neutral", "No opinion is stated.")
    vote(app_client, panel, pending, ["positive"])

    lines = {line["id"]: line for line in _export(app_client, panel)}

    [auto_row] = history(db, automatic)
    _, decided_row = history(db, adjudicated)
    assert {t: (lines[t]["qa_status"], lines[t]["final"]) for t in panel.task_ids} == {
        automatic: (
            "final",
            {
                "result": {"sentiment": "positive"},
                "method": "majority_vote",
                "confidence": pytest.approx(2 / 3),
                "agreement": {"sentiment": pytest.approx(2 / 3)},
                "decided_by": None,
                "reasoning": "",
                "decided_at": When(auto_row.created_at),
                "status": "final",
            },
        ),
        escalated: ("escalated", None),  # the suggestion is not a final label
        adjudicated: (
            "final",
            {
                "result": {"sentiment": "neutral"},
                "method": "adjudicated",
                "confidence": None,
                "agreement": {"sentiment": pytest.approx(1 / 3)},
                "decided_by": panel.world.reviewer.id,
                "reasoning": "No opinion is stated.",
                "decided_at": When(decided_row.created_at),
                "status": "final",
            },
        ),
        pending: ("pending", None),
        panel.task_ids[4]: ("pending", None),
        panel.task_ids[5]: ("pending", None),
    }
    assert lines[automatic]["final"]["decided_at"].endswith("Z")
    assert all(
        list(line) == ["id", "data", "meta", "annotations", "qa_status", "final"] for line in lines.values()
    )


def test_a_reopened_task_has_no_final_label_until_decided_again(app_client: TestClient, panel: Panel) -> None:
    task = panel.task_ids[0]
    vote(app_client, panel, task, ["positive", "positive", "negative"])
    r = app_client.post(
        f"/api/v1/tasks/{task}/reopen", json={"reasoning": "Check it."}, headers=panel.world.manager.headers
    )
    assert r.status_code == 201, r.text

    [line] = [line for line in _export(app_client, panel) if line["id"] == task]
    assert (line["qa_status"], line["final"]) == ("escalated", None)

    _adjudicate(app_client, panel, task, "negative", "Sarcasm.")
    [line] = [line for line in _export(app_client, panel) if line["id"] == task]
    assert (line["qa_status"], line["final"]["method"], line["final"]["result"]) == (
        "final",
        "adjudicated",
        {"sentiment": "negative"},
    )


def test_gold_tasks_are_left_out_unless_asked_for(app_client: TestClient, panel: Panel, db: Database) -> None:
    gold = panel.task_ids[2]
    make_gold(db, gold, {"sentiment": "neutral"})
    vote(app_client, panel, gold, ["neutral", "positive"])

    plain = _export(app_client, panel)
    with_gold = _export(app_client, panel, include_gold="true")

    assert [line["id"] for line in plain] == [t for t in panel.task_ids if t != gold]
    assert [line["id"] for line in with_gold] == panel.task_ids
    assert {line["id"]: line["gold"] for line in with_gold} == {
        t: ({"result": {"sentiment": "neutral"}} if t == gold else None) for t in panel.task_ids
    }
    [gold_line] = [line for line in with_gold if line["id"] == gold]
    assert (gold_line["qa_status"], gold_line["final"], len(gold_line["annotations"])) == ("pending", None, 2)
    assert all(list(line)[-1] == "gold" for line in with_gold)
    assert [e.details for e in events(db, "project.export")] == [
        {"format": "jsonl"},
        {"format": "jsonl", "include_gold": True},
    ]


def test_final_labels_are_found_across_batches(
    app_client: TestClient, panel: Panel, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "BATCH", 2)
    make_gold(db, panel.task_ids[1], {"sentiment": "neutral"})
    labels = {0: "positive", 2: "negative", 3: "neutral", 4: "positive", 5: "negative"}
    for index, label in labels.items():
        vote(
            app_client,
            panel,
            panel.task_ids[index],
            [label, label, "positive" if label != "positive" else "neutral"],
        )

    lines = _export(app_client, panel)

    assert [(line["id"], line["final"]["result"]["sentiment"]) for line in lines] == [
        (panel.task_ids[i], label) for i, label in labels.items()
    ]


def test_aggregate_still_comes_last(app_client: TestClient, panel: Panel) -> None:
    vote(app_client, panel, panel.task_ids[0], ["positive", "positive", "negative"])
    lines = _export(app_client, panel, aggregate="dawid_skene", include_gold="true")
    assert list(lines[0]) == ["id", "data", "meta", "annotations", "qa_status", "final", "gold", "aggregate"]
    assert lines[0]["final"]["method"] == "majority_vote"
    assert lines[0]["aggregate"]["sentiment"]["method"] == "dawid_skene"
