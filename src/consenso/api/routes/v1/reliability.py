from __future__ import annotations

from fastapi import Request

from consenso.api.deps import DB, CurrentPrincipal, PathId
from consenso.api.routes.v1.router import router
from consenso.api.schemas.reliability import OwnReliabilityRead, ProjectReliabilityRead
from consenso.core.messages import negotiate_language
from consenso.services import reliability


@router.get(
    "/projects/{project_id}/reliability",
    tags=["projects"],
    response_model=ProjectReliabilityRead,
    summary="Annotator reliability: gold accuracy, agreement with final labels, confusion, throughput",
    description="Admins, managers and reviewers (as the dashboard). Per annotator with an annotation in the "
    "project: gold accuracy with its 95 % Wilson interval, agreement with the current final labels per "
    "control and pooled, a Dawid-Skene confusion matrix per choice and rating control (one fit per control "
    "over the non-gold answers), throughput per hour of active time (the sum of lead times) and per day "
    "worked, lead-time median and 90th percentile, and whether they are paused. Formulas: docs/quality.md.",
)
def get_project_reliability(
    project_id: PathId, request: Request, principal: CurrentPrincipal, db: DB
) -> ProjectReliabilityRead:
    view = reliability.project_reliability(db, principal, project_id)
    return ProjectReliabilityRead.of(view, negotiate_language(request.headers.get("accept-language")))


@router.get(
    "/projects/{project_id}/reliability/me",
    tags=["projects"],
    response_model=OwnReliabilityRead,
    summary="Your own reliability figures in a project",
    description="Any member who may annotate; nothing about anyone else. The gold, final-label and "
    "confusion figures cover your annotations in whole blocks (`block`, `covered_annotations`), so that they "
    "never move right after one submission; counts, throughput and lead times are up to date.",
)
def get_own_reliability(
    project_id: PathId, request: Request, principal: CurrentPrincipal, db: DB
) -> OwnReliabilityRead:
    view = reliability.own_reliability(db, principal, project_id)
    return OwnReliabilityRead.of(view, negotiate_language(request.headers.get("accept-language")))
