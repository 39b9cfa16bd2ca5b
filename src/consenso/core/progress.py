"""How far a project has got: task status, lead-time percentiles and hourly throughput, as pure functions.

The store computes the figures with SQL aggregates (counts, ``GROUP BY`` hour, window-function ranks), so
that a dashboard over millions of annotations never loops over them in Python; this module holds the
definitions those queries implement, so that each one can be read, recomputed and tested on its own.

Task status (``task_status``), from the columns every task keeps up to date:

- **complete**: it holds its ``overlap`` annotations (``annotation_count >= overlap``);
- **in progress**: not complete, and some slot is taken, by an annotation or a lease
  (``slots_taken > 0``; a lease past its expiry counts until the next ``next`` reclaims it);
- **untouched**: no annotation and no lease (``slots_taken == 0``).

Percentiles (``percentile``): linear interpolation between the two closest ranks, the definition of
PostgreSQL's ``percentile_cont`` and of numpy's default ``np.percentile(x, 100 * q)``. For sorted values
x₀ ≤ … ≤ xₙ₋₁ and q = a/b, the position is h = (n − 1)·a/b; with i = ⌊h⌋ and f = h − i, the percentile
is xᵢ + f·(xᵢ₊₁ − xᵢ) (xᵢ when f = 0). Integer arithmetic picks i exactly, the same in SQL and here.

Example::

    >>> percentile([100, 200, 400, 800], (1, 2))
    300.0
    >>> percentile([100, 200, 400, 800], (9, 10))
    680.0
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

# q as an exact fraction (numerator, denominator): 0 <= a <= b, b >= 1
Quantile = tuple[int, int]
MEDIAN: Final[Quantile] = (1, 2)
P90: Final[Quantile] = (9, 10)
HOUR_SECONDS: Final = 3600
THROUGHPUT_HOURS: Final = 24


class TaskStatus(enum.StrEnum):
    UNTOUCHED = "untouched"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"


def task_status(*, slots_taken: int, annotation_count: int, overlap: int) -> TaskStatus:
    """The status of one task (see the module docstring); the dashboard's SQL counts the same way."""
    if annotation_count >= overlap:
        return TaskStatus.COMPLETE
    if slots_taken > 0 or annotation_count > 0:
        return TaskStatus.IN_PROGRESS
    return TaskStatus.UNTOUCHED


def _check(q: Quantile) -> None:
    a, b = q
    if b < 1 or not 0 <= a <= b:
        raise ValueError(f"a quantile must be a fraction a/b in [0, 1], got {a}/{b}")


def percentile_ranks(count: int, q: Quantile) -> tuple[int, int, float]:
    """The 1-based ranks ``(lo, hi)`` of the two order statistics that give quantile ``q`` of ``count``
    values, and the weight ``f`` of the higher one: ``x[lo] + f * (x[hi] - x[lo])``.

    ``hi`` equals ``lo`` when ``f`` is 0. ``count`` must be at least 1.

    >>> percentile_ranks(4, (1, 2))
    (2, 3, 0.5)
    >>> percentile_ranks(11, (9, 10))
    (10, 10, 0.0)
    """
    _check(q)
    if count < 1:
        raise ValueError("no values")
    a, b = q
    lo, rest = divmod((count - 1) * a, b)  # the SQL side computes lo as ((count - 1) * a) / b on integers
    return lo + 1, (lo + 2 if rest else lo + 1), rest / b


def percentile_from_ranks(count: int, q: Quantile, values: Mapping[int, float]) -> float | None:
    """Quantile ``q`` of ``count`` sorted values, given (at least) the values at the ranks it needs.

    ``values`` maps 1-based ranks to values, as the store's window-function query returns them; None
    when ``count`` is 0.
    """
    if count < 1:
        return None
    lo, hi, weight = percentile_ranks(count, q)
    low = float(values[lo])
    if weight == 0:
        return low
    return low + weight * (float(values[hi]) - low)


def percentile(values: Sequence[float], q: Quantile) -> float | None:
    """Quantile ``q`` of ``values`` (any order); None when there are none. The reference for the SQL."""
    ordered = sorted(values)
    return percentile_from_ranks(len(ordered), q, {i + 1: v for i, v in enumerate(ordered)})


def needed_ranks(count: int, quantiles: Sequence[Quantile]) -> set[int]:
    """The 1-based ranks the store must return so that each of ``quantiles`` can be computed."""
    ranks: set[int] = set()
    if count < 1:
        return ranks
    for q in quantiles:
        lo, hi, _ = percentile_ranks(count, q)
        ranks.update((lo, hi))
    return ranks


@dataclass(frozen=True, slots=True)
class HourCount:
    """Annotations submitted in the hour starting at ``hour`` (UTC)."""

    hour: datetime
    annotations: int


def epoch_hour(at: datetime) -> int:
    """Whole hours since 1970-01-01T00:00Z: the bucket the store's ``GROUP BY`` puts ``at`` in."""
    if at.tzinfo is None:
        raise ValueError("naive datetime")
    return int(at.timestamp()) // HOUR_SECONDS


def throughput_window(now: datetime, hours: int = THROUGHPUT_HOURS) -> tuple[int, datetime]:
    """The first bucket of the ``hours`` hourly buckets ending with the current (partial) hour, and its start.

    >>> throughput_window(datetime(2026, 3, 1, 10, 30, tzinfo=UTC), 24)[1].isoformat()
    '2026-02-28T11:00:00+00:00'
    """
    first = epoch_hour(now) - hours + 1
    return first, datetime.fromtimestamp(first * HOUR_SECONDS, UTC)


def hourly_series(now: datetime, counts: Mapping[int, int], hours: int = THROUGHPUT_HOURS) -> list[HourCount]:
    """``hours`` consecutive hourly counts, oldest first, ending with the hour containing ``now``.

    ``counts`` maps epoch hours (``epoch_hour``) to annotation counts; hours without one are 0, and hours
    outside the window are left out.
    """
    first, _ = throughput_window(now, hours)
    return [
        HourCount(datetime.fromtimestamp(h * HOUR_SECONDS, UTC), int(counts.get(h, 0)))
        for h in range(first, first + hours)
    ]


__all__ = [
    "HOUR_SECONDS",
    "MEDIAN",
    "P90",
    "THROUGHPUT_HOURS",
    "HourCount",
    "Quantile",
    "TaskStatus",
    "epoch_hour",
    "hourly_series",
    "needed_ranks",
    "percentile",
    "percentile_from_ranks",
    "percentile_ranks",
    "task_status",
    "throughput_window",
]
