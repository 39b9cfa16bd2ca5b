"""Projects: schema and guidelines are versioned; every annotation records the versions it was made under."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from consenso.core.errors import Conflict, NotFound
from consenso.core.permissions import Action
from consenso.core.schema import LabelSchema
from consenso.services.access import project_for, require, workspace_role
from consenso.services.clock import utcnow
from consenso.services.principal import Principal
from consenso.store.database import Database
from consenso.store.models import Project
from consenso.store.repositories import audit as audit_repo
from consenso.store.repositories import projects as project_repo
from consenso.store.repositories import workspaces as workspace_repo


@dataclass(frozen=True, slots=True)
class ProjectView:
    id: int
    workspace_id: int
    name: str
    description: str
    overlap: int
    lease_seconds: int
    schema: dict[str, Any]
    schema_version: int
    guidelines: dict[str, Any]
    guideline_version: int | None
    task_count: int
    role: str
    created_at: datetime
    updated_at: datetime


class _SchemaCache:
    """Parsed schemas by version id. A schema version never changes once written, so caching is safe."""

    def __init__(self, size: int = 256) -> None:
        self._items: OrderedDict[int, LabelSchema] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, session: Session, schema_version_id: int) -> LabelSchema:
        with self._lock:
            hit = self._items.get(schema_version_id)
            if hit is not None:
                self._items.move_to_end(schema_version_id)
                return hit
        row = project_repo.get_schema_version(session, schema_version_id)
        if row is None:
            raise NotFound("not_found", kind_key="kind_project")
        parsed = LabelSchema.parse(row.schema)
        with self._lock:
            self._items[schema_version_id] = parsed
            if len(self._items) > self._size:
                self._items.popitem(last=False)
        return parsed


schema_cache = _SchemaCache()


def _view(session: Session, project: Project, role: str) -> ProjectView:
    schema_row = project_repo.get_schema_version(session, project.schema_version_id or 0)
    guideline_row = (
        project_repo.get_guideline_version(session, project.guideline_version_id)
        if project.guideline_version_id
        else None
    )
    return ProjectView(
        id=project.id,
        workspace_id=project.workspace_id,
        name=project.name,
        description=project.description,
        overlap=project.overlap,
        lease_seconds=project.lease_seconds,
        schema=schema_row.schema if schema_row else {},
        schema_version=schema_row.version if schema_row else 0,
        guidelines=guideline_row.content if guideline_row else {"en": "", "es": ""},
        guideline_version=guideline_row.version if guideline_row else None,
        task_count=project.task_count,
        role=role,
        created_at=project.created_at,
        updated_at=project.updated_at,
    )


def create_project(
    db: Database,
    principal: Principal,
    *,
    workspace_id: int,
    name: str,
    schema: dict[str, Any],
    overlap: int = 1,
    lease_seconds: int = 3600,
    description: str = "",
    guidelines: dict[str, str] | None = None,
    now: datetime | None = None,
) -> ProjectView:
    parsed = LabelSchema.parse(schema)  # validate before touching the database
    now = now or utcnow()
    with db.write() as session:
        role = workspace_role(session, principal, workspace_id)
        require(role, Action.CREATE_PROJECT)
        project = project_repo.add_project(
            session,
            Project(
                workspace_id=workspace_id,
                name=name,
                description=description,
                overlap=overlap,
                lease_seconds=lease_seconds,
                created_by=principal.user_id,
                created_at=now,
                updated_at=now,
                task_count=0,
            ),
        )
        schema_row = project_repo.add_schema_version(session, project.id, parsed.to_json(), principal.user_id)
        project.schema_version_id = schema_row.id
        if guidelines:
            g = project_repo.add_guideline_version(session, project.id, dict(guidelines), principal.user_id)
            project.guideline_version_id = g.id
        audit_repo.record(
            session,
            workspace_id=workspace_id,
            actor_id=principal.user_id,
            action="project.create",
            object_type="project",
            object_id=str(project.id),
            created_at=now,
        )
        session.flush()
        return _view(session, project, role.value)


def update_project(
    db: Database,
    principal: Principal,
    project_id: int,
    changes: dict[str, Any],
    now: datetime | None = None,
) -> ProjectView:
    """Change name, description, overlap, lease time; a new schema or guidelines makes a new version."""
    now = now or utcnow()
    parsed = LabelSchema.parse(changes["schema"]) if changes.get("schema") is not None else None
    with db.write() as session:
        project, role = project_for(session, principal, project_id, Action.EDIT_PROJECT)
        for key in ("name", "description", "lease_seconds"):
            if changes.get(key) is not None:
                setattr(project, key, changes[key])
        new_overlap = changes.get("overlap")
        if new_overlap is not None and new_overlap != project.overlap:
            busiest = project_repo.max_slots_taken(session, project.id)
            if new_overlap < busiest:
                raise Conflict("overlap_below_taken", overlap=new_overlap, taken=busiest)
            project.overlap = new_overlap
            project_repo.set_task_overlap(session, project.id, new_overlap)
        if parsed is not None:
            row = project_repo.add_schema_version(session, project.id, parsed.to_json(), principal.user_id)
            project.schema_version_id = row.id
        if changes.get("guidelines") is not None:
            g = project_repo.add_guideline_version(
                session, project.id, dict(changes["guidelines"]), principal.user_id
            )
            project.guideline_version_id = g.id
        project.updated_at = now
        audit_repo.record(
            session,
            workspace_id=project.workspace_id,
            actor_id=principal.user_id,
            action="project.update",
            object_type="project",
            object_id=str(project.id),
            details={"fields": sorted(k for k, v in changes.items() if v is not None)},
            created_at=now,
        )
        session.flush()
        return _view(session, project, role.value)


def get_project(db: Database, principal: Principal, project_id: int) -> ProjectView:
    with db.read() as session:
        project, role = project_for(session, principal, project_id, Action.VIEW_PROJECT)
        return _view(session, project, role.value)


def list_projects(db: Database, principal: Principal, workspace_id: int | None = None) -> list[ProjectView]:
    with db.read() as session:
        memberships = workspace_repo.list_workspaces_for(
            session, principal.user_id, all_workspaces=principal.is_admin
        )
        roles = {ws.id: role for ws, role in memberships}
        ids = [workspace_id] if workspace_id is not None else list(roles)
        ids = [i for i in ids if i in roles]
        return [_view(session, p, roles[p.workspace_id]) for p in project_repo.list_projects(session, ids)]
