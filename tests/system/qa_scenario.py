"""The QA workflow end to end, over the HTTP API, with simulated annotators of known accuracy.

A three-label project of ``n_tasks`` tasks plus ``n_gold`` gold tasks, overlap 3, is worked by good,
mediocre, adversarial and random-clicking annotators (:func:`consenso.core.simulate.simulate_annotator`),
in turns, through ``next`` and ``submit`` exactly as the web app does, until nothing is left for anyone.
Gold questions are served at the project's gold rate; an annotator whose gold accuracy is clearly below the
bar is paused (``next`` answers 403 ``annotator_paused``). Every task is finalized as it completes (majority
vote), then the whole project is decided again with Dawid-Skene (``POST /projects/{id}/finalize`` with
``redecide``). For each method the run reports the final labels' accuracy against the hidden truth and the
adjudication queue, and computes independently which tasks fall below the thresholds.

Used by ``tests/system/test_qa_simulation.py`` (which asserts on it) and ``bench/qa_simulation.py`` (which
prints the figures of docs/quality.md).
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson
import pandas as pd
from fastapi.testclient import TestClient

from consenso.core.aggregation import DawidSkene
from consenso.core.simulate import SimulatedAnnotator, simulate_annotator

LABELS = ("positive", "negative", "neutral")
SCHEMA: dict[str, Any] = {
    "controls": [
        {
            "name": "sentiment",
            "type": "choice",
            "field": "text",
            "labels": [{"value": v} for v in LABELS],
        }
    ]
}
#: The crowd: kind → how many.
CROWD: dict[str, int] = {"good": 3, "mediocre": 3, "adversarial": 1, "random": 1}
SETTINGS: dict[str, Any] = {
    "method": "majority_vote",
    "agreement_threshold": 0.6,
    "min_confidence": 0.5,
    "gold_rate": 0.2,
    "min_gold_accuracy": 0.7,
    "min_gold_answers": 3,
}


@dataclass
class AnnotatorRun:
    kind: str
    user_id: int
    accuracy: float
    answered: int = 0
    gold_answered: int = 0
    paused_after: int | None = None  # tasks answered when `next` first said "paused"


@dataclass
class MethodRun:
    method: str
    tasks: int
    final: int
    escalated: int
    final_accuracy: float  # automatic final labels against the truth
    suggestion_accuracy: float | None  # the escalated tasks' suggestions against the truth
    queue: set[int]
    expected_queue: set[int]


@dataclass
class ScenarioRun:
    annotators: list[AnnotatorRun]
    methods: dict[str, MethodRun] = field(default_factory=dict)
    annotations: int = 0
    gold_share: float = 0.0
    redecided: dict[str, Any] = field(default_factory=dict)  # POST /finalize's counts when switching method


def _page_all(client: TestClient, url: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 200}
        if cursor:
            params["cursor"] = cursor
        r = client.get(url, headers=headers, params=params)
        assert r.status_code == 200, r.text
        body = r.json()
        items.extend(body["items"])
        cursor = body.get("next_cursor")
        if not cursor:
            return items


def _export(client: TestClient, project_id: int, headers: dict[str, str]) -> list[dict[str, Any]]:
    r = client.get(f"/api/v1/projects/{project_id}/export", headers=headers)
    assert r.status_code == 200, r.text
    return [orjson.loads(line) for line in r.content.splitlines() if line.strip()]


def _expected_queue(method: str, lines: list[dict[str, Any]]) -> set[int]:
    """The tasks below the thresholds, computed here from the exported annotations (not by the server)."""
    answers = {
        line["id"]: [(a["annotator_id"], a["result"]["sentiment"]) for a in line["annotations"]]
        for line in lines
    }
    if method == "majority_vote":
        proposal: dict[int, tuple[str, float]] = {}
        for task_id, given in answers.items():
            counts = Counter(label for _, label in given)
            top = max(counts.values())
            # a tie (1-1-1) goes to the alphabetically first label, as the majority vote does; it does not
            # change whether the task is below the threshold
            label = min(v for v in counts if counts[v] == top)
            proposal[task_id] = (label, top / len(given))
    else:
        frame = pd.DataFrame(
            [(t, a, label) for t, given in answers.items() for a, label in given],
            columns=["item", "annotator", "label"],
        )
        fitted = DawidSkene().fit(frame)
        probas = fitted.probas_
        proposal = {
            int(item): (str(fitted.classes_[int(np.argmax(probas[i]))]), float(probas[i].max()))
            for i, item in enumerate(fitted.items_)
        }
    below: set[int] = set()
    for task_id, given in answers.items():
        label, confidence = proposal[task_id]
        agreement = sum(1 for _, v in given if v == label) / len(given)
        if (
            agreement < SETTINGS["agreement_threshold"] - 1e-9
            or confidence < SETTINGS["min_confidence"] - 1e-9
        ):
            below.add(task_id)
    return below


def _method_run(
    client: TestClient, project_id: int, method: str, truth: dict[int, str], headers: dict[str, str]
) -> MethodRun:
    lines = _export(client, project_id, headers)
    queue_items = _page_all(client, f"/api/v1/projects/{project_id}/adjudication/tasks", headers)
    queue = {item["task_id"] for item in queue_items}
    finals = [line for line in lines if line["qa_status"] == "final"]
    correct = sum(1 for line in finals if line["final"]["result"]["sentiment"] == truth[line["id"]])
    suggested = [
        (item["task_id"], item["suggestion"]["result"].get("sentiment"))
        for item in queue_items
        if item.get("suggestion") is not None
    ]
    suggestion_accuracy = (
        sum(1 for task_id, label in suggested if label == truth[task_id]) / len(suggested)
        if suggested
        else None
    )
    return MethodRun(
        method=method,
        tasks=len(lines),
        final=len(finals),
        escalated=sum(1 for line in lines if line["qa_status"] == "escalated"),
        final_accuracy=correct / len(finals) if finals else 0.0,
        suggestion_accuracy=suggestion_accuracy,
        queue=queue,
        expected_queue=_expected_queue(method, lines),
    )


def run_scenario(
    client: TestClient,
    manager_headers: dict[str, str],
    workspace_id: int,
    project_id: int,
    annotators: list[tuple[int, dict[str, str]]],
    *,
    n_tasks: int = 1000,
    n_gold: int = 120,
    seed: int = 1,
) -> ScenarioRun:
    """Work the project with ``annotators`` (user id, auth headers; one per unit of :data:`CROWD`, in its
    order) and return what happened. The project must be empty with overlap 3 and :data:`SCHEMA`."""
    rng = np.random.default_rng(seed)
    r = client.patch(f"/api/v1/projects/{project_id}", headers=manager_headers, json={"qa": SETTINGS})
    assert r.status_code == 200, r.text

    true_label = {f"item {i}": LABELS[int(k)] for i, k in enumerate(rng.integers(0, 3, size=n_tasks))}
    gold_label = {f"gold {i}": LABELS[int(k)] for i, k in enumerate(rng.integers(0, 3, size=n_gold))}
    records = [{"data": {"text": text}} for text in true_label] + [
        {"data": {"text": text}, "gold": {"result": {"sentiment": label}}}
        for text, label in gold_label.items()
    ]
    random.Random(seed).shuffle(records)
    body = b"".join(orjson.dumps(record) + b"\n" for record in records)
    r = client.post(
        f"/api/v1/projects/{project_id}/tasks",
        headers={**manager_headers, "Content-Type": "application/x-ndjson"},
        content=body,
    )
    assert r.status_code == 201, r.text

    kinds = [kind for kind, count in CROWD.items() for _ in range(count)]
    assert len(kinds) == len(annotators)
    crowd: list[tuple[AnnotatorRun, SimulatedAnnotator, dict[str, str]]] = []
    for number, (kind, (user_id, headers)) in enumerate(zip(kinds, annotators, strict=True)):
        simulated = simulate_annotator(kind, len(LABELS), seed=seed + number)
        crowd.append((AnnotatorRun(kind, user_id, simulated.accuracy), simulated, headers))

    truth_by_text = {**true_label, **gold_label}
    active = list(range(len(crowd)))
    while active:
        for position in list(active):
            run, simulated, headers = crowd[position]
            r = client.get(f"/api/v1/projects/{project_id}/next", headers=headers)
            if r.status_code == 204:
                active.remove(position)
                continue
            if r.status_code == 403 and r.json()["error"]["code"] == "annotator_paused":
                run.paused_after = run.answered
                active.remove(position)
                continue
            assert r.status_code == 200, r.text
            task = r.json()
            text = task["data"]["text"]
            label = LABELS[simulated.answer(LABELS.index(truth_by_text[text]))]
            r = client.post(
                f"/api/v1/tasks/{task['id']}/annotations",
                headers=headers,
                json={"result": {"sentiment": label}, "lead_time_ms": 1500},
            )
            assert r.status_code == 201, r.text
            run.answered += 1
            run.gold_answered += text.startswith("gold ")

    outcome = ScenarioRun([run for run, _, _ in crowd])
    outcome.annotations = sum(run.answered for run in outcome.annotators)
    outcome.gold_share = sum(run.gold_answered for run in outcome.annotators) / max(1, outcome.annotations)

    lines = _export(client, project_id, manager_headers)
    truth = {line["id"]: true_label[line["data"]["text"]] for line in lines}
    outcome.methods["majority_vote"] = _method_run(
        client, project_id, "majority_vote", truth, manager_headers
    )

    r = client.patch(
        f"/api/v1/projects/{project_id}", headers=manager_headers, json={"qa": {"method": "dawid_skene"}}
    )
    assert r.status_code == 200, r.text
    r = client.post(
        f"/api/v1/projects/{project_id}/finalize", headers=manager_headers, json={"redecide": True}
    )
    assert r.status_code == 200, r.text
    outcome.redecided = r.json()
    outcome.methods["dawid_skene"] = _method_run(client, project_id, "dawid_skene", truth, manager_headers)
    return outcome


def annotations_per_task(lines: list[dict[str, Any]]) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for line in lines:
        counts[line["id"]] = len(line["annotations"])
    return counts
