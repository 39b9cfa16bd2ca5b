"""GET /api/v1/projects/{id}/annotations: cursor-paginated; annotators see only their own.

Each annotation carries its current verdict (``review``): annotators thus see the verdicts on their own work,
and nothing about anyone else's.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from consenso.store.database import Database
from consenso.store.models import Annotation
from tests.api.v1.assertions import When, assert_error
from tests.conftest import World


def _annotate(client: TestClient, world: World) -> None:
    """annotator labels tasks 0-2, annotator2 tasks 1-3 (overlap 2 leaves room for both)."""
    plan = [(world.annotator, i, "positive") for i in range(3)] + [
        (world.annotator2, i, "negative") for i in (1, 2, 3)
    ]
    for who, index, label in plan:
        r = client.post(
            f"/api/v1/tasks/{world.task_ids[index]}/annotations",
            json={"result": {"sentiment": label}, "lead_time_ms": 100 + index},
            headers=who.headers,
        )
        assert r.status_code == 201, r.text


def _expected(db: Database, annotator_id: int | None = None) -> list[dict[str, Any]]:
    with db.read() as session:
        stmt = select(Annotation).order_by(Annotation.id)
        if annotator_id is not None:
            stmt = stmt.where(Annotation.annotator_id == annotator_id)
        return [
            {
                "id": a.id,
                "task_id": a.task_id,
                "project_id": a.project_id,
                "annotator_id": a.annotator_id,
                "result": a.result,
                "lead_time_ms": a.lead_time_ms,
                "origin": "human",
                "schema_version_id": a.schema_version_id,
                "guideline_version_id": None,
                "created_at": When(a.created_at),
                "review": None,
            }
            for a in session.scalars(stmt)
        ]


def test_annotator_sees_only_their_own(app_client: TestClient, world: World, db: Database) -> None:
    _annotate(app_client, world)

    r = app_client.get(f"/api/v1/projects/{world.project_id}/annotations", headers=world.annotator2.headers)

    assert r.status_code == 200, r.text
    expected = _expected(db, world.annotator2.id)
    assert len(expected) == 3
    assert r.json() == {"items": expected, "next_cursor": None}


def test_annotator_cannot_peek_with_task_id(app_client: TestClient, world: World) -> None:
    _annotate(app_client, world)

    r = app_client.get(
        f"/api/v1/projects/{world.project_id}/annotations",
        params={"task_id": world.task_ids[3]},
        headers=world.annotator.headers,
    )

    assert r.status_code == 200, r.text
    assert r.json() == {"items": [], "next_cursor": None}


def test_reviewer_sees_everything(app_client: TestClient, world: World, db: Database) -> None:
    _annotate(app_client, world)

    r = app_client.get(f"/api/v1/projects/{world.project_id}/annotations", headers=world.reviewer.headers)

    assert r.status_code == 200, r.text
    assert r.json() == {"items": _expected(db), "next_cursor": None}
    assert len(r.json()["items"]) == 6


def test_filter_by_task(app_client: TestClient, world: World) -> None:
    _annotate(app_client, world)

    r = app_client.get(
        f"/api/v1/projects/{world.project_id}/annotations",
        params={"task_id": world.task_ids[1]},
        headers=world.manager.headers,
    )

    assert [(a["task_id"], a["annotator_id"]) for a in r.json()["items"]] == [
        (world.task_ids[1], world.annotator.id),
        (world.task_ids[1], world.annotator2.id),
    ]


def test_cursor_walks_every_annotation_once(app_client: TestClient, world: World, db: Database) -> None:
    _annotate(app_client, world)
    expected = [a["id"] for a in _expected(db)]

    seen: list[int] = []
    cursor: str | None = None
    for _ in range(10):
        params: dict[str, Any] = {"limit": 4}
        if cursor:
            params["cursor"] = cursor
        page = app_client.get(
            f"/api/v1/projects/{world.project_id}/annotations", params=params, headers=world.viewer.headers
        ).json()
        seen.extend(a["id"] for a in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == expected


def test_invalid_cursor_is_400(app_client: TestClient, world: World) -> None:
    r = app_client.get(
        f"/api/v1/projects/{world.project_id}/annotations",
        params={"cursor": "@@"},
        headers=world.reviewer.headers,
    )

    assert_error(r, 400, "invalid_cursor")


def test_outsider_is_404(app_client: TestClient, world: World) -> None:
    r = app_client.get(f"/api/v1/projects/{world.project_id}/annotations", headers=world.outsider.headers)

    assert_error(r, 404, "not_found")


def _review(client: TestClient, annotation_id: int, headers: dict[str, str], **body: Any) -> Any:
    r = client.post(f"/api/v1/annotations/{annotation_id}/reviews", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def test_annotators_see_the_current_verdict_on_their_own_annotations_only(
    app_client: TestClient, world: World, db: Database
) -> None:
    _annotate(app_client, world)
    mine = _expected(db, world.annotator.id)
    theirs = _expected(db, world.annotator2.id)
    _review(app_client, mine[0]["id"], world.reviewer.headers, verdict="accepted")
    rejected = _review(
        app_client, mine[0]["id"], world.manager.headers, verdict="rejected", comment="Read it again."
    )
    fixed = _review(
        app_client,
        mine[1]["id"],
        world.reviewer.headers,
        verdict="fixed",
        fixed_result={"sentiment": "neutral"},
    )
    _review(app_client, theirs[0]["id"], world.reviewer.headers, verdict="rejected", comment="Secret note.")

    r = app_client.get(f"/api/v1/projects/{world.project_id}/annotations", headers=world.annotator.headers)

    assert r.status_code == 200, r.text
    mine[0]["review"] = {
        "verdict": "rejected",
        "comment": "Read it again.",
        "fixed_result": None,
        "reviewed_at": rejected["created_at"],
    }
    mine[1]["review"] = {
        "verdict": "fixed",
        "comment": "",
        "fixed_result": {"sentiment": "neutral"},
        "reviewed_at": fixed["created_at"],
    }
    assert r.json() == {"items": mine, "next_cursor": None}
    assert "Secret note." not in r.text


def test_reviewers_see_every_current_verdict(app_client: TestClient, world: World, db: Database) -> None:
    _annotate(app_client, world)
    expected = _expected(db)
    review = _review(app_client, expected[-1]["id"], world.reviewer.headers, verdict="accepted", comment="ok")

    r = app_client.get(f"/api/v1/projects/{world.project_id}/annotations", headers=world.viewer.headers)

    expected[-1]["review"] = {
        "verdict": "accepted",
        "comment": "ok",
        "fixed_result": None,
        "reviewed_at": review["created_at"],
    }
    assert r.json() == {"items": expected, "next_cursor": None}
