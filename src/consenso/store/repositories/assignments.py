"""The annotator hot path: leases, slots and submissions.

Candidates are filtered by routing in SQL (a task's language, dialect and domain, each NULL or among the
annotator's qualification, as expanding ``IN`` lists) and split in two scans: ordinary tasks
(``gold IS NULL``), and gold tasks, which ``next`` asks for only when it decided to serve one.

Lock order, everywhere: a task row before its assignment rows. On PostgreSQL candidate tasks are taken
with ``FOR UPDATE SKIP LOCKED`` so that concurrent annotators never queue on one row; on SQLite the write
transaction (``BEGIN IMMEDIATE``) already serialises writers. Whatever the interleaving, the constraints
declared in ``consenso.store.models`` reject a state that breaks an invariant.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, and_, bindparam, delete, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session, aliased

from consenso.core.qa import Qualification
from consenso.store.models import (
    Annotation,
    AnnotatorPause,
    Assignment,
    Membership,
    Prediction,
    Project,
    Task,
)


@dataclass(frozen=True, slots=True)
class PredictionRow:
    result: dict[str, Any]
    score: float | None
    model: str


@dataclass(frozen=True, slots=True)
class TaskRow:
    id: int
    project_id: int
    data: dict[str, Any]
    meta: dict[str, Any]
    prediction: PredictionRow | None


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
    gold: dict[str, Any] | None  # the expected result of a gold task, None on any other
    qa: dict[str, Any]  # the project's QA settings as stored
    paused: bool  # the user is paused from the project (a live pause row)


@dataclass(frozen=True, slots=True)
class AssignmentRow:
    id: int
    state: str
    expires_at: datetime
    task_id: int | None = None


def _rowcount(result: Any) -> int:
    return int(cast(CursorResult[Any], result).rowcount)


def _for_update(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# Statements of the hot path are built once, with bind parameters (SQLAlchemy then only fills values in).
_CURRENT_LEASE = select(Assignment.task_id, Assignment.expires_at).where(
    Assignment.project_id == bindparam("project_id"),
    Assignment.annotator_id == bindparam("annotator_id"),
    Assignment.state == "leased",
)
_EXPIRED_LEASES = (
    select(Assignment.id, Assignment.task_id)
    .where(
        Assignment.project_id == bindparam("project_id"),
        Assignment.state == "leased",
        Assignment.expires_at <= bindparam("now"),
    )
    .limit(bindparam("limit"))
)
_LOCK_TASK = select(Task.id).where(Task.id == bindparam("task_id")).with_for_update()
_TOUCHED = exists().where(
    and_(Assignment.task_id == Task.id, Assignment.annotator_id == bindparam("annotator_id"))
)
# routing: every requirement a task has is among the annotator's (an empty list matches nothing)
_ROUTED = and_(
    or_(Task.language.is_(None), Task.language.in_(bindparam("languages", expanding=True))),
    or_(Task.dialect.is_(None), Task.dialect.in_(bindparam("dialects", expanding=True))),
    or_(Task.domain.is_(None), Task.domain.in_(bindparam("domains", expanding=True))),
)
_OPEN = (
    select(Task.id, Task.slots_taken, Task.overlap, Task.priority)
    .where(Task.project_id == bindparam("project_id"), Task.slots_taken < Task.overlap, ~_TOUCHED, _ROUTED)
    .order_by(Task.priority.desc(), Task.id)
    .limit(bindparam("limit"))
)
_CANDIDATES = _OPEN.where(Task.gold.is_(None))
_CANDIDATES_LOCKED = _CANDIDATES.with_for_update(skip_locked=True, of=Task)
# Gold tasks are read over ix_task_gold, without the free-slot predicate (which would let the planner walk
# the open ordinary tasks of ix_task_open looking for the few gold ones): their slots never run out
# (``GOLD_OVERLAP``; ``choose_next`` still skips a full one). They are read without a row lock: ``take_slot``
# is atomic and the (task_id, annotator_id) unique key stops a double lease; a lock would make every
# annotator's ``next`` queue on (or skip) the same few gold rows.
_GOLD_CANDIDATES = (
    select(Task.id, Task.slots_taken, Task.overlap, Task.priority)
    .where(Task.project_id == bindparam("project_id"), Task.gold.is_not(None), ~_TOUCHED, _ROUTED)
    .order_by(Task.priority.desc(), Task.id)
    .limit(bindparam("limit"))
)
# (annotations of the annotator in the project, how many of them on gold tasks): over
# ix_annotation_annotator, and over ix_task_gold with the (task_id, annotator_id) unique index
_ANSWERED = select(
    select(func.count())
    .select_from(Annotation)
    .where(
        Annotation.annotator_id == bindparam("annotator_id"),
        Annotation.project_id == bindparam("project_id"),
    )
    .scalar_subquery(),
    select(func.count())
    .select_from(Task)
    .join(
        Annotation,
        and_(Annotation.task_id == Task.id, Annotation.annotator_id == bindparam("annotator_id")),
    )
    .where(Task.project_id == bindparam("project_id"), Task.gold.is_not(None))
    .scalar_subquery(),
)
_TAKE_SLOT = (
    update(Task)
    .where(Task.id == bindparam("task_id"), Task.slots_taken < Task.overlap)
    .values(slots_taken=Task.slots_taken + 1)
)
_FREE_SLOT = update(Task).where(Task.id == bindparam("task_id")).values(slots_taken=Task.slots_taken - 1)
_COUNT_ANNOTATION = (
    update(Task).where(Task.id == bindparam("task_id")).values(annotation_count=Task.annotation_count + 1)
)
_ADD_ASSIGNMENT = insert(Assignment)
_OTHER_PREDICTION = aliased(Prediction)
# a task with its newest prediction (the one shown to annotators), in one indexed query
_GET_TASK = (
    select(
        Task.id,
        Task.project_id,
        Task.data,
        Task.meta,
        Prediction.id,
        Prediction.result,
        Prediction.score,
        Prediction.model_version,
    )
    .outerjoin(
        Prediction,
        Prediction.id
        == select(func.max(_OTHER_PREDICTION.id))
        .where(_OTHER_PREDICTION.task_id == Task.id)
        .correlate(Task)
        .scalar_subquery(),
    )
    .where(Task.id == bindparam("task_id"))
)
_HAS_PREDICTION = select(exists().where(Prediction.task_id == bindparam("task_id")))
_GET_ASSIGNMENT = select(Assignment.id, Assignment.state, Assignment.expires_at).where(
    Assignment.task_id == bindparam("task_id"), Assignment.annotator_id == bindparam("annotator_id")
)
_TASK_FOR_SUBMISSION = (
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
        Task.gold,
        Project.qa,
        exists()
        .where(
            AnnotatorPause.project_id == Task.project_id,
            AnnotatorPause.user_id == bindparam("user_id"),
            AnnotatorPause.resumed_at.is_(None),
        )
        .label("paused"),
    )
    .join(Project, Project.id == Task.project_id)
    .outerjoin(
        Membership,
        (Membership.workspace_id == Project.workspace_id) & (Membership.user_id == bindparam("user_id")),
    )
    .where(Task.id == bindparam("task_id"))
)
_TASK_FOR_SUBMISSION_LOCKED = _TASK_FOR_SUBMISSION.with_for_update(of=Task)
_RELEASE = (
    update(Assignment)
    .where(Assignment.id == bindparam("assignment_id"), Assignment.state == "leased")
    .values(state=bindparam("state"), finished_at=bindparam("now"))
)
_RELEASE_IF_EXPIRED = _RELEASE.where(Assignment.expires_at <= bindparam("now"))
_SET_STATE = (
    update(Assignment)
    .where(Assignment.id == bindparam("assignment_id"))
    .values(state=bindparam("state"), finished_at=bindparam("now"))
)


def current_lease(session: Session, project_id: int, annotator_id: int) -> tuple[int, datetime] | None:
    row = (
        session.connection()
        .execute(_CURRENT_LEASE, {"project_id": project_id, "annotator_id": annotator_id})
        .first()
    )
    return (row[0], row[1]) if row else None


def reclaim_expired_leases(session: Session, project_id: int, now: datetime, limit: int = 200) -> int:
    """Turn leases past their expiry into ``expired`` and give their slots back. Returns how many."""
    expired = (
        session.connection()
        .execute(_EXPIRED_LEASES, {"project_id": project_id, "now": now, "limit": limit})
        .all()
    )
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
    stmt = _RELEASE_IF_EXPIRED if only_if_expired else _RELEASE
    changed = _rowcount(
        session.connection().execute(stmt, {"assignment_id": assignment_id, "state": new_state, "now": now})
    )
    if changed != 1:
        return False
    session.connection().execute(_FREE_SLOT, {"task_id": task_id})
    return True


def lock_task(session: Session, task_id: int) -> None:
    if _for_update(session):
        session.connection().execute(_LOCK_TASK, {"task_id": task_id})


def _routing(q: Qualification) -> dict[str, list[str]]:
    return {
        "languages": sorted(q.languages),
        "dialects": sorted(q.dialects),
        "domains": sorted(q.domains),
    }


def open_candidates(
    session: Session, project_id: int, annotator_id: int, qualification: Qualification, limit: int = 1
) -> Sequence[Any]:
    """Open ordinary (not gold) tasks this annotator never touched and qualifies for, in serving order
    (priority, then oldest)."""
    stmt = _CANDIDATES_LOCKED if _for_update(session) else _CANDIDATES
    params = {
        "project_id": project_id,
        "annotator_id": annotator_id,
        "limit": limit,
        **_routing(qualification),
    }
    return session.execute(stmt, params).all()


def gold_candidates(
    session: Session, project_id: int, annotator_id: int, qualification: Qualification, limit: int = 1
) -> Sequence[Any]:
    """Gold tasks this annotator never touched and qualifies for, in serving order (not locked)."""
    stmt = _GOLD_CANDIDATES
    params = {
        "project_id": project_id,
        "annotator_id": annotator_id,
        "limit": limit,
        **_routing(qualification),
    }
    return session.execute(stmt, params).all()


def answered_counts(session: Session, project_id: int, annotator_id: int) -> tuple[int, int]:
    """(annotations the annotator holds in the project, how many of them are on gold tasks)."""
    row = (
        session.connection()
        .execute(_ANSWERED, {"project_id": project_id, "annotator_id": annotator_id})
        .one()
    )
    return int(row[0] or 0), int(row[1] or 0)


def take_slot(session: Session, task_id: int) -> bool:
    """Atomically take one free slot of a task; False when it is full."""
    return _rowcount(session.connection().execute(_TAKE_SLOT, {"task_id": task_id})) == 1


def add_lease(
    session: Session, task_id: int, project_id: int, annotator_id: int, now: datetime, expires_at: datetime
) -> None:
    add_assignment(session, task_id, project_id, annotator_id, "leased", now, expires_at, None)


def add_assignment(
    session: Session,
    task_id: int,
    project_id: int,
    annotator_id: int,
    state: str,
    now: datetime,
    expires_at: datetime,
    finished_at: datetime | None,
) -> None:
    session.execute(
        _ADD_ASSIGNMENT,
        {
            "task_id": task_id,
            "project_id": project_id,
            "annotator_id": annotator_id,
            "state": state,
            "leased_at": now,
            "expires_at": expires_at,
            "finished_at": finished_at,
        },
    )


def add_finished_assignment(
    session: Session, task_id: int, project_id: int, annotator_id: int, state: str, now: datetime
) -> None:
    add_assignment(session, task_id, project_id, annotator_id, state, now, now, now)


def get_task(session: Session, task_id: int) -> TaskRow | None:
    """The task with its newest model prediction, if it has one."""
    row = session.connection().execute(_GET_TASK, {"task_id": task_id}).first()
    if row is None:
        return None
    prediction = PredictionRow(row[5], row[6], row[7]) if row[4] is not None else None
    return TaskRow(row[0], row[1], row[2], row[3], prediction)


def has_prediction(session: Session, task_id: int) -> bool:
    return bool(session.connection().execute(_HAS_PREDICTION, {"task_id": task_id}).scalar())


def task_for_submission(session: Session, task_id: int, user_id: int) -> TaskForSubmission | None:
    """The task (row-locked on PostgreSQL), its project's current versions and the user's role."""
    stmt = _TASK_FOR_SUBMISSION_LOCKED if _for_update(session) else _TASK_FOR_SUBMISSION
    row = session.connection().execute(stmt, {"task_id": task_id, "user_id": user_id}).first()
    return TaskForSubmission(*row) if row else None


def get_assignment(session: Session, task_id: int, annotator_id: int) -> AssignmentRow | None:
    row = (
        session.connection()
        .execute(_GET_ASSIGNMENT, {"task_id": task_id, "annotator_id": annotator_id})
        .first()
    )
    return AssignmentRow(row[0], row[1], row[2]) if row else None


def set_assignment_state(session: Session, assignment_id: int, state: str, now: datetime) -> None:
    session.connection().execute(_SET_STATE, {"assignment_id": assignment_id, "state": state, "now": now})


def count_annotation(session: Session, task_id: int) -> None:
    session.connection().execute(_COUNT_ANNOTATION, {"task_id": task_id})


def free_slot(session: Session, task_id: int) -> None:
    session.connection().execute(_FREE_SLOT, {"task_id": task_id})


def uncount_annotation(session: Session, task_id: int) -> None:
    """An annotation of the task was withdrawn: one fewer annotation (its slot is handled by the caller)."""
    session.execute(update(Task).where(Task.id == task_id).values(annotation_count=Task.annotation_count - 1))


def restore_lease(
    session: Session, task_id: int, annotator_id: int, now: datetime, expires_at: datetime
) -> bool:
    """Turn the annotator's assignment of the task (``submitted``) back into a lease. False if there is none."""
    changed = session.execute(
        update(Assignment)
        .where(Assignment.task_id == task_id, Assignment.annotator_id == annotator_id)
        .values(state="leased", leased_at=now, expires_at=expires_at, finished_at=None)
    )
    return _rowcount(changed) == 1


def drop_lease(session: Session, task_id: int, assignment_id: int) -> bool:
    """Delete a lease as if it had never been handed out, and free its slot; the annotator may get the task
    again later. False when the assignment is no longer a lease."""
    gone = session.execute(
        delete(Assignment).where(Assignment.id == assignment_id, Assignment.state == "leased")
    )
    if _rowcount(gone) != 1:
        return False
    session.connection().execute(_FREE_SLOT, {"task_id": task_id})
    return True


def lease_of(session: Session, project_id: int, annotator_id: int) -> AssignmentRow | None:
    """The annotator's lease in the project, live or expired-but-not-reclaimed, with its task id."""
    row = session.execute(
        select(Assignment.id, Assignment.state, Assignment.expires_at, Assignment.task_id).where(
            Assignment.project_id == project_id,
            Assignment.annotator_id == annotator_id,
            Assignment.state == "leased",
        )
    ).first()
    return AssignmentRow(row[0], row[1], row[2], row[3]) if row else None


def release_member_leases(session: Session, workspace_id: int, user_id: int, now: datetime) -> int:
    """Expire the user's leases in every project of a workspace (they left it, or may no longer annotate),
    freeing the slots now rather than when the leases run out. Returns how many."""
    leases = session.execute(
        select(Assignment.id, Assignment.task_id)
        .join(Project, Project.id == Assignment.project_id)
        .where(
            Project.workspace_id == workspace_id,
            Assignment.annotator_id == user_id,
            Assignment.state == "leased",
        )
    ).all()
    released = 0
    for assignment_id, task_id in sorted(leases, key=lambda r: r[1]):
        if release_lease(session, task_id, assignment_id, now, new_state="expired"):
            released += 1
    return released
