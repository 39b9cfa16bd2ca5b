"""Review: the queue of annotated tasks, one task's annotations side by side, and verdicts on annotations.

For the roles holding ``Action.REVIEW`` (admins, managers, reviewers); annotators and viewers get 403,
non-members 404. The rules are in ``consenso.core.review`` (pure): who may review what, what a verdict
needs, the queue's definitions. Every review is kept (history); an annotation's newest review is its
current verdict. Annotators see the current verdict on their own annotations only, through
``listing.list_annotations``; never anything about other people's work.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from consenso.core.errors import Conflict, IdempotencyKeyReused, InvalidInput, NotFound
from consenso.core.permissions import Action
from consenso.core.review import (
    ReviewCoverage,
    ReviewFact,
    ReviewPermission,
    Verdict,
    check_review,
    current_verdict,
    decide_review,
    label_filter_controls,
    preview_text,
)
from consenso.core.text import contains_nul, json_text_may_hold_nul
from consenso.services.access import effective_role, project_for, require
from consenso.services.annotate import PredictionView
from consenso.services.clock import utcnow
from consenso.services.listing import MAX_LIMIT, Page, decode_cursor, encode_cursor
from consenso.services.principal import Principal
from consenso.services.projects import schema_cache
from consenso.services.retry import with_retries
from consenso.store.database import Database
from consenso.store.repositories import annotations as annotation_repo
from consenso.store.repositories import assignments as assignment_repo
from consenso.store.repositories import audit as audit_repo
from consenso.store.repositories import reviews as review_repo


@dataclass(frozen=True, slots=True)
class ReviewView:
    id: int
    annotation_id: int
    task_id: int
    project_id: int
    reviewer_id: int
    reviewer_name: str
    verdict: str
    comment: str
    fixed_result: dict[str, Any] | None
    schema_version_id: int
    guideline_version_id: int | None
    created_at: datetime

    @classmethod
    def of(cls, row: Any) -> ReviewView:
        """From a row of ``review_repo`` (its review columns, in this order)."""
        return cls(*row[:12])


def review_fingerprint(annotation_id: int, verdict: str, comment: str, fixed_result: Any) -> bytes:
    """What makes two reviews 'the same request' for an Idempotency-Key: every field of the body.

    Also refuses U+0000 in the comment or the fix (PostgreSQL cannot store it; refused on every backend).
    """
    body = orjson.dumps(
        {
            "annotation_id": annotation_id,
            "verdict": verdict,
            "comment": comment,
            "fixed_result": fixed_result,
        },
        option=orjson.OPT_SORT_KEYS,
    )
    if json_text_may_hold_nul(body) and contains_nul([comment, fixed_result]):
        raise InvalidInput("nul_character")
    return hashlib.sha256(body).digest()


def review_annotation(
    db: Database,
    principal: Principal,
    annotation_id: int,
    *,
    verdict: str,
    comment: str = "",
    fixed_result: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> tuple[ReviewView, bool]:
    """Record the caller's verdict on an annotation. Returns it and whether it was created now (False: an
    idempotent replay of the same request under the same ``Idempotency-Key``).

    Someone else's annotation only (409 ``review_own_annotation``); the verdict is checked by
    ``check_review`` (a fix against the project's current label schema). The task row is locked first, as
    a withdrawal does, so that a review and the annotator's undo of the same annotation never both win:
    whichever comes second sees the other (the undo is refused, or the review finds no annotation).
    """
    at = now or utcnow()
    chosen = Verdict(verdict)
    fingerprint = review_fingerprint(annotation_id, chosen.value, comment, fixed_result)

    def attempt() -> tuple[ReviewView, bool]:
        with db.write() as session:
            row = review_repo.annotation_for_review(session, annotation_id, principal.user_id)
            role = effective_role(row.role, principal) if row else None
            if row is None or role is None:
                raise NotFound("not_found", kind_key="kind_annotation")
            permission = decide_review(role, reviewer_id=principal.user_id, annotator_id=row.annotator_id)
            if permission is ReviewPermission.ROLE_DENIED:
                require(role, Action.REVIEW)
            if idempotency_key is not None:
                earlier = review_repo.by_idempotency_key(session, principal.user_id, idempotency_key)
                if earlier is not None:
                    if earlier.annotation_id != annotation_id or earlier.request_hash != fingerprint:
                        raise IdempotencyKeyReused("idempotency_key_reused", key=idempotency_key)
                    return ReviewView.of(review_repo.get_review(session, earlier.id)), False
            if permission is ReviewPermission.OWN_ANNOTATION:
                raise Conflict("review_own_annotation", annotation_id=annotation_id)
            assignment_repo.lock_task(session, row.task_id)
            # read again under the lock: the annotation may have been withdrawn while we waited
            row = review_repo.annotation_for_review(session, annotation_id, principal.user_id)
            if row is None or row.schema_version_id is None:
                raise NotFound("not_found", kind_key="kind_annotation")
            stored_comment = check_review(
                chosen,
                comment,
                fixed_result,
                schema=schema_cache.get(session, row.schema_version_id),
                task_data=row.data,
                annotation_result=row.result,
            )
            previous = review_repo.current_verdict(session, annotation_id)
            review_id = review_repo.insert_review(
                session,
                annotation_id=annotation_id,
                task_id=row.task_id,
                project_id=row.project_id,
                reviewer_id=principal.user_id,
                verdict=chosen.value,
                comment=stored_comment,
                fixed_result=fixed_result,
                schema_version_id=row.schema_version_id,
                guideline_version_id=row.guideline_version_id,
                idempotency_key=idempotency_key,
                request_hash=fingerprint,
                created_at=at,
            )
            audit_repo.record(
                session,
                workspace_id=row.workspace_id,
                actor_id=principal.user_id,
                action="review.create",
                object_type="review",
                object_id=str(review_id),
                details={
                    "annotation_id": annotation_id,
                    "task_id": row.task_id,
                    "project_id": row.project_id,
                    "annotator_id": row.annotator_id,
                    "verdict": chosen.value,
                    "previous_verdict": previous,
                    "comment": stored_comment,
                    "fixed_result": fixed_result,
                    "schema_version_id": row.schema_version_id,
                },
                created_at=at,
            )
            return ReviewView.of(review_repo.get_review(session, review_id)), True

    return with_retries(attempt)


@dataclass(frozen=True, slots=True)
class ReviewedAnnotationView:
    id: int
    annotator_id: int
    annotator_name: str
    result: dict[str, Any]
    lead_time_ms: int | None
    origin: str
    schema_version_id: int
    guideline_version_id: int | None
    created_at: datetime
    verdict: str | None
    reviews: list[ReviewView]


@dataclass(frozen=True, slots=True)
class TaskReviewView:
    id: int
    project_id: int
    data: dict[str, Any]
    meta: dict[str, Any]
    overlap: int
    annotation_count: int
    created_at: datetime
    prediction: PredictionView | None
    annotations: list[ReviewedAnnotationView]


def task_review(db: Database, principal: Principal, task_id: int) -> TaskReviewView:
    """One task with every annotation side by side (who, what, how), each with its reviews, oldest first."""
    with db.read() as session:
        row = review_repo.task_for_review(session, task_id, principal.user_id)
        role = effective_role(row.role, principal) if row else None
        if row is None or role is None:
            raise NotFound("not_found", kind_key="kind_task")
        require(role, Action.REVIEW)
        task = assignment_repo.get_task(session, task_id)
        p = task.prediction if task is not None else None
        prediction = PredictionView(p.result, p.score, p.model) if p is not None else None
        reviews: dict[int, list[ReviewView]] = defaultdict(list)
        for review in review_repo.reviews_of_task(session, task_id):
            reviews[review.annotation_id].append(ReviewView.of(review))
        annotations = [
            ReviewedAnnotationView(
                id=a.id,
                annotator_id=a.annotator_id,
                annotator_name=a.name,
                result=a.result,
                lead_time_ms=a.lead_time_ms,
                origin=a.origin,
                schema_version_id=a.schema_version_id,
                guideline_version_id=a.guideline_version_id,
                created_at=a.created_at,
                verdict=current_verdict(ReviewFact(r.id, Verdict(r.verdict)) for r in reviews[a.id]),
                reviews=reviews[a.id],
            )
            for a in annotation_repo.of_task_with_annotators(session, task_id)
        ]
    return TaskReviewView(
        row.id,
        row.project_id,
        row.data,
        row.meta,
        row.overlap,
        row.annotation_count,
        row.created_at,
        prediction,
        annotations,
    )


@dataclass(frozen=True, slots=True)
class VerdictCountsView:
    accepted: int
    rejected: int
    fixed: int


@dataclass(frozen=True, slots=True)
class QueueItemView:
    task_id: int
    preview: str
    annotation_count: int
    overlap: int
    reviewed_count: int
    verdicts: VerdictCountsView


def review_queue(
    db: Database,
    principal: Principal,
    project_id: int,
    *,
    limit: int = 100,
    cursor: str | None = None,
    complete: bool | None = None,
    reviewed: str | None = None,
    verdict: str | None = None,
    annotator_id: int | None = None,
    control: str | None = None,
    label: str | None = None,
) -> Page[QueueItemView]:
    """Tasks with at least one annotation, newest first, filtered (``review_repo.queue_page``).

    Newest means the highest task id (the latest imported): an order that a new annotation or review does
    not change, so a cursor walk never skips or repeats a task. ``label`` (with ``control`` to name one
    choice control) keeps tasks where some annotation chose that label (``label_filter_controls``).
    """
    if control is not None and label is None:
        raise InvalidInput("review_filter_label_required")
    limit = max(1, min(limit, MAX_LIMIT))
    before = decode_cursor(cursor)
    coverage = ReviewCoverage(reviewed).value if reviewed is not None else None
    chosen = Verdict(verdict).value if verdict is not None else None
    with db.read() as session:
        project, _ = project_for(session, principal, project_id, Action.REVIEW)
        if project.schema_version_id is None:
            raise NotFound("not_found", kind_key="kind_project")
        schema = schema_cache.get(session, project.schema_version_id)
        label_filter = (label_filter_controls(schema, control, label), label) if label is not None else None
        rows = review_repo.queue_page(
            session,
            project_id,
            before_id=before,
            limit=limit + 1,
            complete=complete,
            coverage=coverage,
            verdict=chosen,
            annotator_id=annotator_id,
            label=label_filter,
        )
        page = rows[:limit]
        counts = review_repo.current_verdicts_by_task(session, [r.id for r in page])
    fields = list(schema.text_fields())
    items = []
    for r in page:
        by_verdict = counts.get(r.id, {})
        items.append(
            QueueItemView(
                task_id=r.id,
                preview=preview_text(r.data, fields),
                annotation_count=r.annotation_count,
                overlap=r.overlap,
                reviewed_count=sum(by_verdict.values()),
                verdicts=VerdictCountsView(**{v.value: by_verdict.get(v.value, 0) for v in Verdict}),
            )
        )
    next_cursor = encode_cursor(items[-1].task_id) if len(rows) > limit else None
    return Page(items, next_cursor)
