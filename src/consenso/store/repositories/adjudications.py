"""Adjudications: the finalization history of tasks, their finalization state and the adjudication queue.

A task's **state** is ``task.qa_status`` (``pending`` → ``final`` | ``escalated``); its **history** is its
``adjudication`` rows in id order (``ix_adjudication_task``). Its **current final label** is its newest row
whose method is neither ``escalated`` nor ``reopened``, valid while the state is ``final``. Its **current
suggestion** is its newest *automatic* row (``aggregation`` set: an aggregate's final label or escalation).

Every change of state is a compare-and-set (:func:`set_status`): the ``UPDATE`` names the state it read and,
optionally, the newest history row it read, so that two deciders racing on one task (a submission and a
finalize pass, two adjudicators) never both write: the second finds nothing to update and gives up.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, cast

from sqlalchemy import CursorResult, and_, exists, func, insert, select, update
from sqlalchemy.orm import Session, aliased

from consenso.store.models import Adjudication, Annotation, Membership, Project, Task, User

#: Methods of history rows that hold no final label: an escalation (its result is a suggestion), a reopening,
#: and a withdrawal (an annotator undid an answer the automatic decision stood on; the task is pending again).
NOT_FINAL: Final = ("escalated", "reopened", "withdrawn")
#: Methods of the rows a person writes; once a task has one, its answers can no longer be undone.
BY_A_PERSON: Final = ("adjudicated", "reopened")


@dataclass(frozen=True, slots=True)
class TaskState:
    """What finalization needs to know about a task: its counters, whether it is gold, its state, and its
    project's workspace, current label schema and QA settings."""

    id: int
    project_id: int
    workspace_id: int
    overlap: int
    annotation_count: int
    is_gold: bool
    qa_status: str
    schema_version_id: int | None
    qa: dict[str, Any]


@dataclass(frozen=True, slots=True)
class TaskAccess:
    """A task as the adjudication endpoints load it, with the caller's role in its workspace (None: not a
    member)."""

    id: int
    project_id: int
    workspace_id: int
    data: dict[str, Any]
    meta: dict[str, Any]
    overlap: int
    annotation_count: int
    is_gold: bool
    qa_status: str
    created_at: datetime
    schema_version_id: int | None
    qa: dict[str, Any]
    role: str | None


@dataclass(frozen=True, slots=True)
class AdjudicationRow:
    """One history row, with the name and e-mail of the person who decided (None: automatic)."""

    id: int
    task_id: int
    project_id: int
    decided_by: int | None
    decided_by_name: str | None
    decided_by_email: str | None
    result: dict[str, Any]
    method: str
    aggregation: str | None
    confidence: float | None
    reasoning: str
    agreement: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class QueueRow:
    id: int
    data: dict[str, Any]
    annotation_count: int
    overlap: int


_ROW_COLUMNS = (
    Adjudication.id,
    Adjudication.task_id,
    Adjudication.project_id,
    Adjudication.decided_by,
    User.name,
    User.email,
    Adjudication.result,
    Adjudication.method,
    Adjudication.aggregation,
    Adjudication.confidence,
    Adjudication.reasoning,
    Adjudication.agreement,
    Adjudication.created_at,
)


def _rows(session: Session, *where: Any) -> list[AdjudicationRow]:
    stmt = (
        select(*_ROW_COLUMNS)
        .outerjoin(User, User.id == Adjudication.decided_by)
        .where(*where)
        .order_by(Adjudication.task_id, Adjudication.id)
    )
    return [AdjudicationRow(*row) for row in session.execute(stmt)]


def _rowcount(result: Any) -> int:
    return int(cast(CursorResult[Any], result).rowcount)


def task_adjudicated(session: Session, task_id: int) -> bool:
    """Whether a person has decided or reopened the task (a history row ``adjudicated`` or ``reopened``).
    Its annotations may then no longer be undone (``consenso.core.assignment.task_is_open``); an automatic
    decision does not close it (``revert_automatic``)."""
    return bool(
        session.scalar(
            select(exists().where(Adjudication.task_id == task_id, Adjudication.method.in_(BY_A_PERSON)))
        )
    )


def revert_automatic(session: Session, task_id: int, project_id: int, now: datetime) -> str | None:
    """An annotation the automatic decision of the task stood on was withdrawn: put the task back to
    ``pending`` (it is decided again when it is complete again) and record a ``withdrawn`` history row.
    Returns the state it left (None: it was pending, nothing written). Call with the task row locked and
    only when no person has decided it (``task_adjudicated``)."""
    status = session.scalar(select(Task.qa_status).where(Task.id == task_id))
    if status is None or status == "pending":
        return None
    if not set_status(session, task_id, expected=status, new="pending"):
        return None
    add(session, task_id=task_id, project_id=project_id, result={}, method="withdrawn", created_at=now)
    return status


def task_state(session: Session, task_id: int) -> TaskState | None:
    """The task's finalization facts (one primary-key lookup joined to its project)."""
    row = session.execute(
        select(
            Task.id,
            Task.project_id,
            Project.workspace_id,
            Task.overlap,
            Task.annotation_count,
            Task.gold.is_not(None),
            Task.qa_status,
            Project.schema_version_id,
            Project.qa,
        )
        .join(Project, Project.id == Task.project_id)
        .where(Task.id == task_id)
    ).first()
    return TaskState(*row) if row is not None else None


def task_access(session: Session, task_id: int, user_id: int) -> TaskAccess | None:
    """The task with its project's facts and the user's role in its workspace; None when there is none."""
    row = session.execute(
        select(
            Task.id,
            Task.project_id,
            Project.workspace_id,
            Task.data,
            Task.meta,
            Task.overlap,
            Task.annotation_count,
            Task.gold.is_not(None),
            Task.qa_status,
            Task.created_at,
            Project.schema_version_id,
            Project.qa,
            Membership.role,
        )
        .join(Project, Project.id == Task.project_id)
        .outerjoin(
            Membership,
            (Membership.workspace_id == Project.workspace_id) & (Membership.user_id == user_id),
        )
        .where(Task.id == task_id)
    ).first()
    return TaskAccess(*row) if row is not None else None


def annotated_by(session: Session, task_id: int, user_id: int) -> bool:
    """Whether the user annotated the task (the unique (task_id, annotator_id) index)."""
    return bool(
        session.scalar(
            select(exists().where(Annotation.task_id == task_id, Annotation.annotator_id == user_id))
        )
    )


def annotated_among(session: Session, task_ids: Sequence[int], user_id: int) -> set[int]:
    """Which of ``task_ids`` the user annotated."""
    if not task_ids:
        return set()
    return set(
        session.scalars(
            select(Annotation.task_id).where(
                Annotation.annotator_id == user_id, Annotation.task_id.in_(list(task_ids))
            )
        )
    )


def emails(session: Session, user_ids: Sequence[int]) -> dict[int, str]:
    """The e-mail of each of ``user_ids``."""
    if not user_ids:
        return {}
    rows = session.execute(select(User.id, User.email).where(User.id.in_(list(user_ids))))
    return {int(r[0]): str(r[1]) for r in rows}


def task_results(session: Session, task_id: int) -> list[tuple[int, int, Any]]:
    """``(task_id, annotator_id, result)`` of every annotation of the task, in submission order."""
    rows = session.execute(
        select(Annotation.task_id, Annotation.annotator_id, Annotation.result)
        .where(Annotation.task_id == task_id)
        .order_by(Annotation.id)
    )
    return [(r[0], r[1], r[2]) for r in rows]


def project_holds_more_annotations_than(session: Session, project_id: int, limit: int) -> bool:
    """Whether the project has more than ``limit`` annotations: reads at most ``limit + 1`` index entries
    of ``ix_annotation_project``, however large the project."""
    first = select(Annotation.id).where(Annotation.project_id == project_id).limit(limit + 1).subquery()
    return int(session.scalar(select(func.count()).select_from(first)) or 0) > limit


def last_annotation_id(session: Session, project_id: int) -> int:
    """The newest annotation id of the project (0: none)."""
    return int(
        session.scalar(select(func.max(Annotation.id)).where(Annotation.project_id == project_id)) or 0
    )


def add(
    session: Session,
    *,
    task_id: int,
    project_id: int,
    result: dict[str, Any],
    method: str,
    created_at: datetime,
    aggregation: str | None = None,
    confidence: float | None = None,
    agreement: dict[str, Any] | None = None,
    decided_by: int | None = None,
    reasoning: str = "",
    idempotency_key: str | None = None,
    request_hash: bytes | None = None,
) -> int:
    """Append one history row and return its id."""
    return int(
        session.execute(
            insert(Adjudication).returning(Adjudication.id),
            {
                "task_id": task_id,
                "project_id": project_id,
                "decided_by": decided_by,
                "result": result,
                "method": method,
                "aggregation": aggregation,
                "confidence": confidence,
                "reasoning": reasoning,
                "agreement": agreement or {},
                "idempotency_key": idempotency_key,
                "request_hash": request_hash,
                "created_at": created_at,
            },
        ).scalar_one()
    )


def set_status(
    session: Session,
    task_id: int,
    *,
    expected: str,
    new: str,
    newest_row_id: int | None = None,
    complete_since: int | None = None,
) -> bool:
    """Compare-and-set the task's state: from ``expected`` to ``new``; False (nothing written) when it is
    no longer ``expected``. With ``newest_row_id``, also only while the task's newest history row is that
    one (0: none); with ``complete_since``, also only while the task holds its ``overlap`` annotations and
    none newer than that annotation id (what the caller decided on has not changed)."""
    conditions = [Task.id == task_id, Task.qa_status == expected]
    if newest_row_id is not None:
        conditions.append(~exists().where(Adjudication.task_id == task_id, Adjudication.id > newest_row_id))
    if complete_since is not None:
        conditions.append(Task.annotation_count >= Task.overlap)
        conditions.append(~exists().where(Annotation.task_id == task_id, Annotation.id > complete_since))
    return _rowcount(session.execute(update(Task).where(*conditions).values(qa_status=new))) == 1


def history(session: Session, task_id: int) -> list[AdjudicationRow]:
    """Every history row of the task, oldest first."""
    return _rows(session, Adjudication.task_id == task_id)


def of_tasks(session: Session, task_ids: Sequence[int]) -> list[AdjudicationRow]:
    """Every history row of these tasks, by task then oldest first."""
    if not task_ids:
        return []
    return _rows(session, Adjudication.task_id.in_(list(task_ids)))


def get(session: Session, adjudication_id: int) -> AdjudicationRow | None:
    found = _rows(session, Adjudication.id == adjudication_id)
    return found[0] if found else None


def by_idempotency_key(session: Session, user_id: int, key: str) -> tuple[int, int, bytes | None] | None:
    """``(id, task_id, request_hash)`` of the row this person decided under ``key``, or None."""
    row = session.execute(
        select(Adjudication.id, Adjudication.task_id, Adjudication.request_hash).where(
            Adjudication.decided_by == user_id, Adjudication.idempotency_key == key
        )
    ).first()
    return (row[0], row[1], row[2]) if row is not None else None


def queue_page(session: Session, project_id: int, *, after_id: int, limit: int) -> list[QueueRow]:
    """Escalated tasks of the project that are not gold, oldest (lowest id) first, after ``after_id``
    (over the partial index ``ix_task_escalated``)."""
    rows = session.execute(
        select(Task.id, Task.data, Task.annotation_count, Task.overlap)
        .where(
            Task.project_id == project_id,
            Task.qa_status == "escalated",
            Task.gold.is_(None),
            Task.id > after_id,
        )
        .order_by(Task.id)
        .limit(limit)
    )
    return [QueueRow(*r) for r in rows]


def pending_complete(session: Session, project_id: int) -> list[int]:
    """Ids of the project's non-gold tasks that hold their ``overlap`` annotations and are still pending."""
    return list(
        session.scalars(
            select(Task.id)
            .where(
                Task.project_id == project_id,
                Task.qa_status == "pending",
                Task.gold.is_(None),
                Task.annotation_count >= Task.overlap,
            )
            .order_by(Task.id)
        )
    )


_LATER = aliased(Adjudication)


def automatic_current(session: Session, project_id: int) -> Iterator[tuple[int, str, AdjudicationRow]]:
    """``(task_id, qa_status, newest row)`` of the project's non-gold tasks whose newest history row is an
    automatic decision (``aggregation`` set: an aggregate's final label or escalation, nobody having decided
    since), in task id order."""
    newest = ~exists().where(_LATER.task_id == Adjudication.task_id, _LATER.id > Adjudication.id)
    rows = session.execute(
        select(Task.qa_status, *_ROW_COLUMNS)
        .join(Task, Task.id == Adjudication.task_id)
        .outerjoin(User, User.id == Adjudication.decided_by)
        .where(
            Adjudication.project_id == project_id,
            Adjudication.aggregation.is_not(None),
            Task.gold.is_(None),
            Task.qa_status != "pending",
            newest,
        )
        .order_by(Adjudication.task_id)
    )
    for row in rows:
        decided = AdjudicationRow(*row[1:])
        yield decided.task_id, row[0], decided


def final_labels(session: Session, first_task_id: int, last_task_id: int) -> dict[int, AdjudicationRow]:
    """The current final label of every final task with an id in ``(first_task_id, last_task_id]``: its
    newest row whose method is neither ``escalated`` nor ``reopened`` (over ``ix_adjudication_task``).
    Tasks of other projects inside the range come too; the caller keeps its own."""
    later = ~exists().where(
        _LATER.task_id == Adjudication.task_id,
        _LATER.id > Adjudication.id,
        _LATER.method.not_in(NOT_FINAL),
    )
    rows = _rows(
        session,
        Adjudication.task_id > first_task_id,
        Adjudication.task_id <= last_task_id,
        Adjudication.method.not_in(NOT_FINAL),
        later,
        exists().where(and_(Task.id == Adjudication.task_id, Task.qa_status == "final")),
    )
    return {row.task_id: row for row in rows}
