"""Audit events: appended to hash chains when the transaction that records them commits; read back in pages,
in chain order (export, verification) and as chain heads.

Appending
---------
``record`` adds an event to the caller's transaction without touching the database. When the transaction
commits, a ``before_commit`` hook flushes the transaction's other changes, then for each chain it appends to
(in chain-key order): takes the chain's lock, reads the chain's head (its highest ``seq`` and that event's
``hash``) and inserts the events with the next numbers and their hashes. The transaction then commits and the
lock goes with it. So:

- appends to one chain are serialised and the chain never forks: on PostgreSQL by a transaction-level advisory
  lock per chain (``pg_advisory_xact_lock``, key from the chain's name, taken with the head read in one round
  trip by the SQL function ``audit_chain_head``, migration 0005), on SQLite by the database's single writer
  (``BEGIN IMMEDIATE``); the unique ``(chain, seq)`` constraint refuses a fork even if the lock were bypassed;
- the lock is held only from the append to the commit, and it is the last lock the transaction takes (every
  row change was flushed before it), so it cannot close a deadlock cycle with row locks;
- an event is stored exactly when the change it describes is: a rolled-back transaction appends nothing;
- ids grow with ``seq`` within a chain (they are allocated under the lock), which the verifier checks.

Chains are per workspace (plus the instance's), not one for the whole instance: a submission that finalizes a
task appends to its workspace's chain inside the submission's transaction, and one global chain would make
every such commit in every workspace wait for the others.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import orjson
from sqlalchemy import ColumnElement, Row, and_, event, func, insert, select, text, tuple_
from sqlalchemy.orm import Session

from consenso.core.audit import GENESIS_HASH, chain_key, digest, event_hash
from consenso.store.models import AuditEvent

_PENDING: Final = "consenso.audit.pending"
_UNSET: Any = object()


@dataclass(frozen=True, slots=True)
class _Pending:
    workspace_id: int | None
    actor_id: int | None
    action: str
    object_type: str
    object_id: str
    outcome: str
    origin: str
    details: dict[str, Any]
    created_at: datetime


def record(
    session: Session,
    *,
    action: str,
    created_at: datetime,
    actor_id: int | None = None,
    workspace_id: int | None = None,
    object_type: str = "",
    object_id: str = "",
    outcome: str = "success",
    origin: str = "",
    details: dict[str, Any] | None = None,
    before: Any = _UNSET,
    after: Any = _UNSET,
) -> None:
    """Add one event to the caller's transaction: it is stored (and chained) exactly when the transaction
    commits, and not at all if it rolls back.

    ``before``/``after``: the state of the object before and after a change (JSON values); the event keeps
    their digests, ``details["digest"] = {"before": sha256, "after": sha256}`` (consenso.core.audit.digest),
    so that a state kept elsewhere can be proven to be the one the log names without the log holding it.
    """
    if created_at.tzinfo is None:
        raise ValueError("naive datetime given to the audit log")
    # stored as the database will give it back: JSON types only (what orjson writes, it reads the same)
    payload: dict[str, Any] = orjson.loads(orjson.dumps(details or {}))
    if before is not _UNSET or after is not _UNSET:
        payload["digest"] = {
            "before": digest(orjson.loads(orjson.dumps(None if before is _UNSET else before))),
            "after": digest(orjson.loads(orjson.dumps(None if after is _UNSET else after))),
        }
    pending: list[_Pending] = session.info.setdefault(_PENDING, [])
    pending.append(
        _Pending(workspace_id, actor_id, action, object_type, object_id, outcome, origin, payload, created_at)
    )


def _lock_key(chain: str) -> int:
    return int.from_bytes(
        hashlib.sha256(b"consenso.audit:" + chain.encode()).digest()[:8], "big", signed=True
    )


def _head(session: Session, chain: str, postgresql: bool) -> tuple[int, str]:
    """Lock the chain (PostgreSQL; on SQLite the transaction holds the database's write lock already) and
    read its head: the highest ``seq`` and that event's hash."""
    if postgresql:
        # one round trip: the function takes the transaction-level advisory lock, then reads the head with a
        # fresh snapshot, so under READ COMMITTED it sees every append committed before the lock was granted
        found = session.execute(
            text("SELECT seq, hash FROM audit_chain_head(:chain, :key)"),
            {"chain": chain, "key": _lock_key(chain)},
        ).one()
        return (found.seq, found.hash) if found.seq is not None else (0, GENESIS_HASH)
    row = session.execute(
        select(AuditEvent.seq, AuditEvent.hash)
        .where(AuditEvent.chain == chain)
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).first()
    return (row.seq, row.hash) if row is not None else (0, GENESIS_HASH)


def _append(session: Session, chain: str, events: Sequence[_Pending], postgresql: bool) -> None:
    seq, prev = _head(session, chain, postgresql)
    rows = []
    for pending in events:
        seq += 1
        fields: dict[str, Any] = {
            "chain": chain,
            "seq": seq,
            "prev_hash": prev,
            "workspace_id": pending.workspace_id,
            "actor_id": pending.actor_id,
            "action": pending.action,
            "object_type": pending.object_type,
            "object_id": pending.object_id,
            "outcome": pending.outcome,
            "origin": pending.origin,
            "created_at": pending.created_at,
            "details": pending.details,
        }
        prev = event_hash(**fields)
        rows.append({**fields, "hash": prev})
    for row in rows:  # one statement per event: ids are then allocated in seq order
        session.execute(insert(AuditEvent).values(row))


@event.listens_for(Session, "before_commit")
def _append_pending(session: Session) -> None:
    pending: list[_Pending] | None = session.info.pop(_PENDING, None)
    if not pending:
        return
    session.flush()  # the transaction's row changes first: the chain lock is the last lock it takes
    by_chain: dict[str, list[_Pending]] = {}
    for item in pending:
        by_chain.setdefault(chain_key(item.workspace_id), []).append(item)
    postgresql = session.get_bind().dialect.name == "postgresql"
    for chain in sorted(by_chain):  # one order for every transaction: two of them never wait on each other
        _append(session, chain, by_chain[chain], postgresql)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, _previous: Any) -> None:
    session.info.pop(_PENDING, None)


# ---------------------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """Which events: ``workspace_ids`` None means every event (instance admins), else only those workspaces'.
    ``action`` ending in ``*`` matches a prefix (``auth.*``)."""

    workspace_ids: Sequence[int] | None = None
    actor_id: int | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    outcome: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.workspace_ids is not None:
            found.append(AuditEvent.workspace_id.in_(list(self.workspace_ids)))
        if self.actor_id is not None:
            found.append(AuditEvent.actor_id == self.actor_id)
        if self.action is not None:
            if self.action.endswith("*"):
                prefix = self.action[:-1].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                found.append(AuditEvent.action.like(prefix + "%", escape="\\"))
            else:
                found.append(AuditEvent.action == self.action)
        if self.object_type is not None:
            found.append(AuditEvent.object_type == self.object_type)
        if self.object_id is not None:
            found.append(AuditEvent.object_id == self.object_id)
        if self.outcome is not None:
            found.append(AuditEvent.outcome == self.outcome)
        if self.since is not None:
            found.append(AuditEvent.created_at >= self.since)
        if self.until is not None:
            found.append(AuditEvent.created_at < self.until)
        return found


def list_page(
    session: Session, query: AuditQuery, *, before_id: int | None, limit: int
) -> Sequence[AuditEvent]:
    """Newest first (by id, the order of appends), ``limit`` events with ids below ``before_id``."""
    conditions = query.conditions()
    if before_id is not None:
        conditions.append(AuditEvent.id < before_id)
    return session.scalars(
        select(AuditEvent).where(and_(True, *conditions)).order_by(AuditEvent.id.desc()).limit(limit)
    ).all()


def iter_chain_order(
    session: Session, query: AuditQuery, *, chain: str | None = None, batch: int = 2000
) -> Iterator[Row[Any]]:
    """Every matching event (a row of every column) in ``(chain, seq, id)`` order, read in batches: constant
    memory however long the chain."""
    conditions = query.conditions()
    if chain is not None:
        conditions.append(AuditEvent.chain == chain)
    columns = AuditEvent.__table__.c
    after: tuple[str, int, int] | None = None
    while True:
        page = list(conditions)
        if after is not None:
            page.append(tuple_(columns.chain, columns.seq, columns.id) > tuple_(*after))
        rows = session.execute(
            select(*columns)
            .where(and_(True, *page))
            .order_by(columns.chain, columns.seq, columns.id)
            .limit(batch)
        ).all()
        yield from rows
        if len(rows) < batch:
            return
        last = rows[-1]
        after = (last.chain, last.seq, last.id)


def chain_sizes(session: Session, chains: Sequence[str] | None = None) -> dict[str, int]:
    """Events per chain (every chain, or those named), in chain order."""
    stmt = select(AuditEvent.chain, func.count()).group_by(AuditEvent.chain).order_by(AuditEvent.chain)
    if chains is not None:
        stmt = stmt.where(AuditEvent.chain.in_(list(chains)))
    return {chain: int(count) for chain, count in session.execute(stmt).all()}


def chain_heads(session: Session, chains: Sequence[str] | None = None) -> Sequence[AuditEvent]:
    """The event with the highest ``seq`` of each chain (every chain, or those named), in chain order."""
    top = select(AuditEvent.chain, func.max(AuditEvent.seq).label("seq")).group_by(AuditEvent.chain)
    if chains is not None:
        top = top.where(AuditEvent.chain.in_(list(chains)))
    heads = top.subquery()
    return session.scalars(
        select(AuditEvent)
        .join(heads, and_(AuditEvent.chain == heads.c.chain, AuditEvent.seq == heads.c.seq))
        .order_by(AuditEvent.chain, AuditEvent.id)
    ).all()
