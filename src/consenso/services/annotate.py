"""The annotator loop: next task (a lease), skip, submit, undo. Correct under concurrency on both backends.

The rules live in ``consenso.core.assignment`` (pure); the store enforces the invariants with constraints
and row locks; this module loads a snapshot, asks the policy and writes the outcome in one transaction.

The QA workflow (``consenso.core.qa``) adds three things to the loop, none of which an annotator can see:

- **pauses**: a paused annotator (a live ``AnnotatorPause``) is refused ``next`` (before anything else)
  and new submissions (after an idempotent replay, which still answers) with 403 ``annotator_paused``;
- **routing**: ``next`` serves only tasks whose requirements (language, dialect, domain) the caller
  qualifies for (their membership skills at the project's ``min_language_level``), filtered in SQL;
- **gold**: when the project has gold tasks, ``serve_gold_now`` decides from the caller's answered and
  gold-answered counts whether the next task is a gold one (taken from the untouched qualified gold tasks,
  if any is left); gold is only ever served next to ordinary work (nothing is served when no ordinary task
  is left). The response is built by the same ``_leased`` path either way. A gold answer is scored on
  submit (``annotation.gold_score``) and may pause its annotator (``services.pauses``); its response, skip,
  undo and idempotent replay are exactly those of any task.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson

from consenso.core.assignment import (
    UNDO_WINDOW,
    AssignmentState,
    AssignTask,
    Candidate,
    Lease,
    NothingLeft,
    ResumeLease,
    SubmissionContext,
    SubmissionOutcome,
    WithdrawalContext,
    WithdrawalOutcome,
    choose_next,
    decide_submission,
    decide_withdrawal,
)
from consenso.core.errors import (
    AlreadyAnnotated,
    Conflict,
    IdempotencyKeyReused,
    InvalidInput,
    NoFreeSlot,
    NoPrediction,
    NotFound,
    Paused,
    PermissionDenied,
)
from consenso.core.permissions import Action, allows
from consenso.core.qa import QaSettings, Skills, parse_skills, qualification, score_answer, serve_gold_now
from consenso.core.text import contains_nul, json_text_may_hold_nul
from consenso.services import finalize
from consenso.services.access import effective_role, require
from consenso.services.clock import utcnow
from consenso.services.pauses import pause_if_below_bar
from consenso.services.principal import Principal
from consenso.services.projects import schema_cache
from consenso.services.retry import with_retries
from consenso.store.database import Database
from consenso.store.models import Annotation
from consenso.store.repositories import adjudications as adjudication_repo
from consenso.store.repositories import annotations as annotation_repo
from consenso.store.repositories import assignments as assignment_repo
from consenso.store.repositories import audit as audit_repo
from consenso.store.repositories import projects as project_repo
from consenso.store.repositories import reviews as review_repo

#: Where gold serving draws its randomness (tests replace it with a seeded ``random.Random``).
gold_rng: random.Random = random.SystemRandom()


@dataclass(frozen=True, slots=True)
class PredictionView:
    """A task's model pre-label as annotators see it: the answer, the model's confidence and name."""

    result: dict[str, Any]
    score: float | None
    model: str


@dataclass(frozen=True, slots=True)
class LeasedTask:
    id: int
    project_id: int
    data: dict[str, Any]
    meta: dict[str, Any]
    lease_expires_at: datetime
    prediction: PredictionView | None


@dataclass(frozen=True, slots=True)
class AnnotationView:
    id: int
    task_id: int
    project_id: int
    annotator_id: int
    result: dict[str, Any]
    lead_time_ms: int | None
    origin: str
    schema_version_id: int
    guideline_version_id: int | None
    created_at: datetime

    @classmethod
    def of(cls, a: Annotation) -> AnnotationView:
        return cls(
            a.id,
            a.task_id,
            a.project_id,
            a.annotator_id,
            a.result,
            a.lead_time_ms,
            a.origin,
            a.schema_version_id,
            a.guideline_version_id,
            a.created_at,
        )


def member_skills(raw: Any) -> Skills:
    """A member's stored skills (None for an instance administrator who is not a member); skills stored by
    an older rule that no longer parse count as none."""
    try:
        return parse_skills(raw or None)
    except InvalidInput:
        return Skills()


def next_task(
    db: Database, principal: Principal, project_id: int, now: datetime | None = None
) -> LeasedTask | None:
    """The caller's live lease if they hold one, else a new lease on the next open task they qualify for
    (a gold task at the project's gold rate); None when done. A paused caller gets 403 ``annotator_paused``."""
    at = now or utcnow()

    def attempt() -> LeasedTask | None:
        with db.write() as session:
            project = project_repo.annotator_access_row(session, project_id, principal.user_id)
            role = effective_role(project.role, principal) if project else None
            if project is None or role is None:
                raise NotFound("not_found", kind_key="kind_project")
            require(role, Action.ANNOTATE)
            if project.paused:
                raise Paused("annotator_paused")
            held = assignment_repo.current_lease(session, project_id, principal.user_id)
            lease = Lease(held[0], held[1]) if held else None
            decision = choose_next(lease, [], at)
            if isinstance(decision, ResumeLease) and held is not None:
                return _leased(session, decision.task_id, held[1])
            assignment_repo.reclaim_expired_leases(session, project_id, at)
            settings = QaSettings.stored(project.qa)
            qualified = qualification(member_skills(project.skills), settings.min_language_level)
            rows = assignment_repo.open_candidates(session, project_id, principal.user_id, qualified)
            candidates = [
                Candidate(task_id=r[0], slots_taken=r[1], overlap=r[2], priority=r[3]) for r in rows
            ]
            decision = choose_next(None, candidates, at)
            if isinstance(decision, NothingLeft):
                return None  # no ordinary work left: gold alone is never served
            if project.has_gold and settings.gold_rate > 0:
                # the same statements whether a gold task is served or not: the time ``next`` takes tells
                # nothing (projects without gold, or with a gold rate of 0, skip both)
                answered, gold_answered = assignment_repo.answered_counts(
                    session, project_id, principal.user_id
                )
                gold_rows = assignment_repo.gold_candidates(session, project_id, principal.user_id, qualified)
                if serve_gold_now(answered, gold_answered, settings.gold_rate, gold_rng):
                    gold = [
                        Candidate(task_id=r[0], slots_taken=r[1], overlap=r[2], priority=r[3])
                        for r in gold_rows
                    ]
                    gold_decision = choose_next(None, gold, at)
                    if isinstance(gold_decision, AssignTask):
                        decision = gold_decision
            if not isinstance(decision, AssignTask) or not assignment_repo.take_slot(
                session, decision.task_id
            ):
                raise RuntimeError("candidate task was full although it was locked")
            expires = at + timedelta(seconds=project.lease_seconds)
            assignment_repo.add_lease(session, decision.task_id, project_id, principal.user_id, at, expires)
            return _leased(session, decision.task_id, expires)

    return with_retries(attempt)


def _leased(session: Any, task_id: int, expires_at: datetime) -> LeasedTask:
    row = assignment_repo.get_task(session, task_id)
    if row is None:
        raise NotFound("not_found", kind_key="kind_task")
    p = row.prediction
    prediction = PredictionView(p.result, p.score, p.model) if p is not None else None
    return LeasedTask(row.id, row.project_id, row.data, row.meta, expires_at, prediction)


def skip_task(db: Database, principal: Principal, task_id: int, now: datetime | None = None) -> None:
    """Give the task back: its slot is freed and it is never served to this annotator again."""
    at = now or utcnow()

    def attempt() -> None:
        with db.write() as session:
            task = assignment_repo.task_for_submission(session, task_id, principal.user_id)
            role = effective_role(task.role, principal) if task else None
            if task is None or role is None:
                raise NotFound("not_found", kind_key="kind_task")
            require(role, Action.ANNOTATE)
            current = assignment_repo.get_assignment(session, task_id, principal.user_id)
            if current is None:
                assignment_repo.add_finished_assignment(
                    session, task_id, task.project_id, principal.user_id, AssignmentState.SKIPPED, at
                )
            elif current.state == AssignmentState.LEASED:
                assignment_repo.release_lease(
                    session, task_id, current.id, at, new_state=AssignmentState.SKIPPED
                )
            elif current.state == AssignmentState.SUBMITTED:
                raise AlreadyAnnotated("already_annotated", task_id=task_id)
            else:
                assignment_repo.set_assignment_state(session, current.id, AssignmentState.SKIPPED, at)

    with_retries(attempt)


def request_fingerprint(task_id: int, result: Any, lead_time_ms: int | None, origin: str) -> bytes:
    """What makes two submissions 'the same request' for an Idempotency-Key: every field of the body.

    Also refuses a result holding U+0000 (PostgreSQL cannot store it; we refuse it on every backend).
    """
    body = orjson.dumps(
        {"task_id": task_id, "result": result, "lead_time_ms": lead_time_ms, "origin": origin},
        option=orjson.OPT_SORT_KEYS,
    )
    if json_text_may_hold_nul(body) and contains_nul(result):
        raise InvalidInput("nul_character")
    return hashlib.sha256(body).digest()


def submit_annotation(
    db: Database,
    principal: Principal,
    task_id: int,
    *,
    result: dict[str, Any],
    lead_time_ms: int | None,
    idempotency_key: str | None = None,
    origin: str = "human",
    now: datetime | None = None,
) -> tuple[AnnotationView, bool]:
    """Store one annotation. Returns it and whether it was created now (False: an idempotent replay).

    An answer to a gold task is scored against its expected result (``annotation.gold_score``) and may
    pause its annotator (``services.pauses``); nothing in the response differs. A paused annotator's new
    submissions are refused (403 ``annotator_paused``); a replay of a stored one still answers."""
    at = now or utcnow()
    fingerprint = request_fingerprint(task_id, result, lead_time_ms, origin)

    def attempt() -> tuple[AnnotationView, bool]:
        with db.write() as session:
            task = assignment_repo.task_for_submission(session, task_id, principal.user_id)
            role = effective_role(task.role, principal) if task else None
            if task is None or role is None or task.schema_version_id is None:
                raise NotFound("not_found", kind_key="kind_task")
            require(role, Action.ANNOTATE)
            if idempotency_key is not None:
                earlier = annotation_repo.by_idempotency_key(session, principal.user_id, idempotency_key)
                if earlier is not None:
                    if earlier.task_id != task_id or earlier.request_hash != fingerprint:
                        raise IdempotencyKeyReused("idempotency_key_reused", key=idempotency_key)
                    return AnnotationView(*earlier[:-1]), False
            if task.paused:
                raise Paused("annotator_paused")
            schema = schema_cache.get(session, task.schema_version_id)
            schema.validate_result(result, task.data)
            if origin != "human" and not assignment_repo.has_prediction(session, task_id):
                raise NoPrediction("no_prediction", task_id=task_id, origin=origin)
            current = assignment_repo.get_assignment(session, task_id, principal.user_id)
            outcome = decide_submission(
                SubmissionContext(
                    state=AssignmentState(current.state) if current else None,
                    expires_at=current.expires_at if current else None,
                    slots_taken=task.slots_taken,
                    overlap=task.overlap,
                    already_annotated=False,
                ),
                at,
            )
            if outcome is SubmissionOutcome.REJECT_ALREADY_ANNOTATED:
                raise AlreadyAnnotated("already_annotated", task_id=task_id)
            if outcome is SubmissionOutcome.REJECT_NO_FREE_SLOT:
                raise NoFreeSlot("no_free_slot", task_id=task_id, overlap=task.overlap)
            if outcome is SubmissionOutcome.RECLAIM_AND_TAKE_SLOT and current is not None:
                assignment_repo.release_lease(
                    session, task_id, current.id, at, new_state=AssignmentState.EXPIRED
                )
            if outcome is not SubmissionOutcome.USE_LEASE and not assignment_repo.take_slot(session, task_id):
                raise NoFreeSlot("no_free_slot", task_id=task_id, overlap=task.overlap)
            if current is None:
                assignment_repo.add_finished_assignment(
                    session, task_id, task.project_id, principal.user_id, AssignmentState.SUBMITTED, at
                )
            else:
                assignment_repo.set_assignment_state(session, current.id, AssignmentState.SUBMITTED, at)
            assignment_repo.count_annotation(session, task_id)
            settings: QaSettings | None = None
            gold_score: float | None = None
            if task.gold is not None:
                settings = QaSettings.stored(task.qa)
                gold_score = score_answer(
                    schema, task.gold, result, rating_tolerance=settings.rating_tolerance
                ).score
            annotation_id = annotation_repo.insert_annotation(
                session,
                task_id=task_id,
                project_id=task.project_id,
                annotator_id=principal.user_id,
                result=result,
                lead_time_ms=lead_time_ms,
                schema_version_id=task.schema_version_id,
                guideline_version_id=task.guideline_version_id,
                origin=origin,
                idempotency_key=idempotency_key,
                request_hash=fingerprint,
                created_at=at,
                gold_score=gold_score,
            )
            # the annotation is stored and counted: a submission that completes its task decides it
            finalize.on_annotation_counted(session, task_id, at)
            if settings is not None:
                pause_if_below_bar(
                    session,
                    project_id=task.project_id,
                    workspace_id=task.workspace_id,
                    user_id=principal.user_id,
                    settings=settings,
                    at=at,
                )
            view = AnnotationView(
                annotation_id,
                task_id,
                task.project_id,
                principal.user_id,
                result,
                lead_time_ms,
                origin,
                task.schema_version_id,
                task.guideline_version_id,
                at,
            )
            return view, True

    return with_retries(attempt)


@dataclass(frozen=True, slots=True)
class WithdrawalView:
    """An undone submission: the annotation as it was, and the task leased again to its annotator."""

    annotation: AnnotationView
    task: LeasedTask


def withdraw_annotation(
    db: Database, principal: Principal, annotation_id: int, now: datetime | None = None
) -> WithdrawalView:
    """Undo the caller's latest submission in a project while its task is open and nobody has reviewed it
    (``decide_withdrawal``).

    The annotation is deleted, so that every reader of annotations (listings, quality, exports, the one
    annotation per task and annotator constraint) keeps seeing only answers that stand; the audit log keeps
    it, answer included (``annotation.withdraw``). Its slot is not freed: the annotator's assignment becomes
    a lease again (for the project's ``lease_seconds``), so ``next`` hands them the same task and nobody
    else can take it meanwhile. A lease they held on another task (handed out after the submission) is
    dropped as if never given, its slot freed: they will be offered that task again later.

    Someone else's annotation is 404 to an annotator (blind), 403 to a role that may read it.
    """
    at = now or utcnow()

    def attempt() -> WithdrawalView:
        with db.write() as session:
            row = annotation_repo.for_withdrawal(session, annotation_id, principal.user_id)
            role = effective_role(row.role, principal) if row else None
            if row is None or role is None:
                raise NotFound("not_found", kind_key="kind_annotation")
            if row.annotator_id != principal.user_id:
                if allows(role, Action.LIST_ALL_ANNOTATIONS):
                    raise PermissionDenied("undo_not_own")
                raise NotFound("not_found", kind_key="kind_annotation")
            require(role, Action.ANNOTATE)
            held = assignment_repo.lease_of(session, row.project_id, principal.user_id)
            other = held.task_id if held is not None and held.task_id != row.task_id else None
            for task_id in sorted({row.task_id} | ({other} if other is not None else set())):
                assignment_repo.lock_task(session, task_id)  # task rows first, in id order
            decision = decide_withdrawal(
                WithdrawalContext(
                    annotation_id=row.id,
                    submitted_at=row.created_at,
                    latest_annotation_id=annotation_repo.latest_id(session, row.project_id, row.annotator_id)
                    or 0,
                    adjudicated=adjudication_repo.task_adjudicated(session, row.task_id),
                    reviewed=review_repo.annotation_reviewed(session, row.id),
                ),
                at,
            )
            if decision is WithdrawalOutcome.REJECT_NOT_LATEST:
                raise Conflict("undo_not_latest", annotation_id=row.id)
            if decision is WithdrawalOutcome.REJECT_TASK_CLOSED:
                raise Conflict("undo_task_closed", task_id=row.task_id)
            if decision is WithdrawalOutcome.REJECT_REVIEWED:
                raise Conflict("undo_reviewed", annotation_id=row.id)
            if decision is WithdrawalOutcome.REJECT_TOO_LATE:
                minutes = int(UNDO_WINDOW.total_seconds() // 60)
                raise Conflict("undo_too_late", annotation_id=row.id, minutes=minutes)
            if not annotation_repo.delete_annotation(session, row.id):
                raise NotFound("not_found", kind_key="kind_annotation")  # withdrawn concurrently
            assignment_repo.uncount_annotation(session, row.task_id)
            # an automatic decision stood on this answer: the task is pending again until it is complete again
            reverted = adjudication_repo.revert_automatic(session, row.task_id, row.project_id, at)
            if other is not None and held is not None:
                assignment_repo.drop_lease(session, other, held.id)
            expires = at + timedelta(seconds=row.lease_seconds)
            if not assignment_repo.restore_lease(session, row.task_id, principal.user_id, at, expires):
                assignment_repo.add_lease(
                    session, row.task_id, row.project_id, principal.user_id, at, expires
                )
            view = AnnotationView(*row[:10])
            audit_repo.record(
                session,
                workspace_id=row.workspace_id,
                actor_id=principal.user_id,
                action="annotation.withdraw",
                object_type="annotation",
                object_id=str(row.id),
                details={
                    "task_id": row.task_id,
                    "project_id": row.project_id,
                    "result": row.result,
                    "lead_time_ms": row.lead_time_ms,
                    "origin": row.origin,
                    "schema_version_id": row.schema_version_id,
                    "guideline_version_id": row.guideline_version_id,
                    "idempotency_key": row.idempotency_key,
                    "submitted_at": row.created_at.isoformat(),
                    "released_task_id": other,
                    "reverted_decision": reverted,
                },
                created_at=at,
            )
            return WithdrawalView(view, _leased(session, row.task_id, expires))

    return with_retries(attempt)
