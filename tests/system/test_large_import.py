"""A large import is all or nothing: 10,000 records with one bad one import nothing and name the bad one.

Runs through the HTTP API on both backends. Each failing body is otherwise valid, so a test that passes
only because everything before the bad record was thrown away by accident (or never written) would still
see the positive case fail.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from consenso.services import task_import
from consenso.store.database import Database
from consenso.store.models import AuditEvent
from consenso.store.repositories import tasks as task_repo
from tests.conftest import Actor, Factory

N = 10_000
BAD_LINE = 6789
NDJSON = {"content-type": "application/x-ndjson"}


def _record(i: int) -> dict[str, Any]:
    return {
        "data": {"text": f"review {i}: the battery lasts all day and the screen is sharp"},
        "meta": {"idx": i},
    }


def _jsonl(records: list[bytes]) -> bytes:
    return b"\n".join(records) + b"\n"


def _valid_lines() -> list[bytes]:
    return [orjson.dumps(_record(i)) for i in range(N)]


@pytest.fixture(autouse=True)
def _small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of 1,000: six are stored before line 6,789 is read, and the failure must undo them."""
    monkeypatch.setattr(task_import, "BATCH_SIZE", 1000)


@pytest.fixture
def setup(factory: Factory) -> tuple[Actor, int]:
    admin = factory.user(is_admin=True)
    workspace = factory.workspace(admin)
    return admin, factory.project(admin, workspace)


def _post(client: TestClient, admin: Actor, project_id: int, body: bytes, content_type: str) -> Any:
    return client.post(
        f"/api/v1/projects/{project_id}/tasks",
        content=body,
        headers={**admin.headers, "content-type": content_type},
    )


def _assert_nothing_imported(client: TestClient, db: Database, admin: Actor, project_id: int) -> None:
    with db.read() as session:
        assert task_repo.count_tasks(session, project_id) == 0
        imports = session.scalars(select(AuditEvent).where(AuditEvent.action == "task.import")).all()
        assert imports == []
    r = client.get(f"/api/v1/projects/{project_id}", headers=admin.headers)
    assert r.status_code == 200, r.text
    assert r.json()["task_count"] == 0


def test_truncated_line_in_10000_imports_nothing_and_names_the_line(
    app_client: TestClient, db: Database, setup: tuple[Actor, int]
) -> None:
    admin, project_id = setup
    lines = _valid_lines()
    lines[BAD_LINE - 1] = lines[BAD_LINE - 1][:25]  # truncated JSON

    r = _post(app_client, admin, project_id, _jsonl(lines), "application/x-ndjson")

    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "import_invalid"
    assert error["details"] == {"line": BAD_LINE, "field": None, "reason": "bad_json"}
    assert error["message"].startswith(f"Line {BAD_LINE}: not valid JSON (")
    assert error["message"].endswith(". Nothing was imported.")
    _assert_nothing_imported(app_client, db, admin, project_id)


def test_record_without_the_schema_field_imports_nothing_and_names_line_and_field(
    app_client: TestClient, db: Database, setup: tuple[Actor, int]
) -> None:
    admin, project_id = setup
    lines = _valid_lines()
    lines[BAD_LINE - 1] = orjson.dumps({"data": {"body": "the text is under the wrong key"}})

    r = _post(app_client, admin, project_id, _jsonl(lines), "application/x-ndjson")

    assert r.status_code == 422, r.text
    assert r.json() == {
        "error": {
            "code": "import_invalid",
            "message": f"Line {BAD_LINE}: field 'data.text' is missing "
            "(control 'sentiment' of the schema reads it). Nothing was imported.",
            "details": {"line": BAD_LINE, "field": "data.text", "reason": "missing_field"},
        }
    }
    _assert_nothing_imported(app_client, db, admin, project_id)


def test_json_array_with_a_bad_item_imports_nothing_and_names_the_item(
    app_client: TestClient, db: Database, setup: tuple[Actor, int]
) -> None:
    admin, project_id = setup
    items: list[Any] = [_record(i) for i in range(N)]
    items[4320] = {"data": {"text": 42}}  # item 4321: the text is not a string

    r = _post(app_client, admin, project_id, orjson.dumps(items), "application/json")

    assert r.status_code == 422, r.text
    assert r.json() == {
        "error": {
            "code": "import_invalid",
            "message": "Item 4321 of the JSON array: field 'data.text' must be a string "
            "(control 'sentiment' shows it as text). Nothing was imported.",
            "details": {"item": 4321, "field": "data.text", "reason": "field_not_text"},
        }
    }
    _assert_nothing_imported(app_client, db, admin, project_id)


def test_json_array_cut_short_imports_nothing_and_names_the_item(
    app_client: TestClient, db: Database, setup: tuple[Actor, int]
) -> None:
    admin, project_id = setup
    body = orjson.dumps([_record(i) for i in range(N)])
    cut = body[: body.index(b'"idx":9000}') + 3]  # inside item 9001

    r = _post(app_client, admin, project_id, cut, "application/json")

    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "import_invalid"
    assert error["details"] == {"item": 9001, "field": None, "reason": "bad_json"}
    assert error["message"].startswith("Item 9001 of the JSON array: not valid JSON (")
    _assert_nothing_imported(app_client, db, admin, project_id)


def test_csv_row_with_the_wrong_number_of_cells_imports_nothing_and_names_the_line(
    app_client: TestClient, db: Database, setup: tuple[Actor, int]
) -> None:
    admin, project_id = setup
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["text", "meta.idx"])
    for i in range(N):
        row = [_record(i)["data"]["text"], str(i)]
        if i + 2 == BAD_LINE:  # the header is line 1, so record i is on line i + 2
            row.append("one cell too many")
        writer.writerow(row)

    r = _post(app_client, admin, project_id, out.getvalue().encode(), "text/csv")

    assert r.status_code == 422, r.text
    assert r.json() == {
        "error": {
            "code": "import_invalid",
            "message": f"Line {BAD_LINE}: the row has 3 cells but the header has 2. Nothing was imported.",
            "details": {"line": BAD_LINE, "field": None, "reason": "csv_bad_row"},
        }
    }
    _assert_nothing_imported(app_client, db, admin, project_id)


def test_10000_valid_records_import_and_the_same_body_again_is_all_duplicates(
    app_client: TestClient, db: Database, setup: tuple[Actor, int]
) -> None:
    admin, project_id = setup
    body = _jsonl(_valid_lines())

    r = _post(app_client, admin, project_id, body, "application/x-ndjson")

    assert r.status_code == 201, r.text
    assert r.json() == {"received": N, "created": N, "duplicates": 0, "task_count": N}
    with db.read() as session:
        assert task_repo.count_tasks(session, project_id) == N
        first, last = (
            task_repo.list_page(session, project_id, limit=1)[0],
            task_repo.list_page(session, project_id, offset=N - 1, limit=1)[0],
        )
        assert (first.data, first.meta) == (_record(0)["data"], {"idx": 0})
        assert (last.data, last.meta) == (_record(N - 1)["data"], {"idx": N - 1})

    again = _post(app_client, admin, project_id, body, "application/x-ndjson")

    assert again.status_code == 201, again.text
    assert again.json() == {"received": N, "created": 0, "duplicates": N, "task_count": N}
    r = app_client.get(f"/api/v1/projects/{project_id}", headers=admin.headers)
    assert r.json()["task_count"] == N
    with db.read() as session:
        assert task_repo.count_tasks(session, project_id) == N
