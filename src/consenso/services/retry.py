"""Re-run a transaction that lost a race the database detected (deadlock, serialization, unique key)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError

T = TypeVar("T")

_RETRYABLE_PG_CODES = frozenset(
    {"40P01", "40001", "55P03"}
)  # deadlock, serialization failure, lock not available


def is_retryable(exc: DBAPIError) -> bool:
    if isinstance(exc, IntegrityError):
        return True
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    if code in _RETRYABLE_PG_CODES:
        return True
    return "database is locked" in str(exc.orig)


def with_retries(attempt: Callable[[], T], *, tries: int = 5) -> T:
    """Call ``attempt`` (one whole transaction) again when the database reports a lost race.

    The attempt re-reads everything, so the second pass sees what the winner wrote: a duplicate
    submission then finds the stored annotation, a raced lease finds the next task.
    """
    for remaining in range(tries - 1, -1, -1):
        try:
            return attempt()
        except DBAPIError as exc:
            if remaining == 0 or not is_retryable(exc):
                raise
    raise RuntimeError("unreachable")
