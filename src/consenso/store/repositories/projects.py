"""Projects with their schema and guideline versions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, exists, func, select, update
from sqlalchemy.orm import Session

from consenso.store.models import (
    AnnotatorPause,
    GuidelineVersion,
    Membership,
    Project,
    SchemaVersion,
    Task,
)


def add_project(session: Session, project: Project) -> Project:
    session.add(project)
    session.flush()
    return project


def get_project(session: Session, project_id: int) -> Project | None:
    return session.get(Project, project_id)


def project_with_role(session: Session, project_id: int, user_id: int) -> tuple[Project, str | None] | None:
    """The project and the user's role in its workspace (None when not a member), in one query."""
    row = session.execute(
        select(Project, Membership.role)
        .outerjoin(
            Membership,
            (Membership.workspace_id == Project.workspace_id) & (Membership.user_id == user_id),
        )
        .where(Project.id == project_id)
    ).first()
    return (row[0], row[1]) if row else None


# The annotator hot path needs only these columns of the project and the caller's role.
_ACCESS = (
    select(
        Project.id, Project.workspace_id, Project.lease_seconds, Project.schema_version_id, Membership.role
    )
    .outerjoin(
        Membership,
        (Membership.workspace_id == Project.workspace_id) & (Membership.user_id == bindparam("user_id")),
    )
    .where(Project.id == bindparam("project_id"))
)


def access_row(session: Session, project_id: int, user_id: int) -> Any:
    """(id, workspace_id, lease_seconds, schema_version_id, role) or None, in one indexed query."""
    return session.connection().execute(_ACCESS, {"project_id": project_id, "user_id": user_id}).first()


# ``next`` also needs the QA settings, the caller's skills, whether they are paused (a live pause row, over
# ``uq_annotator_pause_live``) and whether the project has a gold task at all (over ``ix_task_gold``): still
# one indexed query, so that routing, pausing and gold cost no round trip of their own.
_ANNOTATOR_ACCESS = (
    select(
        Project.id,
        Project.workspace_id,
        Project.lease_seconds,
        Project.schema_version_id,
        Membership.role,
        Project.qa,
        Membership.skills,
        exists()
        .where(
            AnnotatorPause.project_id == Project.id,
            AnnotatorPause.user_id == bindparam("user_id"),
            AnnotatorPause.resumed_at.is_(None),
        )
        .label("paused"),
        exists().where(Task.project_id == Project.id, Task.gold.is_not(None)).label("has_gold"),
    )
    .outerjoin(
        Membership,
        (Membership.workspace_id == Project.workspace_id) & (Membership.user_id == bindparam("user_id")),
    )
    .where(Project.id == bindparam("project_id"))
)


def annotator_access_row(session: Session, project_id: int, user_id: int) -> Any:
    """(id, workspace_id, lease_seconds, schema_version_id, role, qa, skills, paused, has_gold) or None.

    ``skills`` is None when the user is not a member (an instance administrator acting as admin)."""
    return (
        session.connection()
        .execute(_ANNOTATOR_ACCESS, {"project_id": project_id, "user_id": user_id})
        .first()
    )


def list_projects(session: Session, workspace_ids: Sequence[int]) -> Sequence[Project]:
    if not workspace_ids:
        return []
    return list(
        session.scalars(select(Project).where(Project.workspace_id.in_(workspace_ids)).order_by(Project.id))
    )


def _next_version(
    session: Session, model: type[SchemaVersion] | type[GuidelineVersion], project_id: int
) -> int:
    """Versions of a project's schema or guidelines count 1, 2, 3 … (unique per project in the database)."""
    latest = session.scalar(select(func.max(model.version)).where(model.project_id == project_id))
    return int(latest or 0) + 1


def add_schema_version(
    session: Session, project_id: int, schema: dict[str, Any], created_by: int | None
) -> SchemaVersion:
    row = SchemaVersion(
        project_id=project_id,
        version=_next_version(session, SchemaVersion, project_id),
        schema=schema,
        created_by=created_by,
    )
    session.add(row)
    session.flush()
    return row


def get_schema_version(session: Session, schema_version_id: int) -> SchemaVersion | None:
    return session.get(SchemaVersion, schema_version_id)


def schema_version_ids(session: Session, project_id: int) -> list[int]:
    """The ids of every schema version of the project, newest first."""
    stmt = (
        select(SchemaVersion.id)
        .where(SchemaVersion.project_id == project_id)
        .order_by(SchemaVersion.version.desc())
    )
    return [int(i) for i in session.scalars(stmt)]


def add_guideline_version(
    session: Session, project_id: int, content: dict[str, Any], created_by: int | None
) -> GuidelineVersion:
    row = GuidelineVersion(
        project_id=project_id,
        version=_next_version(session, GuidelineVersion, project_id),
        content=content,
        created_by=created_by,
    )
    session.add(row)
    session.flush()
    return row


def get_guideline_version(session: Session, guideline_version_id: int) -> GuidelineVersion | None:
    return session.get(GuidelineVersion, guideline_version_id)


def max_slots_taken(session: Session, project_id: int) -> int:
    """The most slots any ordinary task of the project holds (gold tasks, open to everyone, left out)."""
    return int(
        session.scalar(
            select(func.max(Task.slots_taken)).where(Task.project_id == project_id, Task.gold.is_(None))
        )
        or 0
    )


def set_task_overlap(session: Session, project_id: int, overlap: int) -> None:
    """The project's overlap on every ordinary task; gold tasks keep ``GOLD_OVERLAP``."""
    session.execute(
        update(Task).where(Task.project_id == project_id, Task.gold.is_(None)).values(overlap=overlap)
    )


def gold_task_counts(session: Session, project_ids: Sequence[int]) -> dict[int, int]:
    """project id → how many of its tasks are gold (over ``ix_task_gold``); projects without any left out."""
    if not project_ids:
        return {}
    rows = session.execute(
        select(Task.project_id, func.count())
        .where(Task.project_id.in_(project_ids), Task.gold.is_not(None))
        .group_by(Task.project_id)
    ).all()
    return {int(p): int(n) for p, n in rows}


def add_to_task_count(session: Session, project_id: int, delta: int) -> None:
    session.execute(
        update(Project).where(Project.id == project_id).values(task_count=Project.task_count + delta)
    )
