"""Undo of a submission: only the latest, only while the task is open, only within the window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consenso.core.assignment import (
    UNDO_WINDOW,
    WithdrawalContext,
    WithdrawalOutcome,
    decide_withdrawal,
    task_is_open,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def _ctx(**kw: object) -> WithdrawalContext:
    base: dict[str, object] = {
        "annotation_id": 7,
        "submitted_at": NOW - timedelta(seconds=30),
        "latest_annotation_id": 7,
        "adjudicated": False,
    }
    return WithdrawalContext(**{**base, **kw})  # type: ignore[arg-type]


def test_a_task_is_open_until_adjudicated() -> None:
    assert task_is_open(adjudicated=False)
    assert not task_is_open(adjudicated=True)


def test_the_latest_annotation_of_an_open_task_within_the_window_may_be_undone() -> None:
    assert decide_withdrawal(_ctx(), NOW) is WithdrawalOutcome.ALLOW


def test_an_older_annotation_may_not() -> None:
    assert decide_withdrawal(_ctx(latest_annotation_id=9), NOW) is WithdrawalOutcome.REJECT_NOT_LATEST


def test_an_adjudicated_task_is_closed() -> None:
    assert decide_withdrawal(_ctx(adjudicated=True), NOW) is WithdrawalOutcome.REJECT_TASK_CLOSED


def test_a_reviewed_annotation_may_not_be_undone() -> None:
    assert decide_withdrawal(_ctx(reviewed=True), NOW) is WithdrawalOutcome.REJECT_REVIEWED


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (UNDO_WINDOW, WithdrawalOutcome.ALLOW),  # the window's last instant still counts
        (UNDO_WINDOW + timedelta(microseconds=1), WithdrawalOutcome.REJECT_TOO_LATE),
        (timedelta(0), WithdrawalOutcome.ALLOW),
        (-timedelta(minutes=5), WithdrawalOutcome.ALLOW),  # stamped ahead by another server's clock
    ],
)
def test_the_window(age: timedelta, expected: WithdrawalOutcome) -> None:
    assert decide_withdrawal(_ctx(submitted_at=NOW - age), NOW) is expected


def test_the_window_is_ten_minutes() -> None:
    assert timedelta(minutes=10) == UNDO_WINDOW


@given(
    st.integers(1, 100),
    st.integers(1, 100),
    st.booleans(),
    st.booleans(),
    st.integers(-3600, 3600),
)
def test_allowed_exactly_when_every_rule_holds(
    annotation: int, latest: int, adjudicated: bool, reviewed: bool, age: int
) -> None:
    ctx = _ctx(
        annotation_id=annotation,
        latest_annotation_id=latest,
        adjudicated=adjudicated,
        reviewed=reviewed,
        submitted_at=NOW - timedelta(seconds=age),
    )
    allowed = (
        annotation == latest and not adjudicated and not reviewed and timedelta(seconds=age) <= UNDO_WINDOW
    )
    assert (decide_withdrawal(ctx, NOW) is WithdrawalOutcome.ALLOW) == allowed
