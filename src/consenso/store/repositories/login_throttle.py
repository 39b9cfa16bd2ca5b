"""Failed-login counts per e-mail address (``login_throttle``), read and changed under a row lock.

``get_for_update`` and ``add_for_update`` lock the row (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the
write transaction's ``BEGIN IMMEDIATE`` already serialises writers), so two server processes counting failures
for the same address never lose one: the second waits for the first to commit and then sees its count.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from consenso.store.models import LoginThrottle


def get_for_update(session: Session, key_hash: bytes) -> LoginThrottle | None:
    stmt = select(LoginThrottle).where(LoginThrottle.key_hash == key_hash).with_for_update()
    return session.scalars(stmt).first()


def add_for_update(session: Session, key_hash: bytes, now: datetime) -> LoginThrottle:
    """The address's row, created with no failures if it does not exist yet, locked."""
    values = {"key_hash": key_hash, "failures": 0, "locks": 0, "locked_until": None, "updated_at": now}
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # a concurrent first failure for the same address may have inserted it: then wait for it and count on top
    session.execute(insert(LoginThrottle).values(**values).on_conflict_do_nothing())
    row = get_for_update(session, key_hash)
    assert row is not None
    return row


def clear(session: Session, key_hash: bytes) -> None:
    session.execute(delete(LoginThrottle).where(LoginThrottle.key_hash == key_hash))
