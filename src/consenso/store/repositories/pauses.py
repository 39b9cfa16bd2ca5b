"""Annotator pauses: a live pause (``resumed_at IS NULL``, at most one per project and annotator, enforced by
``uq_annotator_pause_live``) keeps an annotator from being served a project's tasks; resumed pauses stay as
history. The gold record behind a pause counts only the answers given since the annotator's last resume.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, insert, or_, select, update
from sqlalchemy.orm import Session, aliased

from consenso.store.models import Annotation, AnnotatorPause, Task, User

_RESUMER = aliased(User)

# A pause with the paused annotator's email and name and who resumed it, as every reader shows it.
_COLUMNS = (
    AnnotatorPause.id,
    AnnotatorPause.project_id,
    AnnotatorPause.user_id,
    User.email,
    User.name,
    AnnotatorPause.reason,
    AnnotatorPause.gold_answers,
    AnnotatorPause.gold_accuracy,
    AnnotatorPause.gold_upper_bound,
    AnnotatorPause.paused_at,
    AnnotatorPause.resumed_at,
    AnnotatorPause.resumed_by,
    _RESUMER.name,
)


def _select() -> Any:
    return (
        select(*_COLUMNS)
        .join(User, User.id == AnnotatorPause.user_id)
        .outerjoin(_RESUMER, _RESUMER.id == AnnotatorPause.resumed_by)
    )


def gold_record(session: Session, project_id: int, user_id: int, pass_score: float) -> tuple[int, int]:
    """(scored gold answers, correct ones — score ≥ ``pass_score``) of the user in the project, given at or
    after their newest resume (all of them when never resumed). Over ``ix_task_gold`` and the
    (task_id, annotator_id) unique index: the cost follows the project's gold tasks, not its size."""
    since = (
        select(func.max(AnnotatorPause.resumed_at))
        .where(AnnotatorPause.project_id == project_id, AnnotatorPause.user_id == user_id)
        .scalar_subquery()
    )
    row = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((Annotation.gold_score >= pass_score, 1), else_=0)), 0),
        )
        .select_from(Task)
        .join(Annotation, (Annotation.task_id == Task.id) & (Annotation.annotator_id == user_id))
        .where(
            Task.project_id == project_id,
            Task.gold.is_not(None),
            Annotation.gold_score.is_not(None),
            or_(since.is_(None), Annotation.created_at >= since),
        )
    ).one()
    return int(row[0]), int(row[1])


def add_pause(
    session: Session,
    *,
    project_id: int,
    user_id: int,
    reason: str,
    gold_answers: int,
    gold_accuracy: float | None,
    gold_upper_bound: float | None,
    paused_at: datetime,
) -> int:
    """Insert a live pause and return its id (a second live pause breaks ``uq_annotator_pause_live``)."""
    return int(
        session.execute(
            insert(AnnotatorPause).returning(AnnotatorPause.id),
            {
                "project_id": project_id,
                "user_id": user_id,
                "reason": reason,
                "gold_answers": gold_answers,
                "gold_accuracy": gold_accuracy,
                "gold_upper_bound": gold_upper_bound,
                "paused_at": paused_at,
            },
        ).scalar_one()
    )


def resume(
    session: Session, project_id: int, user_id: int, resumed_at: datetime, resumed_by: int
) -> int | None:
    """End the user's live pause in the project; its id, or None when they are not paused."""
    return session.execute(
        update(AnnotatorPause)
        .where(
            AnnotatorPause.project_id == project_id,
            AnnotatorPause.user_id == user_id,
            AnnotatorPause.resumed_at.is_(None),
        )
        .values(resumed_at=resumed_at, resumed_by=resumed_by)
        .returning(AnnotatorPause.id)
    ).scalar()


def get(session: Session, pause_id: int) -> Any:
    """One pause (the columns of ``_COLUMNS``), or None."""
    return session.execute(_select().where(AnnotatorPause.id == pause_id)).first()


def page(session: Session, project_id: int, *, before_id: int, limit: int) -> Sequence[Any]:
    """Pauses of the project, newest (highest id) first, below ``before_id`` (0: from the newest)."""
    stmt = _select().where(AnnotatorPause.project_id == project_id)
    if before_id:
        stmt = stmt.where(AnnotatorPause.id < before_id)
    return session.execute(stmt.order_by(AnnotatorPause.id.desc()).limit(limit)).all()


def live(session: Session, project_id: int) -> Sequence[Any]:
    """The project's live pauses, newest first."""
    return session.execute(
        _select()
        .where(AnnotatorPause.project_id == project_id, AnnotatorPause.resumed_at.is_(None))
        .order_by(AnnotatorPause.id.desc())
    ).all()


def is_paused(session: Session, project_id: int, user_id: int) -> bool:
    return bool(
        session.scalar(
            select(AnnotatorPause.id).where(
                AnnotatorPause.project_id == project_id,
                AnnotatorPause.user_id == user_id,
                AnnotatorPause.resumed_at.is_(None),
            )
        )
    )
