"""Projects: schema and guidelines are versioned; every annotation records the versions it was made under.

A project's QA settings (``project.qa``, see :class:`consenso.core.qa.QaSettings`) are read by the roles
that run or check the work (``sees_qa``: staff and reviewers). Annotators and viewers get ``qa: None`` (the
gold rate and the pause bar are not theirs to know) and a ``task_count`` of the ordinary tasks, as their
progress counts them (gold questions are not work to finish).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from consenso.core.errors import Conflict, InvalidInput, NotFound, SettingsInvalid
from consenso.core.permissions import Action, Role, allows
from consenso.core.qa import QaSettings
from consenso.core.schema import LabelSchema
from consenso.services import pii as pii_service
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
    qa: dict[str, Any] | None = None
    # the PII policy in force (consenso.services.pii), for the same roles as ``qa``; None: masking is off
    pii: dict[str, Any] | None = None


def sees_qa(role: Role) -> bool:
    """Whether a role reads QA settings and gold tasks: those who may edit the project or review its work."""
    return allows(role, Action.EDIT_PROJECT) or allows(role, Action.REVIEW)


def parse_qa(raw: Mapping[str, Any] | None, base: QaSettings | None = None) -> QaSettings:
    """QA settings a manager sent, over ``base``; ``SettingsInvalid`` (422) naming the field otherwise."""
    try:
        return QaSettings.parse(raw, base=base)
    except InvalidInput as exc:
        raise SettingsInvalid(exc.message_key, **exc.params) from None


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


def _view(session: Session, project: Project, role: Role, gold_tasks: int | None = None) -> ProjectView:
    """The project as ``role`` reads it; ``gold_tasks`` (its gold task count) is read when not given and
    needed (for the roles that do not see QA settings)."""
    shown = sees_qa(role)
    task_count = project.task_count
    if not shown:
        if gold_tasks is None:
            gold_tasks = project_repo.gold_task_counts(session, [project.id]).get(project.id, 0)
        task_count -= gold_tasks
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
        task_count=task_count,
        role=role.value,
        created_at=project.created_at,
        updated_at=project.updated_at,
        qa=QaSettings.stored(project.qa).to_json() if shown else None,
        pii=dict(project.pii) if shown and project.pii is not None else None,
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
    qa: Mapping[str, Any] | None = None,
    pii: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> ProjectView:
    parsed = LabelSchema.parse(schema)  # validate before touching the database
    qa_settings = parse_qa(qa) if qa else None
    pii_policy = pii_service.parse_policy(pii)
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
                qa=qa_settings.to_json() if qa_settings is not None else {},
                pii=pii_policy,
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
            details={"pii": pii_policy} if pii_policy is not None else None,
            created_at=now,
        )
        session.flush()
        return _view(session, project, role, gold_tasks=0)


def _settings_state(project: Project) -> dict[str, Any]:
    """A project's settings, whose digests before and after a change the audit event keeps."""
    return {
        "name": project.name,
        "description": project.description,
        "overlap": project.overlap,
        "lease_seconds": project.lease_seconds,
        "qa": dict(project.qa),
        "pii": dict(project.pii) if project.pii is not None else None,
        "schema_version_id": project.schema_version_id,
        "guideline_version_id": project.guideline_version_id,
    }


def update_project(
    db: Database,
    principal: Principal,
    project_id: int,
    changes: dict[str, Any],
    now: datetime | None = None,
) -> ProjectView:
    """Change name, description, overlap, lease time, QA settings (``qa``: the fields given change, over the
    settings in force); a new schema or guidelines makes a new version. A new overlap applies to every
    ordinary task (gold tasks keep theirs) and may not fall below the slots any of them holds."""
    now = now or utcnow()
    parsed = LabelSchema.parse(changes["schema"]) if changes.get("schema") is not None else None
    with db.write() as session:
        project, role = project_for(session, principal, project_id, Action.EDIT_PROJECT)
        before = _settings_state(project)
        if changes.get("qa") is not None:
            project.qa = parse_qa(changes["qa"], base=QaSettings.stored(project.qa)).to_json()
        if changes.get("pii") is not None:
            project.pii = pii_service.parse_policy(changes["pii"], base=project.pii)
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
            details={"fields": sorted(k for k, v in changes.items() if v is not None)}
            | ({"qa": dict(changes["qa"])} if changes.get("qa") else {})
            | ({"pii": project.pii} if changes.get("pii") is not None else {}),
            before=before,
            after=_settings_state(project),
            created_at=now,
        )
        session.flush()
        return _view(session, project, role)


def get_project(db: Database, principal: Principal, project_id: int) -> ProjectView:
    with db.read() as session:
        project, role = project_for(session, principal, project_id, Action.VIEW_PROJECT)
        return _view(session, project, role)


def list_projects(db: Database, principal: Principal, workspace_id: int | None = None) -> list[ProjectView]:
    with db.read() as session:
        memberships = workspace_repo.list_workspaces_for(
            session, principal.user_id, all_workspaces=principal.is_admin
        )
        roles = {ws.id: Role(role) for ws, role in memberships}
        ids = [workspace_id] if workspace_id is not None else list(roles)
        ids = [i for i in ids if i in roles]
        found = project_repo.list_projects(session, ids)
        gold = project_repo.gold_task_counts(session, [p.id for p in found])
        return [_view(session, p, roles[p.workspace_id], gold.get(p.id, 0)) for p in found]
