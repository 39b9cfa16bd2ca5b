"""What the audit log's hash chain costs: per append, under concurrency, and to verify.

python bench/audit_chain.py [--backend sqlite|postgresql|both] [--transactions 1000] [--verify-events 50000]

Per backend (SQLite in a temporary file with synchronous=normal as the tests use it, and a throw-away
PostgreSQL database on 127.0.0.1:5432):

- ``event_hash``: the canonical form and SHA-256 of one event (pure Python), µs;
- one write transaction recording one event, chained (``audit_repo.record``: at commit, the chain lock, the
  head read, the hash and the insert) against the same transaction inserting one audit row the way it was
  done before the chain (a plain insert with no lock, head read or hash): median and 99th percentile in ms,
  and the difference, measured in alternating rounds so that machine load drifts hit both alike;
- PostgreSQL: 4 threads (own connection pools, like server processes) committing one event per transaction,
  all into one chain or each into its own: transactions per second (the chain lock serialises only the first);
- ``verify_chains`` over one chain of ``--verify-events`` events: events per second.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from sqlalchemy import insert

from consenso.core.audit import GENESIS_HASH, event_hash
from consenso.services import audit
from consenso.store.database import Database
from consenso.store.migrate import upgrade
from consenso.store.models import AuditEvent
from consenso.store.repositories import audit as audit_repo

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
AT = datetime(2026, 11, 27, 12, tzinfo=UTC)
DETAILS = {
    "project_id": 1,
    "adjudication_id": 123,
    "method": "majority_vote",
    "result": {"sentiment": "positive"},
}


def _chained(db: Database, workspace_id: int) -> Callable[[], None]:
    def once() -> None:
        with db.write() as session:
            audit_repo.record(
                session,
                workspace_id=workspace_id,
                actor_id=7,
                action="task.finalize",
                object_type="task",
                object_id="42",
                details=DETAILS,
                created_at=AT,
            )

    return once


def _plain(db: Database) -> Callable[[], None]:
    counter = iter(range(1, 10**9))

    def once() -> None:
        with db.write() as session:
            session.execute(
                insert(AuditEvent).values(
                    chain="bench:plain",
                    seq=next(counter),
                    prev_hash=GENESIS_HASH,
                    hash=GENESIS_HASH,
                    workspace_id=None,
                    actor_id=7,
                    action="task.finalize",
                    object_type="task",
                    object_id="42",
                    outcome="success",
                    origin="",
                    details=DETAILS,
                    created_at=AT,
                )
            )

    return once


def _times(fn: Callable[[], None], n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_hash(n: int = 20000) -> float:
    fields = {
        "chain": "workspace:1",
        "seq": 1,
        "prev_hash": GENESIS_HASH,
        "workspace_id": 1,
        "actor_id": 7,
        "action": "task.finalize",
        "object_type": "task",
        "object_id": "42",
        "outcome": "success",
        "origin": "",
        "created_at": AT,
        "details": DETAILS,
    }
    start = time.perf_counter()
    for i in range(n):
        fields["seq"] = i
        event_hash(**fields)
    return (time.perf_counter() - start) / n * 1e6


def bench_append(db: Database, transactions: int) -> dict[str, float]:
    chained, plain = _chained(db, 1), _plain(db)
    for fn in (chained, plain):  # warm up pools and caches
        _times(fn, 50)
    a: list[float] = []
    b: list[float] = []
    rounds = 10
    for _ in range(rounds):  # alternate, so that load drifts hit both alike
        a += _times(chained, transactions // rounds)
        b += _times(plain, transactions // rounds)
    return {
        "chained_p50": statistics.median(a),
        "chained_p99": _pct(a, 0.99),
        "plain_p50": statistics.median(b),
        "plain_p99": _pct(b, 0.99),
        "overhead_p50": statistics.median(a) - statistics.median(b),
    }


def bench_threads(url: str, same_chain: bool, per_thread: int = 300, threads: int = 4) -> float:
    engines = [Database(url, pool_size=2) for _ in range(threads)]
    barrier = threading.Barrier(threads + 1)

    def run(i: int) -> None:
        fn = _chained(engines[i], 1000 if same_chain else 1000 + i)
        barrier.wait()
        for _ in range(per_thread):
            fn()

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    barrier.wait()
    start = time.perf_counter()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - start
    for e in engines:
        e.dispose()
    return threads * per_thread / elapsed


def bench_verify(db: Database, events: int) -> tuple[float, bool]:
    batch = 1000
    for start in range(0, events, batch):
        with db.write() as session:
            for _ in range(min(batch, events - start)):
                audit_repo.record(
                    session,
                    workspace_id=2,
                    actor_id=7,
                    action="task.finalize",
                    details=DETAILS,
                    created_at=AT,
                )
    begin = time.perf_counter()
    report = audit.verify_chains(db, workspace_ids=[2])
    return events / (time.perf_counter() - begin), report.ok


def run(backend: str, transactions: int, verify_events: int) -> None:
    name = ""
    tmp = tempfile.TemporaryDirectory()
    if backend == "sqlite":
        url = f"sqlite:///{Path(tmp.name) / 'bench.db'}"
        db = Database(url, sqlite_synchronous="normal")
    else:
        name = f"consenso_bench_audit_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        db = Database(url)
    try:
        upgrade(db)
        append = bench_append(db, transactions)
        print(
            f"{backend}: one event per transaction, chained p50 {append['chained_p50']:.3f} ms "
            f"(p99 {append['chained_p99']:.3f}) vs plain insert p50 {append['plain_p50']:.3f} ms "
            f"(p99 {append['plain_p99']:.3f}): +{append['overhead_p50']:.3f} ms per append"
        )
        if backend == "postgresql":
            one = bench_threads(url, same_chain=True)
            own = bench_threads(url, same_chain=False)
            print(f"{backend}: 4 threads, one chain {one:,.0f} tx/s; a chain each {own:,.0f} tx/s")
        rate, ok = bench_verify(db, verify_events)
        print(f"{backend}: verify {verify_events:,} events: {rate:,.0f} events/s (chain ok: {ok})")
    finally:
        db.dispose()
        tmp.cleanup()
        if name:
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--transactions", type=int, default=1000)
    parser.add_argument("--verify-events", type=int, default=50_000)
    args = parser.parse_args()
    print(f"event_hash: {bench_hash():.1f} µs per event")
    for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        run(backend, args.transactions, args.verify_events)


if __name__ == "__main__":
    main()
