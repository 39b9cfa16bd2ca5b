"""Annotator pauses: gold answers below the project's bar pause an annotator; a manager resumes them.

After each answer to a gold task, :func:`pause_if_below_bar` counts the annotator's scored gold answers in
the project since their last resume (a correct one scores at least ``gold_pass_score``) and asks
:func:`consenso.core.qa.decide_pause`; when it says so, a pause row is written (reason ``gold_accuracy``,
with the figures behind it), the lease the annotator holds in the project is given back (its slot freed,
as if never handed out: after a resume they may be served that task again) and ``annotator.pause`` is
audited. A paused annotator is served nothing (``next`` answers 403 ``annotator_paused``) and may not
submit, until someone who may edit the project resumes them: answers before the resume then no longer
count towards a new pause. The managers are told through the dashboard (its ``paused`` list) and
``GET /projects/{id}/pauses``; the annotator through their progress (``paused``) and the 403's message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from consenso.core.errors import NotFound
from consenso.core.permissions import Action
from consenso.core.qa import QaSettings, decide_pause
from consenso.services.access import project_for
from consenso.services.clock import utcnow
from consenso.services.principal import Principal
from consenso.services.retry import with_retries
from consenso.store.database import Database
from consenso.store.repositories import assignments as assignment_repo
from consenso.store.repositories import audit as audit_repo
from consenso.store.repositories import pauses as pause_repo

if TYPE_CHECKING:
    from consenso.services.listing import Page

#: The reason of a pause decided by gold accuracy.
GOLD_ACCURACY = "gold_accuracy"


@dataclass(frozen=True, slots=True)
class PauseView:
    id: int
    project_id: int
    user_id: int
    email: str
    name: str
    reason: str
    gold_answers: int
    gold_accuracy: float | None
    gold_upper_bound: float | None
    paused_at: datetime
    resumed_at: datetime | None
    resumed_by: int | None
    resumed_by_name: str | None

    @property
    def live(self) -> bool:
        return self.resumed_at is None

    @classmethod
    def of(cls, row: Any) -> PauseView:
        """From a row of ``pause_repo`` (its columns, in this order)."""
        return cls(*row[:13])


def pause_if_below_bar(
    session: Session,
    *,
    project_id: int,
    workspace_id: int,
    user_id: int,
    settings: QaSettings,
    at: datetime,
) -> bool:
    """Inside the caller's transaction, right after a gold answer was stored: pause the annotator when their
    gold record since their last resume says they are below the bar. Returns whether they were paused."""
    answers, correct = pause_repo.gold_record(session, project_id, user_id, settings.gold_pass_score)
    decision = decide_pause(
        answers, correct, min_accuracy=settings.min_gold_accuracy, min_answers=settings.min_gold_answers
    )
    if not decision.pause:
        return False
    pause_id = pause_repo.add_pause(
        session,
        project_id=project_id,
        user_id=user_id,
        reason=GOLD_ACCURACY,
        gold_answers=decision.answers,
        gold_accuracy=decision.accuracy,
        gold_upper_bound=decision.upper_bound,
        paused_at=at,
    )
    held = assignment_repo.lease_of(session, project_id, user_id)
    released = None
    if held is not None and held.task_id is not None:
        assignment_repo.lock_task(session, held.task_id)
        if assignment_repo.drop_lease(session, held.task_id, held.id):
            released = held.task_id
    audit_repo.record(
        session,
        workspace_id=workspace_id,
        actor_id=None,
        action="annotator.pause",
        object_type="user",
        object_id=str(user_id),
        details={
            "project_id": project_id,
            "pause_id": pause_id,
            "reason": GOLD_ACCURACY,
            "gold_answers": decision.answers,
            "gold_correct": decision.correct,
            "gold_accuracy": decision.accuracy,
            "gold_upper_bound": decision.upper_bound,
            "min_gold_accuracy": settings.min_gold_accuracy,
            "released_task_id": released,
        },
        created_at=at,
    )
    return True


def list_pauses(
    db: Database, principal: Principal, project_id: int, *, limit: int = 100, cursor: str | None = None
) -> Page[PauseView]:
    """Live and past pauses of a project, newest first (``VIEW_DASHBOARD``: they name people)."""
    # imported here: listing imports annotate, which imports this module (pausing is part of a submission)
    from consenso.services.listing import MAX_LIMIT, Page, decode_cursor, encode_cursor

    limit = max(1, min(limit, MAX_LIMIT))
    before = decode_cursor(cursor)
    with db.read() as session:
        project_for(session, principal, project_id, Action.VIEW_DASHBOARD)
        rows = pause_repo.page(session, project_id, before_id=before, limit=limit + 1)
        items = [PauseView.of(r) for r in rows[:limit]]
    next_cursor = encode_cursor(items[-1].id) if len(rows) > limit else None
    return Page(items, next_cursor)


def live_pauses(session: Session, project_id: int) -> list[PauseView]:
    """The project's live pauses, newest first (for the dashboard, inside the caller's transaction)."""
    return [PauseView.of(r) for r in pause_repo.live(session, project_id)]


def resume_annotator(
    db: Database, principal: Principal, project_id: int, user_id: int, now: datetime | None = None
) -> PauseView:
    """End an annotator's live pause (``EDIT_PROJECT``); 404 ``pause_not_found`` when they are not paused.
    Their gold answers up to now no longer count towards a new pause."""
    at = now or utcnow()

    def attempt() -> PauseView:
        with db.write() as session:
            project, _ = project_for(session, principal, project_id, Action.EDIT_PROJECT)
            pause_id = pause_repo.resume(session, project_id, user_id, at, principal.user_id)
            if pause_id is None:
                raise NotFound("pause_not_found", user_id=user_id)
            audit_repo.record(
                session,
                workspace_id=project.workspace_id,
                actor_id=principal.user_id,
                action="annotator.resume",
                object_type="user",
                object_id=str(user_id),
                details={"project_id": project_id, "pause_id": pause_id},
                created_at=at,
            )
            return PauseView.of(pause_repo.get(session, pause_id))

    return with_retries(attempt)
