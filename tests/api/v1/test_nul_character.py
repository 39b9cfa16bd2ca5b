"""U+0000 cannot be stored by PostgreSQL: it is refused with a 4xx on every backend, never a 500."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from consenso.store.database import Database
from consenso.store.models import Annotation, Task, Workspace
from tests.api.v1.assertions import assert_error
from tests.conftest import World


def _count(db: Database, model: Any) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_import_refuses_nul_and_names_line_and_field(
    app_client: TestClient, world: World, db: Database
) -> None:
    before = _count(db, Task)
    body = b'{"data": {"text": "fine"}}\n{"data": {"text": "bad\\u0000"}}\n'
    r = app_client.post(
        f"/api/v1/projects/{world.project_id}/tasks",
        content=body,
        headers={**world.admin.headers, "Content-Type": "application/x-ndjson"},
    )
    error = assert_error(r, 422, "import_invalid")
    assert error["details"] == {"line": 2, "field": "data", "reason": "nul_character"}
    assert "U+0000" in error["message"]
    assert _count(db, Task) == before


def test_literal_backslash_u0000_text_is_not_nul(app_client: TestClient, world: World, db: Database) -> None:
    r = app_client.post(
        f"/api/v1/projects/{world.project_id}/tasks",
        json=[{"data": {"text": "shows \\u0000 as text"}}],
        headers=world.admin.headers,
    )
    assert r.status_code == 201, r.text
    assert r.json()["created"] == 1


def test_submission_with_nul_is_refused(app_client: TestClient, world: World, db: Database) -> None:
    task = app_client.get(f"/api/v1/projects/{world.project_id}/next", headers=world.annotator.headers).json()
    r = app_client.post(
        f"/api/v1/tasks/{task['id']}/annotations",
        json={"result": {"sentiment": "positive\x00"}},
        headers=world.annotator.headers,
    )
    assert_error(r, 400, "nul_character")
    assert _count(db, Annotation) == 0


def test_other_bodies_never_answer_500(
    app_client: TestClient, world: World, db: Database, backend: str
) -> None:
    before = _count(db, Workspace)
    r = app_client.post("/api/v1/workspaces", json={"name": "bad\x00name"}, headers=world.admin.headers)
    if backend == "postgresql":
        assert_error(r, 400, "nul_character")
        assert _count(db, Workspace) == before
    else:  # SQLite stores U+0000 in a name; only PostgreSQL refuses it
        assert r.status_code == 201, r.text
