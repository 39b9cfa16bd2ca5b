"""Engines and transactions for SQLite (embedded default) and PostgreSQL.

SQLite runs in WAL mode with foreign keys on. Write transactions start with ``BEGIN IMMEDIATE`` so that
two writers never deadlock on a lock upgrade; reads use a deferred ``BEGIN`` and see a snapshot.
On PostgreSQL both kinds share one engine; row locks (``FOR UPDATE SKIP LOCKED``) and constraints keep
concurrent writers correct.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, event
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from consenso.core.errors import InvalidInput


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def is_nul_refusal(exc: DBAPIError) -> bool:
    """PostgreSQL's (or psycopg's) refusal of a U+0000 character in text or jsonb."""
    code = getattr(exc.orig, "sqlstate", None)
    return code == "22P05" or "NUL (0x00)" in str(exc.orig)


class Database:
    """One database: a read engine, a write engine (the same one on PostgreSQL) and session factories."""

    def __init__(self, url: str, *, sqlite_synchronous: str = "full", pool_size: int = 16) -> None:
        self.url = url
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        self.is_sqlite = self.dialect == "sqlite"
        if self.is_sqlite:
            database = parsed.database or ""
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            self.read_engine = self._sqlite_engine(url, immediate=False, synchronous=sqlite_synchronous)
            self.write_engine = self._sqlite_engine(url, immediate=True, synchronous=sqlite_synchronous)
        else:
            self.read_engine = sa_create_engine(
                url,
                pool_size=pool_size,
                max_overflow=pool_size,
                pool_pre_ping=True,
                json_serializer=_json_dumps,
                json_deserializer=orjson.loads,
            )
            self.write_engine = self.read_engine
        # SQLite has one writer at a time. Threads of this process queue on a lock instead of in SQLite's
        # busy handler, which sleeps in steps of up to 100 ms and turns contention into long tails.
        self._write_lock: threading.Lock | nullcontext[None] = (
            threading.Lock() if self.is_sqlite else nullcontext()
        )
        self._read_sessions = sessionmaker(self.read_engine, expire_on_commit=False, autoflush=False)
        self._write_sessions = sessionmaker(self.write_engine, expire_on_commit=False, autoflush=False)

    @staticmethod
    def _sqlite_engine(url: str, *, immediate: bool, synchronous: str) -> Engine:
        engine = sa_create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 60},
            pool_size=8,
            max_overflow=32,
            json_serializer=_json_dumps,
            json_deserializer=orjson.loads,
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # take over transaction control from the sqlite3 module (it would emit BEGIN lazily)
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA synchronous={'FULL' if synchronous == 'full' else 'NORMAL'}")
            cursor.execute("PRAGMA busy_timeout=60000")
            cursor.close()

        begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

        @event.listens_for(engine, "begin")
        def _on_begin(connection: Any) -> None:
            connection.exec_driver_sql(begin)

        return engine

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: commits when the block ends normally, rolls back on an exception."""
        try:
            with self._write_lock, self._write_sessions() as session, session.begin():
                yield session
        except DBAPIError as exc:
            if is_nul_refusal(exc):
                # PostgreSQL refuses U+0000 in text and jsonb; the transaction rolled back: say why
                raise InvalidInput("nul_character") from exc
            raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction (a consistent snapshot on SQLite WAL)."""
        with self._read_sessions() as session, session.begin():
            yield session

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        """A long read that must see one consistent state (exports): REPEATABLE READ on PostgreSQL."""
        if self.is_sqlite:
            with self.read() as session:
                yield session
            return
        with self.read_engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with Session(bind=conn, expire_on_commit=False, autoflush=False) as session, session.begin():
                yield session

    def dispose(self) -> None:
        self.read_engine.dispose()
        if self.write_engine is not self.read_engine:
            self.write_engine.dispose()
