"""An annotator can never tell a gold task from another: the same responses (keys and types) from next, the
task list, submit, skip, undo and their own annotations; the same progress figures moving the same way; the
same SQL statements behind next and skip; no gold, expected result or QA field anywhere they can read. And
gold arrives at the configured rate, never alone."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from consenso.core.qa import serve_gold_now
from consenso.services import annotate
from consenso.store.database import Database
from tests.conftest import Actor, Factory, World


class GoldSwitch:
    """Stands in for ``serve_gold_now`` in ``next``: serve a gold task now or not, as the test says."""

    def __init__(self) -> None:
        self.gold = False

    def __call__(self, *args: Any) -> bool:
        return self.gold


@pytest.fixture
def switch(monkeypatch: pytest.MonkeyPatch) -> GoldSwitch:
    s = GoldSwitch()
    monkeypatch.setattr(annotate, "serve_gold_now", s)
    return s


def _shape(value: Any) -> Any:
    """The structure of a JSON value: object keys with the shapes of their values, type names elsewhere."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(v) for v in value]
    return type(value).__name__


def _mixed_project(
    client: TestClient, factory: Factory, world: World, ordinary: int, gold: int
) -> tuple[int, list[int], list[int]]:
    project = factory.project(world.admin, world.workspace_id, overlap=2, name="Blind")
    ids = factory.tasks(world.admin, project, [f"item {i}" for i in range(ordinary + gold)])
    for task_id in ids[:gold]:  # gold first: the lowest ids, so an ordinary scan would meet them first
        r = client.put(
            f"/api/v1/tasks/{task_id}/gold",
            json={"result": {"sentiment": "negative"}},
            headers=world.manager.headers,
        )
        assert r.status_code == 200, r.text
    return project, ids[gold:], ids[:gold]


def _progress(client: TestClient, project: int, who: Actor) -> dict[str, Any]:
    body: dict[str, Any] = client.get(f"/api/v1/projects/{project}/progress", headers=who.headers).json()
    return body


def _walk(client: TestClient, project: int, who: Actor) -> dict[str, Any]:
    """next → task list → submit → own annotations → undo → skip, with the progress after each step."""
    seen: dict[str, Any] = {}
    figures: list[tuple[int, int, int]] = []

    def snap() -> None:
        p = _progress(client, project, who)
        figures.append((p["submitted"], p["skipped"], p["available"]))

    snap()
    nxt = client.get(f"/api/v1/projects/{project}/next", headers=who.headers)
    assert nxt.status_code == 200, nxt.text
    task_id = nxt.json()["id"]
    seen["next"] = nxt.json()
    snap()
    submit = client.post(
        f"/api/v1/tasks/{task_id}/annotations",
        json={"result": {"sentiment": "positive"}, "lead_time_ms": 1200},
        headers=who.headers,
    )
    assert submit.status_code == 201, submit.text
    seen["submit"] = submit.json()
    snap()
    listed = client.get(f"/api/v1/projects/{project}/tasks", headers=who.headers).json()
    seen["task_list_item"] = next(t for t in listed["items"] if t["id"] == task_id)
    mine = client.get(f"/api/v1/projects/{project}/annotations", headers=who.headers).json()
    seen["annotation_list_item"] = next(a for a in mine["items"] if a["task_id"] == task_id)
    undo = client.delete(f"/api/v1/annotations/{submit.json()['id']}", headers=who.headers)
    assert undo.status_code == 200, undo.text
    seen["undo"] = undo.json()
    snap()
    skip = client.post(f"/api/v1/tasks/{task_id}/skip", headers=who.headers)
    assert skip.status_code == 200, skip.text
    seen["skip"] = skip.json()
    snap()
    seen["task_id"] = task_id
    seen["progress_moves"] = [
        tuple(b - a for a, b in zip(x, y, strict=True)) for x, y in itertools.pairwise(figures)
    ]
    return seen


def test_every_response_has_the_same_shape_for_a_gold_task(
    app_client: TestClient, factory: Factory, world: World, switch: GoldSwitch
) -> None:
    project, ordinary, gold = _mixed_project(app_client, factory, world, ordinary=4, gold=2)

    switch.gold = True
    on_gold = _walk(app_client, project, world.annotator)
    switch.gold = False
    on_ordinary = _walk(app_client, project, world.annotator)

    assert (on_gold["task_id"], on_ordinary["task_id"]) == (gold[0], ordinary[0])
    for key in ("next", "submit", "task_list_item", "annotation_list_item", "undo", "skip"):
        assert _shape(on_gold[key]) == _shape(on_ordinary[key]), key
    # the values that are not ids or times are the same too
    assert on_gold["next"]["meta"] == on_ordinary["next"]["meta"] == {}
    assert on_gold["next"]["prediction"] is on_ordinary["next"]["prediction"] is None
    assert (
        on_gold["task_list_item"]["annotation_count"]
        == on_ordinary["task_list_item"]["annotation_count"]
        == 1
    )
    assert on_gold["undo"]["task"]["id"] == gold[0]
    assert on_gold["skip"] == {"task_id": gold[0], "state": "skipped"}
    # progress moves the same way at every step (next, submit, undo, skip): no jump gives gold away
    assert (
        on_gold["progress_moves"]
        == on_ordinary["progress_moves"]
        == [(0, 0, 0), (1, 0, -1), (-1, 0, 1), (0, 1, -1)]
    )


def test_an_annotator_reads_nothing_about_gold_or_qa(
    app_client: TestClient, factory: Factory, world: World, switch: GoldSwitch
) -> None:
    project, ordinary, gold = _mixed_project(app_client, factory, world, ordinary=3, gold=2)
    # the gold task is popular: three people answer it, more than the project's overlap of 2
    for who in (world.annotator2, world.reviewer, world.manager):
        r = app_client.post(
            f"/api/v1/tasks/{gold[0]}/annotations",
            json={"result": {"sentiment": "negative"}},
            headers=who.headers,
        )
        assert r.status_code == 201, r.text
    switch.gold = True
    served = app_client.get(f"/api/v1/projects/{project}/next", headers=world.annotator.headers)
    assert served.json()["id"] == gold[0]
    submitted = app_client.post(
        f"/api/v1/tasks/{gold[0]}/annotations",
        json={"result": {"sentiment": "positive"}},
        headers=world.annotator.headers,
    )
    assert submitted.status_code == 201, submitted.text

    reads = {
        "project": app_client.get(f"/api/v1/projects/{project}", headers=world.annotator.headers),
        "projects": app_client.get("/api/v1/projects", headers=world.annotator.headers),
        "tasks": app_client.get(f"/api/v1/projects/{project}/tasks", headers=world.annotator.headers),
        "progress": app_client.get(f"/api/v1/projects/{project}/progress", headers=world.annotator.headers),
        "annotations": app_client.get(
            f"/api/v1/projects/{project}/annotations", headers=world.annotator.headers
        ),
        "next": served,
        "submit": submitted,
    }

    for name, r in reads.items():
        assert r.status_code in (200, 201), (name, r.text)
        text = r.text.lower()
        assert "gold" not in text and "expected" not in text and "qa_status" not in text, name
    assert reads["project"].json()["qa"] is None
    assert all(p["qa"] is None for p in reads["projects"].json())
    # four answers on the gold task show as the project's overlap, like any complete task
    (item,) = reads["tasks"].json()["items"]
    assert (item["id"], item["annotation_count"]) == (gold[0], 2)
    # the project reads as its ordinary tasks only
    assert reads["project"].json()["task_count"] == reads["progress"].json()["tasks_total"] == len(ordinary)


@contextmanager
def _statements(db: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(db.write_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.write_engine, "before_cursor_execute", record)


def test_next_and_skip_run_the_same_statements_for_a_gold_task(
    app_client: TestClient, factory: Factory, world: World, db: Database, switch: GoldSwitch
) -> None:
    """The use cases themselves (authentication, which may refresh a token's last use, left out)."""
    project, ordinary, gold = _mixed_project(app_client, factory, world, ordinary=3, gold=2)
    runs: dict[bool, tuple[int, list[str], list[str]]] = {}
    for gold_now in (True, False):
        switch.gold = gold_now
        with _statements(db) as on_next:
            leased = annotate.next_task(db, world.annotator.principal, project)
        assert leased is not None
        with _statements(db) as on_skip:
            annotate.skip_task(db, world.annotator.principal, leased.id)
        runs[gold_now] = (leased.id, list(on_next), list(on_skip))

    assert (runs[True][0], runs[False][0]) == (gold[0], ordinary[0])
    assert runs[True][1] == runs[False][1]
    assert runs[True][2] == runs[False][2]
    assert any("FROM task" in s for s in runs[True][1])  # the capture saw the work


def test_gold_arrives_at_the_configured_rate(
    app_client: TestClient, factory: Factory, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(annotate, "gold_rng", random.Random(2024))
    project = factory.project(world.admin, world.workspace_id, overlap=1, name="Rate")
    ids = factory.tasks(world.admin, project, [f"item {i}" for i in range(80)])
    gold = set(ids[:15])
    for task_id in gold:
        r = app_client.put(
            f"/api/v1/tasks/{task_id}/gold",
            json={"result": {"sentiment": "negative"}},
            headers=world.manager.headers,
        )
        assert r.status_code == 200, r.text
    assert (
        app_client.patch(
            f"/api/v1/projects/{project}", json={"qa": {"gold_rate": 0.1}}, headers=world.manager.headers
        ).status_code
        == 200
    )

    served: list[int] = []
    for _ in range(60):
        task_id = app_client.get(f"/api/v1/projects/{project}/next", headers=world.annotator.headers).json()[
            "id"
        ]
        served.append(task_id)
        r = app_client.post(
            f"/api/v1/tasks/{task_id}/annotations",
            json={"result": {"sentiment": "negative"}},
            headers=world.annotator.headers,
        )
        assert r.status_code == 201, r.text

    is_gold = [t in gold for t in served]
    # one gold question in every block of ten tasks, at places the pure policy picks with the same seed
    assert [sum(is_gold[b * 10 : (b + 1) * 10]) for b in range(6)] == [1] * 6
    rng, expected, count = random.Random(2024), [], 0
    for answered in range(60):
        now = serve_gold_now(answered, count, 0.1, rng)
        expected.append(now)
        count += now
    assert is_gold == expected
    assert len(set(served)) == 60  # never the same task twice
    assert [t for t in served if t not in gold] == [t for t in ids if t not in gold][:54]  # the rest in order


def test_gold_is_never_served_alone_nor_at_a_zero_rate(
    app_client: TestClient, factory: Factory, world: World, switch: GoldSwitch
) -> None:
    project, ordinary, gold = _mixed_project(app_client, factory, world, ordinary=2, gold=2)
    switch.gold = True

    served = []
    while (
        r := app_client.get(f"/api/v1/projects/{project}/next", headers=world.annotator.headers)
    ).status_code == 200:
        served.append(r.json()["id"])
        assert (
            app_client.post(f"/api/v1/tasks/{served[-1]}/skip", headers=world.annotator.headers).status_code
            == 200
        )

    assert served == [gold[0], gold[1], ordinary[0], ordinary[1]]

    # when the ordinary work is done, nothing is served though gold is left
    project, ordinary, gold = _mixed_project(app_client, factory, world, ordinary=1, gold=2)
    switch.gold = False
    first = app_client.get(f"/api/v1/projects/{project}/next", headers=world.annotator.headers).json()["id"]
    assert first == ordinary[0]
    app_client.post(
        f"/api/v1/tasks/{first}/annotations",
        json={"result": {"sentiment": "neutral"}},
        headers=world.annotator.headers,
    )
    switch.gold = True
    assert (
        app_client.get(f"/api/v1/projects/{project}/next", headers=world.annotator.headers).status_code == 204
    )
    assert (
        _progress(app_client, project, world.annotator)["available"] == 2
    )  # the two gold questions never come

    # a gold rate of 0 serves no gold, whatever the policy would say
    project, ordinary, gold = _mixed_project(app_client, factory, world, ordinary=2, gold=2)
    assert (
        app_client.patch(
            f"/api/v1/projects/{project}", json={"qa": {"gold_rate": 0}}, headers=world.manager.headers
        ).status_code
        == 200
    )
    served = []
    while (
        r := app_client.get(f"/api/v1/projects/{project}/next", headers=world.annotator.headers)
    ).status_code == 200:
        served.append(r.json()["id"])
        assert (
            app_client.post(f"/api/v1/tasks/{served[-1]}/skip", headers=world.annotator.headers).status_code
            == 200
        )
    assert served == ordinary
    assert _progress(app_client, project, world.annotator)["available"] == 0


def test_next_counts_nothing_without_gold_or_at_a_zero_rate(
    app_client: TestClient, factory: Factory, world: World, db: Database
) -> None:
    plain = factory.project(world.admin, world.workspace_id, overlap=2, name="Plain")
    factory.tasks(world.admin, plain, ["a", "b"])
    zero, _, _ = _mixed_project(app_client, factory, world, ordinary=2, gold=1)
    assert (
        app_client.patch(
            f"/api/v1/projects/{zero}", json={"qa": {"gold_rate": 0}}, headers=world.manager.headers
        ).status_code
        == 200
    )
    with_gold, _, _ = _mixed_project(app_client, factory, world, ordinary=2, gold=1)

    counted = {}
    for name, project in (("plain", plain), ("zero", zero), ("gold", with_gold)):
        with _statements(db) as seen:
            assert annotate.next_task(db, world.annotator.principal, project) is not None
        counted[name] = sum("count(" in s.lower() for s in seen)

    assert counted == {"plain": 0, "zero": 0, "gold": 1}
