from __future__ import annotations

from fastapi import Response

from consenso.api.deps import DB, CurrentPrincipal, PathId
from consenso.api.routes.v1.router import router
from consenso.api.schemas.workspaces import (
    MemberCreate,
    MemberRead,
    MemberUpdate,
    WorkspaceCreate,
    WorkspaceRead,
)
from consenso.services import workspaces


@router.post(
    "/workspaces",
    tags=["workspaces"],
    status_code=201,
    response_model=WorkspaceRead,
    summary="Create a workspace",
)
def create_workspace(body: WorkspaceCreate, principal: CurrentPrincipal, db: DB) -> WorkspaceRead:
    return WorkspaceRead.model_validate(workspaces.create_workspace(db, principal, body.name))


@router.get(
    "/workspaces",
    tags=["workspaces"],
    response_model=list[WorkspaceRead],
    summary="Workspaces the caller belongs to",
)
def list_workspaces(principal: CurrentPrincipal, db: DB) -> list[WorkspaceRead]:
    return [WorkspaceRead.model_validate(w) for w in workspaces.list_workspaces(db, principal)]


@router.get(
    "/workspaces/{workspace_id}", tags=["workspaces"], response_model=WorkspaceRead, summary="One workspace"
)
def get_workspace(workspace_id: PathId, principal: CurrentPrincipal, db: DB) -> WorkspaceRead:
    return WorkspaceRead.model_validate(workspaces.get_workspace(db, principal, workspace_id))


@router.post(
    "/workspaces/{workspace_id}/members",
    tags=["workspaces"],
    status_code=201,
    response_model=MemberRead,
    summary="Add a member by user id or e-mail, with a role",
)
def add_member(workspace_id: PathId, body: MemberCreate, principal: CurrentPrincipal, db: DB) -> MemberRead:
    member = workspaces.add_member(
        db, principal, workspace_id, role=body.role, user_id=body.user_id, email=body.email
    )
    return MemberRead.model_validate(member)


@router.get(
    "/workspaces/{workspace_id}/members",
    tags=["workspaces"],
    response_model=list[MemberRead],
    summary="Members and roles",
    description="Every member with their role. Skills: those who manage members see everyone's; any other "
    "member sees their own and null for the others.",
)
def list_members(workspace_id: PathId, principal: CurrentPrincipal, db: DB) -> list[MemberRead]:
    return [MemberRead.model_validate(m) for m in workspaces.list_members(db, principal, workspace_id)]


@router.patch(
    "/workspaces/{workspace_id}/members/{user_id}",
    tags=["workspaces"],
    response_model=MemberRead,
    summary="Change a member's role or skills",
    description="Admins and managers; a manager can neither grant the admin role nor change an admin (role "
    "or skills). The last admin of a workspace cannot be demoted (409 `last_admin`). A member who may no "
    "longer annotate gives back their leases at once. `skills` replaces the member's languages and domains "
    "(routing: `GET /projects/{id}/next` serves a task with requirements only to members qualified for it); "
    "send `role`, `skills` or both (400 `member_change_required` with neither).",
)
def change_member(
    workspace_id: PathId, user_id: PathId, body: MemberUpdate, principal: CurrentPrincipal, db: DB
) -> MemberRead:
    member = workspaces.update_member(
        db,
        principal,
        workspace_id,
        user_id,
        role=body.role,
        skills=body.skills if "skills" in body.model_fields_set else workspaces.KEEP,
    )
    return MemberRead.model_validate(member)


@router.delete(
    "/workspaces/{workspace_id}/members/{user_id}",
    tags=["workspaces"],
    status_code=204,
    summary="Remove a member from the workspace",
    description="Admins and managers; a manager cannot remove an admin, and nobody the last admin (409 "
    "`last_admin`). The member's annotations stay; their leases are given back at once.",
)
def remove_member(workspace_id: PathId, user_id: PathId, principal: CurrentPrincipal, db: DB) -> Response:
    workspaces.remove_member(db, principal, workspace_id, user_id)
    return Response(status_code=204)
