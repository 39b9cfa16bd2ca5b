"""Routing by language, dialect and domain: a task's requirements, and who is qualified for what.

The rules are :mod:`consenso.core.qa.routing`'s; this module applies them to a project:

- :func:`set_task_requirements` replaces a task's requirements (``{}`` clears them: open to everyone);
- :func:`routing_summary` tells a manager, per distinct combination of requirements among the project's
  tasks (gold tasks aside), how many tasks there are, how many still have a free slot, and how many
  members are qualified to be served them. A qualified annotator is an active member whose role may
  annotate, who is not paused from the project, and whose skills meet the requirements at the project's
  ``min_language_level``. A combination with open tasks and nobody qualified is **unstaffed**: those rows
  come first, since they are the ones a manager must act on (give someone the skill, or relax the task).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from consenso.core.errors import InvalidInput, NotFound
from consenso.core.permissions import Action, Role, allows
from consenso.core.qa import (
    QaSettings,
    Qualification,
    Requirements,
    Skills,
    parse_requirements,
    parse_skills,
    qualification,
    qualifies,
)
from consenso.services.access import project_for
from consenso.services.clock import utcnow
from consenso.services.principal import Principal
from consenso.store.database import Database
from consenso.store.repositories import audit as audit_repo
from consenso.store.repositories import routing as routing_repo

#: At most this many qualified user ids are listed per row (the count is always exact).
MAX_LISTED_USERS: Final = 100
_ANNOTATING_ROLES: Final = tuple(r.value for r in Role if allows(r, Action.ANNOTATE))


@dataclass(frozen=True, slots=True)
class TaskRequirementsView:
    task_id: int
    project_id: int
    requirements: Requirements


@dataclass(frozen=True, slots=True)
class RoutingRow:
    requirements: Requirements
    tasks: int
    open_tasks: int
    qualified_annotators: int
    unstaffed: bool
    qualified_user_ids: list[int] | None  # None: not for the caller's role


@dataclass(frozen=True, slots=True)
class RoutingSummary:
    project_id: int
    min_language_level: str
    annotators: int  # members who may annotate and are not paused from the project
    paused_annotators: int
    rows: list[RoutingRow]


def stored_skills(raw: Mapping[str, Any] | None) -> Skills:
    """A member's skills as stored (validated when written); unreadable ones count as none, so that one bad
    row cannot break a listing."""
    try:
        return parse_skills(raw)
    except InvalidInput:
        return Skills()


def set_task_requirements(
    db: Database,
    principal: Principal,
    task_id: int,
    raw: Mapping[str, Any],
    *,
    origin: str = "",
    now: datetime | None = None,
) -> TaskRequirementsView:
    """Replace a task's requirements with ``raw`` (``{"language"?, "dialect"?, "domain"?}``; ``{}`` clears).

    Staff only (``EDIT_PROJECT``); a task in a workspace the caller cannot see is not found. A change is
    audited (``task.requirements``, before and after); setting the same requirements again changes nothing.
    """
    at = now or utcnow()
    with db.write() as session:
        task = routing_repo.task_for_update(session, task_id)
        if task is None:
            raise NotFound("not_found", kind_key="kind_task")
        try:
            project, _ = project_for(session, principal, task.project_id, Action.EDIT_PROJECT)
        except NotFound:
            raise NotFound("not_found", kind_key="kind_task") from None
        wanted = parse_requirements(dict(raw))  # refused: the transaction rolls back, nothing changes
        before = Requirements(task.language, task.dialect, task.domain)
        if wanted != before:
            task.language, task.dialect, task.domain = wanted.language, wanted.dialect, wanted.domain
            session.flush()
            audit_repo.record(
                session,
                workspace_id=project.workspace_id,
                actor_id=principal.user_id,
                action="task.requirements",
                object_type="task",
                object_id=str(task.id),
                origin=origin,
                details={"project_id": project.id, "from": before.to_json(), "to": wanted.to_json()},
                created_at=at,
            )
        return TaskRequirementsView(task.id, task.project_id, wanted)


def _order(row: RoutingRow) -> tuple[bool, int, str, str, str]:
    r = row.requirements
    return (not row.unstaffed, -row.open_tasks, r.language or "", r.dialect or "", r.domain or "")


def routing_summary(db: Database, principal: Principal, project_id: int) -> RoutingSummary:
    """Per requirement combination of the project's non-gold tasks: tasks, open tasks and the qualified
    annotators (see the module docstring). Unstaffed rows first, then by open tasks, most first.

    ``VIEW_DASHBOARD`` roles; the qualified members' ids (at most ``MAX_LISTED_USERS`` per row) only for
    those who manage members (they are who can act on them), ``None`` for the others.
    """
    with db.read() as session:
        project, role = project_for(session, principal, project_id, Action.VIEW_DASHBOARD)
        settings = QaSettings.stored(project.qa)
        groups = routing_repo.requirement_groups(session, project_id)
        members = routing_repo.annotating_members(
            session, project.workspace_id, project_id, _ANNOTATING_ROLES
        )
    list_ids = allows(role, Action.MANAGE_MEMBERS)
    available: list[tuple[int, Qualification]] = [
        (m.user_id, qualification(stored_skills(m.skills), settings.min_language_level))
        for m in members
        if not m.paused
    ]
    rows: list[RoutingRow] = []
    for group in groups:
        wanted = Requirements(group.language, group.dialect, group.domain)
        qualified = [user_id for user_id, q in available if qualifies(q, wanted)]
        rows.append(
            RoutingRow(
                requirements=wanted,
                tasks=group.tasks,
                open_tasks=group.open_tasks,
                qualified_annotators=len(qualified),
                unstaffed=group.open_tasks > 0 and not qualified,
                qualified_user_ids=qualified[:MAX_LISTED_USERS] if list_ids else None,
            )
        )
    rows.sort(key=_order)
    return RoutingSummary(
        project_id=project_id,
        min_language_level=settings.min_language_level,
        annotators=len(available),
        paused_annotators=len(members) - len(available),
        rows=rows,
    )
