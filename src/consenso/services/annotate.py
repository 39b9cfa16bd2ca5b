"""The annotator loop: next task (a lease), skip, submit. Correct under concurrency on both backends.

The rules live in ``consenso.core.assignment`` (pure); the store enforces the invariants with constraints
and row locks; this module loads a snapshot, asks the policy and writes the outcome in one transaction.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson

from consenso.core.assignment import (
    AssignmentState,
    AssignTask,
    Candidate,
    Lease,
    NothingLeft,
    ResumeLease,
    SubmissionContext,
    SubmissionOutcome,
    choose_next,
    decide_submission,
)
from consenso.core.errors import AlreadyAnnotated, IdempotencyKeyReused, InvalidInput, NoFreeSlot, NotFound
from consenso.core.permissions import Action
from consenso.core.text import contains_nul, json_text_may_hold_nul
from consenso.services.access import effective_role, project_access, require
from consenso.services.clock import utcnow
from consenso.services.principal import Principal
from consenso.services.projects import schema_cache
from consenso.services.retry import with_retries
from consenso.store.database import Database
from consenso.store.models import Annotation
from consenso.store.repositories import annotations as annotation_repo
from consenso.store.repositories import assignments as assignment_repo


@dataclass(frozen=True, slots=True)
class LeasedTask:
    id: int
    project_id: int
    data: dict[str, Any]
    meta: dict[str, Any]
    lease_expires_at: datetime


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


def next_task(
    db: Database, principal: Principal, project_id: int, now: datetime | None = None
) -> LeasedTask | None:
    """The caller's live lease if they hold one, else a new lease on the next open task; None when done."""
    at = now or utcnow()

    def attempt() -> LeasedTask | None:
        with db.write() as session:
            project, _ = project_access(session, principal, project_id, Action.ANNOTATE)
            held = assignment_repo.current_lease(session, project_id, principal.user_id)
            lease = Lease(held[0], held[1]) if held else None
            decision = choose_next(lease, [], at)
            if isinstance(decision, ResumeLease) and held is not None:
                return _leased(session, decision.task_id, held[1])
            assignment_repo.reclaim_expired_leases(session, project_id, at)
            rows = assignment_repo.open_candidates(session, project_id, principal.user_id)
            candidates = [
                Candidate(task_id=r[0], slots_taken=r[1], overlap=r[2], priority=r[3]) for r in rows
            ]
            decision = choose_next(None, candidates, at)
            if isinstance(decision, NothingLeft):
                return None
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
    return LeasedTask(row.id, row.project_id, row.data, row.meta, expires_at)


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
    """Store one annotation. Returns it and whether it was created now (False: an idempotent replay)."""
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
            schema_cache.get(session, task.schema_version_id).validate_result(result, task.data)
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
