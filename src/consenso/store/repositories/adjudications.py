"""Adjudications: the final label of a task and how it was decided."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from consenso.store.models import Adjudication


def task_adjudicated(session: Session, task_id: int) -> bool:
    """Whether a final label has been decided for the task (over ``ix_adjudication_task``)."""
    return bool(session.scalar(select(exists().where(Adjudication.task_id == task_id))))
