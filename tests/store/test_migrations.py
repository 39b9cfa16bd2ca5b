"""Migrations round-trip on both backends: head → down to 0001 (or 0002) → head keeps the rows, and head equals
the models."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from argon2 import PasswordHasher
from sqlalchemy import inspect, select, text, update
from sqlalchemy.exc import IntegrityError

from consenso.services import annotate, auth, review
from consenso.store.database import Database
from consenso.store.migrate import alembic_config, current_revision, head_revision, upgrade
from consenso.store.models import Annotation, Base, Review
from tests.conftest import Factory, _pg_create, _pg_drop


@pytest.fixture
def fresh_db(backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """An empty database of the parametrised backend, with no schema at all."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    if backend == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'migrations.db'}")
        try:
            yield database
        finally:
            database.dispose()
        return
    name = f"consenso_migr_{uuid.uuid4().hex[:10]}"
    database = Database(_pg_create(name))
    try:
        yield database
    finally:
        database.dispose()
        _pg_drop(name)


def _downgrade(db: Database, revision: str) -> None:
    cfg = alembic_config(db.url)
    with db.write_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def _origins(db: Database) -> list[str]:
    with db.read() as session:
        return list(session.scalars(select(Annotation.origin).order_by(Annotation.id)))


def _annotation_indexes(db: Database) -> set[str]:
    with db.write_engine.connect() as conn:
        return {ix["name"] for ix in inspect(conn).get_indexes("annotation") if ix["name"]}


# Autogenerate cannot compare an index over an expression ("priority DESC"): it reports it removed and
# added again. Every other difference counts.
_EXPRESSION_INDEXES = {"ix_task_open"}


def _schema_diffs(db: Database) -> list[object]:
    with db.write_engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    return [
        d
        for d in diffs
        if not (
            isinstance(d, tuple)
            and d[0] in {"add_index", "remove_index"}
            and d[1].name in _EXPRESSION_INDEXES
        )
    ]


def test_head_matches_the_models(fresh_db: Database) -> None:
    upgrade(fresh_db)

    assert _schema_diffs(fresh_db) == []


def test_downgrade_to_0001_and_upgrade_again_keeps_the_annotations(fresh_db: Database) -> None:
    upgrade(fresh_db)
    factory = Factory(fresh_db)
    admin = factory.user(is_admin=True)
    ws = factory.workspace(admin)
    project = factory.project(admin, ws, overlap=2)
    first, second = factory.tasks(admin, project, ["one", "two"])
    for task_id in (first, second):
        annotate.submit_annotation(
            fresh_db, admin.principal, task_id, result={"sentiment": "positive"}, lead_time_ms=10
        )
    with fresh_db.write() as session:  # imports make no predictions here; the constraint is what is tested
        session.execute(
            update(Annotation).where(Annotation.task_id == second).values(origin="prediction_rejected")
        )
    assert "ix_annotation_annotator" in _annotation_indexes(fresh_db)

    _downgrade(fresh_db, "0001")

    assert current_revision(fresh_db) == "0001"
    assert _origins(fresh_db) == ["human", "human"]  # prediction_rejected → human, the closest old value
    assert "ix_annotation_annotator" not in _annotation_indexes(fresh_db)
    with pytest.raises(IntegrityError), fresh_db.write() as session:  # the old constraint is back
        session.execute(text("UPDATE annotation SET origin = 'prediction_rejected'"))

    upgrade(fresh_db)

    assert current_revision(fresh_db) == head_revision()
    assert _origins(fresh_db) == ["human", "human"]
    assert "ix_annotation_annotator" in _annotation_indexes(fresh_db)
    with fresh_db.write() as session:
        session.execute(text("UPDATE annotation SET origin = 'prediction_rejected'"))
    assert _origins(fresh_db) == ["prediction_rejected", "prediction_rejected"]
    with pytest.raises(IntegrityError), fresh_db.write() as session:  # and still refuses anything else
        session.execute(text("UPDATE annotation SET origin = 'robot'"))
    assert _schema_diffs(fresh_db) == []


def _tables(db: Database) -> set[str]:
    with db.write_engine.connect() as conn:
        return set(inspect(conn).get_table_names())


def _task_indexes(db: Database) -> set[str]:
    with db.write_engine.connect() as conn:
        return {ix["name"] for ix in inspect(conn).get_indexes("task") if ix["name"]}


def _insert_review(db: Database, annotation_id: int, reviewer_id: int, **values: object) -> None:
    with db.write() as session:
        annotation = session.get(Annotation, annotation_id)
        assert annotation is not None
        session.add(
            Review(
                annotation_id=annotation_id,
                task_id=annotation.task_id,
                project_id=annotation.project_id,
                reviewer_id=reviewer_id,
                schema_version_id=annotation.schema_version_id,
                **values,
            )
        )


def test_downgrade_to_0002_drops_the_reviews_and_upgrade_brings_the_table_back(fresh_db: Database) -> None:
    upgrade(fresh_db)
    factory = Factory(fresh_db)
    admin = factory.user(is_admin=True)
    ws = factory.workspace(admin)
    annotator = factory.member(admin, ws, "annotator")
    project = factory.project(admin, ws)
    [task_id] = factory.tasks(admin, project, ["one"])
    submitted, _ = annotate.submit_annotation(
        fresh_db, annotator.principal, task_id, result={"sentiment": "positive"}, lead_time_ms=10
    )
    review.review_annotation(fresh_db, admin.principal, submitted.id, verdict="rejected", comment="no")
    assert "review" in _tables(fresh_db)
    assert "ix_task_annotated" in _task_indexes(fresh_db)

    _downgrade(fresh_db, "0002")

    assert current_revision(fresh_db) == "0002"
    assert "review" not in _tables(fresh_db)
    assert "ix_task_annotated" not in _task_indexes(fresh_db)
    assert _origins(fresh_db) == ["human"]  # the annotation stays

    upgrade(fresh_db)

    assert current_revision(fresh_db) == head_revision()
    with fresh_db.read() as session:
        assert session.scalars(select(Review)).all() == []
    assert "ix_task_annotated" in _task_indexes(fresh_db)
    _insert_review(fresh_db, submitted.id, admin.id, verdict="fixed", fixed_result={"sentiment": "negative"})
    assert _schema_diffs(fresh_db) == []


@pytest.mark.parametrize(
    "values",
    [
        {"verdict": "maybe"},
        {"verdict": "rejected", "comment": ""},
        {"verdict": "fixed"},  # no fixed_result
        {"verdict": "accepted", "fixed_result": {"sentiment": "negative"}},
        {"verdict": "accepted", "comment": "x" * 2001},
    ],
)
def test_the_database_refuses_a_verdict_without_what_it_needs(
    fresh_db: Database, values: dict[str, object]
) -> None:
    upgrade(fresh_db)
    factory = Factory(fresh_db)
    admin = factory.user(is_admin=True)
    ws = factory.workspace(admin)
    project = factory.project(admin, ws)
    [task_id] = factory.tasks(admin, project, ["one"])
    submitted, _ = annotate.submit_annotation(
        fresh_db, admin.principal, task_id, result={"sentiment": "positive"}, lead_time_ms=None
    )
    _insert_review(
        fresh_db, submitted.id, admin.id, verdict="accepted", comment="x" * 2000
    )  # the limit holds

    with pytest.raises(IntegrityError):
        _insert_review(fresh_db, submitted.id, admin.id, **values)
