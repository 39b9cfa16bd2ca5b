"""GET /api/v1/projects/{id}/tasks: tasks in id order, by cursor or offset; annotators see only their own."""

from __future__ import annotations

import base64

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from consenso.store.database import Database
from consenso.store.models import Task
from tests.api.v1.assertions import When, assert_error
from tests.conftest import Factory, World


def _url(world: World) -> str:
    return f"/api/v1/projects/{world.project_id}/tasks"


def test_first_page_has_full_task_bodies(app_client: TestClient, world: World, db: Database) -> None:
    with db.read() as session:
        rows = session.scalars(
            select(Task).where(Task.project_id == world.project_id).order_by(Task.id)
        ).all()

    r = app_client.get(_url(world), headers=world.reviewer.headers)

    assert r.status_code == 200, r.text
    assert r.json() == {
        "items": [
            {
                "id": t.id,
                "project_id": world.project_id,
                "data": {"text": f"text number {i}"},
                "meta": {},
                "annotation_count": 0,
                "created_at": When(t.created_at),
                "requirements": {"language": None, "dialect": None, "domain": None},
            }
            for i, t in enumerate(rows)
        ],
        "next_cursor": None,
    }


def test_cursor_walks_every_task_exactly_once(app_client: TestClient, world: World, factory: Factory) -> None:
    more = factory.tasks(world.admin, world.project_id, [f"extra {i}" for i in range(8)])
    expected = sorted(set(world.task_ids) | set(more))
    assert len(expected) == 13

    seen: list[int] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, str | int] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        r = app_client.get(_url(world), params=params, headers=world.manager.headers)
        assert r.status_code == 200, r.text
        page = r.json()
        assert len(page["items"]) <= 3
        seen.extend(t["id"] for t in page["items"])
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
        assert pages < 10, "pagination does not end"

    assert seen == expected
    assert pages == 5  # 3 + 3 + 3 + 3 + 1


def test_last_full_page_has_no_next_cursor(app_client: TestClient, world: World) -> None:
    r = app_client.get(_url(world), params={"limit": 5}, headers=world.manager.headers)

    assert [t["id"] for t in r.json()["items"]] == world.task_ids
    assert r.json()["next_cursor"] is None


def test_offset_jumps_to_a_position(app_client: TestClient, world: World) -> None:
    r = app_client.get(_url(world), params={"offset": 2, "limit": 2}, headers=world.viewer.headers)

    assert r.status_code == 200, r.text
    page = r.json()
    assert [t["id"] for t in page["items"]] == world.task_ids[2:4]
    follow = app_client.get(_url(world), params={"cursor": page["next_cursor"]}, headers=world.viewer.headers)
    assert [t["id"] for t in follow.json()["items"]] == world.task_ids[4:]

    beyond = app_client.get(_url(world), params={"offset": 50}, headers=world.viewer.headers)
    assert beyond.json() == {"items": [], "next_cursor": None}


def test_cursor_and_offset_together_is_400(app_client: TestClient, world: World) -> None:
    first = app_client.get(_url(world), params={"limit": 1}, headers=world.manager.headers).json()

    r = app_client.get(
        _url(world), params={"cursor": first["next_cursor"], "offset": 1}, headers=world.manager.headers
    )

    assert_error(r, 400, "cursor_and_offset")


def _b64(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    ["not-a-cursor!", _b64("id:"), _b64("id:-4"), _b64("page:3"), _b64("id:abc"), "ñ"],
    ids=["garbage", "no-id", "negative", "other-kind", "not-a-number", "non-ascii"],
)
def test_invalid_cursor_is_400(app_client: TestClient, world: World, cursor: str) -> None:
    r = app_client.get(_url(world), params={"cursor": cursor}, headers=world.manager.headers)

    error = assert_error(r, 400, "invalid_cursor")
    assert error["message"] == "The pagination cursor is not valid; start again without it."


def test_cursor_past_64_bits_is_400_not_500(app_client: TestClient, world: World) -> None:
    r = app_client.get(_url(world), params={"cursor": _b64(f"id:{10**20}")}, headers=world.manager.headers)

    assert_error(r, 400, "invalid_cursor")


@pytest.mark.parametrize(
    ("params", "field"),
    [({"limit": 0}, "query.limit"), ({"limit": 1001}, "query.limit"), ({"offset": -1}, "query.offset")],
)
def test_out_of_range_query_is_422(
    app_client: TestClient, world: World, params: dict[str, int], field: str
) -> None:
    r = app_client.get(_url(world), params=params, headers=world.manager.headers)

    error = assert_error(r, 422, "validation_error")
    assert [d["field"] for d in error["details"]] == [field]


def test_annotator_sees_only_tasks_they_touched(app_client: TestClient, world: World) -> None:
    assert app_client.get(_url(world), headers=world.annotator.headers).json() == {
        "items": [],
        "next_cursor": None,
    }
    leased = app_client.get(
        f"/api/v1/projects/{world.project_id}/next", headers=world.annotator.headers
    ).json()
    skipped = app_client.post(f"/api/v1/tasks/{world.task_ids[3]}/skip", headers=world.annotator.headers)
    assert skipped.status_code == 200, skipped.text
    submitted = app_client.post(
        f"/api/v1/tasks/{world.task_ids[4]}/annotations",
        json={"result": {"sentiment": "neutral"}},
        headers=world.annotator.headers,
    )
    assert submitted.status_code == 201, submitted.text
    # someone else's work stays invisible
    other = app_client.get(
        f"/api/v1/projects/{world.project_id}/next", headers=world.annotator2.headers
    ).json()
    assert other["id"] == leased["id"]
    app_client.post(f"/api/v1/tasks/{world.task_ids[1]}/skip", headers=world.annotator2.headers)

    r = app_client.get(_url(world), headers=world.annotator.headers)

    assert r.status_code == 200, r.text
    assert [(t["id"], t["annotation_count"]) for t in r.json()["items"]] == [
        (leased["id"], 0),
        (world.task_ids[3], 0),
        (world.task_ids[4], 1),
    ]
    everyone = app_client.get(_url(world), headers=world.reviewer.headers).json()["items"]
    assert [t["id"] for t in everyone] == world.task_ids


def test_outsider_gets_404(app_client: TestClient, world: World) -> None:
    assert_error(app_client.get(_url(world), headers=world.outsider.headers), 404, "not_found")
