"""The next-task and submission policy, as properties over generated snapshots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

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
    lease_is_live,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)

candidates = st.lists(
    st.builds(
        Candidate,
        task_id=st.integers(1, 10_000),
        slots_taken=st.integers(0, 5),
        overlap=st.integers(1, 5),
        priority=st.integers(-3, 3),
        touched=st.booleans(),
    ),
    max_size=30,
    unique_by=lambda c: c.task_id,
)
offsets = st.integers(-3600, 3600).map(lambda s: NOW + timedelta(seconds=s))


def test_lease_is_live_strictly_before_expiry() -> None:
    assert lease_is_live(NOW + timedelta(microseconds=1), NOW)
    assert not lease_is_live(NOW, NOW)
    assert not lease_is_live(NOW - timedelta(seconds=1), NOW)


@given(candidates, offsets)
def test_a_live_lease_is_always_handed_back(cands: list[Candidate], expires: datetime) -> None:
    decision = choose_next(Lease(task_id=42, expires_at=expires), cands, NOW)
    if expires > NOW:
        assert decision == ResumeLease(42)
    else:
        assert not isinstance(decision, ResumeLease)


@given(candidates)
def test_never_assigns_a_touched_or_full_task(cands: list[Candidate]) -> None:
    decision = choose_next(None, cands, NOW)
    eligible = [c for c in cands if not c.touched and c.slots_taken < c.overlap]
    if not eligible:
        assert decision == NothingLeft()
        return
    assert isinstance(decision, AssignTask)
    chosen = next(c for c in cands if c.task_id == decision.task_id)
    assert not chosen.touched
    assert chosen.slots_taken < chosen.overlap


@given(candidates)
def test_highest_priority_then_oldest_wins(cands: list[Candidate]) -> None:
    decision = choose_next(None, cands, NOW)
    eligible = [c for c in cands if not c.touched and c.slots_taken < c.overlap]
    if eligible:
        best = min(eligible, key=lambda c: (-c.priority, c.task_id))
        assert decision == AssignTask(best.task_id)


@given(candidates)
def test_choice_does_not_depend_on_candidate_order(cands: list[Candidate]) -> None:
    assert choose_next(None, cands, NOW) == choose_next(None, list(reversed(cands)), NOW)


states = st.sampled_from([None, *AssignmentState])


@given(states, offsets, st.integers(0, 6), st.integers(1, 5), st.booleans())
def test_submission_never_exceeds_overlap(
    state: AssignmentState | None, expires: datetime, taken: int, overlap: int, annotated: bool
) -> None:
    ctx = SubmissionContext(
        state=state,
        expires_at=expires if state is not None else None,
        slots_taken=min(taken, overlap),
        overlap=overlap,
        already_annotated=annotated,
    )
    outcome = decide_submission(ctx, NOW)
    if annotated or state is AssignmentState.SUBMITTED:
        assert outcome is SubmissionOutcome.REJECT_ALREADY_ANNOTATED
        return
    live = state is AssignmentState.LEASED and expires > NOW
    # slots after the decision is carried out
    if outcome is SubmissionOutcome.USE_LEASE:
        assert live
        after = ctx.slots_taken
    elif outcome is SubmissionOutcome.RECLAIM_AND_TAKE_SLOT:
        assert state is AssignmentState.LEASED and not live
        after = ctx.slots_taken - 1 + 1
    elif outcome is SubmissionOutcome.TAKE_SLOT:
        assert state is not AssignmentState.LEASED
        after = ctx.slots_taken + 1
    else:
        assert outcome is SubmissionOutcome.REJECT_NO_FREE_SLOT
        assert not live
        return
    assert after <= overlap


def test_submission_without_lease_only_while_a_slot_is_free() -> None:
    full = SubmissionContext(state=None, expires_at=None, slots_taken=3, overlap=3, already_annotated=False)
    assert decide_submission(full, NOW) is SubmissionOutcome.REJECT_NO_FREE_SLOT
    free = SubmissionContext(state=None, expires_at=None, slots_taken=2, overlap=3, already_annotated=False)
    assert decide_submission(free, NOW) is SubmissionOutcome.TAKE_SLOT
    skipped = SubmissionContext(
        state=AssignmentState.SKIPPED, expires_at=NOW, slots_taken=2, overlap=3, already_annotated=False
    )
    assert decide_submission(skipped, NOW) is SubmissionOutcome.TAKE_SLOT


def test_own_expired_lease_still_counted_is_reclaimed_first() -> None:
    ctx = SubmissionContext(
        state=AssignmentState.LEASED,
        expires_at=NOW - timedelta(seconds=1),
        slots_taken=3,
        overlap=3,
        already_annotated=False,
    )
    assert decide_submission(ctx, NOW) is SubmissionOutcome.RECLAIM_AND_TAKE_SLOT
