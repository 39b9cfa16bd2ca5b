"""Routing by language, dialect and domain: a task's requirements, and the per-requirement staffing summary."""

from __future__ import annotations

from fastapi import Request

from consenso.api.deps import DB, CurrentPrincipal, PathId, client_origin
from consenso.api.routes.v1.router import router
from consenso.api.schemas.routing import RequirementsUpdate, RoutingRead, TaskRequirementsRead
from consenso.services import routing


@router.put(
    "/tasks/{task_id}/requirements",
    tags=["routing"],
    response_model=TaskRequirementsRead,
    summary="Replace a task's routing requirements",
    description="Admins and managers. The body replaces the task's requirements: a `language`, a `dialect` "
    "(which implies its language) and a `domain`, each optional; `{}` clears them (open to everyone). "
    "`next` then serves the task only to members qualified for it. 400 `requirement_invalid` names a bad "
    "field.",
)
def put_task_requirements(
    task_id: PathId, body: RequirementsUpdate, request: Request, principal: CurrentPrincipal, db: DB
) -> TaskRequirementsRead:
    view = routing.set_task_requirements(
        db, principal, task_id, body.model_dump(exclude_none=True), origin=client_origin(request)
    )
    return TaskRequirementsRead.model_validate(view)


@router.get(
    "/projects/{project_id}/routing",
    tags=["routing"],
    response_model=RoutingRead,
    summary="Per requirement combination: tasks, open tasks and qualified annotators",
    description="Admins, managers and reviewers. One row per distinct (language, dialect, domain) among the "
    "project's tasks (gold tasks aside). A row with open tasks and no qualified annotator is `unstaffed` "
    "and comes first. Qualified user ids are listed for admins and managers only.",
)
def get_routing(project_id: PathId, principal: CurrentPrincipal, db: DB) -> RoutingRead:
    return RoutingRead.model_validate(routing.routing_summary(db, principal, project_id))
