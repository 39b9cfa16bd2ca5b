"""``consenso import PROJECT FILE``: JSONL, a JSON array or CSV, all or nothing, as the first instance admin."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import select

from consenso.store.database import Database
from consenso.store.models import AuditEvent, Project, Task, User
from tests.cli.conftest import RunCli, assert_failed, assert_ok
from tests.conftest import Factory

NO_ADMIN = "Error: No instance admin exists yet: create one with `consenso user add --email E --admin`."


@dataclass
class Target:
    admin_id: int
    project_id: int


@pytest.fixture
def target(factory: Factory) -> Target:
    admin = factory.user(is_admin=True, email="admin@example.test")
    workspace = factory.workspace(admin)
    return Target(admin.id, factory.project(admin, workspace))


def _tasks(db: Database, project_id: int) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    with db.read() as session:
        rows = session.execute(
            select(Task.data, Task.meta).where(Task.project_id == project_id).order_by(Task.id)
        ).all()
    return [(data, meta) for data, meta in rows]


def _task_count(db: Database, project_id: int) -> int:
    with db.read() as session:
        project = session.get(Project, project_id)
        assert project is not None
        return project.task_count


def _jsonl(path: Path, *records: Any) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return path


def test_import_jsonl_prints_the_counts_and_stores_the_tasks(
    run_cli: RunCli, db: Database, target: Target, tmp_path: Path
) -> None:
    path = tmp_path / "tasks.jsonl"
    path.write_text(
        '{"data": {"text": "uno"}, "meta": {"source": "web"}}\n'
        "\n"
        '{"data": {"text": "dos"}}\n'
        '{"data": {"text": "uno"}, "meta": {"source": "other"}}\n'
    )

    result = run_cli(["import", str(target.project_id), str(path)])

    assert_ok(result)
    assert result.stdout == "Imported 2 new tasks (1 exact duplicates skipped); the project has 2.\n"
    assert "Importing tasks.jsonl" in result.stderr
    assert _tasks(db, target.project_id) == [({"text": "uno"}, {"source": "web"}), ({"text": "dos"}, {})]
    assert _task_count(db, target.project_id) == 2
    with db.read() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "task.import")).one()
    assert (event.actor_id, event.origin, event.object_id, event.details) == (
        target.admin_id,
        "cli",
        str(target.project_id),
        {"received": 3, "created": 2, "format": "jsonl"},
    )


def test_import_a_json_array(run_cli: RunCli, db: Database, target: Target, tmp_path: Path) -> None:
    path = tmp_path / "tasks.json"
    path.write_bytes(orjson.dumps([{"data": {"text": "a"}}, {"data": {"text": "b"}, "meta": {"n": 2}}]))

    result = run_cli(["import", str(target.project_id), str(path)])

    assert_ok(result)
    assert result.stdout == "Imported 2 new tasks (0 exact duplicates skipped); the project has 2.\n"
    assert _tasks(db, target.project_id) == [({"text": "a"}, {}), ({"text": "b"}, {"n": 2})]


def test_import_csv_with_meta_columns(run_cli: RunCli, db: Database, target: Target, tmp_path: Path) -> None:
    path = tmp_path / "Tasks.CSV"
    path.write_text('text,meta.source\nhola,web\n"a, ""quoted"" b",file\n', encoding="utf-8")

    result = run_cli(["import", str(target.project_id), str(path)])

    assert_ok(result)
    assert result.stdout == "Imported 2 new tasks (0 exact duplicates skipped); the project has 2.\n"
    assert _tasks(db, target.project_id) == [
        ({"text": "hola"}, {"source": "web"}),
        ({"text": 'a, "quoted" b'}, {"source": "file"}),
    ]


def test_a_second_import_adds_to_the_project_and_skips_duplicates(
    run_cli: RunCli, db: Database, target: Target, tmp_path: Path
) -> None:
    first = _jsonl(tmp_path / "a.jsonl", {"data": {"text": "one"}}, {"data": {"text": "two"}})
    second = _jsonl(tmp_path / "b.jsonl", {"data": {"text": "two"}}, {"data": {"text": "three"}})

    assert_ok(run_cli(["import", str(target.project_id), str(first)]))
    result = run_cli(["import", str(target.project_id), str(second)])

    assert_ok(result)
    assert result.stdout == "Imported 1 new tasks (1 exact duplicates skipped); the project has 3.\n"
    assert [d["text"] for d, _ in _tasks(db, target.project_id)] == ["one", "two", "three"]
    assert _task_count(db, target.project_id) == 3


def test_format_option_overrides_the_suffix(
    run_cli: RunCli, db: Database, target: Target, tmp_path: Path
) -> None:
    path = _jsonl(tmp_path / "tasks.txt", {"data": {"text": "plain"}})

    result = run_cli(["import", str(target.project_id), str(path), "--format", "jsonl"])

    assert_ok(result)
    assert _tasks(db, target.project_id) == [({"text": "plain"}, {})]


def _assert_nothing_imported(db: Database, project_id: int) -> None:
    assert _tasks(db, project_id) == []
    assert _task_count(db, project_id) == 0
    with db.read() as session:
        assert session.scalars(select(AuditEvent).where(AuditEvent.action == "task.import")).all() == []


def test_a_line_that_is_not_json_names_the_line_and_imports_nothing(
    run_cli: RunCli, db: Database, target: Target, tmp_path: Path
) -> None:
    path = tmp_path / "tasks.jsonl"
    path.write_text('{"data": {"text": "fine"}}\n{"data": {"text": oops}}\n{"data": {"text": "fine too"}}\n')

    result = run_cli(["import", str(target.project_id), str(path)])

    assert isinstance(result.exception, SystemExit)
    assert result.exit_code == 1
    assert result.stdout == ""
    message = result.stderr.strip().splitlines()[-1]
    assert re.fullmatch(r"Error: Line 2: not valid JSON \(.+\)\. Nothing was imported\.", message), message
    _assert_nothing_imported(db, target.project_id)


def test_a_record_missing_the_schema_field_names_line_and_field(
    run_cli: RunCli, db: Database, target: Target, tmp_path: Path
) -> None:
    path = _jsonl(
        tmp_path / "tasks.jsonl",
        {"data": {"text": "fine"}},
        {"data": {"text": "fine too"}},
        {"data": {"body": "no text field"}},
    )

    result = run_cli(["import", str(target.project_id), str(path)])

    assert_failed(
        result,
        "Error: Line 3: field 'data.text' is missing (control 'sentiment' of the schema reads it). "
        "Nothing was imported.",
        after_progress=True,
    )
    _assert_nothing_imported(db, target.project_id)


def test_a_bad_item_of_a_json_array_is_named_by_its_number(
    run_cli: RunCli, db: Database, target: Target, tmp_path: Path
) -> None:
    path = tmp_path / "tasks.json"
    path.write_bytes(orjson.dumps([{"data": {"text": "ok"}}, {"data": {"text": 5}}]))

    result = run_cli(["import", str(target.project_id), str(path)])

    assert_failed(
        result,
        "Error: Item 2 of the JSON array: field 'data.text' must be a string (control 'sentiment' shows it as "
        "text). Nothing was imported.",
        after_progress=True,
    )
    _assert_nothing_imported(db, target.project_id)


def test_a_short_csv_row_names_the_line(
    run_cli: RunCli, db: Database, target: Target, tmp_path: Path
) -> None:
    path = tmp_path / "tasks.csv"
    path.write_text("text,meta.source\nhola,web\nsolo\n")

    result = run_cli(["import", str(target.project_id), str(path)])

    assert_failed(
        result,
        "Error: Line 3: the row has 1 cells but the header has 2. Nothing was imported.",
        after_progress=True,
    )
    _assert_nothing_imported(db, target.project_id)


def test_an_empty_file_imports_nothing(run_cli: RunCli, db: Database, target: Target, tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("\n\n")

    result = run_cli(["import", str(target.project_id), str(path)])

    assert_failed(
        result, "Error: Line 1: the body holds no tasks. Nothing was imported.", after_progress=True
    )
    _assert_nothing_imported(db, target.project_id)


def test_a_bad_line_in_spanish(run_cli: RunCli, db: Database, target: Target, tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "tareas.jsonl", {"data": {"text": "bien"}}, {"data": {"text": "x"}, "extra": 1})

    result = run_cli(["import", str(target.project_id), str(path)], CONSENSO_LANG="es")

    assert_failed(
        result,
        "Error: Línea 2: campo desconocido 'extra' (una tarea solo tiene 'data', 'meta', 'prediction', 'gold' y 'requirements'). No se importó nada.",
        after_progress=True,
    )
    assert "Importando tareas.jsonl" in result.stderr
    _assert_nothing_imported(db, target.project_id)


def test_a_field_name_with_brackets_is_shown_as_written(
    run_cli: RunCli, db: Database, target: Target, tmp_path: Path
) -> None:
    """The file's own text reaches the message: it must not be read as Rich markup (``[/x]`` crashed it)."""
    path = _jsonl(tmp_path / "tasks.jsonl", {"data": {"text": "x"}, "[/x]": 1})

    result = run_cli(["import", str(target.project_id), str(path)])

    assert_failed(
        result,
        "Error: Line 1: unknown field '[/x]' (a task has only 'data', 'meta', 'prediction', 'gold' and 'requirements'). Nothing was imported.",
        after_progress=True,
    )
    _assert_nothing_imported(db, target.project_id)


def test_an_unknown_suffix_without_format_fails(
    run_cli: RunCli, db: Database, target: Target, tmp_path: Path
) -> None:
    path = _jsonl(tmp_path / "tasks.txt", {"data": {"text": "plain"}})

    result = run_cli(["import", str(target.project_id), str(path)])

    assert_failed(result, f"Error: Cannot tell the format of {path}: use --format json, jsonl or csv.")
    _assert_nothing_imported(db, target.project_id)


def test_an_unknown_format_option_fails(
    run_cli: RunCli, db: Database, target: Target, tmp_path: Path
) -> None:
    """``--format xml`` is not one of json, jsonl, csv: refuse it rather than fall back to the suffix."""
    path = _jsonl(tmp_path / "tasks.jsonl", {"data": {"text": "plain"}})

    result = run_cli(["import", str(target.project_id), str(path), "--format", "xml"])

    assert result.exit_code != 0, result.stdout
    assert result.stdout == ""
    _assert_nothing_imported(db, target.project_id)


def test_a_missing_file_fails(run_cli: RunCli, db: Database, target: Target, tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "tasks.jsonl"

    result = run_cli(["import", str(target.project_id), str(path)])

    assert_failed(result, f"Error: File not found: {path}")


def test_a_directory_is_not_a_file(run_cli: RunCli, db: Database, target: Target, tmp_path: Path) -> None:
    folder = tmp_path / "folder.jsonl"
    folder.mkdir()

    result = run_cli(["import", str(target.project_id), str(folder)])

    assert_failed(result, f"Error: File not found: {folder}")


def test_an_unknown_project_fails(run_cli: RunCli, db: Database, target: Target, tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "tasks.jsonl", {"data": {"text": "x"}})

    result = run_cli(["import", str(target.project_id + 1000), str(path)])

    assert_failed(result, "Error: Project not found.", after_progress=True)
    _assert_nothing_imported(db, target.project_id)


def test_import_without_an_instance_admin_says_how_to_make_one(
    run_cli: RunCli, db: Database, factory: Factory, tmp_path: Path
) -> None:
    factory.user(email="plain@example.test")  # not an admin
    path = _jsonl(tmp_path / "tasks.jsonl", {"data": {"text": "x"}})

    result = run_cli(["import", "1", str(path)])

    assert_failed(result, NO_ADMIN)
    with db.read() as session:
        assert session.scalars(select(Task.id)).all() == []


def test_an_inactive_admin_does_not_count(
    run_cli: RunCli, db: Database, target: Target, tmp_path: Path
) -> None:
    with db.write() as session:
        admin = session.get(User, target.admin_id)
        assert admin is not None
        admin.is_active = False
    path = _jsonl(tmp_path / "tasks.jsonl", {"data": {"text": "x"}})

    result = run_cli(["import", str(target.project_id), str(path)])

    assert_failed(result, NO_ADMIN)
    _assert_nothing_imported(db, target.project_id)


def test_no_admin_message_in_spanish(run_cli: RunCli, db: Database, tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "tasks.jsonl", {"data": {"text": "x"}})

    result = run_cli(["import", "1", str(path)], CONSENSO_LANG="es")

    assert_failed(
        result,
        "Error: Aún no hay un administrador de la instancia: cree uno con `consenso user add --email E --admin`.",
    )
