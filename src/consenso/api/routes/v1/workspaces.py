from __future__ import annotations

from fastapi import APIRouter

from consenso.api.deps import DB, CurrentPrincipal, PathId
from consenso.api.schemas.common import ERROR_RESPONSES
from consenso.api.schemas.workspaces import MemberCreate, MemberRead, WorkspaceCreate, WorkspaceRead
from consenso.services import workspaces

router = APIRouter(tags=["workspaces"], responses=ERROR_RESPONSES)


@router.post("/workspaces", status_code=201, response_model=WorkspaceRead, summary="Create a workspace")
def create_workspace(body: WorkspaceCreate, principal: CurrentPrincipal, db: DB) -> WorkspaceRead:
    return WorkspaceRead.model_validate(workspaces.create_workspace(db, principal, body.name))


@router.get("/workspaces", response_model=list[WorkspaceRead], summary="Workspaces the caller belongs to")
def list_workspaces(principal: CurrentPrincipal, db: DB) -> list[WorkspaceRead]:
    return [WorkspaceRead.model_validate(w) for w in workspaces.list_workspaces(db, principal)]


@router.get("/workspaces/{workspace_id}", response_model=WorkspaceRead, summary="One workspace")
def get_workspace(workspace_id: PathId, principal: CurrentPrincipal, db: DB) -> WorkspaceRead:
    return WorkspaceRead.model_validate(workspaces.get_workspace(db, principal, workspace_id))


@router.post(
    "/workspaces/{workspace_id}/members",
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
    "/workspaces/{workspace_id}/members", response_model=list[MemberRead], summary="Members and roles"
)
def list_members(workspace_id: PathId, principal: CurrentPrincipal, db: DB) -> list[MemberRead]:
    return [MemberRead.model_validate(m) for m in workspaces.list_members(db, principal, workspace_id)]
