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
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


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


__all__ = [
    "AssignTask",
    "AssignmentState",
    "Candidate",
    "Lease",
    "NextDecision",
    "NothingLeft",
    "ResumeLease",
    "SubmissionContext",
    "SubmissionOutcome",
    "choose_next",
    "decide_submission",
    "lease_is_live",
]
