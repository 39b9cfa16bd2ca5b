"""Fixtures shared by every test.

Storage and API tests run on both backends: the ``backend`` fixture is parametrised over SQLite (a file
in a temporary directory) and PostgreSQL (a database created for this test session on 127.0.0.1:5432
and dropped at the end). Set ``CONSENSO_TEST_BACKENDS=sqlite`` to run only one. Each test starts from
empty tables.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from consenso.api.app import create_app
from consenso.services import auth, workspaces
from consenso.services.principal import Principal
from consenso.services.users import create_user
from consenso.settings import Settings
from consenso.store.database import Database
from consenso.store.migrate import upgrade
from consenso.store.models import Base

PG_ADMIN_DSN = os.environ.get("CONSENSO_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
BACKENDS = [b for b in os.environ.get("CONSENSO_TEST_BACKENDS", "sqlite,postgresql").split(",") if b]

SENTIMENT_SCHEMA: dict[str, Any] = {
    "controls": [
        {
            "name": "sentiment",
            "type": "choice",
            "field": "text",
            "labels": [
                {"value": "positive", "names": {"en": "Positive", "es": "Positivo"}, "hotkey": "1"},
                {"value": "negative", "names": {"en": "Negative", "es": "Negativo"}, "hotkey": "2"},
                {"value": "neutral", "names": {"en": "Neutral", "es": "Neutral"}, "hotkey": "3"},
            ],
        }
    ]
}


def _pg_create(name: str) -> str:
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    return f"{base}/{name}"


def _pg_drop(name: str) -> None:
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session (URL), dropped afterwards."""
    name = f"consenso_test_{uuid.uuid4().hex[:10]}"
    url = _pg_create(name)
    try:
        yield url
    finally:
        _pg_drop(name)


@pytest.fixture(scope="session")
def _databases(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[dict[str, Database]]:
    made: dict[str, Database] = {}
    yield made
    for db in made.values():
        db.dispose()


def _truncate(db: Database) -> None:
    # The audit log refuses DELETE and TRUNCATE (triggers, migration 0005): between tests its guard is lifted
    # inside this one transaction, as only the database's owner can.
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with db.write_engine.begin() as conn:
        if db.is_sqlite:
            conn.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
            triggers = conn.execute(
                text(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_event'"
                )
            ).all()
            for name, _ in triggers:
                conn.execute(text(f'DROP TRIGGER "{name}"'))
            for name in tables:
                conn.execute(text(f'DELETE FROM "{name}"'))
            for _, sql in triggers:
                conn.exec_driver_sql(sql)
        else:
            conn.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
            conn.execute(
                text("TRUNCATE " + ", ".join(f'"{n}"' for n in tables) + " RESTART IDENTITY CASCADE")
            )
            conn.execute(text("ALTER TABLE audit_event ENABLE TRIGGER USER"))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db(
    backend: str,
    _databases: dict[str, Database],
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> Database:
    """An empty, migrated database on the parametrised backend."""
    if backend not in _databases:
        if backend == "sqlite":
            path = tmp_path_factory.mktemp("sqlite") / "consenso.db"
            database = Database(f"sqlite:///{path}", sqlite_synchronous="normal")
        else:
            database = Database(request.getfixturevalue("pg_database"))
        upgrade(database)
        _databases[backend] = database
    database = _databases[backend]
    _truncate(database)
    from consenso.services.projects import schema_cache

    schema_cache._items.clear()
    return database


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", environment="test")


@pytest.fixture
def app_client(db: Database, settings: Settings) -> Iterator[TestClient]:
    """A TestClient over the app on the parametrised database (no auth header set)."""
    app = create_app(settings, db=db)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


_counter = itertools.count(1)


@dataclass
class Actor:
    """A user with a token, for API tests: ``actor.headers`` authenticates a request."""

    id: int
    email: str
    token: str
    is_admin: bool

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def principal(self) -> Principal:
        return Principal(user_id=self.id, email=self.email, is_admin=self.is_admin, via="token")


class Factory:
    """Rows for tests, made through the services (the same code paths as production)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def user(
        self, *, is_admin: bool = False, email: str | None = None, password: str = "password-123"
    ) -> Actor:
        address = email or f"user{next(_counter)}@example.test"
        view = create_user(self.db, None, email=address, password=password, is_admin=is_admin)
        principal = Principal(user_id=view.id, email=view.email, is_admin=is_admin, via="local")
        token = auth.create_token(self.db, principal, name="test").token
        return Actor(view.id, view.email, token, is_admin)

    def workspace(self, admin: Actor, name: str = "Acme") -> int:
        return workspaces.create_workspace(self.db, admin.principal, name).id

    def member(self, admin: Actor, workspace_id: int, role: str, **kw: Any) -> Actor:
        from consenso.core.permissions import Role

        person = self.user(**kw)
        workspaces.add_member(self.db, admin.principal, workspace_id, role=Role(role), user_id=person.id)
        return person

    def project(
        self,
        admin: Actor,
        workspace_id: int,
        *,
        schema: dict[str, Any] | None = None,
        overlap: int = 1,
        lease_seconds: int = 600,
        name: str = "P",
    ) -> int:
        from consenso.services.projects import create_project

        return create_project(
            self.db,
            admin.principal,
            workspace_id=workspace_id,
            name=name,
            schema=schema or SENTIMENT_SCHEMA,
            overlap=overlap,
            lease_seconds=lease_seconds,
        ).id

    def tasks(self, admin: Actor, project_id: int, texts: list[str]) -> list[int]:
        return self.records(admin, project_id, [{"data": {"text": t}} for t in texts])

    def records(self, admin: Actor, project_id: int, records: list[dict[str, Any]]) -> list[int]:
        """Import task records (``data``, ``meta``, ``prediction``); the ids of every task of the project."""
        import io

        import orjson

        from consenso.services.task_import import import_tasks
        from consenso.store.repositories import tasks as task_repo

        body = b"".join(orjson.dumps(r) + b"\n" for r in records)
        import_tasks(self.db, admin.principal, project_id, io.BytesIO(body), "application/x-ndjson")
        with self.db.read() as session:
            count = task_repo.count_tasks(session, project_id)
            rows = task_repo.list_page(session, project_id, limit=count + 10)
            return [r.id for r in rows]


@pytest.fixture
def factory(db: Database) -> Factory:
    return Factory(db)


@dataclass
class World:
    """A workspace with one member of every role and a sentiment project of five tasks."""

    admin: Actor
    manager: Actor
    reviewer: Actor
    annotator: Actor
    annotator2: Actor
    viewer: Actor
    outsider: Actor
    workspace_id: int
    project_id: int
    task_ids: list[int]


@pytest.fixture
def world(factory: Factory) -> World:
    admin = factory.user(is_admin=True)
    ws = factory.workspace(admin)
    manager = factory.member(admin, ws, "manager")
    reviewer = factory.member(admin, ws, "reviewer")
    annotator = factory.member(admin, ws, "annotator")
    annotator2 = factory.member(admin, ws, "annotator")
    viewer = factory.member(admin, ws, "viewer")
    other_ws = factory.workspace(admin, "Other")
    outsider = factory.member(admin, other_ws, "admin")
    project = factory.project(admin, ws, overlap=2)
    task_ids = factory.tasks(admin, project, [f"text number {i}" for i in range(5)])
    return World(admin, manager, reviewer, annotator, annotator2, viewer, outsider, ws, project, task_ids)
