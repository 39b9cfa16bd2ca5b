"""POST /api/v1/projects/{id}/tasks with gold questions and routing requirements (JSON and JSONL).

A record's ``gold`` makes it a gold task (expected result stored, overlap GOLD_OVERLAP); its
``requirements`` set the task's language, dialect and domain. A bad one refuses the whole import and names
its line or item and field, in English and Spanish.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from consenso.core.qa import GOLD_OVERLAP
from consenso.services import task_import
from consenso.store.database import Database
from consenso.store.models import AuditEvent, Project, Task
from tests.api.v1.assertions import assert_error
from tests.conftest import Factory, World

# (text, gold, overlap, language, dialect, domain, qa_status)
Row = tuple[str, Any, int, str | None, str | None, str | None, str]


def _url(project_id: int) -> str:
    return f"/api/v1/projects/{project_id}/tasks"


def _body(fmt: str, records: list[Any]) -> tuple[bytes, str]:
    if fmt == "json":
        return orjson.dumps(records), "application/json"
    return b"".join(orjson.dumps(r) + b"\n" for r in records), "application/x-ndjson"


def _post(client: TestClient, who: Any, project_id: int, fmt: str, records: list[Any], **headers: str) -> Any:
    body, content_type = _body(fmt, records)
    return client.post(
        _url(project_id), content=body, headers={**who.headers, "Content-Type": content_type, **headers}
    )


def _rows(db: Database, project_id: int) -> list[Row]:
    with db.read() as session:
        tasks = session.scalars(select(Task).where(Task.project_id == project_id).order_by(Task.id))
        return [
            (t.data["text"], t.gold, t.overlap, t.language, t.dialect, t.domain, t.qa_status) for t in tasks
        ]


def _sql_null_gold(db: Database, project_id: int) -> list[str]:
    """Texts of the tasks whose gold is SQL NULL (not the JSON value null)."""
    with db.read() as session:
        found = session.execute(
            text("SELECT id FROM task WHERE project_id = :p AND gold IS NULL ORDER BY id"), {"p": project_id}
        ).all()
        ids = [r[0] for r in found]
        return [session.get_one(Task, i).data["text"] for i in ids]


def _last_import(db: Database) -> dict[str, Any]:
    with db.read() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "task.import").order_by(AuditEvent.id)
        ).all()[-1]
        return dict(event.details)


RECORDS: list[dict[str, Any]] = [
    {"data": {"text": "plain"}},
    {"data": {"text": "gold"}, "gold": {"result": {"sentiment": "negative"}}},
    {"data": {"text": "routed"}, "requirements": {"language": "es", "dialect": "es-CO", "domain": "medical"}},
    {
        "data": {"text": "gold routed"},
        "gold": {"result": {"sentiment": "positive"}},
        "requirements": {"domain": "legal"},
        "meta": {"source": "qa"},
    },
    {"data": {"text": "dialect only"}, "requirements": {"dialect": "pt-BR"}},
    {"data": {"text": "nulls"}, "gold": None, "requirements": None},
    {"data": {"text": "empty requirements"}, "requirements": {}},
]
EXPECTED: list[Row] = [
    ("plain", None, 2, None, None, None, "pending"),
    ("gold", {"sentiment": "negative"}, GOLD_OVERLAP, None, None, None, "pending"),
    ("routed", None, 2, "es", "es-CO", "medical", "pending"),
    ("gold routed", {"sentiment": "positive"}, GOLD_OVERLAP, None, None, "legal", "pending"),
    ("dialect only", None, 2, "pt", "pt-BR", None, "pending"),  # a dialect implies its language
    ("nulls", None, 2, None, None, None, "pending"),
    ("empty requirements", None, 2, None, None, None, "pending"),
]


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
@pytest.mark.parametrize("batch_size", [10_000, 2], ids=["one-batch", "batches-of-2"])
def test_gold_and_requirements_round_trip(
    app_client: TestClient,
    factory: Factory,
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
    fmt: str,
    batch_size: int,
) -> None:
    # batches of 2 put QA columns at every index of a batch, and plain batches between them
    monkeypatch.setattr(task_import, "BATCH_SIZE", batch_size)
    admin = factory.user(is_admin=True)
    ws = factory.workspace(admin)
    manager = factory.member(admin, ws, "manager")
    project = factory.project(admin, ws, overlap=2)

    r = _post(app_client, manager, project, fmt, RECORDS)

    assert r.status_code == 201, r.text
    assert r.json() == {"received": 7, "created": 7, "duplicates": 0, "task_count": 7}
    assert _rows(db, project) == EXPECTED
    assert _sql_null_gold(db, project) == [
        "plain",
        "routed",
        "dialect only",
        "nulls",
        "empty requirements",
    ]
    with db.read() as session:
        meta = session.scalars(select(Task.meta).where(Task.data["text"].as_string() == "gold routed")).one()
        stored = session.get_one(Project, project)
    assert meta == {"source": "qa"}
    assert stored.task_count == 7
    assert _last_import(db) == {"received": 7, "created": 7, "format": fmt, "gold": 2, "routed": 3}


def test_a_plain_import_records_no_gold_or_routing(
    app_client: TestClient, world: World, db: Database
) -> None:
    r = _post(app_client, world.manager, world.project_id, "jsonl", [{"data": {"text": "only data"}}])

    assert r.status_code == 201, r.text
    assert _last_import(db) == {"received": 1, "created": 1, "format": "jsonl"}
    assert _rows(db, world.project_id)[-1] == ("only data", None, 2, None, None, None, "pending")


def test_a_duplicate_record_does_not_make_an_existing_task_gold(
    app_client: TestClient, world: World, db: Database
) -> None:
    records = [
        {
            "data": {"text": "text number 0"},
            "gold": {"result": {"sentiment": "neutral"}},
            "requirements": {"language": "en"},
        },
        {"data": {"text": "new one"}, "requirements": {"domain": "finance"}},
        {"data": {"text": "new one"}, "gold": {"result": {"sentiment": "neutral"}}},
    ]

    r = _post(app_client, world.manager, world.project_id, "json", records)

    assert r.status_code == 201, r.text
    assert r.json() == {"received": 3, "created": 1, "duplicates": 2, "task_count": 6}
    rows = _rows(db, world.project_id)
    # the existing task keeps what it had; the first copy of "new one" is the one stored
    assert rows[0] == ("text number 0", None, 2, None, None, None, "pending")
    assert rows[-1] == ("new one", None, 2, None, None, "finance", "pending")
    assert _last_import(db)["routed"] == 1 and "gold" not in _last_import(db)


def test_csv_columns_named_gold_or_requirements_are_data(
    app_client: TestClient, world: World, db: Database
) -> None:
    body = b'text,gold,requirements\nhello,"{""result"": {}}",es\n'

    r = app_client.post(
        _url(world.project_id), content=body, headers={**world.manager.headers, "Content-Type": "text/csv"}
    )

    assert r.status_code == 201, r.text
    with db.read() as session:
        task = session.scalars(select(Task).where(Task.data["text"].as_string() == "hello")).one()
    assert task.data == {"text": "hello", "gold": '{"result": {}}', "requirements": "es"}
    assert (task.gold, task.overlap, task.language) == (None, 2, None)


_NOTES_SCHEMA: dict[str, Any] = {
    "controls": [
        {"name": "notes", "type": "text", "field": "text"},
        {
            "name": "topic",
            "type": "choice",
            "field": "text",
            "required": False,
            "labels": [{"value": "a"}, {"value": "b"}],
        },
    ]
}

_REQ_HELP = (
    "is not a valid requirement: a task's 'requirements' may hold a 'language' (an ISO 639 code such as "
    "'es'), a 'dialect' (a tag of it such as 'es-CO') and a 'domain' (a lowercase word such as 'medical')"
)
REFUSALS: list[tuple[str, dict[str, Any], str, str, str]] = [
    (
        "gold-not-object",
        {"gold": ["positive"]},
        "gold",
        "gold_not_object",
        "field 'gold' must be a JSON object: "
        '{"result": {...}} (the expected answer, keyed by control name like an annotation)',
    ),
    (
        "gold-unknown-key",
        {"gold": {"result": {"sentiment": "positive"}, "expected": 1}},
        "gold.expected",
        "gold_unknown_field",
        "unknown field 'gold.expected' (a gold task's 'gold' has only 'result')",
    ),
    (
        "gold-no-result",
        {"gold": {}},
        "gold.result",
        "gold_missing_result",
        "field 'gold.result' is missing (a gold task needs its expected result)",
    ),
    (
        "gold-off-schema",
        {"gold": {"result": {"sentiment": "happy", "mood": 1}}},
        "gold.result",
        "gold_result",
        "field 'gold.result' does not fit the label schema (2 problem(s)); the first: "
        "'happy' is not a label of control 'sentiment'",
    ),
    (
        "gold-result-not-object",
        {"gold": {"result": "positive"}},
        "gold.result",
        "gold_result",
        "field 'gold.result' does not fit the label schema (1 problem(s)); the first: "
        "An annotation result must be a JSON object keyed by control name",
    ),
    (
        "gold-missing-answer",
        {"gold": {"result": {}}},
        "gold.result",
        "gold_result",
        "field 'gold.result' does not fit the label schema (1 problem(s)); the first: "
        "Control 'sentiment' is required but has no answer",
    ),
    (
        "gold-nul",
        {"gold": {"result": {"sentiment": "posi\x00tive"}}},
        "gold",
        "nul_character",
        "field 'gold' holds the NUL character (U+0000), which cannot be stored",
    ),
    (
        "requirements-not-object",
        {"requirements": "es"},
        "requirements",
        "requirement_invalid",
        f"field 'requirements' {_REQ_HELP}",
    ),
    (
        "requirements-unknown-key",
        {"requirements": {"lang": "es"}},
        "requirements.lang",
        "requirement_invalid",
        f"field 'requirements.lang' {_REQ_HELP}",
    ),
    (
        "language-not-a-code",
        {"requirements": {"language": "Spanish"}},
        "requirements.language",
        "requirement_invalid",
        f"field 'requirements.language' {_REQ_HELP}",
    ),
    (
        "language-not-text",
        {"requirements": {"language": 5}},
        "requirements.language",
        "requirement_invalid",
        f"field 'requirements.language' {_REQ_HELP}",
    ),
    (
        "language-a-list",
        {"requirements": {"language": ["es"]}},
        "requirements.language",
        "requirement_invalid",
        f"field 'requirements.language' {_REQ_HELP}",
    ),
    (
        "same-keys-as-a-valid-one",
        {"requirements": {"language": "es "}},
        "requirements.language",
        "requirement_invalid",
        f"field 'requirements.language' {_REQ_HELP}",
    ),
    (
        "dialect-bad-tag",
        {"requirements": {"dialect": "es_CO"}},
        "requirements.dialect",
        "requirement_invalid",
        f"field 'requirements.dialect' {_REQ_HELP}",
    ),
    (
        "dialect-of-another-language",
        {"requirements": {"language": "en", "dialect": "es-CO"}},
        "requirements.dialect",
        "requirement_invalid",
        f"field 'requirements.dialect' {_REQ_HELP}",
    ),
    (
        "domain-uppercase",
        {"requirements": {"domain": "Medical"}},
        "requirements.domain",
        "requirement_invalid",
        f"field 'requirements.domain' {_REQ_HELP}",
    ),
    (
        "valid-gold-bad-requirements",
        {"gold": {"result": {"sentiment": "positive"}}, "requirements": {"domain": ""}},
        "requirements.domain",
        "requirement_invalid",
        f"field 'requirements.domain' {_REQ_HELP}",
    ),
]


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
@pytest.mark.parametrize(
    ("extra", "field", "reason", "message"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS]
)
def test_a_bad_gold_or_requirement_imports_nothing_and_names_the_record(
    app_client: TestClient,
    world: World,
    db: Database,
    fmt: str,
    extra: dict[str, Any],
    field: str,
    reason: str,
    message: str,
) -> None:
    before = _rows(db, world.project_id)
    records = [
        {"data": {"text": "fine"}, "gold": {"result": {"sentiment": "positive"}}},
        {"data": {"text": "fine too"}, "requirements": {"language": "es"}},
        {"data": {"text": "the bad one"}, **extra},
    ]

    r = _post(app_client, world.manager, world.project_id, fmt, records)

    error = assert_error(r, 422, "import_invalid")
    where = {"item": 3} if fmt == "json" else {"line": 3}
    shown = "Item 3 of the JSON array" if fmt == "json" else "Line 3"
    assert error["details"] == {**where, "field": field, "reason": reason}
    assert error["message"] == f"{shown}: {message}. Nothing was imported."
    assert _rows(db, world.project_id) == before


def test_a_gold_result_must_score_something(app_client: TestClient, factory: Factory, db: Database) -> None:
    admin = factory.user(is_admin=True)
    ws = factory.workspace(admin)
    project = factory.project(admin, ws, schema=_NOTES_SCHEMA)
    records = [
        {"data": {"text": "scored"}, "gold": {"result": {"notes": "fine", "topic": "a"}}},
        {"data": {"text": "free text only"}, "gold": {"result": {"notes": "no single right answer"}}},
    ]

    r = _post(app_client, admin, project, "jsonl", records)

    error = assert_error(r, 422, "import_invalid")
    assert error["details"] == {"line": 2, "field": "gold.result", "reason": "gold_unscored"}
    assert error["message"] == (
        "Line 2: field 'gold.result' must give the expected answer of at least one control that can be "
        "scored (free text is not scored). Nothing was imported."
    )
    assert _rows(db, project) == []

    r = _post(app_client, admin, project, "jsonl", records[:1])

    assert r.status_code == 201, r.text
    assert _rows(db, project) == [
        ("scored", {"notes": "fine", "topic": "a"}, GOLD_OVERLAP, None, None, None, "pending")
    ]


def test_a_bad_record_in_a_later_batch_undoes_the_stored_ones(
    app_client: TestClient, world: World, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(task_import, "BATCH_SIZE", 2)
    before = _rows(db, world.project_id)
    records: list[dict[str, Any]] = [
        {"data": {"text": f"routed {i}"}, "requirements": {"language": "es"}} for i in range(6)
    ]
    records.append({"data": {"text": "last"}, "requirements": {"language": "ES"}})

    r = _post(app_client, world.manager, world.project_id, "jsonl", records)

    error = assert_error(r, 422, "import_invalid")
    assert error["details"] == {"line": 7, "field": "requirements.language", "reason": "requirement_invalid"}
    assert _rows(db, world.project_id) == before


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {"gold": {"result": {"sentiment": "feliz"}}},
            "Elemento 1 del arreglo JSON: el campo 'gold.result' no se ajusta al esquema de etiquetas "
            "(1 problema(s)); el primero: 'feliz' no es una etiqueta del control 'sentiment'. "
            "No se importó nada.",
        ),
        (
            {"gold": {"expected": {"sentiment": "positive"}}},
            "Elemento 1 del arreglo JSON: campo desconocido 'gold.expected' (el 'gold' de una tarea de "
            "control solo tiene 'result'). No se importó nada.",
        ),
        (
            {"requirements": {"dialect": "CO"}},
            "Elemento 1 del arreglo JSON: el campo 'requirements.dialect' no es un requisito válido: los "
            "'requirements' de una tarea pueden tener un 'language' (un código ISO 639 como 'es'), un "
            "'dialect' (una etiqueta suya como 'es-CO') y un 'domain' (una palabra en minúsculas como "
            "'medical'). No se importó nada.",
        ),
    ],
    ids=["gold-result", "gold-unknown-key", "requirement"],
)
def test_refusals_in_spanish(
    app_client: TestClient, world: World, db: Database, extra: dict[str, Any], message: str
) -> None:
    before = _rows(db, world.project_id)

    r = _post(
        app_client,
        world.manager,
        world.project_id,
        "json",
        [{"data": {"text": "x"}, **extra}],
        **{"Accept-Language": "es"},
    )

    assert assert_error(r, 422, "import_invalid")["message"] == message
    assert _rows(db, world.project_id) == before


def test_unknown_top_level_field_lists_gold_and_requirements(app_client: TestClient, world: World) -> None:
    r = _post(app_client, world.manager, world.project_id, "jsonl", [{"data": {"text": "x"}, "golden": {}}])

    error = assert_error(r, 422, "import_invalid")
    assert error["message"] == (
        "Line 1: unknown field 'golden' (a task has only 'data', 'meta', 'prediction', 'gold' and "
        "'requirements'). Nothing was imported."
    )
