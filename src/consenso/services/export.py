"""Export: one task a line (JSONL) with its annotations, streamed in constant memory from one snapshot.

Each line carries the task's finalization state (``qa_status``) and its current **final label** with its
provenance (``final``: the result, how it was decided, with what confidence and agreement, by whom, why and
when), or null while it has none: the final labels are what an export delivers by default. Gold tasks are
quality checks, not data: they are left out unless asked for (``include_gold``), and then carry their
expected result (``gold``).

With ``aggregate=METHOD`` each line also carries the aggregated answer of every choice, rating,
multi_choice and spans control. The aggregation needs every annotation first, so it is one pass over the
project's annotations (in the same snapshot) before the lines stream: memory then grows with the number of
answered tasks (a few numbers per task and control, plus the consensus spans), not with their data.

``fmt="csv"`` gives the same lines as a flat table for spreadsheets (``_CsvTable``): one row per task, each
column named by the path of its value in the JSONL line, every cell that holds untrusted text neutralised
against formula injection (``consenso.core.csvsafe``). The columns of ``data`` and ``meta`` are the keys the
database lists over the project before the first row (one more pass, over the keys only).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any, Final

import orjson
from sqlalchemy.orm import Session

from consenso.core.csvsafe import neutralise
from consenso.core.errors import InvalidInput
from consenso.core.permissions import Action
from consenso.core.quality import Aggregate, LabelSetAggregate, SpanAggregate, check_method
from consenso.services.access import project_for
from consenso.services.clock import utcnow
from consenso.services.principal import Principal
from consenso.services.projects import schema_cache
from consenso.services.quality import project_aggregates
from consenso.store.database import Database
from consenso.store.repositories import adjudications as adjudication_repo
from consenso.store.repositories import audit as audit_repo
from consenso.store.repositories import projects as project_repo
from consenso.store.repositories import tasks as task_repo
from consenso.store.repositories.adjudications import AdjudicationRow

# Each format and the media type it is served as.
CONTENT_TYPES: Final = {"jsonl": "application/x-ndjson", "csv": "text/csv; charset=utf-8"}
FORMATS: Final = tuple(CONTENT_TYPES)
BATCH: Final = 5000
# Excel reads a UTF-8 CSV as the machine's legacy code page (ñ, á garbled) unless it starts with a BOM.
UTF8_BOM: Final = "\ufeff"


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def export_project(
    db: Database,
    principal: Principal,
    project_id: int,
    fmt: str = "jsonl",
    *,
    aggregate: str | None = None,
    include_gold: bool = False,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[bytes]:
    """Check access and record the export now; return an iterator of chunks to stream (JSONL or CSV, ``fmt``).
    ``progress``, when given, is called with the number of tasks exported so far after each batch.

    Each line: ``{"id", "data", "meta", "annotations": [{"id", "annotator_id", "result", "lead_time_ms",
    "created_at"}], "qa_status", "final"}``. Every non-gold task is exported, with or without annotations.
    ``qa_status`` is ``pending``, ``final`` or ``escalated``; ``final`` is null unless the task is final,
    else ``{"result", "method", "confidence", "agreement", "decided_by", "reasoning", "decided_at",
    "status"}``: ``method`` an aggregation method (decided automatically, ``confidence`` its posterior) or
    ``adjudicated`` (``decided_by`` the adjudicator's user id, ``reasoning`` why), ``agreement`` per control
    the agreement of the annotations with the result, ``status`` always ``final``. With ``include_gold``
    gold tasks come too, and every line carries ``"gold"``: ``{"result": expected result}`` on a gold task,
    null on the others. With ``aggregate`` (a key of
    ``AGGREGATORS``, checked now) each line ends with ``"aggregate": {control: value or null}`` for every
    aggregated control (null: the task has no answer to it), ``"method"`` naming the method that produced
    the value:

    - choice, rating: ``{"method", "label", "confidence"}``, the posterior of the chosen label;
    - multi_choice: ``{"method", "labels", "confidence", "probabilities"}``: the chosen labels (schema
      order), the probability of that set, and per label of the schema the probability it is present;
      ``method`` is ``dawid_skene`` or ``majority`` (see ``multilabel_method``);
    - spans: ``{"method": "token_vote", "spans": [{"start", "end", "label", "support"}]}``, the consensus
      spans (possibly none) with the share of annotators behind each.

    CSV (``fmt="csv"``): UTF-8 with a BOM, comma-separated, CRLF line ends, fields quoted only when needed; a
    header row, then one row per task in the same order, a column per value named by its path in the JSONL
    line (see ``_CsvTable``).
    """
    if fmt not in FORMATS:
        raise InvalidInput("unsupported_export_format", format=fmt, supported=", ".join(FORMATS))
    if aggregate is not None:
        check_method(aggregate)
    at = now or utcnow()
    with db.write() as session:
        project, _ = project_for(session, principal, project_id, Action.EXPORT)
        audit_repo.record(
            session,
            workspace_id=project.workspace_id,
            actor_id=principal.user_id,
            action="project.export",
            object_type="project",
            object_id=str(project_id),
            details={
                "format": fmt,
                **({"aggregate": aggregate} if aggregate is not None else {}),
                **({"include_gold": True} if include_gold else {}),
            },
            created_at=at,
        )
    return _lines(db, project_id, aggregate, include_gold=include_gold, fmt=fmt, progress=progress)


def _line_in_parts(line: dict[str, Any]) -> bytes:
    """The same line, for ``data`` or ``meta`` as deep as an import allows (the serialiser's limit): the
    object around them would be one level too many for it."""
    parts = b",".join(b'"%s":%s' % (key.encode(), orjson.dumps(value)) for key, value in line.items())
    return b"{%s}\n" % parts


def _values(fitted: Aggregate | None, task_ids: list[int]) -> list[dict[str, Any] | None]:
    """One control's aggregated value for each of ``task_ids`` (None: no answer), in the shape of its type."""
    if fitted is None:
        return [None] * len(task_ids)
    method = fitted.method
    if isinstance(fitted, LabelSetAggregate):
        return [
            None
            if hit is None
            else {"method": method, "labels": hit[0], "confidence": hit[1], "probabilities": hit[2]}
            for hit in fitted.lookup(task_ids)
        ]
    if isinstance(fitted, SpanAggregate):
        return [
            None
            if spans is None
            else {
                "method": method,
                "spans": [
                    {"start": s.start, "end": s.end, "label": s.label, "support": s.support} for s in spans
                ],
            }
            for spans in fitted.lookup(task_ids)
        ]
    return [
        None if hit is None else {"method": method, "label": hit[0], "confidence": hit[1]}
        for hit in fitted.lookup(task_ids)
    ]


def _aggregate_column(aggregated: dict[str, Aggregate | None], task_ids: list[int]) -> list[dict[str, Any]]:
    """The ``aggregate`` object of each of ``task_ids``, in order."""
    found = {name: _values(fitted, task_ids) for name, fitted in aggregated.items()}
    return [{name: values[position] for name, values in found.items()} for position in range(len(task_ids))]


def _final(row: AdjudicationRow | None) -> dict[str, Any] | None:
    """The ``final`` object of a line: the task's current final label with its provenance."""
    if row is None:
        return None
    return {
        "result": row.result,
        "method": row.method,
        "confidence": row.confidence,
        "agreement": row.agreement,
        "decided_by": row.decided_by,
        "reasoning": row.reasoning,
        "decided_at": _iso(row.created_at),
        "status": "final",
    }


def _records(
    session: Session,
    batch: task_repo.ExportBatch,
    aggregated: dict[str, Aggregate | None] | None,
    include_gold: bool,
) -> Iterator[dict[str, Any]]:
    """The export lines of one batch, one at a time (each is encoded and dropped before the next is built)."""
    loads = orjson.loads
    finals = adjudication_repo.final_labels(session, batch.after, batch.tasks[-1][0]) if batch.tasks else {}
    by_task: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for task_id, annotation_id, annotator_id, result, lead_time_ms, created_at in batch.annotations:
        by_task[task_id].append(
            {
                "id": annotation_id,
                "annotator_id": annotator_id,
                "result": result,
                "lead_time_ms": lead_time_ms,
                "created_at": _iso(created_at),
            }
        )
    none: list[dict[str, Any]] = []
    extra = (
        _aggregate_column(aggregated, [task[0] for task in batch.tasks]) if aggregated is not None else None
    )
    # Parsed and written again, not pasted: every line is compact JSON whatever the storage.
    for position, (task_id, data, meta, qa_status, gold) in enumerate(batch.tasks):
        line = {
            "id": task_id,
            "data": loads(data),
            "meta": loads(meta),
            "annotations": by_task.get(task_id, none),
            "qa_status": qa_status,
            "final": _final(finals.get(task_id)) if qa_status == "final" else None,
        }
        if include_gold:
            line["gold"] = {"result": loads(gold)} if gold is not None else None
        if extra is not None:
            line["aggregate"] = extra[position]
        yield line


def _jsonl_chunk(lines: Iterable[dict[str, Any]]) -> bytes:
    # Each line is appended and dropped at once (orjson's result buffers are larger than the lines).
    dumps = orjson.dumps
    chunk = bytearray()
    for line in lines:
        try:
            chunk += dumps(line, option=orjson.OPT_APPEND_NEWLINE)
        except orjson.JSONEncodeError:
            chunk += _line_in_parts(line)
    return bytes(chunk)


def _lines(
    db: Database,
    project_id: int,
    method: str | None = None,
    *,
    include_gold: bool = False,
    fmt: str = "jsonl",
    progress: Callable[[int], None] | None = None,
) -> Iterator[bytes]:
    with db.snapshot() as session:
        aggregated = project_aggregates(session, project_id, method) if method is not None else None
        encode = _jsonl_chunk
        if fmt == "csv":
            table = _CsvTable.for_project(session, project_id, aggregated, include_gold=include_gold)
            encode = table.chunk
            yield table.head()
        done = 0
        for batch in task_repo.export_batches(session, project_id, BATCH, include_gold=include_gold):
            chunk = encode(_records(session, batch, aggregated, include_gold))
            done += len(batch.tasks)
            if progress is not None:
                progress(done)
            yield chunk


# --- CSV -------------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    """A JSON value as a cell: strings as they are, null as an empty cell, anything else as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return orjson.dumps(value).decode()


def _untrusted(value: Any) -> str:
    """A cell of text someone typed (task data, answers, reasoning, labels): neutralised."""
    return neutralise(_text(value))


def _ours(value: Any) -> str:
    """A cell the exporter computed itself (ids, counts, confidences, states, dates): written as it is."""
    return "" if value is None else str(value)


def _control_names(session: Session, project_id: int) -> list[str]:
    """The controls of the project's current schema in order, then those only older versions had (their
    answers may still be in final labels and gold results)."""
    names: dict[str, None] = {}
    for version_id in project_repo.schema_version_ids(session, project_id):
        for control in schema_cache.get(session, version_id).controls:
            names.setdefault(control.name, None)
    return list(names)


class _CsvTable:
    """The CSV form of the export lines: which columns, and each line as a row.

    Columns, each named by the path of its value in the JSONL line (so that a control called ``method``
    cannot collide with the final label's ``method``):

    - ``id``;
    - ``data.<key>``, ``meta.<key>``: every top-level key of any task's ``data`` / ``meta`` (sorted); nested
      values as compact JSON; a key a task lacks (or null) is an empty cell;
    - ``qa_status``, ``annotation_count`` (the annotations themselves, a list per task, stay in JSONL);
    - ``final.result.<control>``: the final answer per control (compact JSON unless a string), then
      ``final.method``, ``final.confidence``, ``final.decided_by``, ``final.decided_at``, ``final.reasoning``
      (empty until the task is final; the per-control agreement stays in JSONL);
    - with ``include_gold``: ``gold.result.<control>``;
    - with ``aggregate``: per aggregated control ``aggregate.<control>.label`` (choice, rating) or ``.labels``
      (multi_choice, a JSON list) or ``.spans`` (a JSON list), and ``.confidence`` except for spans.

    Controls are those of the current schema, then those only earlier schema versions had. Every cell of text
    from outside (data, meta, answers, reasoning, labels) goes through ``consenso.core.csvsafe.neutralise``;
    the values the exporter computes (id, counts, states, methods, confidences, dates) do not need to.
    """

    def __init__(
        self,
        data_keys: list[str],
        meta_keys: list[str],
        controls: list[str],
        aggregated: dict[str, Aggregate | None] | None,
        *,
        include_gold: bool,
    ) -> None:
        self.data_keys = data_keys
        self.meta_keys = meta_keys
        self.controls = controls
        self.include_gold = include_gold
        # (control, field of its aggregated value, whether a confidence column follows)
        self.aggregates: list[tuple[str, str, bool]] = []
        for name, fitted in (aggregated or {}).items():
            if isinstance(fitted, SpanAggregate):
                self.aggregates.append((name, "spans", False))
            elif isinstance(fitted, LabelSetAggregate):
                self.aggregates.append((name, "labels", True))
            else:
                self.aggregates.append((name, "label", True))

    @classmethod
    def for_project(
        cls,
        session: Session,
        project_id: int,
        aggregated: dict[str, Aggregate | None] | None,
        *,
        include_gold: bool,
    ) -> _CsvTable:
        return cls(
            task_repo.json_keys(session, project_id, "data", include_gold=include_gold),
            task_repo.json_keys(session, project_id, "meta", include_gold=include_gold),
            _control_names(session, project_id),
            aggregated,
            include_gold=include_gold,
        )

    def columns(self) -> list[str]:
        names = ["id"]
        names += [f"data.{key}" for key in self.data_keys]
        names += [f"meta.{key}" for key in self.meta_keys]
        names += ["qa_status", "annotation_count"]
        names += [f"final.result.{name}" for name in self.controls]
        names += [f"final.{field}" for field in _FINAL_FIELDS]
        if self.include_gold:
            names += [f"gold.result.{name}" for name in self.controls]
        for name, field, confident in self.aggregates:
            names.append(f"aggregate.{name}.{field}")
            if confident:
                names.append(f"aggregate.{name}.confidence")
        # keys and control names are untrusted too, but every column starts with a fixed prefix
        return [neutralise(name) for name in names]

    def row(self, line: dict[str, Any]) -> list[str]:
        data: dict[str, Any] = line["data"]
        meta: dict[str, Any] = line["meta"]
        final: dict[str, Any] | None = line["final"]
        answers: dict[str, Any] = final["result"] if final is not None else {}
        cells = [_ours(line["id"])]
        cells += [_untrusted(data.get(key)) for key in self.data_keys]
        cells += [_untrusted(meta.get(key)) for key in self.meta_keys]
        cells += [_ours(line["qa_status"]), _ours(len(line["annotations"]))]
        cells += [_untrusted(answers.get(name)) for name in self.controls]
        if final is None:
            cells += [""] * len(_FINAL_FIELDS)
        else:
            cells += [_ours(final[field]) for field in _FINAL_FIELDS[:-1]]
            cells.append(_untrusted(final["reasoning"]))
        if self.include_gold:
            gold = line["gold"]
            expected: dict[str, Any] = gold["result"] if gold is not None else {}
            cells += [_untrusted(expected.get(name)) for name in self.controls]
        if self.aggregates:
            values: dict[str, Any] = line["aggregate"]
            for name, field, confident in self.aggregates:
                value = values.get(name)
                cells.append(_untrusted(value[field]) if value is not None else "")
                if confident:
                    cells.append(_ours(value["confidence"]) if value is not None else "")
        return cells

    def head(self) -> bytes:
        return (UTF8_BOM + self._encode([self.columns()])).encode()

    def chunk(self, lines: Iterable[dict[str, Any]]) -> bytes:
        return self._encode(self.row(line) for line in lines).encode()

    @staticmethod
    def _encode(rows: Iterable[list[str]]) -> str:
        buffer = io.StringIO()
        csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n").writerows(rows)
        return buffer.getvalue()


# the provenance fields of a final label in the table, reasoning (free text) last
_FINAL_FIELDS: Final = ("method", "confidence", "decided_by", "decided_at", "reasoning")
