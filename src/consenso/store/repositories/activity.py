"""Progress and activity figures of a project, as SQL aggregates on both backends.

Every function answers with a handful of rows whatever the project's size: counts, one row per hour or per
annotator, and for percentiles only the order statistics they need (window functions rank the values in
the database). The definitions they implement are in ``consenso.core.progress``.

Gold tasks (``task.gold`` set, open to every annotator) are not work to finish: task totals and the
tasks available to an annotator leave them out. Their answers are annotations like any other.

Bucketing by hour differs between the backends: PostgreSQL stores ``timestamptz`` (``extract(epoch ...)``),
SQLite the UTC text SQLAlchemy writes (``strftime('%s', ...)``); both give whole hours since the epoch.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    and_,
    case,
    cast,
    exists,
    extract,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session

from consenso.core.progress import HOUR_SECONDS, Quantile
from consenso.core.qa import Qualification
from consenso.store.models import Annotation, Assignment, Task, User


def _epoch_hour(session: Session, column: Any) -> ColumnElement[int]:
    """Whole hours since 1970-01-01T00:00Z of a UTC timestamp column, in the session's SQL dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.floor(extract("epoch", column) / HOUR_SECONDS), BigInteger)
    return cast(func.strftime("%s", column), Integer) // HOUR_SECONDS


def task_counts(session: Session, project_id: int) -> tuple[int, int, int]:
    """``(total, complete, in_progress)`` ordinary (not gold) tasks of the project
    (``core.progress.task_status``)."""
    complete = Task.annotation_count >= Task.overlap
    in_progress = and_(~complete, or_(Task.slots_taken > 0, Task.annotation_count > 0))
    row = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((complete, 1), else_=0)), 0),
            func.coalesce(func.sum(case((in_progress, 1), else_=0)), 0),
        ).where(Task.project_id == project_id, Task.gold.is_(None))
    ).one()
    return int(row[0]), int(row[1]), int(row[2])


def _routed(q: Qualification | None) -> list[ColumnElement[bool]]:
    """The routing filter of ``next`` (see ``assignments._ROUTED``) for a qualification; none without one."""
    if q is None:
        return []
    return [
        or_(Task.language.is_(None), Task.language.in_(sorted(q.languages))),
        or_(Task.dialect.is_(None), Task.dialect.in_(sorted(q.dialects))),
        or_(Task.domain.is_(None), Task.domain.in_(sorted(q.domains))),
    ]


def available_tasks(
    session: Session,
    project_id: int,
    annotator_id: int,
    now: datetime,
    qualification: Qualification | None = None,
) -> int:
    """Ordinary tasks ``next`` could still hand this annotator now, their own live lease not included.

    Untouched by them, not gold, routed to them (with ``qualification``: each requirement a task has is
    among theirs) and with a free slot, a slot held by a lease past its expiry counting as free (as
    ``next`` reclaims it before choosing). Counted as open tasks (over the partial index ``ix_task_open``)
    minus the open ones they touched, plus the full tasks that expired leases would reopen: the cost grows
    with the open tasks and the caller's own assignments, not with every task of the project.
    """
    ordinary = [Task.gold.is_(None), *_routed(qualification)]
    open_tasks = session.scalar(
        select(func.count())
        .select_from(Task)
        .where(Task.project_id == project_id, Task.slots_taken < Task.overlap, *ordinary)
    )
    open_touched = session.scalar(
        select(func.count())
        .select_from(Assignment)
        .join(Task, Task.id == Assignment.task_id)
        .where(
            Assignment.annotator_id == annotator_id,
            Assignment.project_id == project_id,
            Task.slots_taken < Task.overlap,
            *ordinary,
        )
    )
    expired = (
        select(Assignment.task_id, func.count().label("n"))
        .where(
            Assignment.project_id == project_id,
            Assignment.state == "leased",
            Assignment.expires_at <= now,
        )
        .group_by(Assignment.task_id)
        .subquery()
    )
    touched = exists().where(Assignment.task_id == Task.id, Assignment.annotator_id == annotator_id)
    reopened = session.scalar(
        select(func.count())
        .select_from(expired)
        .join(Task, Task.id == expired.c.task_id)
        .where(
            Task.slots_taken >= Task.overlap,
            Task.slots_taken - expired.c.n < Task.overlap,
            ~touched,
            *ordinary,
        )
    )
    return int(open_tasks or 0) - int(open_touched or 0) + int(reopened or 0)


def untouched_gold(session: Session, project_id: int, annotator_id: int, qualification: Qualification) -> int:
    """Gold tasks routed to this annotator that they never touched (over ``ix_task_gold``; a gold task's
    slots never run out): the gold questions ``next`` may still serve them among the ordinary tasks."""
    touched = exists().where(Assignment.task_id == Task.id, Assignment.annotator_id == annotator_id)
    return int(
        session.scalar(
            select(func.count())
            .select_from(Task)
            .where(Task.project_id == project_id, Task.gold.is_not(None), ~touched, *_routed(qualification))
        )
        or 0
    )


def assignment_count(session: Session, project_id: int, annotator_id: int, state: str) -> int:
    """The annotator's assignments of the project in ``state`` (over ``ix_assignment_annotator``)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Assignment)
            .where(
                Assignment.annotator_id == annotator_id,
                Assignment.project_id == project_id,
                Assignment.state == state,
            )
        )
        or 0
    )


def totals(session: Session, project_id: int) -> tuple[int, int]:
    """``(annotations, skipped assignments)`` of the project."""
    annotations = session.scalar(
        select(func.count()).select_from(Annotation).where(Annotation.project_id == project_id)
    )
    skips = session.scalar(
        select(func.count())
        .select_from(Assignment)
        .where(Assignment.project_id == project_id, Assignment.state == "skipped")
    )
    return int(annotations or 0), int(skips or 0)


def hourly_annotations(session: Session, project_id: int, since: datetime) -> dict[int, int]:
    """Annotations of the project submitted at or after ``since``, counted per epoch hour (UTC)."""
    bucket = (
        select(_epoch_hour(session, Annotation.created_at).label("hour"))
        .where(Annotation.project_id == project_id, Annotation.created_at >= since)
        .subquery()
    )
    rows = session.execute(select(bucket.c.hour, func.count()).group_by(bucket.c.hour)).all()
    return {int(hour): int(count) for hour, count in rows}


def per_annotator(session: Session, project_id: int) -> list[tuple[int, str, str, int, int, datetime | None]]:
    """``(user_id, email, name, annotations, skips, last annotation time)`` of everyone who annotated or
    skipped a task of the project: one row per person, grouped in SQL."""
    annotations = (
        select(
            Annotation.annotator_id.label("user_id"),
            func.count().label("n"),
            func.max(Annotation.created_at).label("last_at"),
        )
        .where(Annotation.project_id == project_id)
        .group_by(Annotation.annotator_id)
        .subquery()
    )
    skips = (
        select(Assignment.annotator_id.label("user_id"), func.count().label("n"))
        .where(Assignment.project_id == project_id, Assignment.state == "skipped")
        .group_by(Assignment.annotator_id)
        .subquery()
    )
    people = select(annotations.c.user_id).union(select(skips.c.user_id)).subquery()
    rows = session.execute(
        select(
            User.id,
            User.email,
            User.name,
            func.coalesce(annotations.c.n, 0),
            func.coalesce(skips.c.n, 0),
            annotations.c.last_at,
        )
        .join(people, people.c.user_id == User.id)
        .outerjoin(annotations, annotations.c.user_id == User.id)
        .outerjoin(skips, skips.c.user_id == User.id)
        .order_by(User.id)
    ).all()
    return [(int(r[0]), r[1], r[2], int(r[3]), int(r[4]), r[5]) for r in rows]


def lead_time_order_statistics(
    session: Session, project_id: int, quantiles: Sequence[Quantile], *, by_annotator: bool
) -> list[tuple[int | None, int, int, int]]:
    """The order statistics of ``lead_time_ms`` that ``quantiles`` need, per annotator or for the project.

    Rows ``(annotator_id or None, count, rank, value)``: the database numbers each group's values in order
    (``row_number()``) and counts them (``count(*) OVER``); only the ranks ``⌊(count − 1)·a/b⌋ + 1`` and the
    next one are returned for each quantile a/b, at most four rows per group for the median and p90.
    Annotations without a lead time are left out.
    """
    partition = [Annotation.annotator_id] if by_annotator else None
    ranked = (
        select(
            Annotation.annotator_id.label("annotator_id"),
            Annotation.lead_time_ms.label("value"),
            func.row_number()
            .over(partition_by=partition, order_by=(Annotation.lead_time_ms, Annotation.id))
            .label("rank"),
            func.count().over(partition_by=partition).label("n"),
        )
        .where(Annotation.project_id == project_id, Annotation.lead_time_ms.is_not(None))
        .subquery()
    )
    wanted = []
    for a, b in quantiles:
        low = (ranked.c.n - 1) * a // b + 1
        wanted += [ranked.c.rank == low, ranked.c.rank == low + 1]
    rows = session.execute(
        select(ranked.c.annotator_id, ranked.c.n, ranked.c.rank, ranked.c.value).where(or_(*wanted))
    ).all()
    return [(int(r[0]) if by_annotator else None, int(r[1]), int(r[2]), int(r[3])) for r in rows]
