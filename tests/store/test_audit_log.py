"""The audit log in the database, on both backends: events chained on commit, the table refusing UPDATE, DELETE
(and TRUNCATE), the tamper test (edit, delete, insert, reorder each detected and named by the verification),
concurrent appends on PostgreSQL keeping one unbroken chain, and the migration chaining older events."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from consenso.core.audit import GENESIS_HASH, BreakKind, ChainBreak, chain_key, event_hash
from consenso.services import audit
from consenso.services.users import set_password
from consenso.store.database import Database
from consenso.store.migrate import alembic_config, upgrade
from consenso.store.models import AuditEvent
from consenso.store.repositories import audit as audit_repo
from tests.conftest import Factory, World, _pg_create, _pg_drop
from tests.store import audit_tamper

T0 = datetime(2026, 11, 27, 10, tzinfo=UTC)


def _record(db: Database, count: int, workspace_id: int | None = 1, *, start: int = 0) -> None:
    with db.write() as session:
        for i in range(start, start + count):
            audit_repo.record(
                session,
                workspace_id=workspace_id,
                actor_id=7,
                action="task.finalize",
                object_type="task",
                object_id=str(i),
                details={"n": i, "confidence": 0.5 + i / 100},
                created_at=T0 + timedelta(seconds=i),
            )


def _only_break(db: Database, chain: str) -> ChainBreak:
    report = audit.verify_chains(db)
    broken = {c.chain: c.broken for c in report.chains if c.broken is not None}
    assert set(broken) == {chain}, report
    found = broken[chain]
    assert found is not None
    return found


def test_events_are_chained_per_workspace_when_the_transaction_commits(db: Database) -> None:
    _record(db, 3, workspace_id=1)
    _record(db, 2, workspace_id=None)
    _record(db, 2, workspace_id=1, start=3)

    first = audit_tamper.rows(db, "workspace:1")
    instance = audit_tamper.rows(db, "instance")
    assert [r["seq"] for r in first] == [1, 2, 3, 4, 5]
    assert [r["object_id"] for r in first] == ["0", "1", "2", "3", "4"]
    assert [r["seq"] for r in instance] == [1, 2]
    assert first[0]["prev_hash"] == instance[0]["prev_hash"] == GENESIS_HASH
    assert [r["prev_hash"] for r in first[1:]] == [r["hash"] for r in first[:-1]]
    assert [r["id"] for r in first] == sorted(r["id"] for r in first)
    for row in first + instance:  # every stored hash is the hash of the stored content
        fields = {k: v for k, v in row.items() if k not in ("id", "hash")}
        assert event_hash(**fields) == row["hash"]
    report = audit.verify_chains(db)
    assert [(c.chain, c.events, c.ok) for c in report.chains] == [
        ("instance", 2, True),
        ("workspace:1", 5, True),
    ]


def test_a_rolled_back_transaction_appends_nothing(db: Database) -> None:
    _record(db, 1)

    def failing_change() -> None:
        with db.write() as session:
            audit_repo.record(session, workspace_id=1, action="x.y", created_at=T0)
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        failing_change()
    _record(db, 1, start=1)

    assert [r["seq"] for r in audit_tamper.rows(db, "workspace:1")] == [1, 2]
    assert audit.verify_chains(db).ok


def test_before_and_after_are_kept_as_digests(db: Database) -> None:
    from consenso.core.audit import digest

    with db.write() as session:
        audit_repo.record(
            session,
            workspace_id=1,
            action="project.update",
            details={"fields": ["name"]},
            before={"name": "Old"},
            after={"name": "New"},
            created_at=T0,
        )

    [row] = audit_tamper.rows(db, "workspace:1")
    assert row["details"] == {
        "fields": ["name"],
        "digest": {"before": digest({"name": "Old"}), "after": digest({"name": "New"})},
    }
    assert audit.verify_chains(db).ok


def test_the_table_refuses_updates_and_deletes(db: Database) -> None:
    _record(db, 3)
    before = audit_tamper.rows(db, "workspace:1")
    statements = [
        "UPDATE audit_event SET outcome = 'failure'",
        "UPDATE audit_event SET seq = seq + 10 WHERE id = 2",
        "DELETE FROM audit_event",
        "DELETE FROM audit_event WHERE id = 1",
    ]
    if not db.is_sqlite:  # SQLite has no TRUNCATE (its DELETE without WHERE is refused above)
        statements += ["TRUNCATE audit_event", "UPDATE audit_event SET outcome = 'x' WHERE id < 0"]

    for statement in statements:
        with pytest.raises(DBAPIError, match="audit_event is append-only"), db.write() as session:
            session.execute(text(statement))

    assert audit_tamper.rows(db, "workspace:1") == before


def test_deleting_a_user_or_a_workspace_leaves_their_events_as_they_were(
    factory: Factory, db: Database
) -> None:
    admin = factory.user(is_admin=True)
    ws = factory.workspace(admin)
    member = factory.member(admin, ws, "annotator")
    before = {c: audit_tamper.rows(db, c) for c in ("instance", chain_key(ws))}

    with db.write() as session:  # no service deletes them yet; the database must let it happen
        session.execute(text("DELETE FROM membership WHERE workspace_id = :w"), {"w": ws})
        session.execute(text("DELETE FROM workspace WHERE id = :w"), {"w": ws})
        session.execute(text("DELETE FROM api_token WHERE user_id = :u"), {"u": member.id})
        session.execute(text("DELETE FROM users WHERE id = :u"), {"u": member.id})

    assert {c: audit_tamper.rows(db, c) for c in before} == before
    assert any(r["actor_id"] == admin.id for r in before[chain_key(ws)])
    assert any(r["object_id"] == str(member.id) for r in before["instance"])
    assert audit.verify_chains(db).ok


# ---------------------------------------------------------------------------------------------------------
# The tamper test: an attacker with the database owner's rights lifts the guard, then changes the log


@pytest.fixture
def log(world: World, db: Database) -> list[dict[str, object]]:
    """The world's workspace chain (its creation, members, project, import) plus a few events more."""
    _record(db, 4, workspace_id=world.workspace_id)
    rows = audit_tamper.rows(db, chain_key(world.workspace_id))
    assert len(rows) >= 8 and audit.verify_chains(db).ok
    return rows


def test_tamper_an_edited_event_is_named(world: World, db: Database, log: list[dict[str, object]]) -> None:
    target = log[3]
    audit_tamper.edit(db, int(str(target["id"])), outcome="failure")

    broken = _only_break(db, chain_key(world.workspace_id))

    assert (broken.kind, broken.event_id, broken.seq) == (BreakKind.EDITED, target["id"], 4)


def test_tamper_edited_details_are_named(world: World, db: Database, log: list[dict[str, object]]) -> None:
    target = log[-2]
    details = '{"n": 999}'
    with audit_tamper.guard_lifted(db) as conn:
        cast = ":d" if db.is_sqlite else "CAST(:d AS jsonb)"
        conn.execute(
            text(f"UPDATE audit_event SET details = {cast} WHERE id = :id"),
            {"d": details, "id": target["id"]},
        )

    broken = _only_break(db, chain_key(world.workspace_id))

    assert (broken.kind, broken.event_id) == (BreakKind.EDITED, target["id"])


def test_tamper_a_deleted_event_is_named(world: World, db: Database, log: list[dict[str, object]]) -> None:
    audit_tamper.delete(db, int(str(log[4]["id"])))

    broken = _only_break(db, chain_key(world.workspace_id))

    assert (broken.kind, broken.event_id, broken.first_missing, broken.missing) == (
        BreakKind.DELETED,
        log[5]["id"],
        5,
        1,
    )


def test_tamper_an_inserted_event_is_named(world: World, db: Database, log: list[dict[str, object]]) -> None:
    chain = chain_key(world.workspace_id)
    forged = audit_tamper.forge(
        db, chain, after_seq=2, workspace_id=world.workspace_id, actor_id=world.admin.id
    )

    broken = _only_break(db, chain)

    assert (broken.kind, broken.event_id, broken.seq) == (BreakKind.INSERTED, forged, 3)


def test_tamper_reordered_events_are_named(world: World, db: Database, log: list[dict[str, object]]) -> None:
    first, second = int(str(log[2]["id"])), int(str(log[5]["id"]))
    audit_tamper.swap(db, first, second)

    broken = _only_break(db, chain_key(world.workspace_id))

    assert (broken.kind, broken.event_id, broken.seq) == (BreakKind.REORDERED, second, 3)


def test_tamper_a_truncated_chain_is_named_against_its_anchor(
    world: World, db: Database, log: list[dict[str, object]]
) -> None:
    heads = audit.chain_heads(db)
    audit_tamper.delete(db, int(str(log[-1]["id"])), int(str(log[-2]["id"])))

    assert audit.verify_chains(db).ok  # without an anchor, a shorter chain is a valid chain
    report = audit.verify_chains(db, anchors=[h.anchor() for h in heads])

    [broken] = [c.broken for c in report.chains if c.broken is not None]
    assert (broken.kind, broken.first_missing, broken.missing) == (BreakKind.TRUNCATED, len(log) - 1, 2)


# ---------------------------------------------------------------------------------------------------------
# Concurrency: several server processes append to the same chains (PostgreSQL: the advisory lock per chain;
# SQLite: its single writer)


def test_concurrent_appends_keep_one_unbroken_chain(db: Database) -> None:
    writers, per_writer = 4, 40
    barrier = threading.Barrier(writers)
    failures: list[BaseException] = []
    engines = [Database(db.url, pool_size=1) for _ in range(writers)]  # own pools and locks, like processes

    def write(index: int) -> None:
        try:
            barrier.wait()
            for i in range(per_writer):
                with engines[index].write() as session:
                    for chain_workspace in (1, None):  # two chains in one transaction, in either order
                        audit_repo.record(
                            session,
                            workspace_id=chain_workspace
                            if (i + index) % 2
                            else (None if chain_workspace else 1),
                            actor_id=index,
                            action="task.finalize",
                            object_id=f"{index}-{i}",
                            created_at=T0,
                        )
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for engine in engines:
        engine.dispose()

    assert failures == []
    report = audit.verify_chains(db)
    assert [(c.chain, c.events, c.head_seq, c.ok) for c in report.chains] == [
        ("instance", writers * per_writer, writers * per_writer, True),
        ("workspace:1", writers * per_writer, writers * per_writer, True),
    ]


# ---------------------------------------------------------------------------------------------------------
# Migration 0005: events stored before it are chained (the genesis rule)


@pytest.fixture
def fresh_db(backend: str, tmp_path: Path) -> Iterator[Database]:
    if backend == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'audit-migration.db'}")
        try:
            yield database
        finally:
            database.dispose()
        return
    name = f"consenso_audit_{uuid.uuid4().hex[:10]}"
    database = Database(_pg_create(name))
    try:
        yield database
    finally:
        database.dispose()
        _pg_drop(name)


def test_the_migration_chains_the_events_stored_before_it(fresh_db: Database) -> None:
    upgrade(fresh_db, "0004")
    stamps = ["2026-01-01 10:00:00.000001", "2026-01-01 10:00:01", "2026-01-01 10:00:02.5"]
    with fresh_db.write_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (email, name, is_admin, is_active, locale, created_at) "
                "VALUES ('a@x.test', 'A', true, true, 'en', :t)"
            ),
            {"t": stamps[0]},
        )
        conn.execute(text("INSERT INTO workspace (name, created_at) VALUES ('W', :t)"), {"t": stamps[0]})
        for i, (workspace_id, stamp) in enumerate([(1, stamps[0]), (None, stamps[1]), (1, stamps[2])]):
            conn.execute(
                text(
                    "INSERT INTO audit_event (workspace_id, actor_id, action, object_type, object_id, outcome, "
                    "origin, details, created_at) VALUES (:w, 1, 'old.event', 'task', :o, 'success', '', :d, :t)"
                ),
                {"w": workspace_id, "o": str(i), "d": '{"big": 1e20, "f": 0.1, "s": "ñ"}', "t": stamp},
            )

    upgrade(fresh_db)

    with fresh_db.read() as session:
        rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [(r.chain, r.seq, r.object_id) for r in rows] == [
            ("workspace:1", 1, "0"),
            ("instance", 1, "1"),
            ("workspace:1", 2, "2"),
        ]
        assert rows[2].prev_hash == rows[0].hash and rows[0].prev_hash == rows[1].prev_hash == GENESIS_HASH
    _record(fresh_db, 1, workspace_id=1, start=10)  # appends continue the migrated chain
    set_password(fresh_db, "a@x.test", "a-new-password")
    report = audit.verify_chains(fresh_db)
    assert [(c.chain, c.events, c.ok) for c in report.chains] == [
        ("instance", 2, True),
        ("workspace:1", 3, True),
    ]
    with fresh_db.read() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.password")).one()
    assert (event.object_id, event.details, event.origin) == ("1", {"sessions_revoked": 0}, "cli")

    cfg = alembic_config(fresh_db.url)  # and back: the chain columns and triggers go, the foreign keys return
    with fresh_db.write_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004")
    with fresh_db.write_engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event WHERE object_id = '10'"))  # no trigger any more
        assert conn.execute(text("SELECT count(*) FROM audit_event")).scalar_one() == 4
