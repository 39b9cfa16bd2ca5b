"""Finalization and adjudication: the finalize pass, the adjudication queue, one task's view, deciding,
reopening and history (rules in ``consenso.services.finalize`` and ``consenso.services.adjudication``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Depends, Query, Request, Response

from consenso.api.deps import DB, CurrentPrincipal, PathId, idempotency_key
from consenso.api.routes.v1.router import router
from consenso.api.schemas.adjudication import (
    AdjudicationCreate,
    AdjudicationQueuePage,
    AdjudicationRead,
    FinalizeCreate,
    FinalizeRead,
    ReopenCreate,
    TaskAdjudicationRead,
)
from consenso.core.messages import negotiate_language
from consenso.services import adjudication, finalize, listing

_WHO = (
    "Admins, managers and reviewers. Annotators get 404 `not_found` (blind: nothing tells them a task's "
    "state), viewers 403 `permission_denied`; anything outside your workspaces is 404."
)
_OWN = "Never a task you annotated yourself (403 `adjudication_own_task`)."
_GOLD = "A gold task has an expected result, not a final label (409 `gold_task_no_finalization`)."
_IDEMPOTENT = (
    "A retry with the same Idempotency-Key returns the stored row (header `Idempotent-Replayed: true`); the "
    "same key with another body is 409 `idempotency_key_reused`."
)


def _lang(request: Request) -> str:
    return negotiate_language(request.headers.get("accept-language"))


@router.post(
    "/projects/{project_id}/finalize",
    tags=["adjudication"],
    response_model=FinalizeRead,
    summary="Finalize a project: decide every complete task still pending (and optionally re-decide)",
    description="Admins and managers (`edit_project`). One fit of the project's aggregation method over "
    "every non-gold annotation, then each complete, pending, non-gold task gets its decision: a final label "
    "when every control reaches its agreement threshold and the minimum confidence, else an escalation to "
    "the adjudication queue. Submissions decide their task at once, except with a model-based method "
    "(dawid_skene, mace, weighted_majority_vote) in a project of more than 20,000 annotations: such tasks "
    "wait for this pass. With `redecide`, tasks decided automatically and not acted on since are decided "
    "again with the new fit, and get a new history row only when the outcome or the result changes. A task "
    "someone decides meanwhile keeps that decision.",
)
def finalize_project(
    project_id: PathId,
    principal: CurrentPrincipal,
    db: DB,
    body: Annotated[FinalizeCreate | None, Body()] = None,
) -> FinalizeRead:
    summary = finalize.finalize_project(
        db, principal, project_id, redecide=body.redecide if body is not None else False
    )
    return FinalizeRead.model_validate(summary)


@router.get(
    "/projects/{project_id}/adjudication/tasks",
    tags=["adjudication"],
    response_model=AdjudicationQueuePage,
    summary="The adjudication queue: escalated tasks, oldest first",
    description=f"{_WHO} Tasks whose annotations fell below the project's agreement or confidence thresholds, "
    "or whose final label was reopened; gold tasks never. Oldest first means the lowest task id first: an "
    "order that decisions do not change, so a cursor walk never repeats a task (a task decided meanwhile "
    "leaves the queue).",
)
def list_adjudication_tasks(
    project_id: PathId,
    principal: CurrentPrincipal,
    db: DB,
    limit: Annotated[int, Query(ge=1, le=listing.MAX_LIMIT)] = 100,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> AdjudicationQueuePage:
    page = adjudication.adjudication_queue(db, principal, project_id, limit=limit, cursor=cursor)
    return AdjudicationQueuePage.model_validate(page, from_attributes=True)


@router.get(
    "/tasks/{task_id}/adjudication",
    tags=["adjudication"],
    response_model=TaskAdjudicationRead,
    summary="One task for adjudication: every annotation, the suggestion, the annotators' reliability",
    description=f"{_WHO} {_OWN} {_GOLD} Annotations in submission order. Unless the project's QA settings "
    'show annotator names, each annotator appears as a pseudonym ("Annotator 1", in the caller\'s '
    "language) with id, name and e-mail null, and their reliability under the same pseudonym. Also the "
    "aggregate's suggestion, the task's state, its current final label and its full history.",
)
def get_task_adjudication(
    task_id: PathId, request: Request, principal: CurrentPrincipal, db: DB
) -> TaskAdjudicationRead:
    view = adjudication.task_adjudication(db, principal, task_id)
    return TaskAdjudicationRead.of(view, _lang(request))


@router.post(
    "/tasks/{task_id}/adjudication",
    tags=["adjudication"],
    status_code=201,
    response_model=AdjudicationRead,
    summary="Decide an escalated task's final label",
    description=f"{_WHO} {_OWN} {_GOLD} The task must be waiting for adjudication (409 "
    "`task_not_escalated`). The result is checked like an annotation (422 `result_invalid`); the reasoning "
    "is required (422 `adjudication_reasoning_required`), at most 4,000 characters (422 "
    "`adjudication_reasoning_too_long`); U+0000 is refused (400 `nul_character`). The task becomes final "
    "with method `adjudicated`; the row records who decided, why, and the agreement of the annotations with "
    f"the decision. {_IDEMPOTENT}",
)
def adjudicate_task(
    task_id: PathId,
    body: AdjudicationCreate,
    response: Response,
    principal: CurrentPrincipal,
    db: DB,
    key: Annotated[str | None, Depends(idempotency_key)],
) -> AdjudicationRead:
    view, created = adjudication.adjudicate_task(
        db, principal, task_id, result=body.result, reasoning=body.reasoning, idempotency_key=key
    )
    if not created:
        response.headers["Idempotent-Replayed"] = "true"
    return AdjudicationRead.model_validate(view)


@router.post(
    "/tasks/{task_id}/reopen",
    tags=["adjudication"],
    status_code=201,
    response_model=AdjudicationRead,
    summary="Reopen a final task: it goes back to the adjudication queue",
    description=f"{_WHO} {_OWN} {_GOLD} The task must be final (409 `task_not_final`); the reasoning is "
    "required (422 `reopen_reasoning_required`), at most 4,000 characters. A `reopened` row joins the "
    f"history (nothing is removed) and the task is escalated again. {_IDEMPOTENT}",
)
def reopen_task(
    task_id: PathId,
    body: ReopenCreate,
    response: Response,
    principal: CurrentPrincipal,
    db: DB,
    key: Annotated[str | None, Depends(idempotency_key)],
) -> AdjudicationRead:
    view, created = adjudication.reopen_task(
        db, principal, task_id, reasoning=body.reasoning, idempotency_key=key
    )
    if not created:
        response.headers["Idempotent-Replayed"] = "true"
    return AdjudicationRead.model_validate(view)


@router.get(
    "/tasks/{task_id}/history",
    tags=["adjudication"],
    response_model=list[AdjudicationRead],
    summary="A task's finalization history, oldest first",
    description="Admins, managers, reviewers and viewers (the roles that read quality figures). Annotators "
    f"get 404 `not_found` (blind); anything outside your workspaces is 404. {_GOLD} Every automatic "
    "decision, escalation, adjudication and reopening, oldest first.",
)
def get_task_history(task_id: PathId, principal: CurrentPrincipal, db: DB) -> list[AdjudicationRead]:
    return [AdjudicationRead.model_validate(v) for v in adjudication.task_history(db, principal, task_id)]
