"""Cursor-paginated listings of tasks and annotations. Annotators see only their own work (and the verdicts
on it)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from consenso.core.errors import InvalidInput
from consenso.core.permissions import Action, allows
from consenso.core.qa import Requirements
from consenso.services.access import project_for
from consenso.services.annotate import AnnotationView
from consenso.services.principal import Principal
from consenso.store.database import Database
from consenso.store.repositories import annotations as annotation_repo
from consenso.store.repositories import reviews as review_repo
from consenso.store.repositories import tasks as task_repo

T = TypeVar("T")
MAX_LIMIT = 1000
MAX_ID = 2**63 - 1


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class TaskView:
    id: int
    project_id: int
    data: dict[str, Any]
    meta: dict[str, Any]
    annotation_count: int
    created_at: datetime
    # routing requirements, for the roles that list every task (staff, reviewers, viewers); None for annotators
    requirements: Requirements | None = None


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = raw.partition(":")
        last_id = int(value)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("invalid_cursor") from None
    if kind != "id" or not 0 <= last_id <= MAX_ID:
        raise InvalidInput("invalid_cursor")
    return last_id


def list_tasks(
    db: Database,
    principal: Principal,
    project_id: int,
    *,
    limit: int = 100,
    cursor: str | None = None,
    offset: int | None = None,
) -> Page[TaskView]:
    """Tasks in id order. ``offset`` jumps to a page (for a grid); ``cursor`` walks (cheap at any depth)."""
    if cursor and offset is not None:
        raise InvalidInput("cursor_and_offset")
    limit = max(1, min(limit, MAX_LIMIT))
    after = decode_cursor(cursor)
    with db.read() as session:
        project, role = project_for(session, principal, project_id, Action.VIEW_PROJECT)
        staff = allows(role, Action.LIST_ALL_TASKS)
        only = None if staff else principal.user_id
        rows = task_repo.list_page(
            session, project_id, after_id=after, offset=offset, limit=limit + 1, annotator_id=only
        )
        items = [
            TaskView(
                t.id,
                t.project_id,
                t.data,
                t.meta,
                # an annotator's count is capped at the project's overlap: a gold task, which every
                # annotator answers, would otherwise stand out by holding more
                t.annotation_count if staff else min(t.annotation_count, project.overlap),
                t.created_at,
                Requirements(t.language, t.dialect, t.domain) if staff else None,
            )
            for t in rows[:limit]
        ]
    next_cursor = encode_cursor(items[-1].id) if len(rows) > limit else None
    return Page(items, next_cursor)


@dataclass(frozen=True, slots=True)
class ReviewSummaryView:
    """An annotation's current verdict: its newest review, without who made it."""

    verdict: str
    comment: str
    fixed_result: dict[str, Any] | None
    reviewed_at: datetime


@dataclass(frozen=True, slots=True)
class ListedAnnotationView(AnnotationView):
    review: ReviewSummaryView | None = None


def list_annotations(
    db: Database,
    principal: Principal,
    project_id: int,
    *,
    limit: int = 100,
    cursor: str | None = None,
    task_id: int | None = None,
) -> Page[ListedAnnotationView]:
    """Annotations in id order, each with its current verdict. An annotator sees only their own, and so
    the verdicts on their own work only (blind: nothing about anyone else's answers or reviews)."""
    limit = max(1, min(limit, MAX_LIMIT))
    after = decode_cursor(cursor)
    with db.read() as session:
        _, role = project_for(session, principal, project_id, Action.VIEW_PROJECT)
        only = None if allows(role, Action.LIST_ALL_ANNOTATIONS) else principal.user_id
        rows = annotation_repo.list_page(
            session, project_id, after_id=after, limit=limit + 1, annotator_id=only, task_id=task_id
        )
        reviews = review_repo.current_reviews(session, [a.id for a in rows[:limit]])
        items = []
        for a in rows[:limit]:
            found = reviews.get(a.id)
            items.append(
                ListedAnnotationView(
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
                    review=ReviewSummaryView(*found[1:]) if found is not None else None,
                )
            )
    next_cursor = encode_cursor(items[-1].id) if len(rows) > limit else None
    return Page(items, next_cursor)
