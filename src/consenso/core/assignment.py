"""The next-task and submission policy, as pure functions over a snapshot.

The database enforces the invariants (a unique lease/annotation per task and annotator, a slot counter
with ``CHECK (slots_taken <= overlap)``, at most one live lease per annotator and project); this module
decides *what to do* given a snapshot the store loaded, so that the rules can be read and property-tested
without a database.

Vocabulary
- A task has ``overlap`` **slots**. A slot is taken by a live lease or by a submitted annotation.
- A **lease** is a task handed to one annotator until ``expires_at``. A lease whose time has passed is
  *expired*: it frees its slot (the store reclaims it lazily, before it needs the slot).
- An annotator is never handed a task they have touched before (leased, submitted or skipped), except
  their own live lease, which ``next`` hands back unchanged.
- A submission with a live lease uses the lease's slot. Without one (expired, skipped, never leased)
  it is accepted only while a slot is free.
- An annotator may **undo** (withdraw) their most recent annotation of a project while its task is still
  *open*, nobody has reviewed it yet, and within ``UNDO_WINDOW`` of submitting it (``decide_withdrawal``).
  Its slot is not freed: it becomes a lease of the same annotator again, so that they answer the task anew.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final


class AssignmentState(enum.StrEnum):
    """Life of one (task, annotator) pair."""

    LEASED = "leased"
    SUBMITTED = "submitted"
    SKIPPED = "skipped"
    EXPIRED = "expired"


def lease_is_live(expires_at: datetime, now: datetime) -> bool:
    """A lease is live strictly before its expiry instant."""
    return now < expires_at


@dataclass(frozen=True, slots=True)
class Lease:
    """The annotator's current lease in a project, if any."""

    task_id: int
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Candidate:
    """An open task the store found for the annotator.

    ``touched`` is true when the annotator already holds an assignment row for it (any state); the
    store's query excludes those, the policy checks again so that a sloppy query cannot break the rule.
    """

    task_id: int
    slots_taken: int
    overlap: int
    priority: int = 0
    touched: bool = False


@dataclass(frozen=True, slots=True)
class ResumeLease:
    task_id: int


@dataclass(frozen=True, slots=True)
class AssignTask:
    task_id: int


@dataclass(frozen=True, slots=True)
class NothingLeft:
    pass


NextDecision = ResumeLease | AssignTask | NothingLeft


def choose_next(lease: Lease | None, candidates: Iterable[Candidate], now: datetime) -> NextDecision:
    """Decide what ``next`` answers.

    1. A live lease is handed back as it is (same task, same expiry): reloading the page never burns a slot.
    2. Otherwise the eligible candidate with the highest priority, then the lowest id (oldest first).
       Eligible: not touched by this annotator and with a free slot.
    3. Otherwise nothing is left for this annotator.
    """
    if lease is not None and lease_is_live(lease.expires_at, now):
        return ResumeLease(lease.task_id)
    best: Candidate | None = None
    for cand in candidates:
        if cand.touched or cand.slots_taken >= cand.overlap:
            continue
        if best is None or (-cand.priority, cand.task_id) < (-best.priority, best.task_id):
            best = cand
    if best is None:
        return NothingLeft()
    return AssignTask(best.task_id)


@dataclass(frozen=True, slots=True)
class SubmissionContext:
    """What the store knows about one annotator submitting one task.

    ``state``/``expires_at`` describe the annotator's assignment row for the task (None when there is
    none). ``slots_taken`` counts the task's taken slots *including* this annotator's own lease if it is
    still counted (live or not yet reclaimed).
    """

    state: AssignmentState | None
    expires_at: datetime | None
    slots_taken: int
    overlap: int
    already_annotated: bool


class SubmissionOutcome(enum.StrEnum):
    USE_LEASE = "use_lease"  # turn the live lease into the annotation; slot count unchanged
    RECLAIM_AND_TAKE_SLOT = "reclaim_and_take_slot"  # own expired lease: free it, then take a free slot
    TAKE_SLOT = "take_slot"  # no usable lease: take a free slot
    REJECT_ALREADY_ANNOTATED = "reject_already_annotated"
    REJECT_NO_FREE_SLOT = "reject_no_free_slot"


def decide_submission(ctx: SubmissionContext, now: datetime) -> SubmissionOutcome:
    """Decide whether a submission is accepted and how it takes its slot."""
    if ctx.already_annotated or ctx.state is AssignmentState.SUBMITTED:
        return SubmissionOutcome.REJECT_ALREADY_ANNOTATED
    if ctx.state is AssignmentState.LEASED and ctx.expires_at is not None:
        if lease_is_live(ctx.expires_at, now):
            return SubmissionOutcome.USE_LEASE
        # the expired lease still holds a slot until reclaimed: after freeing it, one is free
        if ctx.slots_taken - 1 < ctx.overlap:
            return SubmissionOutcome.RECLAIM_AND_TAKE_SLOT
        return SubmissionOutcome.REJECT_NO_FREE_SLOT
    if ctx.slots_taken < ctx.overlap:
        return SubmissionOutcome.TAKE_SLOT
    return SubmissionOutcome.REJECT_NO_FREE_SLOT


# How long after submitting an annotation its annotator may still undo it. Long enough to notice a slip
# right after pressing "submit"; short enough that exports and quality reports taken since then rarely
# contained the withdrawn answer (every withdrawal is in the audit log with the answer it removed).
UNDO_WINDOW: Final = timedelta(minutes=10)


def task_is_open(*, adjudicated: bool) -> bool:
    """Whether a task's annotations may still change: until a person has decided it.

    ``adjudicated`` is true once an adjudicator decided the task or someone reopened it: a person judged
    exactly these answers, so none of them may disappear from under that judgement. An *automatic* decision
    (the final label or escalation the completing submission triggers, ``consenso.services.finalize``) does
    not close the task: undoing an answer it stood on puts the task back to ``pending`` (a ``withdrawn``
    history row) and the task is decided again once it is complete again; the undone annotation's slot stays
    with its annotator (as a lease), so undoing never hands the task to someone else. A review does not close
    its task either: it judges one annotation, and it is that annotation which can no longer be undone
    (``decide_withdrawal``), while the task's other answers may.
    """
    return not adjudicated


@dataclass(frozen=True, slots=True)
class WithdrawalContext:
    """What the store knows about an annotator asking to undo one of their annotations.

    ``latest_annotation_id`` is the id of the annotator's newest annotation in the project (ids grow with
    submissions); ``adjudicated`` is whether a person has decided or reopened the task (see
    ``task_is_open``); ``reviewed`` whether anyone has
    reviewed this annotation.
    """

    annotation_id: int
    submitted_at: datetime
    latest_annotation_id: int
    adjudicated: bool
    reviewed: bool = False


class WithdrawalOutcome(enum.StrEnum):
    ALLOW = "allow"
    REJECT_NOT_LATEST = "reject_not_latest"
    REJECT_TASK_CLOSED = "reject_task_closed"
    REJECT_REVIEWED = "reject_reviewed"
    REJECT_TOO_LATE = "reject_too_late"


def decide_withdrawal(
    ctx: WithdrawalContext, now: datetime, window: timedelta = UNDO_WINDOW
) -> WithdrawalOutcome:
    """Decide whether an annotator may undo their annotation (ownership is checked before: not ours → 404).

    1. Only their most recent annotation in the project: undo steps back one submission, it does not
       edit history (which would need review and versioning of answers).
    2. Only while the task is open (``task_is_open``).
    3. Only while nobody has reviewed it: withdrawing would delete the reviews with it, and a verdict the
       annotator may have read (``GET /projects/{id}/annotations``) would lose its object.
    4. Only within ``window`` of the submission (a submission stamped in the future, by another server's
       clock, counts as just made).
    """
    if ctx.annotation_id != ctx.latest_annotation_id:
        return WithdrawalOutcome.REJECT_NOT_LATEST
    if not task_is_open(adjudicated=ctx.adjudicated):
        return WithdrawalOutcome.REJECT_TASK_CLOSED
    if ctx.reviewed:
        return WithdrawalOutcome.REJECT_REVIEWED
    if now - ctx.submitted_at > window:
        return WithdrawalOutcome.REJECT_TOO_LATE
    return WithdrawalOutcome.ALLOW


__all__ = [
    "UNDO_WINDOW",
    "AssignTask",
    "AssignmentState",
    "Candidate",
    "Lease",
    "NextDecision",
    "NothingLeft",
    "ResumeLease",
    "SubmissionContext",
    "SubmissionOutcome",
    "WithdrawalContext",
    "WithdrawalOutcome",
    "choose_next",
    "decide_submission",
    "decide_withdrawal",
    "lease_is_live",
    "task_is_open",
]
