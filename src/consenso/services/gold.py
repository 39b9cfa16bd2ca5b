"""Gold tasks: marking a task gold with its expected result, unmarking it, and listing a project's gold.

A gold task is an ordinary task with an expected result (``task.gold``) and ``overlap = GOLD_OVERLAP``, so
that every annotator of the project may answer it; ``next`` serves it at the project's gold rate, and each
answer is scored against the expected result on submit (``annotation.gold_score``, see
:func:`consenso.core.qa.score_answer`). Gold tasks are left out of progress totals, the review queue,
finalization, quality reports and the default export. Annotators never learn which tasks are gold.

Only a task nobody has answered yet can become gold (409 ``gold_has_annotations``): answers given to it as
ordinary work were not meant as a test. Changing the expected result of a gold task re-scores its answers
(pauses already decided stay: a manager resumes the annotator if the old expected result was wrong).
Unmarking makes it ordinary work again with the project's overlap (or the slots it holds, if more), its
answers unscored.

Marking, re-marking and unmarking need ``EDIT_PROJECT``; the listing is for staff and reviewers
(``projects.sees_qa``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from consenso.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from consenso.core.permissions import Action
from consenso.core.qa import QaSettings, score_answer
from consenso.core.text import contains_nul
from consenso.services.access import effective_role, project_for, require
from consenso.services.clock import utcnow
from consenso.services.listing import MAX_LIMIT, Page, decode_cursor, encode_cursor
from consenso.services.principal import Principal
from consenso.services.projects import schema_cache, sees_qa
from consenso.services.retry import with_retries
from consenso.store.database import Database
from consenso.store.repositories import audit as audit_repo
from consenso.store.repositories import gold as gold_repo


@dataclass(frozen=True, slots=True)
class GoldTaskView:
    """A gold task with its expected result and how its answers scored."""

    id: int
    project_id: int
    data: dict[str, Any]
    meta: dict[str, Any]
    result: dict[str, Any]
    answers: int
    scored: int
    correct: int
    mean_score: float | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class GoldUnsetView:
    """A task made ordinary again: its new overlap and the answers it keeps."""

    id: int
    project_id: int
    overlap: int
    annotation_count: int


def _views(session: Session, rows: list[Any], pass_score: float) -> list[GoldTaskView]:
    stats = gold_repo.answer_stats(session, [r.id for r in rows], pass_score)
    out = []
    for r in rows:
        answers, scored, correct, mean = stats.get(r.id, (0, 0, 0, None))
        out.append(
            GoldTaskView(
                r.id, r.project_id, r.data, r.meta, r.gold, answers, scored, correct, mean, r.created_at
            )
        )
    return out


def _editable_task(session: Session, principal: Principal, task_id: int) -> Any:
    row = gold_repo.task_for_gold(session, task_id, principal.user_id)
    role = effective_role(row.role, principal) if row else None
    if row is None or role is None or row.schema_version_id is None:
        raise NotFound("not_found", kind_key="kind_task")
    require(role, Action.EDIT_PROJECT)
    return row


def set_gold(
    db: Database, principal: Principal, task_id: int, result: dict[str, Any], now: datetime | None = None
) -> GoldTaskView:
    """Mark a task gold with its expected ``result`` (checked against the project's label schema like an
    annotation: 422 ``result_invalid``), or change the expected result of a gold task and re-score its
    answers. 409 ``gold_has_annotations`` when the task already holds answers as ordinary work."""
    at = now or utcnow()
    if contains_nul(result):
        raise InvalidInput("nul_character")

    def attempt() -> GoldTaskView:
        with db.write() as session:
            row = _editable_task(session, principal, task_id)
            schema = schema_cache.get(session, row.schema_version_id)
            schema.validate_result(result, row.data)
            was_gold = row.gold is not None
            if not was_gold and row.annotation_count > 0:
                raise Conflict("gold_has_annotations", task_id=task_id)
            gold_repo.mark_gold(session, task_id, result)
            settings = QaSettings.stored(row.qa)
            rescored = 0
            if was_gold:
                scores = [
                    (
                        a.id,
                        score_answer(
                            schema, result, a.result, rating_tolerance=settings.rating_tolerance
                        ).score,
                    )
                    for a in gold_repo.answers_of(session, task_id)
                ]
                gold_repo.set_scores(session, scores)
                rescored = len(scores)
            audit_repo.record(
                session,
                workspace_id=row.workspace_id,
                actor_id=principal.user_id,
                action="gold.set",
                object_type="task",
                object_id=str(task_id),
                details={
                    "project_id": row.project_id,
                    "result": result,
                    "previous": row.gold,
                    "rescored": rescored,
                },
                created_at=at,
            )
            found = gold_repo.one(session, task_id)
            return _views(session, [found], settings.gold_pass_score)[0]

    return with_retries(attempt)


def unset_gold(
    db: Database, principal: Principal, task_id: int, now: datetime | None = None
) -> GoldUnsetView:
    """Make a gold task ordinary again (404 ``not_found`` when it is not gold): overlap back to the
    project's (or the slots it holds, when more), its answers' gold scores cleared."""
    at = now or utcnow()

    def attempt() -> GoldUnsetView:
        with db.write() as session:
            row = _editable_task(session, principal, task_id)
            if row.gold is None:
                raise NotFound("not_found", kind_key="kind_gold_task")
            overlap = max(row.project_overlap, row.slots_taken)
            gold_repo.unmark_gold(session, task_id, overlap)
            audit_repo.record(
                session,
                workspace_id=row.workspace_id,
                actor_id=principal.user_id,
                action="gold.unset",
                object_type="task",
                object_id=str(task_id),
                details={
                    "project_id": row.project_id,
                    "previous": row.gold,
                    "overlap": overlap,
                    "answers": row.annotation_count,
                },
                created_at=at,
            )
            return GoldUnsetView(task_id, row.project_id, overlap, row.annotation_count)

    return with_retries(attempt)


def list_gold(
    db: Database, principal: Principal, project_id: int, *, limit: int = 100, cursor: str | None = None
) -> Page[GoldTaskView]:
    """The project's gold tasks in id order, each with its expected result, answers and mean score."""
    limit = max(1, min(limit, MAX_LIMIT))
    after = decode_cursor(cursor)
    with db.read() as session:
        project, role = project_for(session, principal, project_id, Action.VIEW_PROJECT)
        if not sees_qa(role):
            raise PermissionDenied("permission_denied", action="view_gold", role=role.value)
        rows = list(gold_repo.page(session, project_id, after_id=after, limit=limit + 1))
        items = _views(session, rows[:limit], QaSettings.stored(project.qa).gold_pass_score)
    next_cursor = encode_cursor(items[-1].id) if len(rows) > limit else None
    return Page(items, next_cursor)
