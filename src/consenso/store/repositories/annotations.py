"""Annotations."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from consenso.store.models import Annotation


def add_annotation(session: Session, annotation: Annotation) -> Annotation:
    session.add(annotation)
    session.flush()
    return annotation


def by_idempotency_key(session: Session, annotator_id: int, key: str) -> Annotation | None:
    return session.scalars(
        select(Annotation).where(Annotation.annotator_id == annotator_id, Annotation.idempotency_key == key)
    ).first()


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
