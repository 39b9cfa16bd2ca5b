"""The rows behind annotator reliability (``consenso.core.qa.reliability``), read on both backends.

Each function takes ``annotator_ids``: None for every annotator of the project, or a few ids (the
adjudication view asks for a task's annotators), so that the cost follows what is asked for. Gold tasks are
those with ``task.gold IS NOT NULL``; a task's current final label is the newest adjudication row of the task
whose method is neither ``escalated`` nor ``reopened``, valid only while ``task.qa_status = 'final'``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, aliased

from consenso.store.models import Adjudication, Annotation, AnnotatorPause, Task, User
from consenso.store.repositories.adjudications import NOT_FINAL

#: Adjudication methods that are not a final label.


@dataclass(frozen=True, slots=True)
class AnnotationStat:
    """One annotation's figures: no result, only what counts, times and gold scoring need."""

    id: int
    annotator_id: int
    task_id: int
    lead_time_ms: int | None
    created_at: datetime
    gold: bool
    gold_score: float | None


def _of(column: Any, annotator_ids: Collection[int] | None) -> list[ColumnElement[bool]]:
    return [] if annotator_ids is None else [column.in_(list(annotator_ids))]


def annotators(session: Session, project_id: int) -> list[tuple[int, str, str]]:
    """``(user id, email, name)`` of everyone with at least one annotation in the project, by user id."""
    who = select(Annotation.annotator_id).where(Annotation.project_id == project_id).distinct().subquery()
    rows = session.execute(
        select(User.id, User.email, User.name).join(who, who.c.annotator_id == User.id).order_by(User.id)
    ).all()
    return [(int(r[0]), r[1], r[2]) for r in rows]


def people(session: Session, user_ids: Collection[int]) -> dict[int, tuple[str, str]]:
    """``{user id: (email, name)}`` of the given users that exist."""
    if not user_ids:
        return {}
    rows = session.execute(select(User.id, User.email, User.name).where(User.id.in_(list(user_ids)))).all()
    return {int(r[0]): (r[1], r[2]) for r in rows}


def annotation_stats(
    session: Session, project_id: int, annotator_ids: Collection[int] | None = None
) -> list[AnnotationStat]:
    """Every annotation of the project (of ``annotator_ids``) in id (submission) order, with whether its task
    is gold and its gold score."""
    rows = session.execute(
        select(
            Annotation.id,
            Annotation.annotator_id,
            Annotation.task_id,
            Annotation.lead_time_ms,
            Annotation.created_at,
            Task.gold.is_not(None),
            Annotation.gold_score,
        )
        .join(Task, Task.id == Annotation.task_id)
        .where(Annotation.project_id == project_id, *_of(Annotation.annotator_id, annotator_ids))
        .order_by(Annotation.id)
    ).all()
    return [
        AnnotationStat(
            int(r[0]),
            int(r[1]),
            int(r[2]),
            None if r[3] is None else int(r[3]),
            r[4],
            bool(r[5]),
            None if r[6] is None else float(r[6]),
        )
        for r in rows
    ]


def final_pairs(
    session: Session, project_id: int, annotator_ids: Collection[int] | None = None
) -> list[tuple[int, int, int, Any, Any]]:
    """``(annotation id, task id, annotator id, result, final result)`` of every annotation (of
    ``annotator_ids``) on a non-gold task of the project that has a current final label.

    The final label is found per annotation by a correlated ``max(id)`` over the task's adjudications
    (``ix_adjudication_task``), so the cost follows the annotations read, not the project's history.
    """
    newer = aliased(Adjudication)
    current = (
        select(func.max(newer.id))
        .where(newer.task_id == Annotation.task_id, newer.method.not_in(NOT_FINAL))
        .correlate(Annotation)
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            Annotation.id, Annotation.task_id, Annotation.annotator_id, Annotation.result, Adjudication.result
        )
        .join(Task, Task.id == Annotation.task_id)
        .join(Adjudication, Adjudication.id == current)
        .where(
            Annotation.project_id == project_id,
            Task.qa_status == "final",
            Task.gold.is_(None),
            *_of(Annotation.annotator_id, annotator_ids),
        )
        .order_by(Annotation.id)
    ).all()
    return [(int(r[0]), int(r[1]), int(r[2]), r[3], r[4]) for r in rows]


def non_gold_results(
    session: Session, project_id: int, batch: int = 5000
) -> Iterator[tuple[int, int, int, Any]]:
    """``(annotation id, task id, annotator id, result)`` of every annotation of the project on a non-gold
    task, in id order, streamed ``batch`` rows at a time (the Dawid-Skene fits read them all)."""
    rows = session.execute(
        select(Annotation.id, Annotation.task_id, Annotation.annotator_id, Annotation.result)
        .join(Task, Task.id == Annotation.task_id)
        .where(Annotation.project_id == project_id, Task.gold.is_(None))
        .order_by(Annotation.id)
        .execution_options(yield_per=batch)
    )
    for row in rows:
        yield int(row[0]), int(row[1]), int(row[2]), row[3]


def live_pauses(
    session: Session, project_id: int, annotator_ids: Collection[int] | None = None
) -> dict[int, datetime]:
    """``{user id: paused_at}`` of the live pauses (``resumed_at IS NULL``) of the project."""
    rows = session.execute(
        select(AnnotatorPause.user_id, AnnotatorPause.paused_at).where(
            AnnotatorPause.project_id == project_id,
            AnnotatorPause.resumed_at.is_(None),
            *_of(AnnotatorPause.user_id, annotator_ids),
        )
    ).all()
    return {int(r[0]): r[1] for r in rows}
