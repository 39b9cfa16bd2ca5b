"""Gold tasks: mark a task gold with its expected result, unmark it, list a project's gold tasks."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from consenso.api.deps import DB, CurrentPrincipal, PathId
from consenso.api.routes.v1.router import router
from consenso.api.schemas.qa import GoldSet, GoldTaskPage, GoldTaskRead, GoldUnsetRead
from consenso.services import gold, listing

_STAFF = (
    "Admins and managers; reviewers, annotators and viewers get 403 `permission_denied`; anything outside "
    "your workspaces is 404."
)


@router.put(
    "/tasks/{task_id}/gold",
    tags=["gold"],
    response_model=GoldTaskRead,
    summary="Mark a task gold with its expected result, or change a gold task's expected result",
    description=f"{_STAFF} The expected result is checked against the project's label schema like an "
    "annotation (422 `result_invalid`). A gold task is served to every annotator at the project's "
    "`gold_rate`, looking exactly like any other task, and each answer is scored against it (choices "
    "exact, spans by span F1, ratings within `rating_tolerance`); it is left out of progress totals, the "
    "review queue, finalization, quality reports and the default export. Only a task nobody has answered "
    "can become gold (409 `gold_has_annotations`); changing a gold task's expected result re-scores its "
    "answers.",
)
def set_gold(task_id: PathId, body: GoldSet, principal: CurrentPrincipal, db: DB) -> GoldTaskRead:
    return GoldTaskRead.model_validate(gold.set_gold(db, principal, task_id, body.result))


@router.delete(
    "/tasks/{task_id}/gold",
    tags=["gold"],
    response_model=GoldUnsetRead,
    summary="Make a gold task ordinary again",
    description=f"{_STAFF} 404 when the task is not gold. Its overlap goes back to the project's (or the "
    "slots it holds, when more) and its answers become ordinary annotations, unscored.",
)
def unset_gold(task_id: PathId, principal: CurrentPrincipal, db: DB) -> GoldUnsetRead:
    return GoldUnsetRead.model_validate(gold.unset_gold(db, principal, task_id))


@router.get(
    "/projects/{project_id}/gold",
    tags=["gold"],
    response_model=GoldTaskPage,
    summary="The project's gold tasks, cursor-paginated, with their expected results and scores",
    description="Admins, managers and reviewers; annotators and viewers get 403 `permission_denied`. In "
    "task id order; each with its answers, how many were scored and correct (score at least the project's "
    "`gold_pass_score`) and their mean score.",
)
def list_gold(
    project_id: PathId,
    principal: CurrentPrincipal,
    db: DB,
    limit: Annotated[int, Query(ge=1, le=listing.MAX_LIMIT)] = 100,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> GoldTaskPage:
    page = gold.list_gold(db, principal, project_id, limit=limit, cursor=cursor)
    return GoldTaskPage(
        items=[GoldTaskRead.model_validate(g) for g in page.items], next_cursor=page.next_cursor
    )
