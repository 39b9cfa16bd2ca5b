"""Annotations."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, bindparam, delete, func, insert, select
from sqlalchemy.orm import Session

from consenso.store.models import Annotation, Membership, Project, Task, User

# Hot path (every submission): built once, columns only.
_COLUMNS = (
    Annotation.id,
    Annotation.task_id,
    Annotation.project_id,
    Annotation.annotator_id,
    Annotation.result,
    Annotation.lead_time_ms,
    Annotation.origin,
    Annotation.schema_version_id,
    Annotation.guideline_version_id,
    Annotation.created_at,
    Annotation.request_hash,
)
_BY_KEY = select(*_COLUMNS).where(
    Annotation.annotator_id == bindparam("annotator_id"), Annotation.idempotency_key == bindparam("key")
)
_INSERT = insert(Annotation).returning(Annotation.id)


def insert_annotation(
    session: Session,
    *,
    task_id: int,
    project_id: int,
    annotator_id: int,
    result: dict[str, Any],
    lead_time_ms: int | None,
    schema_version_id: int,
    guideline_version_id: int | None,
    origin: str,
    idempotency_key: str | None,
    request_hash: bytes,
    created_at: datetime,
    gold_score: float | None = None,
) -> int:
    """Insert one annotation and return its id (``gold_score``: its score on a gold task)."""
    return int(
        session.execute(
            _INSERT,
            {
                "task_id": task_id,
                "project_id": project_id,
                "annotator_id": annotator_id,
                "result": result,
                "lead_time_ms": lead_time_ms,
                "schema_version_id": schema_version_id,
                "guideline_version_id": guideline_version_id,
                "origin": origin,
                "idempotency_key": idempotency_key,
                "request_hash": request_hash,
                "created_at": created_at,
                "gold_score": gold_score,
            },
        ).scalar_one()
    )


def by_idempotency_key(session: Session, annotator_id: int, key: str) -> Any:
    """The annotation this annotator stored under ``key`` (a row of named columns), or None."""
    return session.connection().execute(_BY_KEY, {"annotator_id": annotator_id, "key": key}).first()


def list_page(
    session: Session,
    project_id: int,
    *,
    after_id: int,
    limit: int,
    annotator_id: int | None = None,
    task_id: int | None = None,
) -> Sequence[Annotation]:
    stmt = select(Annotation).where(Annotation.project_id == project_id, Annotation.id > after_id)
    if annotator_id is not None:
        stmt = stmt.where(Annotation.annotator_id == annotator_id)
    if task_id is not None:
        stmt = stmt.where(Annotation.task_id == task_id)
    return list(session.scalars(stmt.order_by(Annotation.id).limit(limit)))


def for_tasks(session: Session, task_ids: Sequence[int]) -> Sequence[Annotation]:
    if not task_ids:
        return []
    return list(
        session.scalars(select(Annotation).where(Annotation.task_id.in_(task_ids)).order_by(Annotation.id))
    )


def project_results(session: Session, project_id: int, batch: int = 5000) -> Iterator[tuple[int, int, Any]]:
    """``(task_id, annotator_id, result)`` of every annotation of the project in id (submission) order,
    gold tasks' answers left out (they are scored against the expected result, not aggregated).

    One query, streamed ``batch`` rows at a time (a server-side cursor on PostgreSQL), over the
    ``(project_id, id)`` index: quality reports and aggregation read a whole project in constant round trips.
    The gold tasks to leave out are a small set read once over ``ix_task_gold`` (``NOT IN`` a subquery: a
    hashed lookup on PostgreSQL, an ephemeral index on SQLite), not a join per annotation.
    """
    gold_tasks = select(Task.id).where(Task.project_id == project_id, Task.gold.is_not(None))
    rows = session.execute(
        select(Annotation.task_id, Annotation.annotator_id, Annotation.result)
        .where(Annotation.project_id == project_id, Annotation.task_id.not_in(gold_tasks))
        .order_by(Annotation.id)
        .execution_options(yield_per=batch)
    )
    for row in rows:
        yield row[0], row[1], row[2]


def for_withdrawal(session: Session, annotation_id: int, user_id: int) -> Any:
    """The annotation (every column but the request hash), its project's workspace and lease time, and the
    user's role in that workspace (None when not a member); None when there is no such annotation."""
    return session.execute(
        select(
            *_COLUMNS[:-1],
            Annotation.idempotency_key,
            Project.workspace_id,
            Project.lease_seconds,
            Membership.role,
        )
        .join(Project, Project.id == Annotation.project_id)
        .outerjoin(
            Membership,
            (Membership.workspace_id == Project.workspace_id) & (Membership.user_id == user_id),
        )
        .where(Annotation.id == annotation_id)
    ).first()


def latest_id(session: Session, project_id: int, annotator_id: int) -> int | None:
    """The id of the annotator's newest annotation in the project (over ``ix_annotation_annotator``)."""
    return session.scalar(
        select(func.max(Annotation.id)).where(
            Annotation.annotator_id == annotator_id, Annotation.project_id == project_id
        )
    )


def delete_annotation(session: Session, annotation_id: int) -> bool:
    """Delete one annotation; False when it was already gone (a concurrent withdrawal)."""
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        delete(Annotation).where(Annotation.id == annotation_id)
    )
    return result.rowcount == 1


def count_by_annotator(session: Session, project_id: int, annotator_id: int) -> int:
    return int(
        session.scalar(
            select(func.count()).where(
                Annotation.annotator_id == annotator_id, Annotation.project_id == project_id
            )
        )
        or 0
    )


def of_task_with_annotators(session: Session, task_id: int) -> Sequence[Any]:
    """Every annotation of the task in submission order, each with its annotator's name: rows of
    (id, annotator_id, name, result, lead_time_ms, origin, schema_version_id, guideline_version_id,
    created_at)."""
    return session.execute(
        select(
            Annotation.id,
            Annotation.annotator_id,
            User.name,
            Annotation.result,
            Annotation.lead_time_ms,
            Annotation.origin,
            Annotation.schema_version_id,
            Annotation.guideline_version_id,
            Annotation.created_at,
        )
        .join(User, User.id == Annotation.annotator_id)
        .where(Annotation.task_id == task_id)
        .order_by(Annotation.id)
    ).all()
