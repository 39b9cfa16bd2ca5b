"""Task import: a JSON array, JSONL (NDJSON) or CSV body, streamed, one transaction, all or nothing.

Records are read one at a time from a file-like object (the API spools the request body to a temporary
file first, so memory stays flat whatever the size), checked against the project's schema and inserted
in batches inside a single transaction (on PostgreSQL a worker thread reads and checks the next batch
while the server stores the current one; see ``_read_ahead``). The first bad record aborts everything
and its error names the line (JSONL, CSV) or the item number (JSON array) and the field. Exact
duplicates — the same ``data`` (compared by a SHA-256 of its canonical JSON) already in the project or
earlier in the same body — are skipped and counted.

CSV: the header names the columns; every column becomes a string field of ``data``, except columns
named ``meta.<key>`` which go to ``meta``.

Pre-labels: a JSON or JSONL task may carry one model prediction,
``"prediction": {"result": {control: answer}, "model": "name", "score": 0.87}`` (``score`` in [0, 1],
optional). Its ``result`` is checked against the project's schema exactly like an annotation's (a bad one
refuses the import, naming the line and the first problem), and it is stored with the task it came with
(``Prediction``) for ``next`` to show the annotator. A record skipped as an exact duplicate is skipped whole,
prediction included: an import never changes a task that already exists.

QA workflow (JSON and JSONL; CSV columns are data, so these need JSON or JSONL):

- ``"gold": {"result": {control: answer}}`` makes the task a gold question with that expected result. The
  result is checked against the schema like a prediction's, and must hold at least one control that is
  scored (a ``text`` control alone is not: free text has no single right answer). A gold task is stored
  with ``task.gold`` set and ``overlap = GOLD_OVERLAP``, so that every annotator of the project may answer it.
- ``"requirements": {"language": "es", "dialect": "es-CO", "domain": "medical"}`` (each optional, checked by
  :func:`consenso.core.qa.parse_requirements`) routes the task to the members qualified for it.

A record with neither (``null`` counts as absent) takes the plain path: its batch is written exactly as
before. As with predictions, a duplicate record is skipped whole: its gold or requirements change nothing.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import threading
from collections.abc import Callable, Generator, Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from queue import Full, Queue
from typing import IO, Any, Final, TypeVar

import ijson
import orjson

from consenso.core.errors import ImportInvalid, InvalidInput, UnsupportedMediaType
from consenso.core.messages import translate
from consenso.core.permissions import Action
from consenso.core.qa import GOLD_OVERLAP, Requirements, parse_requirements
from consenso.core.schema import Issue, LabelSchema, TextControl
from consenso.core.text import NUL_ESCAPE, contains_nul
from consenso.services import pii
from consenso.services.access import project_for
from consenso.services.clock import utcnow
from consenso.services.keys import Vault
from consenso.services.principal import Principal
from consenso.services.projects import schema_cache
from consenso.store.database import Database
from consenso.store.repositories import audit as audit_repo
from consenso.store.repositories import projects as project_repo
from consenso.store.repositories import tasks as task_repo

_T = TypeVar("_T")

# JSON arrays up to this size are parsed in one call (about ten times this in Python objects at most);
# larger ones are streamed item by item in flat memory.
WHOLE_ARRAY_BYTES: Final = 16 * 1024 * 1024
BATCH_SIZE: Final = 10_000
# The deepest ``data`` or ``meta`` (counting its own braces) the JSON serialiser writes; deeper is refused.
MAX_DEPTH: Final = 254
FORMATS: Final = {
    "application/json": "json",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/json-lines": "jsonl",
    "application/x-jsonlines": "jsonl",
    "text/csv": "csv",
}
SUPPORTED = "application/json, application/x-ndjson, text/csv"
_ALLOWED_KEYS: Final = frozenset({"data", "meta", "prediction", "gold", "requirements"})
_PREDICTION_KEYS: Final = frozenset({"result", "model", "score"})
_GOLD_KEYS: Final = frozenset({"result"})
_NO_REQUIREMENTS: Final = Requirements()
# distinct requirement combinations remembered per import (see ``_requirements``)
_KNOWN_REQUIREMENTS: Final = 1024
MAX_MODEL_NAME: Final = 200
_SHOWN_KEY: Final = 80


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

    @classmethod
    def at_line(cls, number: int) -> _Where:
        return cls(line=number)

    @classmethod
    def at_item(cls, number: int) -> _Where:
        return cls(item=number)

    def fail(self, problem_key: str, **params: Any) -> ImportInvalid:
        where: dict[str, int | None] = {"line": self.line} if self.line is not None else {"item": self.item}
        field = params.get("field")
        details = {**where, "field": field, "reason": problem_key.removeprefix("import_")}
        return _ImportError(where, problem_key, params, details)


class _ImportError(ImportInvalid):
    """An ImportInvalid whose message is assembled from the location and the problem, in either language."""

    def __init__(
        self, where: dict[str, int | None], problem_key: str, params: dict[str, Any], details: Any
    ) -> None:
        super().__init__("import_invalid", details=details, **params)
        self.where = where
        self.problem_key = problem_key

    def message(self, lang: str = "en") -> str:
        if self.where.get("line") is not None:
            where = translate("import_where_line", lang, line=self.where["line"])
        else:
            where = translate("import_where_item", lang, item=self.where["item"])
        # a schema issue (of a prediction's result) is told in the caller's language too, without its
        # full stop: the sentence goes on
        params = {
            k: v.message(lang).rstrip(".") if isinstance(v, Issue) else v for k, v in self.params.items()
        }
        problem = translate(self.problem_key, lang, **params)
        return translate("import_invalid", lang, where=where, problem=problem)


def _jsonl_records(stream: IO[bytes]) -> Generator[tuple[int, Any], None, None]:
    loads = orjson.loads
    for number, raw in enumerate(stream, start=1):
        try:
            record = loads(raw)  # JSON allows the surrounding whitespace and the newline
        except orjson.JSONDecodeError:
            line = raw.strip()  # a blank line, or ASCII whitespace JSON does not allow (form feed)
            if not line:
                continue
            try:
                record = loads(line)
            except orjson.JSONDecodeError as exc:
                raise _Where(line=number).fail("import_bad_json", reason=str(exc)) from None
        yield number, record


def _json_array_records(stream: IO[bytes]) -> Generator[tuple[int, Any], None, None]:
    head = stream.read(64)
    start = 3 if head.startswith(codecs.BOM_UTF8) else 0
    if head[start:].lstrip()[:1] != b"[":
        raise _Where(item=1).fail("import_not_array")
    size = stream.seek(0, io.SEEK_END) - start
    stream.seek(start)  # past a byte order mark, which the parsers would take for a bad character
    if size <= WHOLE_ARRAY_BYTES:
        # A body of this size parses far faster in one call than item by item, and its objects stay
        # within a bounded amount of memory. On an error, the streaming parser below names the item.
        try:
            records = orjson.loads(stream.read())
        except orjson.JSONDecodeError:
            stream.seek(start)
        else:
            if isinstance(records, list):
                yield from enumerate(records, start=1)
                return
            stream.seek(start)
    item = 0
    try:
        for item, record in enumerate(ijson.items(stream, "item", use_float=True), start=1):
            yield item, record
    except ijson.JSONError as exc:
        raise _Where(item=item + 1).fail("import_bad_json", reason=str(exc)) from None
    except UnicodeDecodeError:
        raise _Where(item=item + 1).fail("import_bad_encoding") from None


def _csv_records(stream: IO[bytes]) -> Generator[tuple[int, Any], None, None]:
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
            if not row:
                continue
            if len(row) != len(header):
                raise _Where(line=reader.line_num).fail(
                    "import_csv_bad_row", got=len(row), expected=len(header)
                )
            data: dict[str, Any] = {}
            meta: dict[str, Any] = {}
            for name, value in zip(header, row, strict=True):
                if name.startswith("meta."):
                    meta[name[5:]] = value
                else:
                    data[name] = value
            yield reader.line_num, {"data": data, "meta": meta}
    except UnicodeDecodeError:
        raise _Where(line=reader.line_num + 1).fail("import_bad_encoding") from None
    except csv.Error as exc:
        raise _Where(line=reader.line_num).fail("import_bad_json", reason=str(exc)) from None
    finally:
        text.detach()


# Each reader yields (line number, record) — for a JSON array (item number, record) — and raises the
# ImportInvalid of the first record it cannot read.
_READERS: Final[dict[str, Callable[[IO[bytes]], Generator[tuple[int, Any], None, None]]]] = {
    "json": _json_array_records,
    "jsonl": _jsonl_records,
    "csv": _csv_records,
}


def _row(record: Any, schema: LabelSchema) -> task_repo.ImportRow | None:
    """The row to store for a valid ``record``, or None when it is not valid (``_problem`` says why).

    The common case in as few steps as possible (a million records go through here): ``data`` is
    serialised once as stored and once canonically for its content hash; an absent or empty ``meta`` is
    not serialised at all.
    """
    if not isinstance(record, dict) or not record.keys() <= _ALLOWED_KEYS:
        return None
    data = record.get("data")
    meta = record.get("meta")
    if not isinstance(data, dict) or not (meta is None or isinstance(meta, dict)):
        return None
    if schema.check_task_data(data) is not None:
        return None
    try:
        meta_text = orjson.dumps(meta).decode() if meta else "{}"
        data_text = orjson.dumps(data).decode()
    except orjson.JSONEncodeError:  # nested deeper than the serialiser goes
        return None
    # U+0000 cannot be stored (PostgreSQL); its JSON escape is a cheap pre-check, confirmed on the value
    if (NUL_ESCAPE in data_text and contains_nul(data)) or (NUL_ESCAPE in meta_text and contains_nul(meta)):
        return None
    return data_text, meta_text, content_hash(data)


def _problem(record: Any, schema: LabelSchema) -> tuple[str, Mapping[str, Any]]:
    """Why ``record`` cannot be imported: a message key and its parameters (the first problem found)."""
    if not isinstance(record, dict):
        return "import_not_object", {}
    for key in record:
        if key not in _ALLOWED_KEYS:
            return "import_unknown_field", {"field": key}
    data = record.get("data")
    if not isinstance(data, dict):
        return ("import_field_not_object" if "data" in record else "import_missing_data"), {"field": "data"}
    meta = record.get("meta")
    if meta is not None and not isinstance(meta, dict):
        return "import_field_not_object", {"field": "meta"}
    issue = schema.check_task_data(data)
    if issue is not None:
        return issue.code, issue.params
    for field, value in (("data", data), ("meta", meta)):
        if _depth(value) > MAX_DEPTH:
            return "import_too_deep", {"field": field, "limit": MAX_DEPTH}
        try:
            orjson.dumps(value)
        except orjson.JSONEncodeError as exc:
            return "import_bad_json", {"reason": str(exc)}
        if contains_nul(value):
            return "import_nul_character", {"field": field}
    raise RuntimeError("a record was refused without a reason")  # a bug here, not bad input


def _prediction_problem(
    prediction: Any, data: dict[str, Any], schema: LabelSchema
) -> tuple[str, dict[str, Any]] | None:
    """Why a record's ``prediction`` cannot be stored (a message key and its parameters), or None."""
    if not isinstance(prediction, dict):
        return "import_prediction_not_object", {"field": "prediction"}
    for key in prediction:
        if key not in _PREDICTION_KEYS:
            return "import_prediction_unknown_field", {"field": f"prediction.{str(key)[:_SHOWN_KEY]}"}
    for key in ("result", "model"):
        if key not in prediction:
            return "import_prediction_missing_field", {"field": f"prediction.{key}"}
    model = prediction["model"]
    if not isinstance(model, str) or not model.strip() or len(model) > MAX_MODEL_NAME:
        return "import_prediction_bad_model", {"field": "prediction.model", "limit": MAX_MODEL_NAME}
    score = prediction.get("score")
    # NaN fails the range test too; a boolean is not a score although Python counts it as an integer
    if score is not None and (
        isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 1
    ):
        return "import_prediction_bad_score", {"field": "prediction.score"}
    if contains_nul(prediction):
        return "import_nul_character", {"field": "prediction"}
    issues = schema.result_issues(prediction["result"], data)
    if issues:
        return "import_prediction_result", {
            "field": "prediction.result",
            "count": len(issues),
            "issue": issues[0],
        }
    return None


def _gold_problem(gold: Any, data: dict[str, Any], schema: LabelSchema) -> tuple[str, dict[str, Any]] | None:
    """Why a record's ``gold`` cannot be stored (a message key and its parameters), or None."""
    if not isinstance(gold, dict):
        return "import_gold_not_object", {"field": "gold"}
    for key in gold:
        if key not in _GOLD_KEYS:
            return "import_gold_unknown_field", {"field": f"gold.{str(key)[:_SHOWN_KEY]}"}
    if "result" not in gold:
        return "import_gold_missing_result", {"field": "gold.result"}
    if contains_nul(gold):
        return "import_nul_character", {"field": "gold"}
    result = gold["result"]
    issues = schema.result_issues(result, data)
    if issues:
        return "import_gold_result", {"field": "gold.result", "count": len(issues), "issue": issues[0]}
    scored = {c.name for c in schema.controls if not isinstance(c, TextControl)}
    if not scored & result.keys():
        return "import_gold_unscored", {"field": "gold.result"}
    return None


def _requirements(raw: Any, known: dict[tuple[Any, ...], Requirements]) -> Requirements:
    """``parse_requirements`` of a record's ``requirements``, remembered in ``known`` by their items: an
    import usually repeats a few combinations, and parsing each one again would cost more than storing it."""
    key: tuple[Any, ...] | None = None
    if isinstance(raw, dict) and len(raw) <= 3:
        try:
            key = tuple(raw.items())
            hit = known.get(key)
        except TypeError:  # an unhashable value: parsed (and refused) below
            key, hit = None, None
        if hit is not None:
            return hit
    try:
        wanted = parse_requirements(raw)
    except InvalidInput as exc:
        raise _RecordProblem("import_requirement_invalid", {"field": exc.params.get("field")}) from None
    if key is not None and len(known) < _KNOWN_REQUIREMENTS:
        known[key] = wanted  # only valid requirements, whose values are strings or None
    return wanted


def _extras(
    record: dict[str, Any],
    gold: Any,
    requirements: Any,
    schema: LabelSchema,
    known: dict[tuple[Any, ...], Requirements],
) -> task_repo.TaskExtras:
    """The QA columns of a record with ``gold`` or ``requirements``; raises ``_RecordProblem`` when bad."""
    gold_text = None
    if gold is not None:
        refused = _gold_problem(gold, record["data"], schema)
        if refused is not None:
            raise _RecordProblem(*refused)
        gold_text = orjson.dumps(gold["result"]).decode()
    wanted = _requirements(requirements, known) if requirements is not None else _NO_REQUIREMENTS
    return task_repo.TaskExtras(
        GOLD_OVERLAP if gold_text is not None else None,
        gold_text,
        wanted.language,
        wanted.dialect,
        wanted.domain,
    )


class _RecordProblem(Exception):
    """A record's gold or requirements are wrong: a message key and its parameters, located by the caller."""

    def __init__(self, key: str, params: dict[str, Any]) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def _depth(value: Any) -> int:
    """How deep ``value`` nests objects and arrays (a scalar: 0). Iterative: input may nest 1,000 deep."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children)
    return deepest


def content_hash(data: dict[str, Any]) -> bytes:
    """SHA-256 of the canonical JSON (sorted keys, no spaces) of a task's ``data``: equal data, equal hash."""
    return hashlib.sha256(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).digest()


# a record whose gold and requirements are absent or empty
_PLAIN: Final = task_repo.TaskExtras(None, None, None, None, None)
# rows to store, the QA columns of some of them (by index in the batch), their predictions, the records PII
# masking changed (their originals to seal), bytes read
_Batch = tuple[
    list[task_repo.ImportRow],
    dict[int, task_repo.TaskExtras],
    list[task_repo.PredictionRow],
    list[pii.MaskedRecord],
    int,
]


def _batches(
    records: Generator[tuple[int, Any], None, None],
    schema: LabelSchema,
    located: Callable[[int], _Where],
    stream: IO[bytes],
    masker: pii.ImportMasker | None = None,
) -> Generator[_Batch, None, None]:
    """Rows ready to store, ``BATCH_SIZE`` at a time, each batch with the QA columns of the records that
    carry some (by index in the batch), their predictions (keyed by content hash), the records that PII
    masking changed and the bytes read so far."""
    batch: list[task_repo.ImportRow] = []
    extras: dict[int, task_repo.TaskExtras] = {}
    predictions: list[task_repo.PredictionRow] = []
    masked: list[pii.MaskedRecord] = []
    known: dict[tuple[Any, ...], Requirements] = {}
    with closing(records):  # the reader lets go of the stream now, even when a record is refused
        for number, record in records:
            row = _row(record, schema)
            if row is None:
                problem, params = _problem(record, schema)
                raise located(number).fail(problem, **params)
            refused_data = pii.forbidden_problem(record["data"], record.get("meta"), row[0], row[1])
            if refused_data is not None:
                raise located(number).fail(refused_data[0], **refused_data[1])
            prediction = record.get("prediction")
            gold = record.get("gold")
            if masker is not None:
                try:
                    hidden = masker.mask(
                        record["data"],
                        record.get("meta"),
                        prelabelled=prediction is not None or gold is not None,
                    )
                except pii.MaskProblem as exc:
                    raise located(number).fail(exc.key, **exc.params) from None
                if hidden is not None:
                    meta_text = orjson.dumps(hidden.meta).decode() if hidden.meta else "{}"
                    row = (orjson.dumps(hidden.data).decode(), meta_text, hidden.content_hash)
                    masked.append(hidden)
            if prediction is not None:
                refused = _prediction_problem(prediction, record["data"], schema)
                if refused is not None:
                    raise located(number).fail(refused[0], **refused[1])
                predictions.append(
                    (row[2], prediction["result"], prediction["model"], prediction.get("score"))
                )
            requirements = record.get("requirements")
            if gold is not None or requirements is not None:
                try:
                    more = _extras(record, gold, requirements, schema, known)
                except _RecordProblem as exc:
                    raise located(number).fail(exc.key, **exc.params) from None
                if more != _PLAIN:
                    extras[len(batch)] = more
            batch.append(row)
            if len(batch) >= BATCH_SIZE:
                yield batch, extras, predictions, masked, stream.tell()
                batch, extras, predictions, masked = [], {}, [], []
    if batch:
        yield batch, extras, predictions, masked, stream.tell()


def _read_ahead(items: Generator[_T, None, None], depth: int = 2) -> Generator[_T, None, None]:
    """``items``, produced by a worker thread up to ``depth`` ahead of the consumer.

    On PostgreSQL the server stores one batch while this process reads and checks the next: the driver
    releases the GIL while it waits. (Not on SQLite: its driver releases and retakes the GIL for every row,
    and a busy reader thread would hold each row up for a thread switch interval.) An exception of the
    worker — the ImportInvalid of a bad record — is raised here, in the consumer; when the consumer stops
    early, the worker stops too before this generator returns.
    """
    queue: Queue[tuple[bool, Any]] = Queue(maxsize=depth)
    stop = threading.Event()

    def offer(entry: tuple[bool, Any]) -> bool:
        while not stop.is_set():
            try:
                queue.put(entry, timeout=0.05)
                return True
            except Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not offer((True, item)):
                    return
            offer((False, None))
        except BaseException as exc:  # handed to the consumer, which raises it
            offer((False, exc))
        finally:
            items.close()

    worker = threading.Thread(target=produce, name="task-import-reader", daemon=True)
    worker.start()
    try:
        while True:
            more, value = queue.get()
            if more:
                yield value
            elif value is None:
                return
            else:
                raise value
    finally:
        stop.set()
        worker.join()


def import_tasks(
    db: Database,
    principal: Principal,
    project_id: int,
    stream: IO[bytes],
    content_type: str | None,
    *,
    progress: Callable[[int, int], None] | None = None,
    origin: str = "",
    vault: Vault | None = None,
    audit_details: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> ImportResult:
    """Import every record of ``stream`` or none. ``progress(records, bytes_read)`` is called per batch.

    ``vault``: the instance's keys, needed for a project with a PII policy (the originals are sealed).
    ``audit_details``: more details for the import's audit event (an import from a URL: its source and host)."""
    fmt = format_of(content_type)
    read = _READERS[fmt]
    located = _Where.at_item if fmt == "json" else _Where.at_line
    at = now or utcnow()
    with db.write() as session:
        project, _ = project_for(session, principal, project_id, Action.IMPORT_TASKS)
        schema = schema_cache.get(session, project.schema_version_id or 0)
        policy = pii.policy_of(project.pii)
        masker = None
        if policy is not None:
            if vault is None:
                raise RuntimeError("importing into a project with a PII policy needs the instance's vault")
            masker = pii.ImportMasker(policy, vault.keyring(), schema)
        batches = _batches(read(stream), schema, located, stream, masker)
        if not db.is_sqlite:
            batches = _read_ahead(batches)
        received = 0
        created = 0
        predicted = 0
        sealed = 0
        qa_columns = False
        # tasks of this import have larger ids: a prediction goes only to a task the import created
        last_id = task_repo.last_task_id(session, project_id)
        with (
            closing(batches),
            task_repo.import_writer(
                session, project_id=project_id, overlap=project.overlap, created_at=at
            ) as write,
        ):
            for rows, extras, predictions, masked, position in batches:
                received += len(rows)
                created += write(rows, extras)
                qa_columns = qa_columns or bool(extras)
                if predictions:
                    predicted += task_repo.add_predictions(
                        session, project_id, predictions, after_id=last_id, created_at=at
                    )
                if masked and vault is not None:
                    # the keyring as it is now: a rotation during a long import takes effect at the next batch
                    sealed += pii.seal_originals(
                        session, vault.keyring(), project_id, masked, after_id=last_id, at=at
                    )
                if progress is not None:
                    progress(received, position)
        if received == 0:
            raise _Where(line=1).fail("import_empty")
        task_count = task_repo.count_tasks(session, project_id)
        project_repo.add_to_task_count(session, project_id, created)
        gold, routed = (
            task_repo.count_gold_and_routed(session, project_id, after_id=last_id) if qa_columns else (0, 0)
        )
        audit_repo.record(
            session,
            workspace_id=project.workspace_id,
            actor_id=principal.user_id,
            action="task.import",
            object_type="project",
            object_id=str(project_id),
            origin=origin,
            details={
                "received": received,
                "created": created,
                "format": fmt,
                **({"predictions": predicted} if predicted else {}),
                **({"pii_masked": sealed} if sealed else {}),
                **({"gold": gold} if gold else {}),
                **({"routed": routed} if routed else {}),
                **(audit_details or {}),
            },
            created_at=at,
        )
        if progress is not None:
            progress(received, stream.tell())
        return ImportResult(
            received=received, created=created, duplicates=received - created, task_count=task_count
        )
