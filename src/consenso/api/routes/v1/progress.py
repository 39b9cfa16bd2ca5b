from __future__ import annotations

from consenso.api.deps import DB, CurrentPrincipal, PathId
from consenso.api.routes.v1.router import router
from consenso.api.schemas.progress import DashboardRead, ProgressRead
from consenso.services import progress


@router.get(
    "/projects/{project_id}/progress",
    tags=["projects"],
    response_model=ProgressRead,
    summary="Your own progress in a project, with the project's task totals",
    description="Any member. Annotations you submitted, tasks you skipped, tasks still available to you, and "
    "the project's total and complete tasks; nothing about other people's work.",
)
def get_progress(project_id: PathId, principal: CurrentPrincipal, db: DB) -> ProgressRead:
    return ProgressRead.model_validate(progress.annotator_progress(db, principal, project_id))


@router.get(
    "/projects/{project_id}/dashboard",
    tags=["projects"],
    response_model=DashboardRead,
    summary="Activity dashboard: progress, 24-hour throughput, per-annotator counts and lead times",
    description="Admins, managers and reviewers. Task status: complete = `overlap` annotations; in progress "
    "= not complete, with an annotation or a lease; untouched = neither. Throughput counts annotations per "
    "UTC hour over the last 24 hours (zero-filled, the last bucket is the current hour). Lead times are "
    "the median and 90th percentile (linear interpolation between ranks) of `lead_time_ms`, over the "
    "annotations that report one.",
)
def get_dashboard(project_id: PathId, principal: CurrentPrincipal, db: DB) -> DashboardRead:
    return DashboardRead.model_validate(progress.project_dashboard(db, principal, project_id))
