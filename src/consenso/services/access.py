"""Object access: load a project or task only if the caller may see it, and check the role's action.

An object in a workspace the caller does not belong to answers ``NotFound`` (404), never 403, so that ids
cannot be probed across workspaces.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from consenso.core.errors import NotFound, PermissionDenied
from consenso.core.permissions import Action, Role, allows
from consenso.services.principal import Principal
from consenso.store.models import Project
from consenso.store.repositories import projects as project_repo
from consenso.store.repositories import workspaces as workspace_repo


def effective_role(stored_role: str | None, principal: Principal) -> Role | None:
    if principal.is_admin:
        return Role.ADMIN
    return Role(stored_role) if stored_role else None


def require(role: Role, action: Action) -> None:
    if not allows(role, action):
        raise PermissionDenied("permission_denied", action=action.value, role=role.value)


def project_for(
    session: Session, principal: Principal, project_id: int, action: Action
) -> tuple[Project, Role]:
    found = project_repo.project_with_role(session, project_id, principal.user_id)
    role = effective_role(found[1], principal) if found else None
    if found is None or role is None:
        raise NotFound("not_found", kind_key="kind_project")
    require(role, action)
    return found[0], role


def project_access(
    session: Session, principal: Principal, project_id: int, action: Action
) -> tuple[Any, Role]:
    """Like ``project_for`` for the hot path: a light row (id, workspace_id, lease_seconds, ...) and the role."""
    row = project_repo.access_row(session, project_id, principal.user_id)
    role = effective_role(row.role, principal) if row else None
    if row is None or role is None:
        raise NotFound("not_found", kind_key="kind_project")
    require(role, action)
    return row, role


def workspace_role(session: Session, principal: Principal, workspace_id: int) -> Role:
    """The caller's role in a workspace; NotFound when the workspace does not exist or is not theirs."""
    if workspace_repo.get_workspace(session, workspace_id) is None:
        raise NotFound("not_found", kind_key="kind_workspace")
    role = effective_role(workspace_repo.member_role(session, workspace_id, principal.user_id), principal)
    if role is None:
        raise NotFound("not_found", kind_key="kind_workspace")
    return role
