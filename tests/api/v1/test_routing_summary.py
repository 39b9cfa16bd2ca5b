"""GET /api/v1/projects/{id}/routing: per requirement combination, tasks, open tasks and qualified annotators.

The scene below is counted by hand: who may annotate, who is paused or inactive, whose skills meet which
requirement at the project's minimum language level, and which tasks still have a free slot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from consenso.core.permissions import Role
from consenso.services import workspaces
from consenso.store.database import Database
from consenso.store.models import AnnotatorPause, Project, Task, User
from tests.api.v1.assertions import assert_error
from tests.conftest import Actor, Factory

_NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@dataclass
class Scene:
    admin: Actor
    manager: Actor
    reviewer: Actor
    a1: Actor
    a2: Actor
    a3: Actor
    a4: Actor
    a5: Actor
    viewer: Actor
    outsider: Actor
    workspace_id: int
    project_id: int


def _req(
    language: str | None = None, dialect: str | None = None, domain: str | None = None
) -> dict[str, Any]:
    return {"language": language, "dialect": dialect, "domain": domain}


def _record(text: str, **requirements: str) -> dict[str, Any]:
    return {"data": {"text": text}, **({"requirements": requirements} if requirements else {})}


def _skills(scene_admin: Actor, db: Database, ws: int, who: Actor, skills: dict[str, Any]) -> None:
    workspaces.update_member(db, scene_admin.principal, ws, who.id, skills=skills)


@pytest.fixture
def scene(factory: Factory, db: Database) -> Scene:
    admin = factory.user(is_admin=True)
    ws = factory.workspace(admin)
    manager = factory.member(admin, ws, "manager")
    reviewer = factory.member(admin, ws, "reviewer")
    a1, a2, a3, a4, a5 = (factory.member(admin, ws, "annotator") for _ in range(5))
    viewer = factory.member(admin, ws, "viewer")
    other = factory.workspace(admin, "Other")
    outsider = factory.member(admin, other, "annotator")
    native_es = {"languages": [{"code": "es", "level": "native"}]}
    _skills(admin, db, ws, reviewer, native_es)
    _skills(
        admin,
        db,
        ws,
        a1,
        {"languages": [{"code": "es", "dialect": "es-CO", "level": "C1"}], "domains": ["medical"]},
    )
    _skills(
        admin,
        db,
        ws,
        a2,
        {"languages": [{"code": "es", "level": "B1"}, {"code": "en", "level": "native"}]},
    )
    legal_en = {"languages": [{"code": "en", "level": "C2"}], "domains": ["legal"]}
    _skills(admin, db, ws, a3, legal_en)  # paused below
    _skills(admin, db, ws, a4, legal_en)  # deactivated below
    _skills(admin, db, ws, a5, {"languages": [{"code": "pt", "level": "native"}]})
    _skills(admin, db, ws, viewer, native_es)  # may not annotate
    workspaces.add_member(db, admin.principal, other, role=Role.ANNOTATOR, user_id=a1.id)
    _skills(admin, db, other, outsider, native_es)  # another workspace

    project = factory.project(admin, ws, overlap=2)
    factory.records(
        admin,
        project,
        [
            _record("open 1"),
            _record("open 2"),
            _record("open 3"),
            _record("es 1", language="es"),
            _record("es 2 full", language="es"),
            _record("colombian medical", dialect="es-CO", domain="medical"),
            _record("legal 1", language="en", domain="legal"),
            _record("legal 2", language="en", domain="legal"),
            _record("german", language="de"),
            _record("german full", language="de"),
            _record("french full", language="fr"),
            {
                "data": {"text": "gold ja"},
                "gold": {"result": {"sentiment": "neutral"}},
                "requirements": {"language": "ja"},
            },
            {"data": {"text": "gold open"}, "gold": {"result": {"sentiment": "positive"}}},
        ],
    )
    with db.write() as session:
        session.execute(
            update(Task)
            .where(
                Task.project_id == project,
                Task.data["text"].as_string().in_(["es 2 full", "german full", "french full"]),
            )
            .values(slots_taken=Task.overlap)
        )
        session.add(
            AnnotatorPause(
                project_id=project, user_id=a3.id, reason="gold_accuracy", gold_answers=5, paused_at=_NOW
            )
        )
        # a pause in another project, and a resumed one here, hold nobody off
        session.add(
            AnnotatorPause(
                project_id=project,
                user_id=a2.id,
                reason="manual",
                gold_answers=0,
                paused_at=_NOW,
                resumed_at=_NOW,
            )
        )
        session.execute(update(User).where(User.id == a4.id).values(is_active=False))
    other_project = factory.project(admin, ws, name="Other project")
    with db.write() as session:
        session.add(
            AnnotatorPause(
                project_id=other_project, user_id=a1.id, reason="manual", gold_answers=0, paused_at=_NOW
            )
        )
    return Scene(admin, manager, reviewer, a1, a2, a3, a4, a5, viewer, outsider, ws, project)


def _get(client: TestClient, scene: Scene, who: Actor, **headers: str) -> Any:
    return client.get(f"/api/v1/projects/{scene.project_id}/routing", headers={**who.headers, **headers})


def _expected(scene: Scene) -> dict[str, Any]:
    everyone = sorted(
        [scene.admin.id, scene.manager.id, scene.reviewer.id, scene.a1.id, scene.a2.id, scene.a5.id]
    )
    return {
        "project_id": scene.project_id,
        "min_language_level": "B2",
        # admin, manager, reviewer, a1, a2, a5; a3 is paused, a4 inactive, the viewer may not annotate
        "annotators": 6,
        "paused_annotators": 1,
        "rows": [
            # unstaffed first: a2 speaks English but not law, a3 is paused, a4 inactive
            {
                "requirements": _req("en", None, "legal"),
                "tasks": 2,
                "open_tasks": 2,
                "qualified_annotators": 0,
                "unstaffed": True,
                "qualified_user_ids": [],
            },
            {
                "requirements": _req("de"),
                "tasks": 2,
                "open_tasks": 1,
                "qualified_annotators": 0,
                "unstaffed": True,
                "qualified_user_ids": [],
            },
            # then by open tasks, most first; gold tasks count nowhere
            {
                "requirements": _req(),
                "tasks": 3,
                "open_tasks": 3,
                "qualified_annotators": 6,
                "unstaffed": False,
                "qualified_user_ids": everyone,
            },
            # a2's Spanish is B1, below the project's B2
            {
                "requirements": _req("es"),
                "tasks": 2,
                "open_tasks": 1,
                "qualified_annotators": 2,
                "unstaffed": False,
                "qualified_user_ids": sorted([scene.reviewer.id, scene.a1.id]),
            },
            # the reviewer's Spanish has no dialect
            {
                "requirements": _req("es", "es-CO", "medical"),
                "tasks": 1,
                "open_tasks": 1,
                "qualified_annotators": 1,
                "unstaffed": False,
                "qualified_user_ids": [scene.a1.id],
            },
            # no open task: nothing to act on
            {
                "requirements": _req("fr"),
                "tasks": 1,
                "open_tasks": 0,
                "qualified_annotators": 0,
                "unstaffed": False,
                "qualified_user_ids": [],
            },
        ],
    }


def test_manager_reads_the_hand_counted_summary(app_client: TestClient, scene: Scene) -> None:
    r = _get(app_client, scene, scene.manager)

    assert r.status_code == 200, r.text
    assert r.json() == _expected(scene)


def test_instance_admin_reads_the_same(app_client: TestClient, scene: Scene) -> None:
    r = _get(app_client, scene, scene.admin)

    assert r.status_code == 200, r.text
    assert r.json() == _expected(scene)


def test_a_reviewer_reads_counts_without_user_ids(app_client: TestClient, scene: Scene) -> None:
    r = _get(app_client, scene, scene.reviewer)

    assert r.status_code == 200, r.text
    expected = _expected(scene)
    for row in expected["rows"]:
        row["qualified_user_ids"] = None
    assert r.json() == expected


def test_the_project_minimum_level_decides(app_client: TestClient, scene: Scene, db: Database) -> None:
    with db.write() as session:
        session.execute(
            update(Project).where(Project.id == scene.project_id).values(qa={"min_language_level": "B1"})
        )

    rows = {
        (row["requirements"]["language"], row["requirements"]["dialect"], row["requirements"]["domain"]): row
        for row in _get(app_client, scene, scene.manager).json()["rows"]
    }

    assert rows[("es", None, None)]["qualified_user_ids"] == sorted(
        [scene.reviewer.id, scene.a1.id, scene.a2.id]
    )
    assert _get(app_client, scene, scene.manager).json()["min_language_level"] == "B1"


def test_resuming_and_skills_change_the_staffing(app_client: TestClient, scene: Scene, db: Database) -> None:
    with db.write() as session:
        session.execute(
            update(AnnotatorPause)
            .where(AnnotatorPause.project_id == scene.project_id, AnnotatorPause.user_id == scene.a3.id)
            .values(resumed_at=_NOW)
        )
    patched = app_client.patch(
        f"/api/v1/workspaces/{scene.workspace_id}/members/{scene.a5.id}",
        json={"skills": {"languages": [{"code": "de", "level": "C1"}]}},
        headers=scene.manager.headers,
    )
    assert patched.status_code == 200, patched.text

    body = _get(app_client, scene, scene.manager).json()

    assert (body["annotators"], body["paused_annotators"]) == (7, 0)
    assert [row["unstaffed"] for row in body["rows"]] == [False] * 6
    by_requirement = {(r["requirements"]["language"], r["requirements"]["domain"]): r for r in body["rows"]}
    assert by_requirement[("en", "legal")]["qualified_user_ids"] == [scene.a3.id]
    assert by_requirement[("de", None)]["qualified_user_ids"] == [scene.a5.id]


def test_a_project_without_tasks_has_no_rows(app_client: TestClient, factory: Factory) -> None:
    admin = factory.user(is_admin=True)
    ws = factory.workspace(admin)
    project = factory.project(admin, ws)

    r = app_client.get(f"/api/v1/projects/{project}/routing", headers=admin.headers)

    assert r.status_code == 200, r.text
    assert r.json() == {
        "project_id": project,
        "min_language_level": "B2",
        "annotators": 1,  # the workspace's creator, its admin member
        "paused_annotators": 0,
        "rows": [],
    }


def test_qualified_user_ids_are_capped_but_counted(
    app_client: TestClient, factory: Factory, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from consenso.services import routing

    monkeypatch.setattr(routing, "MAX_LISTED_USERS", 2)
    admin = factory.user(is_admin=True)
    ws = factory.workspace(admin)
    people = [factory.member(admin, ws, "annotator") for _ in range(3)]
    project = factory.project(admin, ws)
    factory.records(admin, project, [_record("x")])

    [row] = app_client.get(f"/api/v1/projects/{project}/routing", headers=admin.headers).json()["rows"]

    assert row["qualified_annotators"] == 4  # the workspace's admin member and the three annotators
    assert row["qualified_user_ids"] == sorted([admin.id, *(p.id for p in people)])[:2]


@pytest.mark.parametrize("who", ["a1", "viewer"])
def test_annotators_and_viewers_are_refused(app_client: TestClient, scene: Scene, who: str) -> None:
    assert_error(_get(app_client, scene, getattr(scene, who)), 403, "permission_denied")


def test_outsider_and_unknown_project_get_404(app_client: TestClient, scene: Scene) -> None:
    r = _get(app_client, scene, scene.outsider)
    assert assert_error(r, 404, "not_found")["message"] == "Project not found."
    unknown = app_client.get("/api/v1/projects/987654/routing", headers=scene.admin.headers)
    assert assert_error(unknown, 404, "not_found")["message"] == "Project not found."
