"""Task status, lead-time percentiles and hourly throughput: the definitions behind the dashboard's SQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from consenso.core.progress import (
    MEDIAN,
    P90,
    HourCount,
    TaskStatus,
    epoch_hour,
    hourly_series,
    needed_ranks,
    percentile,
    percentile_from_ranks,
    percentile_ranks,
    task_status,
    throughput_window,
)


@pytest.mark.parametrize(
    ("slots_taken", "annotation_count", "overlap", "expected"),
    [
        (0, 0, 2, TaskStatus.UNTOUCHED),
        (1, 0, 2, TaskStatus.IN_PROGRESS),  # a lease only
        (1, 1, 2, TaskStatus.IN_PROGRESS),
        (2, 1, 2, TaskStatus.IN_PROGRESS),  # one annotation, one lease
        (2, 2, 2, TaskStatus.COMPLETE),
        (1, 1, 1, TaskStatus.COMPLETE),
        (2, 2, 3, TaskStatus.IN_PROGRESS),  # overlap raised after completion
    ],
)
def test_task_status(slots_taken: int, annotation_count: int, overlap: int, expected: TaskStatus) -> None:
    assert (
        task_status(slots_taken=slots_taken, annotation_count=annotation_count, overlap=overlap) is expected
    )


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([5], MEDIAN, 5.0),
        ([5], P90, 5.0),
        ([1, 2], MEDIAN, 1.5),
        ([1, 2, 3], MEDIAN, 2.0),
        ([100, 200, 400, 800], MEDIAN, 300.0),
        ([100, 200, 400, 800], P90, 680.0),  # h = 2.7: 400 + 0.7 · 400
        (list(range(1, 11)), P90, 9.1),
        (list(range(1, 12)), P90, 10.0),
        ([3, 1, 2], (0, 1), 1.0),
        ([3, 1, 2], (1, 1), 3.0),
    ],
)
def test_percentile_worked_examples(values: list[int], q: tuple[int, int], expected: float) -> None:
    assert percentile(values, q) == pytest.approx(expected)


def test_percentile_of_nothing_is_none() -> None:
    assert percentile([], MEDIAN) is None
    assert percentile_from_ranks(0, P90, {}) is None
    assert needed_ranks(0, [MEDIAN, P90]) == set()


@given(
    st.lists(st.integers(0, 10**9), min_size=1, max_size=200),
    st.sampled_from([MEDIAN, P90, (1, 4), (3, 4), (99, 100), (0, 1), (1, 1)]),
)
def test_percentile_equals_numpy_linear(values: list[int], q: tuple[int, int]) -> None:
    expected = float(np.percentile(np.array(values, dtype=float), 100 * q[0] / q[1]))
    assert percentile(values, q) == pytest.approx(expected, rel=1e-9, abs=1e-6)


@given(st.integers(1, 10_000), st.sampled_from([MEDIAN, P90, (1, 3), (2, 3)]))
def test_ranks_are_within_the_values_and_need_at_most_two(count: int, q: tuple[int, int]) -> None:
    lo, hi, weight = percentile_ranks(count, q)
    assert 1 <= lo <= hi <= count
    assert hi - lo <= 1
    assert 0 <= weight < 1
    assert (weight == 0) == (lo == hi)
    # the SQL side computes the low rank as ((count - 1) * a) / b + 1 on integers
    assert lo == ((count - 1) * q[0]) // q[1] + 1


def test_only_the_needed_ranks_are_asked_for() -> None:
    assert needed_ranks(4, [MEDIAN, P90]) == {2, 3, 4}
    assert percentile_from_ranks(4, P90, {3: 400, 4: 800}) == pytest.approx(680.0)


@pytest.mark.parametrize("q", [(1, 0), (-1, 2), (3, 2)])
def test_a_quantile_outside_0_1_is_refused(q: tuple[int, int]) -> None:
    with pytest.raises(ValueError, match="quantile"):
        percentile_ranks(3, q)


def test_epoch_hour_buckets_by_utc_hour() -> None:
    at = datetime(2026, 3, 1, 10, 59, 59, 999999, tzinfo=UTC)
    assert epoch_hour(at) == epoch_hour(datetime(2026, 3, 1, 10, tzinfo=UTC))
    assert epoch_hour(at + timedelta(microseconds=1)) == epoch_hour(at) + 1
    # the same instant in another zone falls in the same bucket
    bogota = at.astimezone(timezone(timedelta(hours=-5)))
    assert epoch_hour(bogota) == epoch_hour(at)
    with pytest.raises(ValueError, match="naive"):
        epoch_hour(datetime(2026, 3, 1, 10))


def test_hourly_series_is_24_zero_filled_hours_ending_with_the_current_one() -> None:
    now = datetime(2026, 3, 1, 10, 30, tzinfo=UTC)
    current = epoch_hour(now)
    counts = {current: 4, current - 1: 2, current - 23: 1, current - 24: 99, current + 1: 99}

    series = hourly_series(now, counts)

    assert len(series) == 24
    assert series[0] == HourCount(datetime(2026, 2, 28, 11, tzinfo=UTC), 1)
    assert series[-2:] == [
        HourCount(datetime(2026, 3, 1, 9, tzinfo=UTC), 2),
        HourCount(datetime(2026, 3, 1, 10, tzinfo=UTC), 4),
    ]
    assert sum(h.annotations for h in series) == 7  # hours outside the window are left out
    assert [h.hour for h in series] == [series[0].hour + timedelta(hours=i) for i in range(24)]
    assert throughput_window(now) == (current - 23, datetime(2026, 2, 28, 11, tzinfo=UTC))
