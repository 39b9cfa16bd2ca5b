"""PUT /api/v1/tasks/{id}/requirements: replace a task's routing requirements; staff see them in listings."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from consenso.store.database import Database
from consenso.store.models import AuditEvent, Task
from tests.api.v1.assertions import assert_error
from tests.conftest import Actor, World

NONE = {"language": None, "dialect": None, "domain": None}


def _put(client: TestClient, task_id: int | str, who: Actor, body: Any, **headers: str) -> Any:
    return client.put(f"/api/v1/tasks/{task_id}/requirements", json=body, headers={**who.headers, **headers})


def _stored(db: Database, task_id: int) -> dict[str, str | None]:
    with db.read() as session:
        task = session.get_one(Task, task_id)
        return {"language": task.language, "dialect": task.dialect, "domain": task.domain}


def _all_stored(db: Database, project_id: int) -> list[tuple[str | None, str | None, str | None]]:
    with db.read() as session:
        rows = session.scalars(select(Task).where(Task.project_id == project_id).order_by(Task.id))
        return [(t.language, t.dialect, t.domain) for t in rows]


def _events(db: Database) -> list[AuditEvent]:
    with db.read() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.action == "task.requirements").order_by(AuditEvent.id)
            )
        )


def test_manager_sets_a_tasks_requirements(app_client: TestClient, world: World, db: Database) -> None:
    task_id = world.task_ids[2]
    wanted = {"language": "es", "dialect": "es-CO", "domain": "medical"}

    r = _put(app_client, task_id, world.manager, wanted)

    assert r.status_code == 200, r.text
    assert r.json() == {"task_id": task_id, "project_id": world.project_id, "requirements": wanted}
    assert _stored(db, task_id) == wanted
    # the other tasks are untouched
    assert [
        s for i, s in zip(world.task_ids, _all_stored(db, world.project_id), strict=True) if i != task_id
    ] == [(None, None, None)] * 4
    [event] = _events(db)
    assert (event.actor_id, event.workspace_id, event.object_type, event.object_id) == (
        world.manager.id,
        world.workspace_id,
        "task",
        str(task_id),
    )
    assert event.details == {"project_id": world.project_id, "from": NONE, "to": wanted}


def test_a_dialect_implies_its_language(app_client: TestClient, world: World, db: Database) -> None:
    r = _put(app_client, world.task_ids[0], world.admin, {"dialect": "pt-BR"})

    assert r.status_code == 200, r.text
    assert r.json()["requirements"] == {"language": "pt", "dialect": "pt-BR", "domain": None}
    assert _stored(db, world.task_ids[0]) == {"language": "pt", "dialect": "pt-BR", "domain": None}


def test_the_body_replaces_and_empty_clears(app_client: TestClient, world: World, db: Database) -> None:
    task_id = world.task_ids[1]
    _put(app_client, task_id, world.manager, {"language": "es", "dialect": "es-MX", "domain": "legal"})

    replaced = _put(app_client, task_id, world.manager, {"domain": "finance"})
    assert replaced.status_code == 200, replaced.text
    assert _stored(db, task_id) == {"language": None, "dialect": None, "domain": "finance"}

    cleared = _put(app_client, task_id, world.manager, {})
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["requirements"] == NONE
    assert _stored(db, task_id) == NONE

    again = _put(app_client, task_id, world.manager, {"language": None})
    assert again.status_code == 200, again.text
    # three changes audited; setting what the task already has is not a change
    assert [e.details["to"] for e in _events(db)] == [
        {"language": "es", "dialect": "es-MX", "domain": "legal"},
        {"language": None, "dialect": None, "domain": "finance"},
        NONE,
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"language": "Spanish"}, "requirements.language"),
        ({"language": "e"}, "requirements.language"),
        ({"dialect": "es_CO"}, "requirements.dialect"),
        ({"language": "en", "dialect": "es-CO"}, "requirements.dialect"),
        ({"domain": "Medical"}, "requirements.domain"),
        ({"domain": ""}, "requirements.domain"),
    ],
    ids=[
        "language-word",
        "language-short",
        "dialect-bad-tag",
        "dialect-of-another-language",
        "domain-upper",
        "domain-empty",
    ],
)
def test_invalid_requirements_are_400_and_change_nothing(
    app_client: TestClient, world: World, db: Database, body: dict[str, Any], field: str
) -> None:
    task_id = world.task_ids[0]
    _put(app_client, task_id, world.manager, {"domain": "legal"})

    r = _put(app_client, task_id, world.manager, body)

    error = assert_error(r, 400, "requirement_invalid")
    assert error["message"] == (
        f"The requirement '{field}' is not valid: a language is an ISO 639 code such as 'es', a dialect a "
        "tag of it such as 'es-CO', a domain a lowercase word such as 'medical'."
    )
    assert _stored(db, task_id) == {"language": None, "dialect": None, "domain": "legal"}
    assert len(_events(db)) == 1


def test_invalid_requirement_in_spanish(app_client: TestClient, world: World, db: Database) -> None:
    r = _put(app_client, world.task_ids[0], world.manager, {"language": "ES"}, **{"Accept-Language": "es"})

    error = assert_error(r, 400, "requirement_invalid")
    assert error["message"] == (
        "El requisito 'requirements.language' no es válido: un idioma es un código ISO 639 como 'es', un "
        "dialecto una etiqueta suya como 'es-CO', un dominio una palabra en minúsculas como 'medical'."
    )
    assert _stored(db, world.task_ids[0]) == NONE


@pytest.mark.parametrize(
    ("body", "field", "kind"),
    [
        ({"lang": "es"}, "lang", "extra_forbidden"),
        ({"language": 5}, "language", "string_type"),
        ({"domain": "x" * 65}, "domain", "string_too_long"),
    ],
    ids=["unknown-field", "not-text", "too-long"],
)
def test_malformed_bodies_are_422(
    app_client: TestClient, world: World, db: Database, body: Any, field: str, kind: str
) -> None:
    r = _put(app_client, world.task_ids[0], world.manager, body)

    error = assert_error(r, 422, "validation_error")
    assert [(d["field"], d["type"]) for d in error["details"]] == [(field, kind)]
    assert _stored(db, world.task_ids[0]) == NONE


@pytest.mark.parametrize("who", ["reviewer", "annotator", "viewer"])
def test_non_staff_cannot_set_requirements(
    app_client: TestClient, world: World, db: Database, who: str
) -> None:
    r = _put(app_client, world.task_ids[0], getattr(world, who), {"language": "??"})

    assert_error(r, 403, "permission_denied")  # refused before the body is judged
    assert _stored(db, world.task_ids[0]) == NONE
    assert _events(db) == []


def test_outsider_and_unknown_task_get_404(app_client: TestClient, world: World, db: Database) -> None:
    outsider = _put(app_client, world.task_ids[0], world.outsider, {"language": "es"})
    unknown = _put(app_client, 987654, world.admin, {"language": "es"})
    beyond = _put(app_client, 2**63, world.admin, {"language": "es"})

    for r in (outsider, unknown, beyond):
        assert assert_error(r, 404, "not_found")["message"] == "Task not found."
    assert _stored(db, world.task_ids[0]) == NONE


def test_staff_listing_shows_requirements_and_annotators_do_not_get_them(
    app_client: TestClient, world: World
) -> None:
    wanted = {"language": "es", "dialect": None, "domain": "legal"}
    _put(app_client, world.task_ids[0], world.manager, wanted)
    leased = app_client.get(f"/api/v1/projects/{world.project_id}/next", headers=world.annotator.headers)
    assert leased.status_code == 200, leased.text
    url = f"/api/v1/projects/{world.project_id}/tasks"

    for who in (world.manager, world.reviewer, world.viewer):
        listed = app_client.get(url, headers=who.headers).json()["items"]
        assert [t["requirements"] for t in listed] == [wanted] + [NONE] * 4

    mine = app_client.get(url, headers=world.annotator.headers).json()["items"]
    assert [t["id"] for t in mine] == [leased.json()["id"]]
    assert [t["requirements"] for t in mine] == [None]
    assert "requirements" not in leased.json()
