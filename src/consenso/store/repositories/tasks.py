"""Tasks: bulk insert for imports, pages for listings, batches for exports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consenso.store.models import Assignment, Task

# One row ready for the driver: (project_id, data JSON text, meta JSON text, content_hash, overlap, created_at)
ImportRow = tuple[int, str, str, bytes, int, Any]

_INSERT = {
    "sqlite": (
        "INSERT INTO task (project_id, data, meta, content_hash, priority, overlap, slots_taken, "
        "annotation_count, created_at) VALUES (?, ?, ?, ?, 0, ?, 0, 0, ?) "
        "ON CONFLICT (project_id, content_hash) DO NOTHING"
    ),
    "postgresql": (
        "INSERT INTO task (project_id, data, meta, content_hash, priority, overlap, slots_taken, "
        "annotation_count, created_at) VALUES (%s, %s::jsonb, %s::jsonb, %s, 0, %s, 0, 0, %s) "
        "ON CONFLICT (project_id, content_hash) DO NOTHING"
    ),
}


def insert_import_rows(session: Session, rows: Sequence[ImportRow]) -> None:
    """Insert rows through the driver's executemany (the fast path); exact duplicates are skipped."""
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect.name
    driver_conn = conn.connection.driver_connection
    if driver_conn is None:
        raise RuntimeError("no driver connection")
    cursor = driver_conn.cursor()
    try:
        if dialect == "sqlite":
            naive = [(r[0], r[1], r[2], r[3], r[4], sqlite_timestamp(r[5])) for r in rows]
            cursor.executemany(_INSERT["sqlite"], naive)
        else:
            cursor.executemany(_INSERT["postgresql"], rows)
    finally:
        cursor.close()


def count_tasks(session: Session, project_id: int) -> int:
    return int(session.scalar(select(func.count()).select_from(Task).where(Task.project_id == project_id)) or 0)


def list_page(
    session: Session,
    project_id: int,
    *,
    after_id: int = 0,
    offset: int | None = None,
    limit: int,
    annotator_id: int | None = None,
) -> Sequence[Task]:
    """A page of tasks in id order. ``annotator_id`` limits it to tasks that annotator touched."""
    stmt = select(Task).where(Task.project_id == project_id)
    if annotator_id is not None:
        stmt = stmt.where(
            Task.id.in_(select(Assignment.task_id).where(Assignment.annotator_id == annotator_id))
        )
    if offset is not None:
        stmt = stmt.order_by(Task.id).offset(offset)
    else:
        stmt = stmt.where(Task.id > after_id).order_by(Task.id)
    return list(session.scalars(stmt.limit(limit)))


def export_batch(session: Session, project_id: int, after_id: int, limit: int) -> Sequence[Any]:
    return session.execute(
        select(Task.id, Task.data, Task.meta)
        .where(Task.project_id == project_id, Task.id > after_id)
        .order_by(Task.id)
        .limit(limit)
    ).all()


def sqlite_timestamp(value: datetime) -> str:
    """The text SQLAlchemy's SQLite DateTime stores (naive UTC, microseconds always present)."""
    return value.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
