"""``consenso qa finalize PROJECT [--redecide]``: the finalize pass, with a progress bar and a summary."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from consenso.core.qa import QaSettings
from consenso.services import annotate, finalize
from consenso.store.database import Database
from consenso.store.models import Adjudication, Project, Task
from tests.cli.conftest import RunCli, assert_failed, assert_ok
from tests.conftest import Actor, Factory, World


@pytest.fixture
def waiting(
    factory: Factory, world: World, db: Database, monkeypatch: pytest.MonkeyPatch
) -> tuple[int, list[int]]:
    """A Dawid-Skene project of overlap 2 where submissions leave the decision to the finalize pass: two
    tasks agreed on, one split, one with a single answer."""
    monkeypatch.setattr(finalize, "INLINE_FIT_LIMIT", 0)
    project = factory.project(world.admin, world.workspace_id, overlap=2, name="Waiting")
    with db.write() as session:
        session.execute(
            update(Project).where(Project.id == project).values(qa=QaSettings(method="dawid_skene").to_json())
        )
    tasks = factory.tasks(world.admin, project, ["one", "two", "three", "four"])
    votes: list[tuple[Actor, int, str]] = [
        (world.annotator, tasks[0], "positive"),
        (world.annotator2, tasks[0], "positive"),
        (world.annotator, tasks[1], "negative"),
        (world.annotator2, tasks[1], "negative"),
        (world.annotator, tasks[2], "positive"),
        (world.annotator2, tasks[2], "neutral"),
        (world.annotator, tasks[3], "neutral"),
    ]
    for who, task, label in votes:
        annotate.submit_annotation(db, who.principal, task, result={"sentiment": label}, lead_time_ms=500)
    return project, tasks


def _states(db: Database, tasks: list[int]) -> list[str]:
    with db.read() as session:
        return [
            t.qa_status for t in session.scalars(select(Task).where(Task.id.in_(tasks)).order_by(Task.id))
        ]


def _rows(db: Database) -> list[tuple[int, str]]:
    with db.read() as session:
        return [
            (a.task_id, a.method) for a in session.scalars(select(Adjudication).order_by(Adjudication.id))
        ]


def test_finalize_decides_the_waiting_tasks_and_prints_a_summary(
    run_cli: RunCli, db: Database, waiting: tuple[int, list[int]]
) -> None:
    project, tasks = waiting
    assert _states(db, tasks) == ["pending"] * 4

    result = run_cli(["qa", "finalize", str(project)])

    assert_ok(result)
    assert _states(db, tasks) == ["final", "final", "escalated", "pending"]
    assert _rows(db) == [(tasks[0], "dawid_skene"), (tasks[1], "dawid_skene"), (tasks[2], "escalated")]
    lines = result.stdout.splitlines()
    assert lines[-1] == (
        f"Project {project}: 3 tasks decided, 2 final, 1 escalated to adjudication; re-decided: 0 changed, "
        "0 unchanged."
    )
    for row in (["decided now", "3"], ["final label", "2"], ["escalated to adjudication", "1"]):
        assert any([c.strip() for c in line.strip("│┃ ").split("│")] == row for line in lines), row
    assert f"Finalizing project {project}" in result.stderr

    again = run_cli(["qa", "finalize", str(project), "--redecide"])

    assert_ok(again)
    assert again.stdout.splitlines()[-1] == (
        f"Project {project}: 0 tasks decided, 0 final, 0 escalated to adjudication; re-decided: 0 changed, "
        "3 unchanged."
    )
    assert len(_rows(db)) == 3


def test_in_spanish(run_cli: RunCli, db: Database, waiting: tuple[int, list[int]]) -> None:
    project, _ = waiting

    result = run_cli(["qa", "finalize", str(project)], CONSENSO_LANG="es")

    assert_ok(result)
    assert result.stdout.splitlines()[-1] == (
        f"Proyecto {project}: 3 tareas decididas, 2 finales, 1 enviadas a adjudicación; redecididas: 0 "
        "cambiaron, 0 sin cambios."
    )
    assert "decididas ahora" in result.stdout
    assert f"Finalizando el proyecto {project}" in result.stderr


def test_an_unknown_project_fails_cleanly(run_cli: RunCli, world: World) -> None:
    result = run_cli(["qa", "finalize", "999999"])
    assert_failed(result, "Error: Project not found.", after_progress=True)
    spanish = run_cli(["qa", "finalize", "999999"], CONSENSO_LANG="es")
    assert_failed(spanish, "Error: Proyecto: no se encontró.", after_progress=True)
