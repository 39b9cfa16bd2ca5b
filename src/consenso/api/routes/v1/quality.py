from __future__ import annotations

from fastapi import Query, Request

from consenso.api.deps import DB, CurrentPrincipal, PathId
from consenso.api.routes.v1.router import router
from consenso.api.schemas.quality import QualityRead
from consenso.core.messages import negotiate_language
from consenso.core.quality import ANNOTATOR_LIMIT, DEFAULT_METHOD, MAX_ANNOTATOR_LIMIT
from consenso.services import quality


@router.get(
    "/projects/{project_id}/quality",
    tags=["projects"],
    response_model=QualityRead,
    summary="Quality figures of every control: agreement, per label, per annotator, aggregation",
    description="Computed from the submitted annotations when asked (admin, manager, reviewer, viewer). "
    "Undefined figures are null with a reason code, explained in `reasons` in the caller's language.",
)
def get_project_quality(
    project_id: PathId,
    request: Request,
    principal: CurrentPrincipal,
    db: DB,
    method: str = Query(
        default=DEFAULT_METHOD,
        description="Aggregation method; the report lists every valid one in `methods`",
    ),
    annotator_limit: int = Query(
        default=ANNOTATOR_LIMIT,
        ge=1,
        le=MAX_ANNOTATOR_LIMIT,
        description="Annotators listed per control, the most productive first (all of them count in the figures)",
    ),
) -> QualityRead:
    view = quality.project_quality(db, principal, project_id, method, annotator_limit=annotator_limit)
    return QualityRead.of(view, negotiate_language(request.headers.get("accept-language")))
