"""GET /api/v1/projects/{id}/next serves only the tasks whose requirements (language, dialect, domain) the
annotator qualifies for, by the skills on their membership and the project's `min_language_level`."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import update

from consenso.store.database import Database
from consenso.store.models import Membership, Task
from tests.conftest import Actor, Factory, World

ES_CO_MEDICAL = {"languages": [{"code": "es", "dialect": "es-CO", "level": "native"}], "domains": ["medical"]}


def _skills(db: Database, world: World, who: Actor, skills: dict[str, Any]) -> None:
    with db.write() as session:
        session.execute(
            update(Membership)
            .where(Membership.workspace_id == world.workspace_id, Membership.user_id == who.id)
            .values(skills=skills)
        )


def _require(
    db: Database,
    task_id: int,
    language: str | None = None,
    dialect: str | None = None,
    domain: str | None = None,
) -> None:
    with db.write() as session:
        session.execute(
            update(Task).where(Task.id == task_id).values(language=language, dialect=dialect, domain=domain)
        )


def _serve_all(client: TestClient, project_id: int, who: Actor) -> list[int]:
    """Every task ``next`` hands the annotator, skipping each one, until nothing is left."""
    served: list[int] = []
    for _ in range(50):
        r = client.get(f"/api/v1/projects/{project_id}/next", headers=who.headers)
        if r.status_code == 204:
            return served
        assert r.status_code == 200, r.text
        served.append(r.json()["id"])
        assert client.post(f"/api/v1/tasks/{served[-1]}/skip", headers=who.headers).status_code == 200
    raise AssertionError("next never ran out")


def _project(factory: Factory, world: World, n: int, name: str) -> tuple[int, list[int]]:
    project = factory.project(world.admin, world.workspace_id, overlap=3, name=name)
    return project, factory.tasks(world.admin, project, [f"{name} {i}" for i in range(n)])


def test_a_task_with_requirements_goes_only_to_a_qualified_annotator(
    app_client: TestClient, world: World, factory: Factory, db: Database
) -> None:
    project, t = _project(factory, world, 4, "routed")
    _require(db, t[0], dialect="es-CO", language="es", domain="medical")
    _require(db, t[2], language="es")
    _skills(db, world, world.annotator, ES_CO_MEDICAL)
    _skills(
        db, world, world.annotator2, {"languages": [{"code": "en", "level": "C2"}], "domains": ["medical"]}
    )

    assert _serve_all(app_client, project, world.annotator) == t
    assert _serve_all(app_client, project, world.annotator2) == [t[1], t[3]]
    # a member with no skills at all gets the tasks open to everyone only
    assert _serve_all(app_client, project, world.reviewer) == [t[1], t[3]]


def test_nothing_is_served_when_only_unqualified_tasks_are_left(
    app_client: TestClient, world: World, factory: Factory, db: Database
) -> None:
    project, t = _project(factory, world, 2, "only-legal")
    for task_id in t:
        _require(db, task_id, domain="legal")
    _skills(db, world, world.annotator, {"languages": [], "domains": ["legal"]})

    r = app_client.get(f"/api/v1/projects/{project}/next", headers=world.annotator2.headers)
    progress = app_client.get(f"/api/v1/projects/{project}/progress", headers=world.annotator2.headers).json()

    assert r.status_code == 204, r.text
    assert progress["available"] == 0
    assert (
        app_client.get(f"/api/v1/projects/{project}/progress", headers=world.annotator.headers).json()[
            "available"
        ]
        == 2
    )
    assert _serve_all(app_client, project, world.annotator) == t


def test_a_dialect_needs_that_dialect_and_a_language_the_minimum_level(
    app_client: TestClient, world: World, factory: Factory, db: Database
) -> None:
    project, t = _project(factory, world, 3, "levels")
    _require(db, t[0], language="es", dialect="es-MX")
    _require(db, t[1], language="es")
    _require(db, t[2], language="pt")
    # Spanish at B1 (below the default B2) with the Colombian dialect; Portuguese natively
    _skills(
        db,
        world,
        world.annotator,
        {"languages": [{"code": "es", "dialect": "es-CO", "level": "B1"}, {"code": "pt", "level": "native"}]},
    )

    assert _serve_all(app_client, project, world.annotator) == [t[2]]

    r = app_client.patch(
        f"/api/v1/projects/{project}",
        json={"qa": {"min_language_level": "B1"}},
        headers=world.manager.headers,
    )
    assert r.status_code == 200, r.text
    # now B1 Spanish qualifies for plain Spanish, but es-CO still does not cover es-MX
    assert _serve_all(app_client, project, world.annotator) == [t[1]]


def test_progress_counts_only_the_tasks_routed_to_the_caller(
    app_client: TestClient, world: World, factory: Factory, db: Database
) -> None:
    project, t = _project(factory, world, 5, "counted")
    _require(db, t[0], domain="finance")
    _require(db, t[1], language="es", dialect="es-CO")
    _skills(db, world, world.annotator, {"languages": [{"code": "es", "dialect": "es-CO", "level": "C1"}]})

    def available(who: Actor) -> int:
        return int(
            app_client.get(f"/api/v1/projects/{project}/progress", headers=who.headers).json()["available"]
        )

    assert (available(world.annotator), available(world.annotator2)) == (4, 3)


def test_gold_questions_are_routed_too(
    app_client: TestClient, world: World, factory: Factory, db: Database, monkeypatch: Any
) -> None:
    from consenso.services import annotate

    monkeypatch.setattr(annotate, "serve_gold_now", lambda *args: True)  # gold whenever one is left
    project, t = _project(factory, world, 6, "gold-routed")
    for task_id in t[:2]:
        r = app_client.put(
            f"/api/v1/tasks/{task_id}/gold",
            json={"result": {"sentiment": "neutral"}},
            headers=world.manager.headers,
        )
        assert r.status_code == 200, r.text
    _require(db, t[0], domain="medical")
    _skills(db, world, world.annotator, {"languages": [], "domains": ["medical"]})

    assert _serve_all(app_client, project, world.annotator) == t
    assert _serve_all(app_client, project, world.annotator2) == t[1:]
