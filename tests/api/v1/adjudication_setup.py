"""A panel for the finalization and adjudication tests: a sentiment project of overlap 3 with three annotators,
helpers to vote and to read a task's finalization state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from consenso.core.qa import QaSettings
from consenso.store.database import Database
from consenso.store.models import Adjudication, AuditEvent, Project, Task
from tests.conftest import Actor, Factory, World


@dataclass
class Panel:
    world: World
    annotators: list[Actor]  # A, B, C
    project_id: int
    task_ids: list[int]


def make_panel(
    factory: Factory, world: World, *, overlap: int = 3, tasks: int = 6, schema: dict[str, Any] | None = None
) -> Panel:
    third = factory.member(world.admin, world.workspace_id, "annotator")
    project = factory.project(world.admin, world.workspace_id, overlap=overlap, name="Panel", schema=schema)
    ids = factory.tasks(world.admin, project, [f"panel text {i}" for i in range(tasks)])
    return Panel(world, [world.annotator, world.annotator2, third], project, ids)


def submit(client: TestClient, task_id: int, who: Actor, result: dict[str, Any]) -> dict[str, Any]:
    r = client.post(f"/api/v1/tasks/{task_id}/annotations", json={"result": result}, headers=who.headers)
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def vote(client: TestClient, panel: Panel, task_id: int, labels: list[str]) -> list[dict[str, Any]]:
    """The panel's annotators, in order, answer ``sentiment`` with ``labels``."""
    return [
        submit(client, task_id, who, {"sentiment": label})
        for who, label in zip(panel.annotators[: len(labels)], labels, strict=True)
    ]


def set_qa(db: Database, project_id: int, **settings: Any) -> None:
    with db.write() as session:
        session.execute(
            update(Project).where(Project.id == project_id).values(qa=QaSettings.parse(settings).to_json())
        )


def make_gold(db: Database, task_id: int, expected: dict[str, Any], *, overlap: int | None = None) -> None:
    """Turn a task nobody answered into a gold task (as an import of a gold record would store it)."""
    from consenso.core.qa import GOLD_OVERLAP

    with db.write() as session:
        session.execute(
            update(Task).where(Task.id == task_id).values(gold=expected, overlap=overlap or GOLD_OVERLAP)
        )


def status(db: Database, task_id: int) -> str:
    with db.read() as session:
        task = session.get(Task, task_id)
        assert task is not None
        return task.qa_status


def history(db: Database, task_id: int) -> list[Adjudication]:
    with db.read() as session:
        return list(
            session.scalars(
                select(Adjudication).where(Adjudication.task_id == task_id).order_by(Adjudication.id)
            )
        )


def events(db: Database, action: str) -> list[AuditEvent]:
    with db.read() as session:
        return list(
            session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
        )
