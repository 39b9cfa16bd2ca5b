"""audit chain: hash-chained, append-only audit events

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 01:00:00.000000

- ``audit_event`` gains ``chain`` (``workspace:<id>`` or ``instance``), ``seq`` (1, 2, 3 … per chain, unique
  per chain), ``prev_hash`` and ``hash`` (SHA-256 hex, see consenso.core.audit).
- Genesis rule: the events already stored are chained here, per chain in id order (the order they were
  written in), the first of each chain after 64 zeros, exactly as they would have been chained on append.
- The foreign keys of ``workspace_id`` and ``actor_id`` (``ON DELETE SET NULL``) are dropped: deleting a
  workspace or a user would UPDATE audit rows, which the table now refuses (and which would break their
  hashes); the log keeps the plain ids.
- PostgreSQL: ``audit_chain_head(chain, key)`` takes the chain's advisory lock and reads its head in one round
  trip (consenso.store.repositories.audit).
- The table refuses UPDATE, DELETE and TRUNCATE: on PostgreSQL one statement-level trigger raising an
  exception (``audit_event_append_only``); on SQLite two triggers ``RAISE(ABORT)`` (SQLite has no TRUNCATE;
  a DELETE without WHERE fires triggers once the table has one). Someone with the database's owner or
  superuser rights can still drop or disable them: that is what the hash chain is for.

A later migration that rebuilds ``audit_event`` on SQLite (a batch copy) drops its triggers with the old
table and must create them again (``_create_sqlite_triggers``); on PostgreSQL it must disable the trigger
around any data fix, which a migration should never need.

Downgrade drops the triggers and the chain columns and restores the foreign keys (ids of users or
workspaces deleted since become NULL, as ``ON DELETE SET NULL`` would have made them).
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# The chain's format (v1) is frozen: later versions of the function keep computing v1 hashes for v1 events.
from consenso.core.audit import GENESIS_HASH, chain_key, event_hash

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_BATCH = 2000

_PG_FUNCTION = """
CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'audit events are never changed or removed; see docs/security.md';
END
$$
"""
_PG_TRIGGER = (
    "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_event "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()"
)
# One round trip for "lock the chain, then read its head": a VOLATILE function takes a fresh snapshot for each
# statement it runs, so the head is read after the lock is granted (one statement doing both would read it with
# a snapshot taken before waiting for the lock, and miss the append it waited for).
_PG_HEAD_FUNCTION = """
CREATE FUNCTION audit_chain_head(p_chain varchar, p_key bigint, OUT seq bigint, OUT hash varchar)
RETURNS record LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(p_key);
    SELECT e.seq, e.hash INTO seq, hash FROM audit_event e WHERE e.chain = p_chain ORDER BY e.seq DESC LIMIT 1;
END
$$
"""
_SQLITE_TRIGGERS = {
    "audit_event_no_update": "UPDATE",
    "audit_event_no_delete": "DELETE",
}


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _create_sqlite_triggers() -> None:
    for name, operation in _SQLITE_TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER {name} BEFORE {operation} ON audit_event "
            f"BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: {operation} refused'); END"
        )


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _chain_existing_events() -> None:
    """Chain the events stored before this revision, per chain in id order (the genesis rule)."""
    bind = op.get_bind()
    events = sa.table(
        "audit_event",
        sa.column("id", _ID),
        sa.column("workspace_id", _ID),
        sa.column("actor_id", _ID),
        sa.column("action", sa.String()),
        sa.column("object_type", sa.String()),
        sa.column("object_id", sa.String()),
        sa.column("outcome", sa.String()),
        sa.column("origin", sa.String()),
        sa.column("details", _JSON),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("chain", sa.String()),
        sa.column("seq", sa.BigInteger()),
        sa.column("prev_hash", sa.String()),
        sa.column("hash", sa.String()),
    )
    heads: dict[str, tuple[int, str]] = {}
    last_id = 0
    update = (
        events.update()
        .where(events.c.id == sa.bindparam("event_id"))
        .values(
            chain=sa.bindparam("new_chain"),
            seq=sa.bindparam("new_seq"),
            prev_hash=sa.bindparam("new_prev"),
            hash=sa.bindparam("new_hash"),
        )
    )
    while True:
        rows = bind.execute(
            sa.select(events).where(events.c.id > last_id).order_by(events.c.id).limit(_BATCH)
        ).all()
        if not rows:
            return
        changes: list[dict[str, Any]] = []
        for row in rows:
            chain = chain_key(row.workspace_id)
            seq, prev = heads.get(chain, (0, GENESIS_HASH))
            digest = event_hash(
                chain=chain,
                seq=seq + 1,
                prev_hash=prev,
                workspace_id=row.workspace_id,
                actor_id=row.actor_id,
                action=row.action,
                object_type=row.object_type,
                object_id=row.object_id,
                outcome=row.outcome,
                origin=row.origin,
                created_at=_aware(row.created_at),
                details=row.details if row.details is not None else {},
            )
            heads[chain] = (seq + 1, digest)
            changes.append(
                {
                    "event_id": row.id,
                    "new_chain": chain,
                    "new_seq": seq + 1,
                    "new_prev": prev,
                    "new_hash": digest,
                }
            )
        bind.execute(update, changes)
        last_id = rows[-1].id


def upgrade() -> None:
    # audit_event is referenced by no table, so SQLite may rebuild it (batch copy) to drop its foreign keys
    op.add_column("audit_event", sa.Column("chain", sa.String(length=40), nullable=True))
    op.add_column("audit_event", sa.Column("seq", sa.BigInteger(), nullable=True))
    op.add_column("audit_event", sa.Column("prev_hash", sa.String(length=64), nullable=True))
    op.add_column("audit_event", sa.Column("hash", sa.String(length=64), nullable=True))
    _chain_existing_events()
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_constraint("fk_audit_event_actor_id_users", type_="foreignkey")
        batch_op.drop_constraint("fk_audit_event_workspace_id_workspace", type_="foreignkey")
        for column, kind in (
            ("chain", sa.String(length=40)),
            ("seq", sa.BigInteger()),
            ("prev_hash", sa.String(length=64)),
            ("hash", sa.String(length=64)),
        ):
            batch_op.alter_column(column, existing_type=kind, nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_audit_event_chain"), ["chain", "seq"])
    if _sqlite():
        _create_sqlite_triggers()
    else:
        op.execute(_PG_FUNCTION)
        op.execute(_PG_TRIGGER)
        op.execute(_PG_HEAD_FUNCTION)


def downgrade() -> None:
    if _sqlite():
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
        op.execute("DROP FUNCTION IF EXISTS audit_chain_head(varchar, bigint)")
    # what ON DELETE SET NULL would have done to the ids of users and workspaces deleted since
    op.execute("UPDATE audit_event SET actor_id = NULL WHERE actor_id NOT IN (SELECT id FROM users)")
    op.execute(
        "UPDATE audit_event SET workspace_id = NULL WHERE workspace_id NOT IN (SELECT id FROM workspace)"
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_constraint("uq_audit_event_chain", type_="unique")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")
        batch_op.drop_column("chain")
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_event_actor_id_users"), "users", ["actor_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_event_workspace_id_workspace"),
            "workspace",
            ["workspace_id"],
            ["id"],
            ondelete="SET NULL",
        )
