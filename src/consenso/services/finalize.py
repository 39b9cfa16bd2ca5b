"""Finalization: when a task holds its N annotations, its final label is decided or it goes to adjudication.

The rule is :func:`consenso.core.qa.decide_task` (pure); this module feeds it and writes the outcome as an
``Adjudication`` history row plus the task's ``qa_status``, with an audit event (``task.finalize`` for a
final label, ``task.escalate`` for an escalation whose row holds the aggregate's suggestion). Gold tasks
are never finalized (they have an expected result instead) and stay ``pending``.

**On submit** (:func:`on_annotation_counted`, inside ``submit_annotation``'s transaction, right after the
annotation is stored and counted; the task row is already locked by the submission). Most submissions do
not complete their task and cost one primary-key lookup here. The one that completes it runs the decision:

- ``majority_vote``: the aggregate of *this task's* annotations. Majority vote is per item, so this equals
  the project-wide fit; it reads the task's N rows, a few milliseconds whatever the project's size.
- a model (``dawid_skene``, ``mace``, ``weighted_majority_vote``): these estimate each annotator's
  reliability from the *whole project*, so the decision needs one fit over every (non-gold) annotation of
  the project, inside the submission's transaction. That fit costs time linear in the project's
  annotations (tens of milliseconds for a few thousand, around a second at 20,000 on a laptop), and the
  submitting annotator waits for it. Up to :data:`INLINE_FIT_LIMIT` annotations the submission pays it;
  above, the task stays ``pending`` and the **finalize pass** decides it
  (``POST /projects/{id}/finalize``, ``consenso qa finalize``, to be run periodically or when the
  annotation is done). The threshold is checked with a bounded count (it reads at most
  ``INLINE_FIT_LIMIT + 1`` index entries).

**The finalize pass** (:func:`finalize_project`) fits once over the project, decides every complete
pending non-gold task and, with ``redecide``, decides again every task whose current state came from an
automatic decision (its newest history row is an aggregate's final label or escalation: nobody has
adjudicated or reopened it since), writing a new history row only when the outcome or the result changes
(a new fit may move a Dawid-Skene label as more answers arrive, a manager may have changed the
thresholds). It reads in one snapshot, computes outside any transaction, then writes in batches of
:data:`WRITE_BATCH` tasks. Each write is a compare-and-set on what the decision was based on (the task's
state, its newest history row, no newer annotation), so a pass racing with submissions, adjudicators or
another pass never overwrites a newer decision: that task is simply left as the other writer made it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, Final

from sqlalchemy.orm import Session

from consenso.core.permissions import Action
from consenso.core.qa import Outcome, QaSettings, TaskDecision, decide_task
from consenso.core.quality import Aggregate, ControlAnswers, aggregates, collect_answers
from consenso.core.schema import LabelSchema
from consenso.services.access import project_for
from consenso.services.clock import utcnow
from consenso.services.principal import Principal
from consenso.services.projects import schema_cache
from consenso.services.retry import with_retries
from consenso.store.database import Database
from consenso.store.repositories import adjudications as adjudication_repo
from consenso.store.repositories import annotations as annotation_repo
from consenso.store.repositories import audit as audit_repo
from consenso.store.repositories.adjudications import AdjudicationRow

#: Above this many annotations in a project, a model-based method does not fit inside a submission.
INLINE_FIT_LIMIT: Final = 20_000
#: Aggregation methods that decide a task from its own answers alone (a per-item vote).
PER_ITEM_METHODS: Final = frozenset({"majority_vote"})
#: Tasks written per transaction by the finalize pass.
WRITE_BATCH: Final = 500


def _unit(value: float | None) -> float | None:
    """A confidence for the database: within [0, 1] (float noise clipped), None when not a number."""
    if value is None or not math.isfinite(value):
        return None
    return min(1.0, max(0.0, float(value)))


def _agreement(decision: TaskDecision) -> dict[str, float | None]:
    return {name: _unit(value) for name, value in decision.agreement.items()}


def record_decision(
    session: Session,
    *,
    task_id: int,
    project_id: int,
    workspace_id: int,
    decision: TaskDecision,
    now: datetime,
    actor_id: int | None,
    trigger: str,
    previous_id: int | None = None,
) -> int:
    """Append the automatic decision to the task's history and audit it; the caller sets ``qa_status``."""
    final = decision.outcome is Outcome.FINAL
    row_id = adjudication_repo.add(
        session,
        task_id=task_id,
        project_id=project_id,
        result=decision.result,
        method=decision.method if final else "escalated",
        aggregation=decision.method,
        confidence=_unit(decision.confidence),
        agreement=_agreement(decision),
        created_at=now,
    )
    audit_repo.record(
        session,
        workspace_id=workspace_id,
        actor_id=actor_id,
        action="task.finalize" if final else "task.escalate",
        object_type="task",
        object_id=str(task_id),
        details={
            "project_id": project_id,
            "adjudication_id": row_id,
            "method": decision.method,
            "outcome": decision.outcome.value,
            "result": decision.result,
            "confidence": _unit(decision.confidence),
            "agreement": _agreement(decision),
            "trigger": trigger,
            "previous_adjudication_id": previous_id,
        },
        created_at=now,
    )
    return row_id


def on_annotation_counted(session: Session, task_id: int, now: datetime) -> Outcome | None:
    """Decide the task if this submission completed it (see the module docstring). Returns the outcome,
    or None when nothing was decided (incomplete, gold, already decided, or left to the finalize pass)."""
    state = adjudication_repo.task_state(session, task_id)
    if (
        state is None
        or state.is_gold
        or state.qa_status != "pending"
        or state.annotation_count < state.overlap
        or state.schema_version_id is None
    ):
        return None
    settings = QaSettings.stored(state.qa)
    schema = schema_cache.get(session, state.schema_version_id)
    if settings.method in PER_ITEM_METHODS:
        rows: Any = adjudication_repo.task_results(session, task_id)
    elif adjudication_repo.project_holds_more_annotations_than(session, state.project_id, INLINE_FIT_LIMIT):
        return None
    else:
        rows = annotation_repo.project_results(session, state.project_id)
    answers = collect_answers(schema, rows)
    decision = decide_task(schema, task_id, answers, aggregates(schema, answers, settings.method), settings)
    if not adjudication_repo.set_status(session, task_id, expected="pending", new=decision.outcome.value):
        return None
    record_decision(
        session,
        task_id=task_id,
        project_id=state.project_id,
        workspace_id=state.workspace_id,
        decision=decision,
        now=now,
        actor_id=None,
        trigger="submission",
    )
    return decision.outcome


@dataclass(frozen=True, slots=True)
class FinalizeSummary:
    """What a finalize pass did.

    ``decided``: complete pending tasks decided now; ``changed`` / ``unchanged``: automatically decided
    tasks decided again (``redecide``) whose outcome or result changed (a new history row) or did not;
    ``final`` / ``escalated``: the outcomes of the decisions written (``decided + changed`` of them).
    """

    project_id: int
    method: str
    decided: int = 0
    final: int = 0
    escalated: int = 0
    changed: int = 0
    unchanged: int = 0


@dataclass(frozen=True, slots=True)
class _Planned:
    task_id: int
    decision: TaskDecision
    current: AdjudicationRow | None  # None: a pending task
    status: str


def _outcome_of(row: AdjudicationRow) -> Outcome:
    return Outcome.ESCALATED if row.method == "escalated" else Outcome.FINAL


def _plan(
    schema: LabelSchema,
    settings: QaSettings,
    answers: Mapping[str, ControlAnswers],
    fitted: Mapping[str, Aggregate | None],
    pending: list[int],
    automatic: list[tuple[int, str, AdjudicationRow]],
) -> tuple[list[_Planned], int]:
    """The decisions to write, and how many re-decided tasks stay as they are."""
    planned = [
        _Planned(t, decide_task(schema, t, answers, fitted, settings), None, "pending") for t in pending
    ]
    unchanged = 0
    for task_id, status, current in automatic:
        decision = decide_task(schema, task_id, answers, fitted, settings)
        if decision.outcome is _outcome_of(current) and decision.result == current.result:
            unchanged += 1
            continue
        planned.append(_Planned(task_id, decision, current, status))
    return planned, unchanged


def finalize_project(
    db: Database,
    principal: Principal,
    project_id: int,
    *,
    redecide: bool = False,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> FinalizeSummary:
    """The finalize pass over one project (see the module docstring). Roles: ``Action.EDIT_PROJECT``.

    ``progress(done, total)`` is called as the decisions are written (the CLI's progress bar).
    """
    at = now or utcnow()
    with db.snapshot() as session:
        project, _ = project_for(session, principal, project_id, Action.EDIT_PROJECT)
        workspace_id = project.workspace_id
        settings = QaSettings.stored(project.qa)
        pending = adjudication_repo.pending_complete(session, project_id)
        automatic = list(adjudication_repo.automatic_current(session, project_id)) if redecide else []
        last_annotation = adjudication_repo.last_annotation_id(session, project_id)
        schema = schema_cache.get(session, project.schema_version_id) if project.schema_version_id else None
        rows = (
            list(annotation_repo.project_results(session, project_id))
            if schema is not None and (pending or automatic)
            else []
        )
    planned: list[_Planned] = []
    unchanged = 0
    if schema is not None and (pending or automatic):
        answers = collect_answers(schema, rows)
        fitted = aggregates(schema, answers, settings.method)
        planned, unchanged = _plan(schema, settings, answers, fitted, pending, automatic)
    counts = {"decided": 0, "final": 0, "escalated": 0, "changed": 0}
    total = len(planned)
    if progress is not None:
        progress(0, total)
    for start in range(0, total, WRITE_BATCH):
        batch = planned[start : start + WRITE_BATCH]
        written = with_retries(
            partial(_write, db, batch, project_id, workspace_id, last_annotation, at, principal)
        )
        for key, value in written.items():
            counts[key] += value
        if progress is not None:
            progress(min(start + WRITE_BATCH, total), total)
    summary = FinalizeSummary(project_id, settings.method, unchanged=unchanged, **counts)
    with db.write() as session:
        audit_repo.record(
            session,
            workspace_id=workspace_id,
            actor_id=principal.user_id,
            action="project.finalize",
            object_type="project",
            object_id=str(project_id),
            details={
                "redecide": redecide,
                "method": summary.method,
                "decided": summary.decided,
                "final": summary.final,
                "escalated": summary.escalated,
                "changed": summary.changed,
                "unchanged": summary.unchanged,
            },
            created_at=at,
        )
    return summary


def _write(
    db: Database,
    batch: list[_Planned],
    project_id: int,
    workspace_id: int,
    last_annotation: int,
    at: datetime,
    principal: Principal,
) -> dict[str, int]:
    """Write one batch of planned decisions in one transaction; what was written, by kind."""
    counts = {"decided": 0, "final": 0, "escalated": 0, "changed": 0}
    with db.write() as session:
        for plan in batch:
            new = plan.decision.outcome.value
            if plan.current is None:
                ok = adjudication_repo.set_status(
                    session, plan.task_id, expected="pending", new=new, complete_since=last_annotation
                )
            else:
                ok = adjudication_repo.set_status(
                    session, plan.task_id, expected=plan.status, new=new, newest_row_id=plan.current.id
                )
            if not ok:
                continue  # someone decided it meanwhile, or its answers changed: theirs stands
            record_decision(
                session,
                task_id=plan.task_id,
                project_id=project_id,
                workspace_id=workspace_id,
                decision=plan.decision,
                now=at,
                actor_id=principal.user_id,
                trigger="redecide" if plan.current is not None else "finalize",
                previous_id=plan.current.id if plan.current is not None else None,
            )
            counts["changed" if plan.current is not None else "decided"] += 1
            counts[new] += 1
    return counts
