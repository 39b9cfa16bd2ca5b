"""The annotator hot path: leases, slots and submissions.

Lock order, everywhere: a task row before its assignment rows. On PostgreSQL candidate tasks are taken
with ``FOR UPDATE SKIP LOCKED`` so that concurrent annotators never queue on one row; on SQLite the write
transaction (``BEGIN IMMEDIATE``) already serialises writers. Whatever the interleaving, the constraints
declared in ``consenso.store.models`` reject a state that breaks an invariant.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, insert, select, update
from sqlalchemy.orm import Session

from consenso.store.models import Assignment, Membership, Project, Task


@dataclass(frozen=True, slots=True)
class TaskRow:
    id: int
    project_id: int
    data: dict[str, Any]
    meta: dict[str, Any]


@dataclass(frozen=True, slots=True)
class TaskForSubmission:
    id: int
    project_id: int
    workspace_id: int
    data: dict[str, Any]
    slots_taken: int
    overlap: int
    schema_version_id: int | None
    guideline_version_id: int | None
    role: str | None


@dataclass(frozen=True, slots=True)
class AssignmentRow:
    id: int
    state: str
    expires_at: datetime


def _for_update(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def current_lease(session: Session, project_id: int, annotator_id: int) -> tuple[int, datetime] | None:
    row = session.execute(
        select(Assignment.task_id, Assignment.expires_at).where(
            Assignment.project_id == project_id,
            Assignment.annotator_id == annotator_id,
            Assignment.state == "leased",
        )
    ).first()
    return (row[0], row[1]) if row else None


def reclaim_expired_leases(session: Session, project_id: int, now: datetime, limit: int = 200) -> int:
    """Turn leases past their expiry into ``expired`` and give their slots back. Returns how many."""
    expired = session.execute(
        select(Assignment.id, Assignment.task_id)
        .where(Assignment.project_id == project_id, Assignment.state == "leased", Assignment.expires_at <= now)
        .limit(limit)
    ).all()
    reclaimed = 0
    for assignment_id, task_id in sorted(expired, key=lambda r: r[1]):
        if release_lease(session, task_id, assignment_id, now, new_state="expired", only_if_expired=True):
            reclaimed += 1
    return reclaimed


def release_lease(
    session: Session,
    task_id: int,
    assignment_id: int,
    now: datetime,
    *,
    new_state: str,
    only_if_expired: bool = False,
) -> bool:
    """Move one leased assignment to ``new_state`` and free its slot; False if someone else did it first."""
    lock_task(session, task_id)
    conditions = [Assignment.id == assignment_id, Assignment.state == "leased"]
    if only_if_expired:
        conditions.append(Assignment.expires_at <= now)
    changed = session.execute(
        update(Assignment).where(*conditions).values(state=new_state, finished_at=now)
    ).rowcount
    if changed != 1:
        return False
    session.execute(update(Task).where(Task.id == task_id).values(slots_taken=Task.slots_taken - 1))
    return True


def lock_task(session: Session, task_id: int) -> None:
    if _for_update(session):
        session.execute(select(Task.id).where(Task.id == task_id).with_for_update())


def open_candidates(session: Session, project_id: int, annotator_id: int, limit: int = 1) -> Sequence[Any]:
    """Open tasks this annotator never touched, in serving order (priority, then oldest)."""
    touched = exists().where(and_(Assignment.task_id == Task.id, Assignment.annotator_id == annotator_id))
    stmt = (
        select(Task.id, Task.slots_taken, Task.overlap, Task.priority)
        .where(Task.project_id == project_id, Task.slots_taken < Task.overlap, ~touched)
        .order_by(Task.priority.desc(), Task.id)
        .limit(limit)
    )
    if _for_update(session):
        stmt = stmt.with_for_update(skip_locked=True, of=Task)
    return session.execute(stmt).all()


def take_slot(session: Session, task_id: int) -> bool:
    """Atomically take one free slot of a task; False when it is full."""
    return (
        session.execute(
            update(Task)
            .where(Task.id == task_id, Task.slots_taken < Task.overlap)
            .values(slots_taken=Task.slots_taken + 1)
        ).rowcount
        == 1
    )


def add_lease(
    session: Session, task_id: int, project_id: int, annotator_id: int, now: datetime, expires_at: datetime
) -> None:
    session.execute(
        insert(Assignment).values(
            task_id=task_id,
            project_id=project_id,
            annotator_id=annotator_id,
            state="leased",
            leased_at=now,
            expires_at=expires_at,
        )
    )


def get_task(session: Session, task_id: int) -> TaskRow | None:
    row = session.execute(select(Task.id, Task.project_id, Task.data, Task.meta).where(Task.id == task_id)).first()
    return TaskRow(row[0], row[1], row[2], row[3]) if row else None


def task_for_submission(session: Session, task_id: int, user_id: int) -> TaskForSubmission | None:
    """The task (row-locked on PostgreSQL), its project's current versions and the user's role."""
    stmt = (
        select(
            Task.id,
            Task.project_id,
            Project.workspace_id,
            Task.data,
            Task.slots_taken,
            Task.overlap,
            Project.schema_version_id,
            Project.guideline_version_id,
            Membership.role,
        )
        .join(Project, Project.id == Task.project_id)
        .outerjoin(
            Membership,
            (Membership.workspace_id == Project.workspace_id) & (Membership.user_id == user_id),
        )
        .where(Task.id == task_id)
    )
    if _for_update(session):
        stmt = stmt.with_for_update(of=Task)
    row = session.execute(stmt).first()
    if row is None:
        return None
    return TaskForSubmission(*row)


def get_assignment(session: Session, task_id: int, annotator_id: int) -> AssignmentRow | None:
    row = session.execute(
        select(Assignment.id, Assignment.state, Assignment.expires_at).where(
            Assignment.task_id == task_id, Assignment.annotator_id == annotator_id
        )
    ).first()
    return AssignmentRow(row[0], row[1], row[2]) if row else None


def set_assignment_state(session: Session, assignment_id: int, state: str, now: datetime) -> None:
    session.execute(update(Assignment).where(Assignment.id == assignment_id).values(state=state, finished_at=now))


def add_finished_assignment(
    session: Session, task_id: int, project_id: int, annotator_id: int, state: str, now: datetime
) -> None:
    session.execute(
        insert(Assignment).values(
            task_id=task_id,
            project_id=project_id,
            annotator_id=annotator_id,
            state=state,
            leased_at=now,
            expires_at=now,
            finished_at=now,
        )
    )


def count_annotation(session: Session, task_id: int) -> None:
    session.execute(
        update(Task).where(Task.id == task_id).values(annotation_count=Task.annotation_count + 1)
    )


def free_slot(session: Session, task_id: int) -> None:
    session.execute(update(Task).where(Task.id == task_id).values(slots_taken=Task.slots_taken - 1))
