"""What an attacker with the database owner's rights could do to the audit log, for the tamper tests.

The table refuses UPDATE, DELETE and TRUNCATE (triggers, migration 0005); an attacker who owns the database
lifts that guard first: on PostgreSQL ``SET LOCAL session_replication_role = replica`` (a superuser: ordinary
triggers stop firing for the transaction), on SQLite by dropping the triggers and creating them again after.
Each helper is one such transaction; ``forge`` also computes valid hashes, as someone who read the docs would.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, text

from consenso.core.audit import event_hash
from consenso.store.database import Database
from consenso.store.models import AuditEvent


@contextmanager
def guard_lifted(db: Database) -> Iterator[Connection]:
    with db.write_engine.begin() as conn:
        if db.is_sqlite:
            triggers = conn.execute(
                text(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_event'"
                )
            ).all()
            for name, _ in triggers:
                conn.execute(text(f'DROP TRIGGER "{name}"'))
            yield conn
            for _, sql in triggers:
                conn.exec_driver_sql(sql)
        else:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            yield conn


def rows(db: Database, chain: str) -> list[dict[str, Any]]:
    """The chain's events in ``seq`` order, as dicts of their columns (typed: datetimes, JSON)."""
    columns = AuditEvent.__table__.c
    with db.read() as session:
        found = session.execute(
            select(*columns).where(columns.chain == chain).order_by(columns.seq, columns.id)
        ).mappings()
        return [dict(r) for r in found]


def edit(db: Database, event_id: int, **values: Any) -> None:
    assignments = ", ".join(f"{column} = :{column}" for column in values)
    with guard_lifted(db) as conn:
        conn.execute(text(f"UPDATE audit_event SET {assignments} WHERE id = :id"), {**values, "id": event_id})


def delete(db: Database, *event_ids: int) -> None:
    with guard_lifted(db) as conn:
        for event_id in event_ids:
            conn.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": event_id})


def swap(db: Database, first_id: int, second_id: int) -> None:
    """Exchange the places (``seq``) of two events of one chain."""
    with guard_lifted(db) as conn:
        seqs = dict(
            conn.execute(
                text("SELECT id, seq FROM audit_event WHERE id IN (:a, :b)"), {"a": first_id, "b": second_id}
            ).all()
        )
        conn.execute(text("UPDATE audit_event SET seq = -1 WHERE id = :id"), {"id": first_id})
        conn.execute(
            text("UPDATE audit_event SET seq = :s WHERE id = :id"), {"s": seqs[first_id], "id": second_id}
        )
        conn.execute(
            text("UPDATE audit_event SET seq = :s WHERE id = :id"), {"s": seqs[second_id], "id": first_id}
        )


def forge(db: Database, chain: str, after_seq: int, *, action: str = "user.create", **fields: Any) -> int:
    """Slip a forged event into ``chain`` right after event ``after_seq``: later events move one place on
    (their ``seq`` only: their hashes cannot be redone without rewriting the whole rest of the chain), the
    forged one links to the event before it and carries a valid hash of its own. Returns its id."""
    with guard_lifted(db) as conn:
        later = conn.execute(
            text("SELECT id, seq FROM audit_event WHERE chain = :c AND seq > :s ORDER BY seq DESC"),
            {"c": chain, "s": after_seq},
        ).all()
        for event_id, seq in later:  # from the end, so that (chain, seq) stays unique at every step
            conn.execute(
                text("UPDATE audit_event SET seq = :s WHERE id = :id"), {"s": seq + 1, "id": event_id}
            )
        prev = conn.execute(
            text("SELECT hash FROM audit_event WHERE chain = :c AND seq = :s"), {"c": chain, "s": after_seq}
        ).scalar_one()
        values: dict[str, Any] = {
            "chain": chain,
            "seq": after_seq + 1,
            "prev_hash": prev,
            "workspace_id": fields.get("workspace_id"),
            "actor_id": fields.get("actor_id"),
            "action": action,
            "object_type": fields.get("object_type", "user"),
            "object_id": fields.get("object_id", "666"),
            "outcome": "success",
            "origin": "",
            "created_at": fields.get("created_at", datetime(2026, 1, 1, 12, tzinfo=UTC)),
            "details": fields.get("details", {"is_admin": True}),
        }
        inserted = conn.execute(
            insert(AuditEvent).values(**values, hash=event_hash(**values)).returning(AuditEvent.id)
        )
        return int(inserted.scalar_one())
