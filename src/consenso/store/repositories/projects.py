"""Projects with their schema and guideline versions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from consenso.store.models import GuidelineVersion, Membership, Project, SchemaVersion, Task


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
    return int(session.scalar(select(func.max(Task.slots_taken)).where(Task.project_id == project_id)) or 0)


def set_task_overlap(session: Session, project_id: int, overlap: int) -> None:
    session.execute(update(Task).where(Task.project_id == project_id).values(overlap=overlap))


def add_to_task_count(session: Session, project_id: int, delta: int) -> None:
    session.execute(
        update(Project).where(Project.id == project_id).values(task_count=Project.task_count + delta)
    )
