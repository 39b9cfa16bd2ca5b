"""Gold tasks: marking a task gold (its expected result in ``task.gold``), its answers' scores, the listing.

A gold task's ``overlap`` is ``GOLD_OVERLAP`` so that every annotator may answer it; unmarking gives it
back an ordinary overlap. Gold tasks of a project are found over the partial index ``ix_task_gold``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, case, func, null, select, update
from sqlalchemy.orm import Session

from consenso.core.qa import GOLD_OVERLAP
from consenso.store.models import Annotation, Membership, Project, Task


def task_for_gold(session: Session, task_id: int, user_id: int) -> Any:
    """The task (row-locked on PostgreSQL) with what marking it gold needs: (id, project_id, workspace_id,
    data, gold, overlap, slots_taken, annotation_count, schema_version_id, qa, project_overlap, role), the
    role being the user's in the project's workspace (None when not a member); None when there is no task."""
    stmt = (
        select(
            Task.id,
            Task.project_id,
            Project.workspace_id,
            Task.data,
            Task.gold,
            Task.overlap,
            Task.slots_taken,
            Task.annotation_count,
            Project.schema_version_id,
            Project.qa,
            Project.overlap.label("project_overlap"),
            Membership.role,
        )
        .join(Project, Project.id == Task.project_id)
        .outerjoin(
            Membership,
            (Membership.workspace_id == Project.workspace_id) & (Membership.user_id == user_id),
        )
        .where(Task.id == task_id)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Task)
    return session.execute(stmt).first()


def mark_gold(session: Session, task_id: int, result: dict[str, Any]) -> None:
    """Store the task's expected result and open it to every annotator."""
    session.execute(update(Task).where(Task.id == task_id).values(gold=result, overlap=GOLD_OVERLAP))


def unmark_gold(session: Session, task_id: int, overlap: int) -> None:
    """Make the task an ordinary one again with ``overlap``; its answers lose their gold scores."""
    session.execute(update(Task).where(Task.id == task_id).values(gold=null(), overlap=overlap))
    session.execute(update(Annotation).where(Annotation.task_id == task_id).values(gold_score=null()))


def answers_of(session: Session, task_id: int) -> Sequence[Any]:
    """(id, result) of every annotation of the task, in id order."""
    return session.execute(
        select(Annotation.id, Annotation.result).where(Annotation.task_id == task_id).order_by(Annotation.id)
    ).all()


_SET_SCORE = (
    update(Annotation)
    .where(Annotation.id == bindparam("annotation_id"))
    .values(gold_score=bindparam("score"))
    .execution_options(synchronize_session=False)
)


def set_scores(session: Session, scores: Sequence[tuple[int, float | None]]) -> None:
    """Store each annotation's gold score (None: nothing scorable)."""
    if scores:
        session.connection().execute(
            _SET_SCORE, [{"annotation_id": a, "score": score} for a, score in scores]
        )


def page(session: Session, project_id: int, *, after_id: int, limit: int) -> Sequence[Any]:
    """Gold tasks of the project in id order after ``after_id``: rows (id, project_id, data, meta, gold,
    created_at)."""
    return session.execute(
        select(Task.id, Task.project_id, Task.data, Task.meta, Task.gold, Task.created_at)
        .where(Task.project_id == project_id, Task.gold.is_not(None), Task.id > after_id)
        .order_by(Task.id)
        .limit(limit)
    ).all()


def one(session: Session, task_id: int) -> Any:
    """One gold task as :func:`page` gives it, or None when the task is not gold."""
    return session.execute(
        select(Task.id, Task.project_id, Task.data, Task.meta, Task.gold, Task.created_at).where(
            Task.id == task_id, Task.gold.is_not(None)
        )
    ).first()


def answer_stats(
    session: Session, task_ids: Sequence[int], pass_score: float
) -> dict[int, tuple[int, int, int, float | None]]:
    """task id → (answers, scored answers, correct answers — score ≥ ``pass_score``, mean score or None)."""
    if not task_ids:
        return {}
    rows = session.execute(
        select(
            Annotation.task_id,
            func.count(),
            func.count(Annotation.gold_score),
            func.coalesce(func.sum(case((Annotation.gold_score >= pass_score, 1), else_=0)), 0),
            func.avg(Annotation.gold_score),
        )
        .where(Annotation.task_id.in_(task_ids))
        .group_by(Annotation.task_id)
    ).all()
    return {
        int(r[0]): (int(r[1]), int(r[2]), int(r[3]), float(r[4]) if r[4] is not None else None) for r in rows
    }
