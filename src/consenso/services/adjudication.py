"""Adjudication: the queue of escalated tasks, one task with everything an adjudicator needs, the decision,
reopening a final label, and a task's finalization history.

For the roles holding ``Action.ADJUDICATE`` (admins, managers, reviewers). Annotators are blind: every
adjudication endpoint answers them 404 (as if the task or project were not there), so that nothing tells
them a task's state, its other answers or whether it is gold. Viewers get 403 (they may read the history,
``Action.VIEW_QUALITY``). Nobody adjudicates or reopens a task they annotated (403
``adjudication_own_task``). Gold tasks have an expected result, not a final label: 409
``gold_task_no_finalization``.

**Who answered what.** Unless the project's QA settings say ``show_annotator_names``, the adjudicator sees
each annotation under a pseudonym, "Annotator 1", "Annotator 2"… numbered in submission order on the task
(stable while the task's answers stand), with the annotator's id, name and e-mail left out, and each
annotator's reliability figures under the same pseudonym. This keeps the decision about the answers, not
the people (a bias guard, not a secret: reviewers can still read every annotation with its author in the
review screens).

**History.** Every decision is a new ``Adjudication`` row (``consenso.store.repositories.adjudications``):
deciding writes ``adjudicated`` (with the reasoning, who decided, and the agreement of the annotations with
the decided label) and makes the task ``final``; reopening writes ``reopened`` and puts it back in the
queue (``escalated``). Nothing is overwritten.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import orjson
from sqlalchemy.orm import Session

from consenso.core.errors import (
    AdjudicationInvalid,
    Conflict,
    IdempotencyKeyReused,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from consenso.core.permissions import Action, Role, allows
from consenso.core.qa import QaSettings, agreement_with_result
from consenso.core.qa.reliability import FinalAgreement, GoldFigures
from consenso.core.quality import collect_answers
from consenso.core.text import contains_nul, json_text_may_hold_nul
from consenso.services.access import effective_role, project_for
from consenso.services.clock import utcnow
from consenso.services.listing import MAX_LIMIT, Page, decode_cursor, encode_cursor
from consenso.services.principal import Principal
from consenso.services.projects import schema_cache
from consenso.services.reliability import reliability_for
from consenso.services.retry import with_retries
from consenso.store.database import Database
from consenso.store.repositories import adjudications as adjudication_repo
from consenso.store.repositories import annotations as annotation_repo
from consenso.store.repositories import assignments as assignment_repo
from consenso.store.repositories import audit as audit_repo
from consenso.store.repositories.adjudications import AdjudicationRow, TaskAccess

#: The longest reasoning of a decision or a reopening, in characters.
MAX_REASONING: Final = 4000


# --- views ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PersonView:
    id: int
    name: str
    email: str


@dataclass(frozen=True, slots=True)
class HistoryView:
    """One history row. ``method``: an aggregation method (an automatic final label), ``escalated`` (sent to
    adjudication; ``result`` is the suggestion), ``adjudicated`` (a person decided) or ``reopened``."""

    id: int
    task_id: int
    project_id: int
    method: str
    aggregation: str | None
    result: dict[str, Any]
    confidence: float | None
    agreement: dict[str, Any]
    reasoning: str
    decided_by: PersonView | None
    created_at: datetime

    @classmethod
    def of(cls, row: AdjudicationRow) -> HistoryView:
        person = (
            PersonView(row.decided_by, row.decided_by_name or "", row.decided_by_email or "")
            if row.decided_by is not None
            else None
        )
        return cls(
            row.id,
            row.task_id,
            row.project_id,
            row.method,
            row.aggregation,
            row.result,
            row.confidence,
            row.agreement,
            row.reasoning,
            person,
            row.created_at,
        )


@dataclass(frozen=True, slots=True)
class SuggestionView:
    """The aggregate's proposal: the newest automatic decision of the task (its escalation, or the automatic
    final label that was reopened)."""

    result: dict[str, Any]
    method: str
    confidence: float | None
    agreement: dict[str, Any]


@dataclass(frozen=True, slots=True)
class QueueItemView:
    task_id: int
    data: dict[str, Any]
    annotation_count: int
    overlap: int
    suggestion: SuggestionView | None
    agreement: dict[str, Any]
    escalated_at: datetime | None
    reopened: bool
    annotated_by_you: bool


@dataclass(frozen=True, slots=True)
class AnnotatorRef:
    """Who gave an answer: always a pseudonym number; id, name and e-mail only when names are shown."""

    number: int
    id: int | None
    name: str | None
    email: str | None


@dataclass(frozen=True, slots=True)
class AdjudicatedAnnotationView:
    id: int
    annotator: AnnotatorRef
    result: dict[str, Any]
    lead_time_ms: int | None
    origin: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ReliabilityEntryView:
    annotator: AnnotatorRef
    annotations: int
    gold: GoldFigures
    agreement_with_final: FinalAgreement
    paused: bool


@dataclass(frozen=True, slots=True)
class TaskAdjudicationView:
    id: int
    project_id: int
    data: dict[str, Any]
    meta: dict[str, Any]
    overlap: int
    annotation_count: int
    created_at: datetime
    qa_status: str
    show_annotator_names: bool
    annotations: list[AdjudicatedAnnotationView]
    suggestion: SuggestionView | None
    final: HistoryView | None
    reliability: list[ReliabilityEntryView]
    history: list[HistoryView]


# --- access --------------------------------------------------------------------------------------------


def _task(session: Session, principal: Principal, task_id: int, *actions: Action) -> tuple[TaskAccess, Role]:
    """The task if the caller's role holds one of ``actions``: 404 for non-members and for roles that may
    not read every annotation (annotators: blind), 403 for the others."""
    task = adjudication_repo.task_access(session, task_id, principal.user_id)
    role = effective_role(task.role, principal) if task is not None else None
    if task is None or role is None:
        raise NotFound("not_found", kind_key="kind_task")
    if not any(allows(role, action) for action in actions):
        if allows(role, Action.LIST_ALL_ANNOTATIONS):
            raise PermissionDenied("permission_denied", action=actions[0].value, role=role.value)
        raise NotFound("not_found", kind_key="kind_task")
    return task, role


def _project(session: Session, principal: Principal, project_id: int) -> Any:
    """The project for the adjudication queue, with the same 404-for-the-blind rule as :func:`_task`."""
    try:
        project, _ = project_for(session, principal, project_id, Action.ADJUDICATE)
    except PermissionDenied:
        project, role = project_for(session, principal, project_id, Action.VIEW_PROJECT)
        if allows(role, Action.LIST_ALL_ANNOTATIONS):
            raise
        raise NotFound("not_found", kind_key="kind_project") from None
    return project


def _not_gold(task: TaskAccess) -> None:
    if task.is_gold:
        raise Conflict("gold_task_no_finalization", task_id=task.id)


def _not_own(session: Session, principal: Principal, task_id: int) -> None:
    if adjudication_repo.annotated_by(session, task_id, principal.user_id):
        raise PermissionDenied("adjudication_own_task", task_id=task_id)


# --- reading -------------------------------------------------------------------------------------------


def _suggestion(rows: Sequence[AdjudicationRow]) -> SuggestionView | None:
    automatic = [r for r in rows if r.aggregation is not None]
    if not automatic:
        return None
    newest = automatic[-1]
    return SuggestionView(newest.result, newest.aggregation or "", newest.confidence, newest.agreement)


def _final(rows: Sequence[AdjudicationRow], qa_status: str) -> HistoryView | None:
    if qa_status != "final":
        return None
    decided = [r for r in rows if r.method not in adjudication_repo.NOT_FINAL]
    return HistoryView.of(decided[-1]) if decided else None


def adjudication_queue(
    db: Database, principal: Principal, project_id: int, *, limit: int = 100, cursor: str | None = None
) -> Page[QueueItemView]:
    """Escalated non-gold tasks of the project, oldest (lowest task id) first: an order new decisions do not
    change, so a cursor walk never repeats a task (one decided meanwhile simply leaves the queue)."""
    limit = max(1, min(limit, MAX_LIMIT))
    after = decode_cursor(cursor)
    with db.read() as session:
        _project(session, principal, project_id)
        rows = adjudication_repo.queue_page(session, project_id, after_id=after, limit=limit + 1)
        page = rows[:limit]
        ids = [r.id for r in page]
        history: dict[int, list[AdjudicationRow]] = {i: [] for i in ids}
        for row in adjudication_repo.of_tasks(session, ids):
            history[row.task_id].append(row)
        mine = adjudication_repo.annotated_among(session, ids, principal.user_id)
    items = []
    for r in page:
        past = history[r.id]
        suggestion = _suggestion(past)
        items.append(
            QueueItemView(
                task_id=r.id,
                data=r.data,
                annotation_count=r.annotation_count,
                overlap=r.overlap,
                suggestion=suggestion,
                agreement=suggestion.agreement if suggestion is not None else {},
                escalated_at=past[-1].created_at if past else None,
                reopened=bool(past) and past[-1].method == "reopened",
                annotated_by_you=r.id in mine,
            )
        )
    next_cursor = encode_cursor(items[-1].task_id) if len(rows) > limit else None
    return Page(items, next_cursor)


def task_adjudication(db: Database, principal: Principal, task_id: int) -> TaskAdjudicationView:
    """One task with every annotation, the suggestion, the annotators' reliability, its state and history."""
    with db.read() as session:
        task, _ = _task(session, principal, task_id, Action.ADJUDICATE)
        _not_gold(task)
        _not_own(session, principal, task_id)
        settings = QaSettings.stored(task.qa)
        shown = settings.show_annotator_names
        annotations = annotation_repo.of_task_with_annotators(session, task_id)
        annotator_ids = list(dict.fromkeys(a.annotator_id for a in annotations))
        people = {a.annotator_id: a for a in annotations}
        emails = adjudication_repo.emails(session, annotator_ids) if shown else {}
        figures = reliability_for(session, task.project_id, annotator_ids)
        rows = adjudication_repo.history(session, task_id)
    numbers = {who: n for n, who in enumerate(annotator_ids, start=1)}

    def ref(who: int) -> AnnotatorRef:
        if not shown:
            return AnnotatorRef(numbers[who], None, None, None)
        return AnnotatorRef(numbers[who], who, people[who].name, emails.get(who, ""))

    views = [
        AdjudicatedAnnotationView(a.id, ref(a.annotator_id), a.result, a.lead_time_ms, a.origin, a.created_at)
        for a in annotations
    ]
    reliability = [
        ReliabilityEntryView(
            annotator=ref(who),
            annotations=figures[who].annotations,
            gold=figures[who].gold,
            agreement_with_final=figures[who].agreement_with_final,
            paused=figures[who].paused,
        )
        for who in annotator_ids
        if who in figures
    ]
    return TaskAdjudicationView(
        id=task.id,
        project_id=task.project_id,
        data=task.data,
        meta=task.meta,
        overlap=task.overlap,
        annotation_count=task.annotation_count,
        created_at=task.created_at,
        qa_status=task.qa_status,
        show_annotator_names=shown,
        annotations=views,
        suggestion=_suggestion(rows),
        final=_final(rows, task.qa_status),
        reliability=reliability,
        history=[HistoryView.of(r) for r in rows],
    )


def task_history(db: Database, principal: Principal, task_id: int) -> list[HistoryView]:
    """Every history row of the task, oldest first (roles with ``ADJUDICATE`` or ``VIEW_QUALITY``)."""
    with db.read() as session:
        task, _ = _task(session, principal, task_id, Action.ADJUDICATE, Action.VIEW_QUALITY)
        _not_gold(task)
        return [HistoryView.of(r) for r in adjudication_repo.history(session, task_id)]


# --- deciding ------------------------------------------------------------------------------------------


def check_reasoning(reasoning: str, *, missing: str = "adjudication_reasoning_required") -> str:
    """The reasoning as stored (surrounding blanks cut); 422 when empty or over :data:`MAX_REASONING`."""
    text = reasoning.strip()
    if not text:
        raise AdjudicationInvalid(missing)
    if len(text) > MAX_REASONING:
        raise AdjudicationInvalid("adjudication_reasoning_too_long", length=len(text), limit=MAX_REASONING)
    return text


def decision_fingerprint(kind: str, task_id: int, result: Any, reasoning: str) -> bytes:
    """What makes two decisions 'the same request' for an Idempotency-Key: every field of the body, and
    whether it decides or reopens. Also refuses U+0000 (PostgreSQL cannot store it; refused everywhere)."""
    body = orjson.dumps(
        {"kind": kind, "task_id": task_id, "result": result, "reasoning": reasoning},
        option=orjson.OPT_SORT_KEYS,
    )
    if json_text_may_hold_nul(body) and contains_nul([result, reasoning]):
        raise InvalidInput("nul_character")
    return hashlib.sha256(body).digest()


def _replay(
    session: Session, principal: Principal, key: str | None, task_id: int, fingerprint: bytes
) -> HistoryView | None:
    if key is None:
        return None
    earlier = adjudication_repo.by_idempotency_key(session, principal.user_id, key)
    if earlier is None:
        return None
    if earlier[1] != task_id or earlier[2] != fingerprint:
        raise IdempotencyKeyReused("idempotency_key_reused", key=key)
    row = adjudication_repo.get(session, earlier[0])
    if row is None:  # pragma: no cover - the row was just found
        raise NotFound("not_found", kind_key="kind_task")
    return HistoryView.of(row)


def adjudicate_task(
    db: Database,
    principal: Principal,
    task_id: int,
    *,
    result: dict[str, Any],
    reasoning: str,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> tuple[HistoryView, bool]:
    """Decide an escalated task's final label. Returns the new history row and whether it was written now
    (False: an idempotent replay of the same request under the same ``Idempotency-Key``).

    The result is checked against the project's current label schema like an annotation (422
    ``result_invalid``); the reasoning is required (422). The task must be waiting for adjudication (409
    ``task_not_escalated``). The row records the agreement of the task's annotations with the decided label.
    """
    at = now or utcnow()
    fingerprint = decision_fingerprint("adjudicate", task_id, result, reasoning)

    def attempt() -> tuple[HistoryView, bool]:
        with db.write() as session:
            task, _ = _task(session, principal, task_id, Action.ADJUDICATE)
            _not_gold(task)
            replayed = _replay(session, principal, idempotency_key, task_id, fingerprint)
            if replayed is not None:
                return replayed, False
            _not_own(session, principal, task_id)
            text = check_reasoning(reasoning)
            if task.schema_version_id is None:
                raise NotFound("not_found", kind_key="kind_task")
            schema = schema_cache.get(session, task.schema_version_id)
            schema.validate_result(result, task.data)
            assignment_repo.lock_task(session, task_id)
            if not adjudication_repo.set_status(session, task_id, expected="escalated", new="final"):
                raise Conflict("task_not_escalated", task_id=task_id)
            answers = collect_answers(schema, adjudication_repo.task_results(session, task_id))
            agreement = agreement_with_result(schema, task_id, answers, result)
            row_id = adjudication_repo.add(
                session,
                task_id=task_id,
                project_id=task.project_id,
                result=result,
                method="adjudicated",
                agreement=dict(agreement),
                decided_by=principal.user_id,
                reasoning=text,
                idempotency_key=idempotency_key,
                request_hash=fingerprint,
                created_at=at,
            )
            audit_repo.record(
                session,
                workspace_id=task.workspace_id,
                actor_id=principal.user_id,
                action="task.adjudicate",
                object_type="task",
                object_id=str(task_id),
                details={
                    "project_id": task.project_id,
                    "adjudication_id": row_id,
                    "result": result,
                    "reasoning": text,
                    "agreement": agreement,
                },
                created_at=at,
            )
            row = adjudication_repo.get(session, row_id)
            if row is None:  # pragma: no cover - written just above
                raise NotFound("not_found", kind_key="kind_task")
            return HistoryView.of(row), True

    return with_retries(attempt)


def reopen_task(
    db: Database,
    principal: Principal,
    task_id: int,
    *,
    reasoning: str,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> tuple[HistoryView, bool]:
    """Reopen a final task: a ``reopened`` history row (with the reasoning) and the task back in the
    adjudication queue (``escalated``). The final label stays in the history. 409 ``task_not_final`` unless
    the task is final."""
    at = now or utcnow()
    fingerprint = decision_fingerprint("reopen", task_id, None, reasoning)

    def attempt() -> tuple[HistoryView, bool]:
        with db.write() as session:
            task, _ = _task(session, principal, task_id, Action.ADJUDICATE)
            _not_gold(task)
            replayed = _replay(session, principal, idempotency_key, task_id, fingerprint)
            if replayed is not None:
                return replayed, False
            _not_own(session, principal, task_id)
            text = check_reasoning(reasoning, missing="reopen_reasoning_required")
            assignment_repo.lock_task(session, task_id)
            if not adjudication_repo.set_status(session, task_id, expected="final", new="escalated"):
                raise Conflict("task_not_final", task_id=task_id)
            row_id = adjudication_repo.add(
                session,
                task_id=task_id,
                project_id=task.project_id,
                result={},
                method="reopened",
                decided_by=principal.user_id,
                reasoning=text,
                idempotency_key=idempotency_key,
                request_hash=fingerprint,
                created_at=at,
            )
            audit_repo.record(
                session,
                workspace_id=task.workspace_id,
                actor_id=principal.user_id,
                action="task.reopen",
                object_type="task",
                object_id=str(task_id),
                details={"project_id": task.project_id, "adjudication_id": row_id, "reasoning": text},
                created_at=at,
            )
            row = adjudication_repo.get(session, row_id)
            if row is None:  # pragma: no cover - written just above
                raise NotFound("not_found", kind_key="kind_task")
            return HistoryView.of(row), True

    return with_retries(attempt)
