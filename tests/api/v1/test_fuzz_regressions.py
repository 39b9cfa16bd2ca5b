"""Server errors found by fuzzing the OpenAPI document (tests/api/test_schemathesis.py), pinned one by one.

1. ``POST /tasks/{id}/annotations`` with an integer beyond 64 bits anywhere in ``result`` answered 500: the
   request's fingerprint is written with orjson before the result is checked, and orjson holds integers to
   64 bits (``TypeError: Integer exceeds 64-bit range``). A lone UTF-16 surrogate in a free-form string
   (``"\\ud800"``) failed the same way. Every request body now refuses both on entry (422
   ``validation_error``, ``consenso.core.json_limits``), free-form fields included, and nothing is stored.
2. ``GET /projects/{id}/tasks?offset=`` beyond 2**63 - 1 answered 500 on SQLite (``OverflowError: Python
   int too large to convert to SQLite INTEGER``). The offset is now bounded like an id: 422.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from consenso.core.json_limits import INT64_MAX, INT64_MIN
from consenso.store.database import Database
from consenso.store.models import Adjudication, Annotation, Project, Review, Task
from tests.api.v1.assertions import assert_error
from tests.conftest import World


def _count(db: Database, model: Any) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _submit(client: TestClient, world: World, result: Any, **headers: str) -> Any:
    # json.dumps escapes a lone surrogate as \ud800, as a client in another language would send it
    return client.post(
        f"/api/v1/tasks/{world.task_ids[0]}/annotations",
        content=json.dumps({"result": result, "lead_time_ms": 900}),
        headers={**world.annotator.headers, "Content-Type": "application/json", **headers},
    )


@pytest.mark.parametrize("wide", [INT64_MAX + 1, INT64_MIN - 1, 2**70, -(10**30)])
def test_an_annotation_holding_an_integer_beyond_64_bits_is_refused(
    app_client: TestClient, world: World, db: Database, wide: int
) -> None:
    result = {"sentiment": "positive", "extra": [{"n": wide}]}
    r = _submit(app_client, world, result, **{"Idempotency-Key": "fuzz-1"})

    error = assert_error(r, 422, "validation_error")
    assert error["details"] == [
        {
            "field": "body",
            "type": "int64_range",
            "message": "integer at result.extra[0].n is beyond the signed 64-bit range",
        }
    ]
    assert "result.extra[0].n" in error["message"]
    assert _count(db, Annotation) == 0


def test_the_edge_of_the_range_goes_on_to_the_label_schema(
    app_client: TestClient, world: World, db: Database
) -> None:
    # INT64_MAX itself fits: the body passes, and the label schema then refuses the unknown control
    r = _submit(app_client, world, {"sentiment": "positive", "extra": INT64_MAX})

    error = assert_error(r, 422, "result_invalid")
    assert [d["path"] for d in error["details"]] == ["extra"]
    assert _count(db, Annotation) == 0


def test_an_annotation_holding_a_lone_surrogate_is_refused_in_the_callers_language(
    app_client: TestClient, world: World, db: Database
) -> None:
    r = _submit(app_client, world, {"sentiment": "positive", "note\ud800": "x"}, **{"Accept-Language": "es"})

    error = assert_error(r, 422, "validation_error")
    assert error["message"].startswith("El cuerpo o los parámetros de la solicitud no son válidos")
    assert error["details"] == [
        {
            "field": "body",
            "type": "lone_surrogate",
            "message": "text at result.note\\ud800 holds a lone UTF-16 surrogate, which is not valid Unicode text",
        }
    ]
    assert _count(db, Annotation) == 0


def _annotation(client: TestClient, world: World) -> int:
    r = _submit(client, world, {"sentiment": "positive"})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


@pytest.mark.parametrize(
    "call",
    [
        "review_fixed_result",
        "adjudication_result",
        "gold_result",
        "project_schema",
        "project_qa",
    ],
)
def test_other_free_form_bodies_refuse_a_wide_integer_and_change_nothing(
    app_client: TestClient, world: World, db: Database, call: str
) -> None:
    wide = 2**64
    annotation_id = _annotation(app_client, world)
    before = {m.__name__: _count(db, m) for m in (Annotation, Review, Adjudication, Project, Task)}
    with db.read() as session:
        project = session.get(Project, world.project_id)
        assert project is not None
        qa_before = project.qa
    admin = world.admin.headers
    task = world.task_ids[0]
    requests = {
        "review_fixed_result": (
            "POST",
            f"/api/v1/annotations/{annotation_id}/reviews",
            {"verdict": "fixed", "fixed_result": {"sentiment": wide}},
        ),
        "adjudication_result": (
            "POST",
            f"/api/v1/tasks/{task}/adjudication",
            {"result": {"sentiment": wide}, "reasoning": "x"},
        ),
        "gold_result": ("PUT", f"/api/v1/tasks/{world.task_ids[4]}/gold", {"result": {"sentiment": wide}}),
        "project_schema": (
            "POST",
            "/api/v1/projects",
            {
                "workspace_id": world.workspace_id,
                "name": "Wide",
                "schema": {"controls": [{"name": "n", "type": "text", "field": "text", "max_length": wide}]},
            },
        ),
        "project_qa": ("PATCH", f"/api/v1/projects/{world.project_id}", {"qa": {"min_gold_answers": wide}}),
    }
    method, url, body = requests[call]

    r = app_client.request(method, url, json=body, headers=admin)

    error = assert_error(r, 422, "validation_error")
    assert [d["type"] for d in error["details"]] == ["int64_range"]
    assert {m.__name__: _count(db, m) for m in (Annotation, Review, Adjudication, Project, Task)} == before
    with db.read() as session:
        project = session.get(Project, world.project_id)
        assert project is not None
        assert project.qa == qa_before


def test_a_task_list_offset_beyond_64_bits_is_refused(app_client: TestClient, world: World) -> None:
    url = f"/api/v1/projects/{world.project_id}/tasks"

    error = assert_error(
        app_client.get(url, params={"offset": INT64_MAX + 1}, headers=world.admin.headers),
        422,
        "validation_error",
    )
    assert [(d["field"], d["type"]) for d in error["details"]] == [("query.offset", "less_than_equal")]

    edge = app_client.get(url, params={"offset": INT64_MAX}, headers=world.admin.headers)
    assert edge.status_code == 200, edge.text
    assert edge.json() == {"items": [], "next_cursor": None}
