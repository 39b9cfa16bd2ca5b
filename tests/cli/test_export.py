"""``consenso export PROJECT [-o FILE]``: one JSON object a line per task, with its annotations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import select

from consenso.core.aggregation import AGGREGATORS
from consenso.services import annotate
from consenso.store.database import Database
from consenso.store.models import Adjudication, Annotation, AuditEvent, Task
from tests.api.v1.assertions import When
from tests.cli.conftest import RunCli, assert_failed, assert_ok
from tests.conftest import Factory, World
from tests.quality_project import make_quality_project


def _annotate(db: Database, world: World) -> None:
    for who, label in ((world.annotator, "positive"), (world.annotator2, "negative")):
        annotate.submit_annotation(
            db, who.principal, world.task_ids[1], result={"sentiment": label}, lead_time_ms=700
        )
    annotate.submit_annotation(
        db, world.annotator.principal, world.task_ids[3], result={"sentiment": "neutral"}, lead_time_ms=None
    )


def _expected(db: Database, project_id: int) -> list[dict[str, Any]]:
    """What the export must hold, read from the database."""
    with db.read() as session:
        tasks = session.scalars(select(Task).where(Task.project_id == project_id).order_by(Task.id)).all()
        annotations = session.scalars(select(Annotation).order_by(Annotation.id)).all()
        return [
            {
                "id": task.id,
                "data": task.data,
                "meta": task.meta,
                "annotations": [
                    {
                        "id": a.id,
                        "annotator_id": a.annotator_id,
                        "result": a.result,
                        "lead_time_ms": a.lead_time_ms,
                        "created_at": When(a.created_at),
                    }
                    for a in annotations
                    if a.task_id == task.id
                ],
                "qa_status": task.qa_status,
                "final": _final(session, task),
            }
            for task in tasks
        ]


def _final(session: Any, task: Task) -> dict[str, Any] | None:
    """The task's current final label as an export line gives it (null unless the task is final)."""
    if task.qa_status != "final":
        return None
    rows = session.scalars(
        select(Adjudication).where(Adjudication.task_id == task.id).order_by(Adjudication.id)
    ).all()
    row = [r for r in rows if r.method not in ("escalated", "reopened")][-1]
    return {
        "result": row.result,
        "method": row.method,
        "confidence": row.confidence,
        "agreement": row.agreement,
        "decided_by": row.decided_by,
        "reasoning": row.reasoning,
        "decided_at": When(row.created_at),
        "status": "final",
    }


def test_export_to_a_file_writes_one_line_per_task(
    run_cli: RunCli, db: Database, world: World, tmp_path: Path
) -> None:
    _annotate(db, world)
    output = tmp_path / "export.jsonl"

    result = run_cli(["export", str(world.project_id), "-o", str(output)])

    assert_ok(result)
    content = output.read_bytes()
    assert result.stdout == f"Exported 5 tasks ({len(content) / 1e6:.1f} MB) to {output}.\n"
    assert f"Exporting project {world.project_id}" in result.stderr
    assert content.endswith(b"\n")
    lines = [orjson.loads(line) for line in content.splitlines()]
    assert all(list(line) == ["id", "data", "meta", "annotations", "qa_status", "final"] for line in lines)
    assert lines == _expected(db, world.project_id)
    assert [len(line["annotations"]) for line in lines] == [0, 2, 0, 1, 0]
    assert [a["result"] for a in lines[1]["annotations"]] == [
        {"sentiment": "positive"},
        {"sentiment": "negative"},
    ]
    assert lines[1]["annotations"][0]["created_at"].endswith("Z")
    with db.read() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "project.export")).one()
    # the operator acts as the first instance admin
    assert (event.actor_id, event.object_id, event.details) == (
        world.admin.id,
        str(world.project_id),
        {"format": "jsonl"},
    )


def test_export_as_csv_counts_tasks_not_line_breaks(
    run_cli: RunCli, db: Database, world: World, tmp_path: Path
) -> None:
    """``--format csv`` writes the spreadsheet table; a cell holding line breaks does not inflate the count."""
    extra = tmp_path / "more.jsonl"
    extra.write_bytes(orjson.dumps({"data": {"text": "línea 1\nlínea 2\n=línea 3"}}) + b"\n")
    assert_ok(run_cli(["import", str(world.project_id), str(extra)]))
    output = tmp_path / "export.csv"

    result = run_cli(["export", str(world.project_id), "-o", str(output), "--format", "csv"])

    assert_ok(result)
    content = output.read_bytes()
    assert result.stdout == f"Exported 6 tasks ({len(content) / 1e6:.1f} MB) to {output}.\n"
    assert content.startswith("\ufeffid,data.text,qa_status,annotation_count,".encode())
    assert content.endswith('"línea 1\nlínea 2\n=línea 3",pending,0,,,,,,\r\n'.encode())


def test_export_to_stdout_writes_only_the_lines(
    run_cli: RunCli, db: Database, world: World, tmp_path: Path
) -> None:
    _annotate(db, world)
    unicode_task = tmp_path / "more.jsonl"
    unicode_task.write_bytes(orjson.dumps({"data": {"text": "¿Qué tal? 😀"}, "meta": {"lang": "es"}}) + b"\n")
    assert_ok(run_cli(["import", str(world.project_id), str(unicode_task)]))
    to_file = tmp_path / "export.jsonl"
    assert_ok(run_cli(["export", str(world.project_id), "--output", str(to_file)]))

    result = run_cli(["export", str(world.project_id)])

    assert_ok(result)
    assert result.stdout_bytes == to_file.read_bytes()
    lines = [orjson.loads(line) for line in result.stdout_bytes.splitlines()]
    assert lines == _expected(db, world.project_id)
    assert lines[-1]["data"] == {"text": "¿Qué tal? 😀"}
    assert result.stderr == ""


def test_export_of_an_empty_project(run_cli: RunCli, db: Database, factory: Factory, tmp_path: Path) -> None:
    admin = factory.user(is_admin=True)
    project = factory.project(admin, factory.workspace(admin))
    output = tmp_path / "empty.jsonl"

    result = run_cli(["export", str(project), "-o", str(output)])

    assert_ok(result)
    assert output.read_bytes() == b""
    assert result.stdout == f"Exported 0 tasks (0.0 MB) to {output}.\n"


def test_export_in_spanish(run_cli: RunCli, db: Database, world: World, tmp_path: Path) -> None:
    output = tmp_path / "exportación.jsonl"

    result = run_cli(["export", str(world.project_id), "-o", str(output)], CONSENSO_LANG="es")

    assert_ok(result)
    assert result.stdout == f"Se exportaron 5 tareas (0.0 MB) a {output}.\n"


def test_export_names_a_path_with_brackets_as_written(
    run_cli: RunCli, db: Database, world: World, tmp_path: Path
) -> None:
    """``[v2]`` in a file name is not Rich markup: the message must name the file that was written."""
    output = tmp_path / "export[v2].jsonl"

    result = run_cli(["export", str(world.project_id), "-o", str(output)])

    assert_ok(result)
    assert output.is_file()
    assert result.stdout == f"Exported 5 tasks (0.0 MB) to {output}.\n"


def test_export_of_an_unknown_project_fails(
    run_cli: RunCli, db: Database, world: World, tmp_path: Path
) -> None:
    output = tmp_path / "export.jsonl"

    result = run_cli(["export", str(world.project_id + 1000), "-o", str(output)])

    assert_failed(result, "Error: Project not found.")
    assert not output.exists()


def test_export_in_an_unknown_format_fails(
    run_cli: RunCli, db: Database, world: World, tmp_path: Path
) -> None:
    output = tmp_path / "export.xml"

    result = run_cli(["export", str(world.project_id), "-o", str(output), "--format", "xml"])

    assert_failed(result, "Error: Export format 'xml' is not supported; use one of: jsonl, csv.")
    assert not output.exists()
    with db.read() as session:
        assert session.scalars(select(AuditEvent).where(AuditEvent.action == "project.export")).all() == []


def test_export_without_an_instance_admin_fails(run_cli: RunCli, db: Database, tmp_path: Path) -> None:
    result = run_cli(["export", "1", "-o", str(tmp_path / "x.jsonl")])

    assert_failed(
        result, "Error: No instance admin exists yet: create one with `consenso user add --email E --admin`."
    )
    assert not (tmp_path / "x.jsonl").exists()


def test_export_with_aggregate_adds_the_aggregated_labels(
    run_cli: RunCli, db: Database, factory: Factory, tmp_path: Path
) -> None:
    qp = make_quality_project(factory, db)
    output = tmp_path / "aggregated.jsonl"

    result = run_cli(["export", str(qp.project_id), "-o", str(output), "--aggregate", "majority_vote"])

    assert_ok(result)
    lines = [orjson.loads(line) for line in output.read_bytes().splitlines()]
    assert [line["aggregate"]["sentiment"] and line["aggregate"]["sentiment"]["label"] for line in lines] == [
        "positive",
        "negative",
        "neutral",
        "negative",
        "positive",
        None,
    ]
    assert lines[1]["aggregate"]["stars"] == {
        "method": "majority_vote",
        "label": 1,
        "confidence": pytest.approx(2 / 3),
    }
    # multi_choice: the vote per label (task 2: food ticked by 2 of 3); spans: the token vote
    assert lines[1]["aggregate"]["topics"] == {
        "method": "majority",
        "labels": ["food"],
        "confidence": pytest.approx(2 / 3),
        "probabilities": {"price": 0.0, "service": 0.0, "food": pytest.approx(2 / 3)},
    }
    assert [line["aggregate"]["entities"] for line in lines[:2]] == [
        {"method": "token_vote", "spans": [{"start": 0, "end": 3, "label": "PER", "support": 1.0}]},
        {"method": "token_vote", "spans": []},
    ]
    assert [{k: v for k, v in line.items() if k != "aggregate"} for line in lines] == _expected(
        db, qp.project_id
    )


def test_export_with_an_unknown_aggregation_method_fails(
    run_cli: RunCli, db: Database, world: World, tmp_path: Path
) -> None:
    output = tmp_path / "export.jsonl"

    result = run_cli(["export", str(world.project_id), "-o", str(output), "--aggregate", "glad"])

    assert_failed(
        result, f"Error: Aggregation method 'glad' does not exist; use one of: {', '.join(AGGREGATORS)}."
    )
    assert not output.exists()
