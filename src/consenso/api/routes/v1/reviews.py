from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Query, Response

from consenso.api.deps import DB, CurrentPrincipal, PathId, QueryId, idempotency_key
from consenso.api.routes.v1.router import router
from consenso.api.schemas.reviews import ReviewCreate, ReviewQueuePage, ReviewRead, TaskReviewRead
from consenso.core.review import MAX_COMMENT_LENGTH
from consenso.services import listing, review

_WHO = (
    "Admins, managers and reviewers; annotators and viewers get 403 `permission_denied`; anything "
    "outside your workspaces is 404."
)


@router.get(
    "/projects/{project_id}/review/tasks",
    tags=["reviews"],
    response_model=ReviewQueuePage,
    summary="The review queue: tasks with at least one annotation, newest first, filtered",
    description=f"{_WHO} Newest first means the highest task id first (the latest imported): an order new "
    "annotations and reviews do not change, so a cursor walk never skips or repeats a task. Filters combine "
    "(all must hold). A task's current verdicts are those of its annotations' newest reviews.",
)
def list_review_tasks(
    project_id: PathId,
    principal: CurrentPrincipal,
    db: DB,
    limit: Annotated[int, Query(ge=1, le=listing.MAX_LIMIT)] = 100,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    status: Annotated[
        Literal["complete", "incomplete"] | None,
        Query(description="`complete`: the task holds its `overlap` annotations; `incomplete`: not yet"),
    ] = None,
    reviewed: Annotated[
        Literal["none", "some", "all"] | None,
        Query(
            description="How many of its annotations have a review: `none`, `some` (at least one, not all) "
            "or `all`"
        ),
    ] = None,
    verdict: Annotated[
        Literal["accepted", "rejected", "fixed"] | None,
        Query(description="Some annotation's current verdict is this one"),
    ] = None,
    annotator_id: Annotated[QueryId, Query(description="This annotator answered the task")] = None,
    label: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Some annotation chose this label in a choice control (400 "
            "`review_filter_unknown_label` when no choice control offers it)",
        ),
    ] = None,
    control: Annotated[
        str | None,
        Query(
            max_length=64,
            description="With `label`: look in this choice control only (400 `review_filter_not_choice` "
            "when it is not one)",
        ),
    ] = None,
) -> ReviewQueuePage:
    page = review.review_queue(
        db,
        principal,
        project_id,
        limit=limit,
        cursor=cursor,
        complete=None if status is None else status == "complete",
        reviewed=reviewed,
        verdict=verdict,
        annotator_id=annotator_id,
        control=control,
        label=label,
    )
    return ReviewQueuePage.model_validate(page, from_attributes=True)


@router.get(
    "/tasks/{task_id}/review",
    tags=["reviews"],
    response_model=TaskReviewRead,
    summary="One task with all its annotations side by side, each with its reviews",
    description=f"{_WHO} Annotations in submission order, with who made them (id and name), the answer, its "
    "origin and lead time; each with its current verdict and every review, oldest first.",
)
def get_task_review(task_id: PathId, principal: CurrentPrincipal, db: DB) -> TaskReviewRead:
    return TaskReviewRead.model_validate(review.task_review(db, principal, task_id), from_attributes=True)


@router.post(
    "/annotations/{annotation_id}/reviews",
    tags=["reviews"],
    status_code=201,
    response_model=ReviewRead,
    summary="Review an annotation: accept, reject with a comment, or fix it",
    description=f"{_WHO} Never your own annotation (409 `review_own_annotation`). Every review is kept: "
    "reviewing an annotation again adds a review, and the newest is its current verdict. The annotation "
    "itself does not change (a fix lives in the review), and once reviewed its annotator can no longer "
    f"undo it. Comments hold at most {MAX_COMMENT_LENGTH:,} characters (422 `review_comment_too_long`); U+0000 "
    "is refused (400 `nul_character`). A retry with the same Idempotency-Key returns the stored review "
    "(header `Idempotent-Replayed: true`); the same key with another body is 409 `idempotency_key_reused`.",
)
def create_review(
    annotation_id: PathId,
    body: ReviewCreate,
    response: Response,
    principal: CurrentPrincipal,
    db: DB,
    key: Annotated[str | None, Depends(idempotency_key)],
) -> ReviewRead:
    view, created = review.review_annotation(
        db,
        principal,
        annotation_id,
        verdict=body.verdict,
        comment=body.comment,
        fixed_result=body.fixed_result,
        idempotency_key=key,
    )
    if not created:
        response.headers["Idempotent-Replayed"] = "true"
    return ReviewRead.model_validate(view)
