"""Annotator pauses: who is paused from a project by their gold answers, and resuming them."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from consenso.api.deps import DB, CurrentPrincipal, PathId
from consenso.api.routes.v1.router import router
from consenso.api.schemas.qa import PausePage, PauseRead
from consenso.services import listing, pauses


@router.get(
    "/projects/{project_id}/pauses",
    tags=["pauses"],
    response_model=PausePage,
    summary="Annotators paused from the project by gold accuracy, live and past, newest first",
    description="Admins, managers and reviewers; annotators and viewers get 403 `permission_denied`. An "
    "annotator is paused when, after at least `min_gold_answers` scored gold answers since their last "
    "resume, the upper end of the 95 % Wilson interval of their gold accuracy is below `min_gold_accuracy`. "
    "A paused annotator is served nothing and may not submit (403 `annotator_paused`) until resumed.",
)
def list_pauses(
    project_id: PathId,
    principal: CurrentPrincipal,
    db: DB,
    limit: Annotated[int, Query(ge=1, le=listing.MAX_LIMIT)] = 100,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> PausePage:
    page = pauses.list_pauses(db, principal, project_id, limit=limit, cursor=cursor)
    return PausePage(items=[PauseRead.model_validate(p) for p in page.items], next_cursor=page.next_cursor)


@router.post(
    "/projects/{project_id}/pauses/{user_id}/resume",
    tags=["pauses"],
    response_model=PauseRead,
    summary="Resume a paused annotator",
    description="Admins and managers; others get 403 `permission_denied`. 404 `pause_not_found` when the "
    "annotator is not paused in the project. Their gold answers up to now no longer count towards a new "
    "pause.",
)
def resume_annotator(project_id: PathId, user_id: PathId, principal: CurrentPrincipal, db: DB) -> PauseRead:
    return PauseRead.model_validate(pauses.resume_annotator(db, principal, project_id, user_id))
