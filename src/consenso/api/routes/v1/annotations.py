from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from consenso.api.deps import DB, CurrentPrincipal, PathId, QueryId, current_principal, idempotency_key
from consenso.api.fast_json import dataclass_dict, json_response
from consenso.api.routes.v1.router import router
from consenso.api.schemas.annotations import (
    AnnotationCreate,
    AnnotationListItemRead,
    AnnotationPage,
    AnnotationRead,
    WithdrawalRead,
)
from consenso.services import annotate, listing


@router.post(
    "/tasks/{task_id}/annotations",
    tags=["annotations"],
    status_code=201,
    response_model=AnnotationRead,
    summary="Submit an annotation; a retry with the same Idempotency-Key returns the stored one",
)
async def submit_annotation(
    task_id: PathId,
    body: AnnotationCreate,
    request: Request,
    db: DB,
    key: Annotated[str | None, Depends(idempotency_key)],
) -> Response:
    # Hot path: authentication and the use case share one worker-thread hop, and the response is
    # serialised directly (same shape as AnnotationRead, pinned by the API tests).
    def work() -> Response:
        view, created = annotate.submit_annotation(
            db,
            current_principal(request),
            task_id,
            result=body.result,
            lead_time_ms=body.lead_time_ms,
            idempotency_key=key,
            origin=body.origin,
        )
        headers = None if created else {"Idempotent-Replayed": "true"}
        return json_response(201, dataclass_dict(view), headers)

    return await run_in_threadpool(work)


@router.delete(
    "/annotations/{annotation_id}",
    tags=["annotations"],
    response_model=WithdrawalRead,
    summary="Undo your latest submission while its task is open: the task is leased to you again",
    description="Only the annotator who submitted it, only their most recent annotation in the project, only "
    "within 10 minutes of submitting, while nobody has reviewed it and while the task has no final "
    "(adjudicated) label: otherwise 409 (`undo_not_latest`, `undo_too_late`, `undo_reviewed`, "
    "`undo_task_closed`). Someone else's annotation is 404 to an "
    "annotator, 403 `undo_not_own` to roles that may read it. The annotation is deleted (the audit log keeps "
    "it, answer included); its slot stays yours as a lease, so `next` hands you the task again. A lease you "
    "held on another task is given back, and that task may be offered to you again later.",
)
def withdraw_annotation(annotation_id: PathId, principal: CurrentPrincipal, db: DB) -> WithdrawalRead:
    return WithdrawalRead.model_validate(annotate.withdraw_annotation(db, principal, annotation_id))


@router.get(
    "/projects/{project_id}/annotations",
    tags=["annotations"],
    response_model=AnnotationPage,
    summary="Annotations, cursor-paginated; annotators see only their own",
    description="Each with `review`: its current verdict (the newest review's verdict, comment, fixed answer "
    "and time), or null when nobody has reviewed it. Annotators see their own annotations only, so the "
    "verdicts on their own work and nothing about anyone else's; the full history of reviews, with "
    "reviewers' names, is for reviewers (`GET /tasks/{id}/review`).",
)
def list_annotations(
    project_id: PathId,
    principal: CurrentPrincipal,
    db: DB,
    limit: Annotated[int, Query(ge=1, le=listing.MAX_LIMIT)] = 100,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    task_id: QueryId = None,
) -> AnnotationPage:
    page = listing.list_annotations(db, principal, project_id, limit=limit, cursor=cursor, task_id=task_id)
    return AnnotationPage(
        items=[AnnotationListItemRead.model_validate(a) for a in page.items], next_cursor=page.next_cursor
    )
