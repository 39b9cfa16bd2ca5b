"""GET /api/v1/projects/{id}/export: every task with its annotations, one JSON object a line."""

from __future__ import annotations

from typing import Any

import numpy as np
import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from consenso.core.aggregation import AGGREGATORS, MultiLabelAggregator, aggregate_spans
from consenso.store.database import Database
from consenso.store.models import Annotation, AuditEvent
from tests.api.v1.assertions import When, assert_error
from tests.conftest import Factory, World
from tests.quality_project import QualityProject, make_quality_project


def test_export_streams_jsonl_with_the_documented_keys(
    app_client: TestClient, world: World, db: Database
) -> None:
    imported = app_client.post(
        f"/api/v1/projects/{world.project_id}/tasks",
        json=[{"data": {"text": "with meta"}, "meta": {"source": "web"}}],
        headers=world.manager.headers,
    )
    assert imported.status_code == 201, imported.text
    for who, label in ((world.annotator, "positive"), (world.annotator2, "negative")):
        r = app_client.post(
            f"/api/v1/tasks/{world.task_ids[1]}/annotations",
            json={"result": {"sentiment": label}, "lead_time_ms": 700},
            headers=who.headers,
        )
        assert r.status_code == 201, r.text
    app_client.post(
        f"/api/v1/tasks/{world.task_ids[4]}/annotations",
        json={"result": {"sentiment": "neutral"}},
        headers=world.annotator.headers,
    )

    r = app_client.get(f"/api/v1/projects/{world.project_id}/export", headers=world.manager.headers)

    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/x-ndjson")
    assert r.headers["content-disposition"] == f'attachment; filename="project-{world.project_id}.jsonl"'
    assert r.content.endswith(b"\n")
    lines = [orjson.loads(line) for line in r.content.splitlines()]
    with db.read() as session:
        annotations = session.scalars(select(Annotation).order_by(Annotation.id)).all()
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "project.export")).one()
    by_task = {
        t: [
            {
                "id": a.id,
                "annotator_id": a.annotator_id,
                "result": a.result,
                "lead_time_ms": a.lead_time_ms,
                "created_at": When(a.created_at),
            }
            for a in annotations
            if a.task_id == t
        ]
        for t in world.task_ids
    }
    expected = [
        {
            "id": t,
            "data": {"text": f"text number {i}"},
            "meta": {},
            "annotations": by_task[t],
            # overlap 2: task 1's two answers disagree (escalated), task 4 waits for its second answer
            "qa_status": "escalated" if t == world.task_ids[1] else "pending",
            "final": None,
        }
        for i, t in enumerate(world.task_ids)
    ]
    assert lines[:5] == expected
    assert [len(line["annotations"]) for line in lines] == [0, 2, 0, 0, 1, 0]
    assert {k: lines[5][k] for k in ("data", "meta", "annotations")} == {
        "data": {"text": "with meta"},
        "meta": {"source": "web"},
        "annotations": [],
    }
    assert all(list(line) == ["id", "data", "meta", "annotations", "qa_status", "final"] for line in lines)
    assert lines[1]["annotations"][0]["created_at"].endswith("Z")
    assert (event.actor_id, event.object_id, event.details) == (
        world.manager.id,
        str(world.project_id),
        {"format": "jsonl"},
    )


@pytest.mark.parametrize("who", ["annotator", "reviewer", "viewer"])
def test_non_staff_cannot_export(app_client: TestClient, world: World, db: Database, who: str) -> None:
    r = app_client.get(f"/api/v1/projects/{world.project_id}/export", headers=getattr(world, who).headers)

    assert_error(r, 403, "permission_denied")
    with db.read() as session:
        assert session.scalars(select(AuditEvent).where(AuditEvent.action == "project.export")).all() == []


def test_unknown_format_is_400(app_client: TestClient, world: World) -> None:
    r = app_client.get(
        f"/api/v1/projects/{world.project_id}/export", params={"format": "xml"}, headers=world.admin.headers
    )

    error = assert_error(r, 400, "unsupported_export_format")
    assert error["message"] == "Export format 'xml' is not supported; use one of: jsonl, csv."


def test_outsider_is_404(app_client: TestClient, world: World) -> None:
    r = app_client.get(f"/api/v1/projects/{world.project_id}/export", headers=world.outsider.headers)

    assert_error(r, 404, "not_found")


# --- ?aggregate=METHOD ---------------------------------------------------------------------------------


@pytest.fixture
def qp(factory: Factory, db: Database) -> QualityProject:
    return make_quality_project(factory, db)


def _export(client: TestClient, qp: QualityProject, **params: str) -> list[dict[str, Any]]:
    r = client.get(f"/api/v1/projects/{qp.project_id}/export", params=params, headers=qp.manager.headers)
    assert r.status_code == 200, r.text
    return [orjson.loads(line) for line in r.content.splitlines()]


def test_aggregate_adds_each_tasks_aggregated_label_per_categorical_control(
    app_client: TestClient, qp: QualityProject, db: Database
) -> None:
    plain = _export(app_client, qp)

    lines = _export(app_client, qp, aggregate="majority_vote")

    def mv(label: Any, confidence: float) -> dict[str, Any]:
        return {"method": "majority_vote", "label": label, "confidence": pytest.approx(confidence)}

    def topics(labels: list[str], price: float, service: float, food: float) -> dict[str, Any]:
        chance = {"price": price, "service": service, "food": food}
        confidence = np.prod([max(p, 1 - p) for p in chance.values()])
        return {
            "method": "majority",
            "labels": labels,
            "confidence": pytest.approx(confidence),
            "probabilities": pytest.approx(chance),
        }

    def entities(*spans: tuple[int, int, str, float]) -> dict[str, Any]:
        return {
            "method": "token_vote",
            "spans": [
                {"start": start, "end": end, "label": label, "support": pytest.approx(support)}
                for start, end, label, support in spans
            ],
        }

    # majority vote by hand; a tie goes to the lowest label ("negative" < "neutral" < "positive"; 2 < 4 < 5).
    # topics: the share of the task's annotators who ticked each label, kept from 1/2. entities: a vote on
    # each piece of text (task 1: 0-3 PER ×3, 3-9 PER ×1 of 3; task 2: ORG ×1 of 3; task 3: ORG ×2 of 3)
    assert [line["aggregate"] for line in lines] == [
        {
            "sentiment": mv("positive", 1.0),
            "stars": mv(5, 2 / 3),
            "topics": topics(["price"], 1.0, 1 / 3, 0.0),  # confidence 2/3
            "entities": entities((0, 3, "PER", 1.0)),
        },
        {
            "sentiment": mv("negative", 2 / 3),
            "stars": mv(1, 2 / 3),
            "topics": topics(["food"], 0.0, 0.0, 2 / 3),
            "entities": entities(),  # answered, but no span has half of the votes
        },
        {
            "sentiment": mv("neutral", 1.0),
            "stars": mv(3, 1.0),
            "topics": topics(["service"], 0.0, 1.0, 0.0),
            "entities": entities((0, 3, "PER", 1.0), (19, 23, "ORG", 2 / 3)),
        },
        {
            "sentiment": mv("negative", 1 / 3),
            "stars": mv(2, 1 / 3),
            "topics": topics(["price"], 1.0, 0.0, 0.0),
            "entities": None,  # nobody answered it on task 4
        },
        {"sentiment": mv("positive", 1.0), "stars": mv(4, 1.0), "topics": None, "entities": None},
        {"sentiment": None, "stars": None, "topics": None, "entities": None},  # no annotation
    ]
    assert lines[0]["aggregate"]["topics"]["confidence"] == pytest.approx(2 / 3)
    assert all(
        list(line) == ["id", "data", "meta", "annotations", "qa_status", "final", "aggregate"]
        for line in lines
    )
    assert [{k: v for k, v in line.items() if k != "aggregate"} for line in lines] == plain
    with db.read() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "project.export").order_by(AuditEvent.id)
        ).all()
    assert [e.details for e in events] == [
        {"format": "jsonl"},
        {"format": "jsonl", "aggregate": "majority_vote"},
    ]


@pytest.mark.parametrize("method", list(AGGREGATORS))
def test_aggregate_gives_the_core_aggregators_label_and_posterior(
    app_client: TestClient, qp: QualityProject, db: Database, method: str
) -> None:
    lines = _export(app_client, qp, aggregate=method)

    for control in ("sentiment", "stars"):
        fitted = AGGREGATORS[method]().fit(qp.frame(db, control))
        probas = fitted.predicted_probas()
        expected = {
            item: {
                "method": method,
                "label": label,
                "confidence": pytest.approx(float(probas.loc[item, label])),
            }
            for item, label in fitted.predicted_labels().items()
        }
        got = {line["id"]: line["aggregate"][control] for line in lines if line["aggregate"][control]}
        assert got == expected


@pytest.mark.parametrize("method", list(AGGREGATORS))
def test_aggregate_gives_the_core_label_sets_and_consensus_spans(
    app_client: TestClient, qp: QualityProject, db: Database, method: str
) -> None:
    lines = _export(app_client, qp, aggregate=method)

    used = "dawid_skene" if method == "dawid_skene" else "majority"
    fitted = MultiLabelAggregator(method=used).fit(qp.frame(db, "topics").rename(columns={"label": "labels"}))
    probas = fitted.predicted_probas()
    chosen = fitted.predicted_labels()
    order = ["price", "service", "food"]  # schema order
    expected = {
        item: {
            "method": used,
            "labels": [label for label in order if label in chosen[item]],
            "confidence": pytest.approx(float(np.prod(np.maximum(row, 1 - row)))),
            "probabilities": {label: pytest.approx(float(row[label])) for label in order},
        }
        for item, row in probas.iterrows()
    }
    assert {
        line["id"]: line["aggregate"]["topics"] for line in lines if line["aggregate"]["topics"]
    } == expected

    frame = qp.frame(db, "entities")
    consensus = {
        item: aggregate_spans(
            [[(s["start"], s["end"], s["label"]) for s in spans] for spans in group["label"]]
        )
        for item, group in frame.groupby("item")
    }
    assert {line["id"]: line["aggregate"]["entities"] for line in lines if line["aggregate"]["entities"]} == {
        item: {
            "method": "token_vote",
            "spans": [
                {"start": s.start, "end": s.end, "label": s.label, "support": pytest.approx(s.support)}
                for s in spans
            ],
        }
        for item, spans in consensus.items()
    }


def test_an_unknown_aggregation_method_is_400_and_exports_nothing(
    app_client: TestClient, world: World, db: Database
) -> None:
    r = app_client.get(
        f"/api/v1/projects/{world.project_id}/export",
        params={"aggregate": "glad"},
        headers={**world.manager.headers, "Accept-Language": "es"},
    )

    error = assert_error(r, 400, "unknown_aggregation_method")
    assert (
        error["message"] == f"El método de agregación 'glad' no existe; use uno de: {', '.join(AGGREGATORS)}."
    )
    with db.read() as session:
        assert session.scalars(select(AuditEvent).where(AuditEvent.action == "project.export")).all() == []


def test_aggregate_of_a_schema_without_categorical_controls_is_empty(
    app_client: TestClient, factory: Factory, world: World
) -> None:
    schema = {"controls": [{"name": "note", "type": "text", "field": "text"}]}
    project = factory.project(world.admin, world.workspace_id, schema=schema)
    factory.tasks(world.admin, project, ["a", "b"])

    r = app_client.get(
        f"/api/v1/projects/{project}/export", params={"aggregate": "dawid_skene"}, headers=world.admin.headers
    )

    assert r.status_code == 200, r.text
    assert [orjson.loads(line)["aggregate"] for line in r.content.splitlines()] == [{}, {}]
