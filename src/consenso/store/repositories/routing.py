"""Routing: the requirement combinations of a project's tasks, and the members who may be served them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import Session

from consenso.store.models import AnnotatorPause, Membership, Task, User


@dataclass(frozen=True, slots=True)
class RequirementGroup:
    """The project's non-gold tasks with one combination of requirements (None: any)."""

    language: str | None
    dialect: str | None
    domain: str | None
    tasks: int
    open_tasks: int  # with a free slot (slots_taken < overlap)


@dataclass(frozen=True, slots=True)
class Annotating:
    """A member who may annotate: their user id, their stored skills and whether they are paused."""

    user_id: int
    skills: dict[str, Any]
    paused: bool


def requirement_groups(session: Session, project_id: int) -> list[RequirementGroup]:
    """One group per distinct (language, dialect, domain) among the project's non-gold tasks (GROUP BY treats
    NULLs as equal: the all-NULL group is the tasks open to everyone)."""
    rows = session.execute(
        select(
            Task.language,
            Task.dialect,
            Task.domain,
            func.count(),
            func.coalesce(func.sum(case((Task.slots_taken < Task.overlap, 1), else_=0)), 0),
        )
        .where(Task.project_id == project_id, Task.gold.is_(None))
        .group_by(Task.language, Task.dialect, Task.domain)
    ).all()
    return [RequirementGroup(r[0], r[1], r[2], int(r[3]), int(r[4])) for r in rows]


def annotating_members(
    session: Session, workspace_id: int, project_id: int, roles: Sequence[str]
) -> list[Annotating]:
    """Active members of the workspace with one of ``roles``, in user id order, each with their skills and
    whether a live pause (``resumed_at IS NULL``) holds them off the project."""
    paused = exists().where(
        AnnotatorPause.project_id == project_id,
        AnnotatorPause.user_id == Membership.user_id,
        AnnotatorPause.resumed_at.is_(None),
    )
    rows = session.execute(
        select(Membership.user_id, Membership.skills, paused)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.workspace_id == workspace_id,
            Membership.role.in_(list(roles)),
            User.is_active.is_(True),
        )
        .order_by(Membership.user_id)
    ).all()
    return [Annotating(int(r[0]), r[1] or {}, bool(r[2])) for r in rows]


def task_for_update(session: Session, task_id: int) -> Task | None:
    """A task, locked for the rest of the transaction on PostgreSQL (SQLite's writer lock already is)."""
    stmt = select(Task).where(Task.id == task_id)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()
