"""Reviews: reviewers' verdicts on annotations, and the review queue of a project.

An annotation's **current** review is its newest one (highest id): no later review of the same
annotation exists. The queue's filters are correlated subqueries on the task row, over the indexes
``ix_review_task`` and ``ix_review_annotation``; the listing walks tasks newest first over
``ix_task_project_id``, so a page costs the rows it scans, not the size of the project.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, insert, literal_column, or_, select
from sqlalchemy.orm import Session, aliased

from consenso.store.models import Annotation, Membership, Project, Review, Task, User

_LATER = aliased(Review)


def _is_current(review: Any) -> ColumnElement[bool]:
    """``review`` (Review or an alias) is the newest review of its annotation."""
    return ~exists().where(_LATER.annotation_id == review.annotation_id, _LATER.id > review.id)


# A review with its reviewer's name, as every reader shows it.
_REVIEW_COLUMNS = (
    Review.id,
    Review.annotation_id,
    Review.task_id,
    Review.project_id,
    Review.reviewer_id,
    User.name,
    Review.verdict,
    Review.comment,
    Review.fixed_result,
    Review.schema_version_id,
    Review.guideline_version_id,
    Review.created_at,
)


def annotation_for_review(session: Session, annotation_id: int, user_id: int) -> Any:
    """The annotation (id, task_id, project_id, annotator_id, result), the task's data, its project's
    workspace and current schema and guideline versions, and the user's role in the workspace (None when
    not a member); None when there is no such annotation."""
    return session.execute(
        select(
            Annotation.id,
            Annotation.task_id,
            Annotation.project_id,
            Annotation.annotator_id,
            Annotation.result,
            Task.data,
            Project.workspace_id,
            Project.schema_version_id,
            Project.guideline_version_id,
            Membership.role,
        )
        .join(Task, Task.id == Annotation.task_id)
        .join(Project, Project.id == Annotation.project_id)
        .outerjoin(
            Membership,
            (Membership.workspace_id == Project.workspace_id) & (Membership.user_id == user_id),
        )
        .where(Annotation.id == annotation_id)
    ).first()


def insert_review(
    session: Session,
    *,
    annotation_id: int,
    task_id: int,
    project_id: int,
    reviewer_id: int,
    verdict: str,
    comment: str,
    fixed_result: dict[str, Any] | None,
    schema_version_id: int,
    guideline_version_id: int | None,
    idempotency_key: str | None,
    request_hash: bytes,
    created_at: datetime,
) -> int:
    """Insert one review and return its id."""
    return int(
        session.execute(
            insert(Review).returning(Review.id),
            {
                "annotation_id": annotation_id,
                "task_id": task_id,
                "project_id": project_id,
                "reviewer_id": reviewer_id,
                "verdict": verdict,
                "comment": comment,
                "fixed_result": fixed_result,
                "schema_version_id": schema_version_id,
                "guideline_version_id": guideline_version_id,
                "idempotency_key": idempotency_key,
                "request_hash": request_hash,
                "created_at": created_at,
            },
        ).scalar_one()
    )


def get_review(session: Session, review_id: int) -> Any:
    """One review with its reviewer's name (the columns of ``_REVIEW_COLUMNS``), or None."""
    return session.execute(
        select(*_REVIEW_COLUMNS).join(User, User.id == Review.reviewer_id).where(Review.id == review_id)
    ).first()


def by_idempotency_key(session: Session, reviewer_id: int, key: str) -> Any:
    """(id, annotation_id, request_hash) of the review this reviewer stored under ``key``, or None."""
    return session.execute(
        select(Review.id, Review.annotation_id, Review.request_hash).where(
            Review.reviewer_id == reviewer_id, Review.idempotency_key == key
        )
    ).first()


def current_verdict(session: Session, annotation_id: int) -> str | None:
    """The verdict of the annotation's newest review; None when nobody has reviewed it."""
    return session.scalar(
        select(Review.verdict)
        .where(Review.annotation_id == annotation_id)
        .order_by(Review.id.desc())
        .limit(1)
    )


def annotation_reviewed(session: Session, annotation_id: int) -> bool:
    return bool(session.scalar(select(exists().where(Review.annotation_id == annotation_id))))


def reviews_of_task(session: Session, task_id: int) -> Sequence[Any]:
    """Every review of the task's annotations with its reviewer's name, oldest first."""
    return session.execute(
        select(*_REVIEW_COLUMNS)
        .join(User, User.id == Review.reviewer_id)
        .where(Review.task_id == task_id)
        .order_by(Review.id)
    ).all()


def current_reviews(session: Session, annotation_ids: Sequence[int]) -> dict[int, Any]:
    """annotation id → its newest review (verdict, comment, fixed_result, created_at), for those reviewed."""
    if not annotation_ids:
        return {}
    rows = session.execute(
        select(Review.annotation_id, Review.verdict, Review.comment, Review.fixed_result, Review.created_at)
        .where(Review.annotation_id.in_(annotation_ids), _is_current(Review))
        .order_by(Review.annotation_id)
    ).all()
    return {row[0]: row for row in rows}


def task_for_review(session: Session, task_id: int, user_id: int) -> Any:
    """(id, project_id, data, meta, overlap, annotation_count, created_at, role) of the task, with the
    user's role in its project's workspace (None when not a member); None when there is no such task."""
    return session.execute(
        select(
            Task.id,
            Task.project_id,
            Task.data,
            Task.meta,
            Task.overlap,
            Task.annotation_count,
            Task.created_at,
            Membership.role,
        )
        .join(Project, Project.id == Task.project_id)
        .outerjoin(
            Membership,
            (Membership.workspace_id == Project.workspace_id) & (Membership.user_id == user_id),
        )
        .where(Task.id == task_id)
    ).first()


def queue_page(
    session: Session,
    project_id: int,
    *,
    before_id: int,
    limit: int,
    complete: bool | None = None,
    coverage: str | None = None,
    verdict: str | None = None,
    annotator_id: int | None = None,
    label: tuple[Sequence[str], str] | None = None,
) -> Sequence[Any]:
    """Tasks of the project with at least one annotation, newest (highest id) first, below ``before_id``
    (0: from the newest), as rows (id, data, annotation_count, overlap). Gold tasks are not in the queue:
    their answers are scored against the expected result (``GET /projects/{id}/gold``).

    Filters (``None``: any): ``complete`` — holding ``overlap`` annotations or not; ``coverage`` — ``none``,
    ``some`` (at least one, not all) or ``all`` of its annotations reviewed; ``verdict`` — some annotation's
    current verdict is this one; ``annotator_id`` — this annotator answered it; ``label`` — (choice
    controls, value): some annotation chose ``value`` in one of those controls.
    """
    # a literal 0, not a bound parameter: a planner can only match the partial index ix_task_annotated
    # (WHERE annotation_count > 0) against a predicate it can read (SQLite, PostgreSQL's generic plans)
    stmt = select(Task.id, Task.data, Task.annotation_count, Task.overlap).where(
        Task.project_id == project_id, Task.annotation_count > literal_column("0"), Task.gold.is_(None)
    )
    if before_id:
        stmt = stmt.where(Task.id < before_id)
    if complete is not None:
        stmt = stmt.where(
            Task.annotation_count >= Task.overlap if complete else Task.annotation_count < Task.overlap
        )
    if coverage is not None:
        any_review = exists().where(Review.task_id == Task.id)
        reviewed = (
            select(func.count(func.distinct(Review.annotation_id)))
            .where(Review.task_id == Task.id)
            .correlate(Task)
            .scalar_subquery()
        )
        if coverage == "none":
            stmt = stmt.where(~any_review)
        elif coverage == "some":
            stmt = stmt.where(any_review, reviewed < Task.annotation_count)
        else:
            stmt = stmt.where(reviewed >= Task.annotation_count)
    if verdict is not None:
        stmt = stmt.where(
            exists().where(Review.task_id == Task.id, Review.verdict == verdict, _is_current(Review))
        )
    if annotator_id is not None:
        stmt = stmt.where(
            exists().where(Annotation.task_id == Task.id, Annotation.annotator_id == annotator_id)
        )
    if label is not None:
        controls, value = label
        chose = or_(*(Annotation.result[name].as_string() == value for name in controls))
        stmt = stmt.where(exists().where(and_(Annotation.task_id == Task.id, chose)))
    return session.execute(stmt.order_by(Task.id.desc()).limit(limit)).all()


def current_verdicts_by_task(session: Session, task_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """task id → {verdict: how many of its annotations currently hold it}, for tasks with a review."""
    if not task_ids:
        return {}
    rows = session.execute(
        select(Review.task_id, Review.verdict, func.count())
        .where(Review.task_id.in_(task_ids), _is_current(Review))
        .group_by(Review.task_id, Review.verdict)
    ).all()
    out: dict[int, dict[str, int]] = defaultdict(dict)
    for task_id, verdict, count in rows:
        out[int(task_id)][str(verdict)] = int(count)
    return dict(out)
