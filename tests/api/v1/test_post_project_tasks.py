"""POST /api/v1/projects/{id}/tasks: import JSON, NDJSON or CSV; duplicates skipped; all or nothing."""

from __future__ import annotations

import codecs
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from consenso.store.database import Database
from consenso.store.models import AuditEvent, Prediction, Project, Task
from tests.api.v1.assertions import assert_error
from tests.conftest import World


def _url(world: World) -> str:
    return f"/api/v1/projects/{world.project_id}/tasks"


def _tasks(db: Database, project_id: int) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    with db.read() as session:
        rows = session.scalars(select(Task).where(Task.project_id == project_id).order_by(Task.id))
        return [(t.data, t.meta) for t in rows]


def _task_count(db: Database, project_id: int) -> int:
    with db.read() as session:
        project = session.get(Project, project_id)
        assert project is not None
        return project.task_count


def _ndjson(*records: Any) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in records)


def test_import_a_json_array(app_client: TestClient, world: World, db: Database) -> None:
    r = app_client.post(
        _url(world),
        json=[{"data": {"text": "uno"}, "meta": {"source": "web"}}, {"data": {"text": "dos", "lang": "es"}}],
        headers=world.manager.headers,
    )

    assert r.status_code == 201, r.text
    assert r.json() == {"received": 2, "created": 2, "duplicates": 0, "task_count": 7}
    tasks = _tasks(db, world.project_id)
    assert tasks[5:] == [({"text": "uno"}, {"source": "web"}), ({"text": "dos", "lang": "es"}, {})]
    assert _task_count(db, world.project_id) == 7
    with db.read() as session:
        new = session.scalars(
            select(Task).where(Task.project_id == world.project_id).order_by(Task.id)
        ).all()[5:]
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "task.import")).all()[-1]
    assert [(t.overlap, t.slots_taken, t.annotation_count) for t in new] == [(2, 0, 0), (2, 0, 0)]
    assert (event.actor_id, event.details) == (
        world.manager.id,
        {"received": 2, "created": 2, "format": "json"},
    )


def test_import_ndjson(app_client: TestClient, world: World, db: Database) -> None:
    body = _ndjson({"data": {"text": "a"}}, {"data": {"text": "b"}, "meta": {"n": 2}}) + b"\n"

    r = app_client.post(
        _url(world), content=body, headers={**world.admin.headers, "Content-Type": "application/x-ndjson"}
    )

    assert r.status_code == 201, r.text
    assert r.json() == {"received": 2, "created": 2, "duplicates": 0, "task_count": 7}
    assert _tasks(db, world.project_id)[5:] == [({"text": "a"}, {}), ({"text": "b"}, {"n": 2})]


def test_import_csv_with_meta_columns(app_client: TestClient, world: World, db: Database) -> None:
    body = 'text,meta.source,meta.batch\nniño,web,1\n"with, comma",app,2\n'.encode()

    r = app_client.post(
        _url(world), content=body, headers={**world.admin.headers, "Content-Type": "text/csv; charset=utf-8"}
    )

    assert r.status_code == 201, r.text
    assert r.json() == {"received": 2, "created": 2, "duplicates": 0, "task_count": 7}
    assert _tasks(db, world.project_id)[5:] == [
        ({"text": "niño"}, {"source": "web", "batch": "1"}),
        ({"text": "with, comma"}, {"source": "app", "batch": "2"}),
    ]


def test_exact_duplicates_are_counted_and_skipped(app_client: TestClient, world: World, db: Database) -> None:
    body = _ndjson(
        {"data": {"text": "text number 0"}},  # already in the project
        {"data": {"text": "fresh", "k": 1}},
        {"data": {"k": 1, "text": "fresh"}, "meta": {"other": True}},  # same data, keys reordered, other meta
        {"data": {"text": "fresh "}},  # not exact: a trailing space
    )

    r = app_client.post(
        _url(world), content=body, headers={**world.manager.headers, "Content-Type": "application/x-ndjson"}
    )

    assert r.status_code == 201, r.text
    assert r.json() == {"received": 4, "created": 2, "duplicates": 2, "task_count": 7}
    tasks = _tasks(db, world.project_id)
    assert [d for d, _ in tasks] == [{"text": f"text number {i}"} for i in range(5)] + [
        {"text": "fresh", "k": 1},
        {"text": "fresh "},
    ]
    assert _task_count(db, world.project_id) == 7


def test_reimporting_the_same_body_creates_nothing(
    app_client: TestClient, world: World, db: Database
) -> None:
    body = [{"data": {"text": "x"}}, {"data": {"text": "y"}}]
    assert app_client.post(_url(world), json=body, headers=world.manager.headers).status_code == 201

    r = app_client.post(_url(world), json=body, headers=world.manager.headers)

    assert r.status_code == 201, r.text
    assert r.json() == {"received": 2, "created": 0, "duplicates": 2, "task_count": 7}
    assert _task_count(db, world.project_id) == 7


@pytest.mark.parametrize(
    ("content_type", "body", "where", "field", "reason", "message"),
    [
        (
            "application/x-ndjson",
            _ndjson({"data": {"text": "ok 1"}}, {"data": {"text": "ok 2"}}, {"data": {"txt": "typo"}}),
            {"line": 3},
            "data.text",
            "missing_field",
            "Line 3: field 'data.text' is missing (control 'sentiment' of the schema reads it). Nothing was imported.",
        ),
        (
            "application/json",
            orjson.dumps([{"data": {"text": "ok"}}, {"data": {"text": 5}}]),
            {"item": 2},
            "data.text",
            "field_not_text",
            "Item 2 of the JSON array: field 'data.text' must be a string (control 'sentiment' shows it as text)."
            " Nothing was imported.",
        ),
        (
            "application/json",
            orjson.dumps([{"data": {"text": "ok"}, "labels": []}]),
            {"item": 1},
            "labels",
            "unknown_field",
            "Item 1 of the JSON array: unknown field 'labels' (a task has only 'data', 'meta', "
            "'prediction', 'gold' and 'requirements'). Nothing was imported.",
        ),
        (
            "text/csv",
            b"text,meta.source\nfine,web\nmissing a cell\n",
            {"line": 3},
            None,
            "csv_bad_row",
            "Line 3: the row has 1 cells but the header has 2. Nothing was imported.",
        ),
        (
            "application/x-ndjson",
            _ndjson({"data": {"text": "ok"}}) + b"{not json\n",
            {"line": 2},
            None,
            "bad_json",
            None,
        ),
    ],
    ids=["ndjson-missing-field", "json-not-text", "json-unknown-field", "csv-short-row", "ndjson-bad-json"],
)
def test_a_bad_record_imports_nothing_and_is_named(
    app_client: TestClient,
    world: World,
    db: Database,
    content_type: str,
    body: bytes,
    where: dict[str, int],
    field: str | None,
    reason: str,
    message: str | None,
) -> None:
    r = app_client.post(
        _url(world), content=body, headers={**world.manager.headers, "Content-Type": content_type}
    )

    error = assert_error(r, 422, "import_invalid")
    assert error["details"] == {**where, "field": field, "reason": reason}
    if message is not None:
        assert error["message"] == message
    assert len(_tasks(db, world.project_id)) == 5
    assert _task_count(db, world.project_id) == 5
    with db.read() as session:
        imports = session.scalars(select(AuditEvent).where(AuditEvent.action == "task.import")).all()
    assert len(imports) == 1  # the world's own import only


def test_bad_record_message_in_spanish(app_client: TestClient, world: World) -> None:
    body = _ndjson({"data": {"text": "ok"}}, {"data": {}})

    r = app_client.post(
        _url(world),
        content=body,
        headers={**world.manager.headers, "Content-Type": "application/x-ndjson", "Accept-Language": "es"},
    )

    error = assert_error(r, 422, "import_invalid")
    assert error["message"] == (
        "Línea 2: falta el campo 'data.text' (lo lee el control 'sentiment' del esquema). No se importó nada."
    )


def test_unsupported_content_type_is_415(app_client: TestClient, world: World, db: Database) -> None:
    r = app_client.post(
        _url(world), content=b"<tasks/>", headers={**world.manager.headers, "Content-Type": "application/xml"}
    )

    error = assert_error(r, 415, "unsupported_media_type")
    assert error["message"] == (
        "Content type 'application/xml' is not supported here; use one of: application/json, application/x-ndjson,"
        " text/csv."
    )
    assert len(_tasks(db, world.project_id)) == 5


@pytest.mark.parametrize("content_type", ["application/x-ndjson", "text/csv"])
def test_empty_body_is_422(app_client: TestClient, world: World, db: Database, content_type: str) -> None:
    r = app_client.post(
        _url(world), content=b"", headers={**world.manager.headers, "Content-Type": content_type}
    )

    assert_error(r, 422, "import_invalid")
    assert len(_tasks(db, world.project_id)) == 5


def test_empty_json_array_is_422(app_client: TestClient, world: World, db: Database) -> None:
    r = app_client.post(_url(world), json=[], headers=world.manager.headers)

    error = assert_error(r, 422, "import_invalid")
    assert error["details"] == {"line": 1, "field": None, "reason": "empty"}
    assert len(_tasks(db, world.project_id)) == 5


def test_json_object_instead_of_array_is_422(app_client: TestClient, world: World, db: Database) -> None:
    r = app_client.post(_url(world), json={"data": {"text": "one"}}, headers=world.manager.headers)

    error = assert_error(r, 422, "import_invalid")
    assert error["details"] == {"item": 1, "field": None, "reason": "not_array"}
    assert len(_tasks(db, world.project_id)) == 5


@pytest.mark.parametrize("who", ["annotator", "reviewer", "viewer"])
def test_non_staff_cannot_import(app_client: TestClient, world: World, db: Database, who: str) -> None:
    r = app_client.post(_url(world), json=[{"data": {"text": "sneaky"}}], headers=getattr(world, who).headers)

    assert_error(r, 403, "permission_denied")
    assert len(_tasks(db, world.project_id)) == 5


def test_outsider_gets_404(app_client: TestClient, world: World, db: Database) -> None:
    r = app_client.post(_url(world), json=[{"data": {"text": "sneaky"}}], headers=world.outsider.headers)

    assert_error(r, 404, "not_found")
    assert len(_tasks(db, world.project_id)) == 5


def test_json_array_with_a_byte_order_mark_imports(
    app_client: TestClient, world: World, db: Database
) -> None:
    body = codecs.BOM_UTF8 + orjson.dumps([{"data": {"text": "con BOM"}}, {"data": {"text": "otra"}}])
    r = app_client.post(
        f"/api/v1/projects/{world.project_id}/tasks",
        content=body,
        headers={**world.admin.headers, "Content-Type": "application/json"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["created"] == 2


# ---------------------------------------------------------------------------------------------------
# Model predictions (pre-labels) carried by the imported tasks


def _predictions(db: Database) -> list[tuple[int, dict[str, Any], float | None, str]]:
    with db.read() as session:
        rows = session.scalars(select(Prediction).order_by(Prediction.id))
        return [(p.task_id, p.result, p.score, p.model_version) for p in rows]


def test_import_stores_each_tasks_prediction(app_client: TestClient, world: World, db: Database) -> None:
    body = _ndjson(
        {
            "data": {"text": "great"},
            "prediction": {"result": {"sentiment": "positive"}, "score": 0.93, "model": "distilbert-v2"},
        },
        {"data": {"text": "plain"}},
        {"data": {"text": "meh"}, "prediction": {"result": {"sentiment": "neutral"}, "model": "rules"}},
        {"data": {"text": "none"}, "prediction": None},
    )

    r = app_client.post(
        _url(world), content=body, headers={**world.manager.headers, "Content-Type": "application/x-ndjson"}
    )

    assert r.status_code == 201, r.text
    assert r.json() == {"received": 4, "created": 4, "duplicates": 0, "task_count": 9}
    with db.read() as session:
        ids = {
            t.data["text"]: t.id
            for t in session.scalars(select(Task).where(Task.project_id == world.project_id))
        }
        project = session.get(Project, world.project_id)
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "task.import")).all()[-1]
    assert _predictions(db) == [
        (ids["great"], {"sentiment": "positive"}, 0.93, "distilbert-v2"),
        (ids["meh"], {"sentiment": "neutral"}, None, "rules"),
    ]
    assert project is not None and project.workspace_id == world.workspace_id
    assert event.details == {"received": 4, "created": 4, "format": "jsonl", "predictions": 2}


def test_a_duplicate_record_is_skipped_with_its_prediction(
    app_client: TestClient, world: World, db: Database
) -> None:
    first = {
        "data": {"text": "text number 0"},
        "prediction": {"result": {"sentiment": "negative"}, "model": "m"},
    }
    again = {"data": {"text": "fresh"}, "prediction": {"result": {"sentiment": "positive"}, "model": "m1"}}
    twice = {"data": {"text": "fresh"}, "prediction": {"result": {"sentiment": "negative"}, "model": "m2"}}

    r = app_client.post(_url(world), json=[first, again, twice], headers=world.manager.headers)

    assert r.status_code == 201, r.text
    assert r.json() == {"received": 3, "created": 1, "duplicates": 2, "task_count": 6}
    with db.read() as session:
        fresh = session.scalars(select(Task).where(Task.data["text"].as_string() == "fresh")).one()
    # "text number 0" existed before: it gets no prediction; "fresh" keeps its first record's
    assert _predictions(db) == [(fresh.id, {"sentiment": "positive"}, None, "m1")]


@pytest.mark.parametrize(
    ("prediction", "field", "message"),
    [
        (
            ["positive"],
            "prediction",
            "field 'prediction' must be a JSON object: "
            '{"result": {...}, "model": "name", "score": 0.9} (score optional)',
        ),
        (
            {"result": {"sentiment": "positive"}, "model": "m", "confidence": 0.5},
            "prediction.confidence",
            "unknown field 'prediction.confidence' (a prediction has only 'result', 'model' and 'score')",
        ),
        (
            {"result": {"sentiment": "positive"}},
            "prediction.model",
            "field 'prediction.model' is missing (a prediction needs 'result' and 'model')",
        ),
        (
            {"model": "m"},
            "prediction.result",
            "field 'prediction.result' is missing (a prediction needs 'result' and 'model')",
        ),
        (
            {"result": {"sentiment": "positive"}, "model": " "},
            "prediction.model",
            "field 'prediction.model' must be the model's name, 1 to 200 characters",
        ),
        (
            {"result": {"sentiment": "positive"}, "model": 7},
            "prediction.model",
            "field 'prediction.model' must be the model's name, 1 to 200 characters",
        ),
        (
            {"result": {"sentiment": "positive"}, "model": "m" * 201},
            "prediction.model",
            "field 'prediction.model' must be the model's name, 1 to 200 characters",
        ),
        (
            {"result": {"sentiment": "positive"}, "model": "m", "score": 1.5},
            "prediction.score",
            "field 'prediction.score' must be a number from 0 to 1, or null",
        ),
        (
            {"result": {"sentiment": "positive"}, "model": "m", "score": "high"},
            "prediction.score",
            "field 'prediction.score' must be a number from 0 to 1, or null",
        ),
        (
            {"result": {"sentiment": "positive"}, "model": "m", "score": True},
            "prediction.score",
            "field 'prediction.score' must be a number from 0 to 1, or null",
        ),
        (
            {"result": {"sentiment": "happy", "mood": 1}, "model": "m"},
            "prediction.result",
            "field 'prediction.result' does not fit the label schema (2 problem(s)); the first: "
            "'happy' is not a label of control 'sentiment'",
        ),
        (
            {"result": "positive", "model": "m"},
            "prediction.result",
            "field 'prediction.result' does not fit the label schema (1 problem(s)); the first: "
            "An annotation result must be a JSON object keyed by control name",
        ),
        (
            {"result": {"sentiment": "positive"}, "model": "bad\x00model"},
            "prediction",
            "field 'prediction' holds the NUL character (U+0000), which cannot be stored",
        ),
        (
            {"result": {"sentiment": "posi\x00tive"}, "model": "m"},
            "prediction",
            "field 'prediction' holds the NUL character (U+0000), which cannot be stored",
        ),
    ],
    ids=[
        "not-object",
        "unknown-key",
        "no-model",
        "no-result",
        "blank-model",
        "model-not-text",
        "model-too-long",
        "score-above-1",
        "score-not-number",
        "score-boolean",
        "result-off-schema",
        "result-not-object",
        "nul-in-model",
        "nul-in-result",
    ],
)
def test_a_bad_prediction_imports_nothing_and_is_named(
    app_client: TestClient, world: World, db: Database, prediction: Any, field: str, message: str
) -> None:
    before = _tasks(db, world.project_id)
    body = _ndjson({"data": {"text": "fine"}}, {"data": {"text": "second"}, "prediction": prediction})

    r = app_client.post(
        _url(world), content=body, headers={**world.manager.headers, "Content-Type": "application/x-ndjson"}
    )

    error = assert_error(r, 422, "import_invalid")
    assert error["message"] == f"Line 2: {message}. Nothing was imported."
    assert error["details"]["line"] == 2
    assert error["details"]["field"] == field
    assert _tasks(db, world.project_id) == before
    assert _predictions(db) == []


def test_a_bad_prediction_in_spanish(app_client: TestClient, world: World, db: Database) -> None:
    r = app_client.post(
        _url(world),
        json=[{"data": {"text": "x"}, "prediction": {"result": {"sentiment": "feliz"}, "model": "m"}}],
        headers={**world.manager.headers, "Accept-Language": "es"},
    )

    error = assert_error(r, 422, "import_invalid")
    assert error["message"] == (
        "Elemento 1 del arreglo JSON: el campo 'prediction.result' no se ajusta al esquema de etiquetas "
        "(1 problema(s)); el primero: 'feliz' no es una etiqueta del control 'sentiment'. No se importó nada."
    )
    assert error["details"] == {"item": 1, "field": "prediction.result", "reason": "prediction_result"}
    assert _predictions(db) == []
