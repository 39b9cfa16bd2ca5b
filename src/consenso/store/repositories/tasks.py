"""Tasks: bulk insert for imports, pages for listings, batches for exports.

Imports and exports of a million tasks are the reason this module talks to the driver directly in two
places. An import goes through :func:`import_writer`: ``executemany`` on SQLite (with a larger page cache
for the length of the import, since the unique index over random content hashes is written all over),
``COPY`` into a temporary table and one ``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` per batch on
PostgreSQL. An export streams ``data`` and ``meta`` as JSON text (:func:`export_batches`) so that the
caller parses each document once, instead of the ORM building rows and result processors for every one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import Text, exists, func, insert, select, type_coerce
from sqlalchemy.orm import Session

from consenso.store.models import Annotation, Assignment, Prediction, Task

# One imported task ready for the driver: (data as JSON text, meta as JSON text, SHA-256 of canonical data)
ImportRow = tuple[str, str, bytes]
# Inserts a batch of rows and returns how many were new (the rest were exact duplicates)
ImportWriter = Callable[[Sequence[ImportRow]], int]
# An imported task's model prediction: (content hash of the task's data, result, model name, score)
PredictionRow = tuple[bytes, dict[str, Any], str, float | None]
# Content hashes looked up per query (far below SQLite's and PostgreSQL's limits on bound parameters)
_HASHES_PER_QUERY: Final = 500

_SQLITE_INSERT: Final = (
    "INSERT INTO task (project_id, data, meta, content_hash, priority, overlap, slots_taken, "
    "annotation_count, created_at) VALUES (?, ?, ?, ?, 0, ?, 0, 0, ?) "
    "ON CONFLICT (project_id, content_hash) DO NOTHING"
)
# SQLite's page cache during an import, in KiB (the default is 2 MiB). The unique (project_id,
# content_hash) index of a million tasks is ~50 MB of pages touched at random; with the default cache
# most inserts read and spill pages through the OS. Allocated only as pages are used; freed afterwards.
SQLITE_IMPORT_CACHE_KIB: Final = 128 * 1024

# PostgreSQL: rows are streamed with COPY (no per-row round trip or statement) into a temporary table,
# then moved with one statement per batch that keeps their order (ids follow the input) and skips
# duplicates, including a later copy of a record in the same batch.
_PG_STAGE: Final = (
    "CREATE TEMPORARY TABLE IF NOT EXISTS task_import_stage "
    "(seq bigint NOT NULL, data text NOT NULL, meta text NOT NULL, content_hash bytea NOT NULL) "
    "ON COMMIT DROP"
)
_PG_COPY: Final = "COPY task_import_stage (seq, data, meta, content_hash) FROM STDIN"
_PG_MOVE: Final = (
    "INSERT INTO task (project_id, data, meta, content_hash, priority, overlap, slots_taken, "
    "annotation_count, created_at) "
    "SELECT %s, data::jsonb, meta::jsonb, content_hash, 0, %s, 0, 0, %s FROM task_import_stage ORDER BY seq "
    "ON CONFLICT (project_id, content_hash) DO NOTHING"
)


@contextmanager
def import_writer(
    session: Session, *, project_id: int, overlap: int, created_at: datetime
) -> Iterator[ImportWriter]:
    """A function that inserts batches of new tasks into one project, in the session's transaction.

    Exact duplicates (same project and content hash, already stored or earlier in the import) are skipped;
    the function returns how many rows of the batch were new. Task ids follow the order of the rows.
    """
    conn = session.connection()
    driver_conn = conn.connection.driver_connection
    if driver_conn is None:
        raise RuntimeError("no driver connection")
    cursor = driver_conn.cursor()
    try:
        if conn.dialect.name == "sqlite":
            with _sqlite_cache(cursor, SQLITE_IMPORT_CACHE_KIB):
                yield _sqlite_writer(cursor, project_id, overlap, sqlite_timestamp(created_at))
        else:
            cursor.execute(_PG_STAGE)
            yield _postgresql_writer(cursor, project_id, overlap, created_at)
    finally:
        cursor.close()


@contextmanager
def _sqlite_cache(cursor: Any, kib: int) -> Iterator[None]:
    before = cursor.execute("PRAGMA cache_size").fetchone()[0]
    cursor.execute(f"PRAGMA cache_size = {-int(kib)}")
    try:
        yield
    finally:
        cursor.execute(f"PRAGMA cache_size = {int(before)}")


def _sqlite_writer(cursor: Any, project_id: int, overlap: int, created_at: str) -> ImportWriter:
    def write(rows: Sequence[ImportRow]) -> int:
        if not rows:
            return 0
        cursor.executemany(
            _SQLITE_INSERT,
            [(project_id, data, meta, digest, overlap, created_at) for data, meta, digest in rows],
        )
        return int(cursor.rowcount)  # executemany: the rows inserted by all its statements

    return write


def _postgresql_writer(cursor: Any, project_id: int, overlap: int, created_at: datetime) -> ImportWriter:
    def write(rows: Sequence[ImportRow]) -> int:
        if not rows:
            return 0
        with cursor.copy(_PG_COPY) as copy:
            for seq, (data, meta, digest) in enumerate(rows):
                copy.write_row((seq, data, meta, digest))
        cursor.execute(_PG_MOVE, (project_id, overlap, created_at))
        inserted = int(cursor.rowcount)
        cursor.execute("TRUNCATE task_import_stage")
        return inserted

    return write


def last_task_id(session: Session, project_id: int) -> int:
    """The largest task id of the project (0 when it has none)."""
    return int(session.scalar(select(func.max(Task.id)).where(Task.project_id == project_id)) or 0)


def add_predictions(
    session: Session,
    project_id: int,
    predictions: Sequence[PredictionRow],
    *,
    after_id: int,
    created_at: datetime,
) -> int:
    """Store each prediction with the task of its content hash, if the import created that task.

    "Created by this import": an id above ``after_id`` (the project's largest before the import) and no
    prediction yet. A task that already existed keeps what it had (its record was a duplicate), and when
    the same data comes twice in one import, the first record's prediction is the one kept. Returns how
    many were stored.
    """
    first: dict[bytes, PredictionRow] = {}
    for row in predictions:
        first.setdefault(row[0], row)
    hashes = list(first)
    stored = 0
    for start in range(0, len(hashes), _HASHES_PER_QUERY):
        found = session.execute(
            select(Task.id, Task.content_hash).where(
                Task.project_id == project_id,
                Task.content_hash.in_(hashes[start : start + _HASHES_PER_QUERY]),
                Task.id > after_id,
                ~exists().where(Prediction.task_id == Task.id),
            )
        ).all()
        if not found:
            continue
        session.execute(
            insert(Prediction),
            [
                {
                    "task_id": task_id,
                    "project_id": project_id,
                    "result": first[bytes(digest)][1],
                    "model_version": first[bytes(digest)][2],
                    "score": first[bytes(digest)][3],
                    "created_at": created_at,
                }
                for task_id, digest in found
            ],
        )
        stored += len(found)
    return stored


def count_tasks(session: Session, project_id: int) -> int:
    count = session.scalar(select(func.count()).select_from(Task).where(Task.project_id == project_id))
    return int(count or 0)


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


@dataclass(frozen=True, slots=True)
class ExportBatch:
    """Tasks of one project in id order, with ``data`` and ``meta`` as JSON text, and their annotations.

    ``tasks``: ``(id, data JSON, meta JSON)``; ``annotations``: ``(task_id, id, annotator_id, result,
    lead_time_ms, created_at)`` in task id, then annotation id order.
    """

    tasks: Sequence[tuple[int, str, str]]
    annotations: Sequence[tuple[int, int, int, Any, int | None, datetime]]


def export_batches(session: Session, project_id: int, size: int) -> Iterator[ExportBatch]:
    """Every task of the project in id order, ``size`` at a time, each batch with its tasks' annotations.

    One query streams the tasks (a server-side cursor on PostgreSQL, so memory stays flat): paging with
    ``id > last ORDER BY id LIMIT n`` instead lets PostgreSQL, before the table has statistics (right
    after a large import), plan every page as a scan of all the following rows — quadratic in the
    project's size. Annotations are looked up by task id range (the unique (task_id, annotator_id)
    index), not by a list of ids, so their query stays small; annotations of other projects' tasks inside
    the range are dropped here.
    """
    data: Any = Task.data
    meta: Any = Task.meta
    if session.get_bind().dialect.name == "postgresql":
        data, meta = data.cast(Text), meta.cast(Text)  # jsonb's text form; parsed once by the caller
    else:
        data, meta = type_coerce(data, Text), type_coerce(meta, Text)  # SQLite stores the JSON text
    tasks = session.execute(
        select(Task.id, data, meta)
        .where(Task.project_id == project_id)
        .order_by(Task.id)
        .execution_options(yield_per=size)
    )
    after = 0
    for part in tasks.partitions():
        last = part[-1][0]
        ids = {task[0] for task in part}
        annotations = session.execute(
            select(
                Annotation.task_id,
                Annotation.id,
                Annotation.annotator_id,
                Annotation.result,
                Annotation.lead_time_ms,
                Annotation.created_at,
            )
            .where(Annotation.task_id > after, Annotation.task_id <= last)
            .order_by(Annotation.task_id, Annotation.id)
        )
        yield ExportBatch(part, [a for a in annotations if a[0] in ids])
        after = last


def sqlite_timestamp(value: datetime) -> str:
    """The text SQLAlchemy's SQLite DateTime stores (naive UTC, microseconds always present)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
