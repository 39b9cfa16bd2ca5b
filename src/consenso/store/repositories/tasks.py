"""Tasks: bulk insert for imports, pages for listings, batches for exports.

Imports and exports of a million tasks are the reason this module talks to the driver directly in two
places. An import goes through :func:`import_writer`: ``executemany`` on SQLite (with a larger page cache
for the length of the import, since the unique index over random content hashes is written all over),
``COPY`` into a temporary table and one ``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` per batch on
PostgreSQL; a batch in which some record carries QA columns (a gold task's expected result and overlap,
routing requirements) takes a second statement that writes them too, so that plain imports pay nothing for
them. An export streams ``data`` and ``meta`` as JSON text (:func:`export_batches`) so that the
caller parses each document once, instead of the ORM building rows and result processors for every one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, NamedTuple

from sqlalchemy import Text, case, exists, func, insert, or_, select, true, type_coerce
from sqlalchemy.orm import Session

from consenso.store.models import Annotation, Assignment, Prediction, Task

# One imported task ready for the driver: (data as JSON text, meta as JSON text, SHA-256 of canonical data)
ImportRow = tuple[str, str, bytes]


class TaskExtras(NamedTuple):
    """What an imported record adds to its task beyond data and meta (QA workflow columns)."""

    overlap: int | None  # None: the project's overlap (a gold task has GOLD_OVERLAP)
    gold: str | None  # a gold task's expected result as JSON text; None: not gold (SQL NULL)
    language: str | None
    dialect: str | None
    domain: str | None


# Inserts a batch of rows and returns how many were new (the rest were exact duplicates). The second
# argument gives the extras of some rows by their index in the batch (None or empty: no row has any).
ImportWriter = Callable[[Sequence[ImportRow], Mapping[int, TaskExtras] | None], int]
# An imported task's model prediction: (content hash of the task's data, result, model name, score)
PredictionRow = tuple[bytes, dict[str, Any], str, float | None]
# Content hashes looked up per query (far below SQLite's and PostgreSQL's limits on bound parameters)
_HASHES_PER_QUERY: Final = 500

_SQLITE_INSERT: Final = (
    "INSERT INTO task (project_id, data, meta, content_hash, priority, overlap, slots_taken, "
    "annotation_count, created_at) VALUES (?, ?, ?, ?, 0, ?, 0, 0, ?) "
    "ON CONFLICT (project_id, content_hash) DO NOTHING"
)
_SQLITE_INSERT_QA: Final = (
    "INSERT INTO task (project_id, data, meta, content_hash, priority, overlap, slots_taken, "
    "annotation_count, created_at, gold, language, dialect, domain) "
    "VALUES (?, ?, ?, ?, 0, ?, 0, 0, ?, ?, ?, ?, ?) "
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
    "(seq bigint NOT NULL, data text NOT NULL, meta text NOT NULL, content_hash bytea NOT NULL, "
    "overlap integer, gold text, language text, dialect text, domain text) "
    "ON COMMIT DROP"
)
_PG_COPY: Final = "COPY task_import_stage (seq, data, meta, content_hash) FROM STDIN"
_PG_COPY_QA: Final = (
    "COPY task_import_stage (seq, data, meta, content_hash, overlap, gold, language, dialect, domain) "
    "FROM STDIN"
)
_PG_MOVE: Final = (
    "INSERT INTO task (project_id, data, meta, content_hash, priority, overlap, slots_taken, "
    "annotation_count, created_at) "
    "SELECT %s, data::jsonb, meta::jsonb, content_hash, 0, %s, 0, 0, %s FROM task_import_stage ORDER BY seq "
    "ON CONFLICT (project_id, content_hash) DO NOTHING"
)
_PG_MOVE_QA: Final = (
    "INSERT INTO task (project_id, data, meta, content_hash, priority, overlap, slots_taken, "
    "annotation_count, created_at, gold, language, dialect, domain) "
    "SELECT %s, data::jsonb, meta::jsonb, content_hash, 0, COALESCE(overlap, %s), 0, 0, %s, gold::jsonb, "
    "language, dialect, domain FROM task_import_stage ORDER BY seq "
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


_NO_EXTRAS: Final = TaskExtras(None, None, None, None, None)


def _sqlite_writer(cursor: Any, project_id: int, overlap: int, created_at: str) -> ImportWriter:
    def write(rows: Sequence[ImportRow], extras: Mapping[int, TaskExtras] | None = None) -> int:
        if not rows:
            return 0
        if not extras:
            cursor.executemany(
                _SQLITE_INSERT,
                [(project_id, data, meta, digest, overlap, created_at) for data, meta, digest in rows],
            )
        else:
            params = []
            for i, (data, meta, digest) in enumerate(rows):
                more = extras.get(i, _NO_EXTRAS)
                params.append(
                    (
                        project_id,
                        data,
                        meta,
                        digest,
                        overlap if more.overlap is None else more.overlap,
                        created_at,
                        more.gold,
                        more.language,
                        more.dialect,
                        more.domain,
                    )
                )
            cursor.executemany(_SQLITE_INSERT_QA, params)
        return int(cursor.rowcount)  # executemany: the rows inserted by all its statements

    return write


def _postgresql_writer(cursor: Any, project_id: int, overlap: int, created_at: datetime) -> ImportWriter:
    def write(rows: Sequence[ImportRow], extras: Mapping[int, TaskExtras] | None = None) -> int:
        if not rows:
            return 0
        if not extras:
            with cursor.copy(_PG_COPY) as copy:
                for seq, (data, meta, digest) in enumerate(rows):
                    copy.write_row((seq, data, meta, digest))
            cursor.execute(_PG_MOVE, (project_id, overlap, created_at))
        else:
            with cursor.copy(_PG_COPY_QA) as copy:
                for seq, (data, meta, digest) in enumerate(rows):
                    copy.write_row((seq, data, meta, digest, *extras.get(seq, _NO_EXTRAS)))
            cursor.execute(_PG_MOVE_QA, (project_id, overlap, created_at))
        inserted = int(cursor.rowcount)
        cursor.execute("TRUNCATE task_import_stage")
        return inserted

    return write


def last_task_id(session: Session, project_id: int) -> int:
    """The largest task id of the project (0 when it has none)."""
    return int(session.scalar(select(func.max(Task.id)).where(Task.project_id == project_id)) or 0)


def count_gold_and_routed(session: Session, project_id: int, *, after_id: int) -> tuple[int, int]:
    """Of the project's tasks with ids above ``after_id`` (those an import created): how many are gold, and
    how many carry a routing requirement (language, dialect or domain)."""
    routed = or_(Task.language.is_not(None), Task.dialect.is_not(None), Task.domain.is_not(None))
    row = session.execute(
        select(
            func.coalesce(func.sum(case((Task.gold.is_not(None), 1), else_=0)), 0),
            func.coalesce(func.sum(case((routed, 1), else_=0)), 0),
        ).where(Task.project_id == project_id, Task.id > after_id)
    ).one()
    return int(row[0]), int(row[1])


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

    ``tasks``: ``(id, data JSON, meta JSON, qa_status, gold JSON or None)``; ``annotations``: ``(task_id,
    id, annotator_id, result, lead_time_ms, created_at)`` in task id, then annotation id order. ``after``:
    the task id the batch's range starts after (its tasks have ids in ``(after, tasks[-1].id]``).
    """

    tasks: Sequence[tuple[int, str, str, str, str | None]]
    annotations: Sequence[tuple[int, int, int, Any, int | None, datetime]]
    after: int = 0


def export_batches(
    session: Session, project_id: int, size: int, *, include_gold: bool = False
) -> Iterator[ExportBatch]:
    """Every task of the project in id order, ``size`` at a time, each batch with its tasks' annotations;
    gold tasks only with ``include_gold`` (over ``ix_task_project_id``, the gold test on the row).

    One query streams the tasks (a server-side cursor on PostgreSQL, so memory stays flat): paging with
    ``id > last ORDER BY id LIMIT n`` instead lets PostgreSQL, before the table has statistics (right
    after a large import), plan every page as a scan of all the following rows — quadratic in the
    project's size. Annotations are looked up by task id range (the unique (task_id, annotator_id)
    index), not by a list of ids, so their query stays small; annotations of other projects' tasks (and
    of gold tasks left out) inside the range are dropped here.
    """
    data: Any = Task.data
    meta: Any = Task.meta
    gold: Any = Task.gold
    if session.get_bind().dialect.name == "postgresql":
        data, meta, gold = data.cast(Text), meta.cast(Text), gold.cast(Text)  # jsonb's text form
    else:
        data, meta, gold = type_coerce(data, Text), type_coerce(meta, Text), type_coerce(gold, Text)
    stmt = select(Task.id, data, meta, Task.qa_status, gold).where(Task.project_id == project_id)
    if not include_gold:
        stmt = stmt.where(Task.gold.is_(None))
    tasks = session.execute(stmt.order_by(Task.id).execution_options(yield_per=size))
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
        yield ExportBatch(part, [a for a in annotations if a[0] in ids], after)
        after = last


def json_keys(session: Session, project_id: int, column: str, *, include_gold: bool = False) -> list[str]:
    """The distinct top-level keys of ``column`` (``"data"`` or ``"meta"``, a JSON object on every task) over
    the project's tasks (gold tasks only with ``include_gold``), sorted: the columns of a CSV export.

    The database lists them (``jsonb_object_keys`` on PostgreSQL, ``json_each`` on SQLite), so the documents
    never travel; sorted, because PostgreSQL's jsonb does not keep the order of the keys as imported.
    """
    document: Any = {"data": Task.data, "meta": Task.meta}[column]
    if session.get_bind().dialect.name == "postgresql":
        key: Any = func.jsonb_object_keys(document).label("key")
        stmt = select(key).where(Task.project_id == project_id)
    else:
        pairs = func.json_each(document).table_valued("key").alias("pairs")
        stmt = select(pairs.c.key).select_from(Task).join(pairs, true()).where(Task.project_id == project_id)
    if not include_gold:
        stmt = stmt.where(Task.gold.is_(None))
    return sorted({str(k) for k in session.scalars(stmt.distinct())})


def sqlite_timestamp(value: datetime) -> str:
    """The text SQLAlchemy's SQLite DateTime stores (naive UTC, microseconds always present)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
