"""Task import: a JSON array, JSONL (NDJSON) or CSV body, streamed, one transaction, all or nothing.

Records are read one at a time from a file-like object (the API spools the request body to a temporary
file first, so memory stays flat whatever the size), checked against the project's schema and inserted
in batches inside a single transaction. The first bad record aborts everything and its error names the
line (JSONL, CSV) or the item number (JSON array) and the field. Exact duplicates — the same ``data``
(compared by a SHA-256 of its canonical JSON) already in the project or earlier in the same body — are
skipped and counted.

CSV: the header names the columns; every column becomes a string field of ``data``, except columns
named ``meta.<key>`` which go to ``meta``.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any, Final

import ijson
import orjson

from consenso.core.errors import ImportInvalid, UnsupportedMediaType
from consenso.core.messages import translate
from consenso.core.permissions import Action
from consenso.core.schema import LabelSchema
from consenso.services.access import project_for
from consenso.services.clock import utcnow
from consenso.services.principal import Principal
from consenso.services.projects import schema_cache
from consenso.store.database import Database
from consenso.store.models import AuditEvent
from consenso.store.repositories import projects as project_repo
from consenso.store.repositories import tasks as task_repo

BATCH_SIZE: Final = 5000
FORMATS: Final = {
    "application/json": "json",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/json-lines": "jsonl",
    "application/x-jsonlines": "jsonl",
    "text/csv": "csv",
}
SUPPORTED = "application/json, application/x-ndjson, text/csv"
_ALLOWED_KEYS: Final = frozenset({"data", "meta"})


@dataclass(frozen=True, slots=True)
class ImportResult:
    received: int
    created: int
    duplicates: int
    task_count: int


def format_of(content_type: str | None) -> str:
    media = (content_type or "").split(";")[0].strip().lower()
    fmt = FORMATS.get(media)
    if fmt is None:
        raise UnsupportedMediaType("unsupported_media_type", content_type=media or "-", supported=SUPPORTED)
    return fmt


@dataclass(frozen=True, slots=True)
class _Where:
    """Where a record came from, for error messages: a line (JSONL, CSV) or an item (JSON array)."""

    line: int | None = None
    item: int | None = None

    def fail(self, problem_key: str, **params: Any) -> ImportInvalid:
        where = {"line": self.line} if self.line is not None else {"item": self.item}
        field = params.get("field")
        details = {**where, "field": field, "reason": problem_key.removeprefix("import_")}
        return _ImportError(where, problem_key, params, details)


class _ImportError(ImportInvalid):
    """An ImportInvalid whose message is assembled from the location and the problem, in either language."""

    def __init__(self, where: dict[str, int | None], problem_key: str, params: dict[str, Any], details: Any) -> None:
        super().__init__("import_invalid", details=details, **params)
        self.where = where
        self.problem_key = problem_key

    def message(self, lang: str = "en") -> str:
        if self.where.get("line") is not None:
            where = translate("import_where_line", lang, line=self.where["line"])
        else:
            where = translate("import_where_item", lang, item=self.where["item"])
        problem = translate(self.problem_key, lang, **self.params)
        return translate("import_invalid", lang, where=where, problem=problem)


def _jsonl_records(stream: IO[bytes]) -> Iterator[tuple[_Where, Any]]:
    for number, raw in enumerate(stream, start=1):
        line = raw.strip()
        if not line:
            continue
        where = _Where(line=number)
        try:
            yield where, orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise where.fail("import_bad_json", reason=str(exc)) from None


def _json_array_records(stream: IO[bytes]) -> Iterator[tuple[_Where, Any]]:
    head = stream.read(64)
    first = head.lstrip()[:1]
    if head.startswith(codecs.BOM_UTF8):
        first = head[3:].lstrip()[:1]
    if first != b"[":
        raise _Where(item=1).fail("import_not_array")
    stream.seek(0)
    item = 0
    try:
        for item, record in enumerate(ijson.items(stream, "item", use_float=True), start=1):
            yield _Where(item=item), record
    except ijson.JSONError as exc:
        raise _Where(item=item + 1).fail("import_bad_json", reason=str(exc)) from None
    except UnicodeDecodeError:
        raise _Where(item=item + 1).fail("import_bad_encoding") from None


def _csv_records(stream: IO[bytes]) -> Iterator[tuple[_Where, Any]]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    try:
        header = next(reader, None)
        if not header:
            raise _Where(line=1).fail("import_csv_no_header")
        seen: set[str] = set()
        for name in header:
            if name in seen:
                raise _Where(line=1).fail("import_csv_duplicate_column", field=name)
            seen.add(name)
        for row in reader:
            where = _Where(line=reader.line_num)
            if not row:
                continue
            if len(row) != len(header):
                raise where.fail("import_csv_bad_row", got=len(row), expected=len(header))
            data: dict[str, Any] = {}
            meta: dict[str, Any] = {}
            for name, value in zip(header, row, strict=True):
                if name.startswith("meta."):
                    meta[name[5:]] = value
                else:
                    data[name] = value
            yield where, {"data": data, "meta": meta}
    except UnicodeDecodeError:
        raise _Where(line=reader.line_num + 1).fail("import_bad_encoding") from None
    except csv.Error as exc:
        raise _Where(line=reader.line_num).fail("import_bad_json", reason=str(exc)) from None
    finally:
        text.detach()


_READERS: Final[dict[str, Callable[[IO[bytes]], Iterator[tuple[_Where, Any]]]]] = {
    "json": _json_array_records,
    "jsonl": _jsonl_records,
    "csv": _csv_records,
}


def _checked(where: _Where, record: Any, schema: LabelSchema) -> tuple[dict[str, Any], dict[str, Any]]:
    if not isinstance(record, dict):
        raise where.fail("import_not_object")
    for key in record:
        if key not in _ALLOWED_KEYS:
            raise where.fail("import_unknown_field", field=key)
    data = record.get("data")
    if not isinstance(data, dict):
        raise where.fail("import_field_not_object" if "data" in record else "import_missing_data", field="data")
    meta = record.get("meta", {})
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise where.fail("import_field_not_object", field="meta")
    issue = schema.check_task_data(data)
    if issue is not None:
        raise where.fail(issue.code, **issue.params)
    return data, meta


def content_hash(data: dict[str, Any]) -> bytes:
    return hashlib.sha256(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).digest()


def import_tasks(
    db: Database,
    principal: Principal,
    project_id: int,
    stream: IO[bytes],
    content_type: str | None,
    *,
    progress: Callable[[int, int], None] | None = None,
    origin: str = "",
    now: datetime | None = None,
) -> ImportResult:
    """Import every record of ``stream`` or none. ``progress(records, bytes_read)`` is called per batch."""
    fmt = format_of(content_type)
    at = now or utcnow()
    with db.write() as session:
        project, _ = project_for(session, principal, project_id, Action.IMPORT_TASKS)
        schema = schema_cache.get(session, project.schema_version_id or 0)
        before = task_repo.count_tasks(session, project_id)
        received = 0
        batch: list[task_repo.ImportRow] = []
        for where, record in _READERS[fmt](stream):
            data, meta = _checked(where, record, schema)
            batch.append((project_id, orjson.dumps(data).decode(), orjson.dumps(meta).decode(),
                          content_hash(data), project.overlap, at))
            received += 1
            if len(batch) >= BATCH_SIZE:
                task_repo.insert_import_rows(session, batch)
                batch.clear()
                if progress is not None:
                    progress(received, stream.tell())
        if received == 0:
            raise _Where(line=1).fail("import_empty")
        task_repo.insert_import_rows(session, batch)
        after = task_repo.count_tasks(session, project_id)
        created = after - before
        project_repo.add_to_task_count(session, project_id, created)
        session.add(
            AuditEvent(
                workspace_id=project.workspace_id,
                actor_id=principal.user_id,
                action="task.import",
                object_type="project",
                object_id=str(project_id),
                origin=origin,
                details={"received": received, "created": created, "format": fmt},
                created_at=at,
            )
        )
        if progress is not None:
            progress(received, stream.tell())
        return ImportResult(received=received, created=created, duplicates=received - created, task_count=after)
