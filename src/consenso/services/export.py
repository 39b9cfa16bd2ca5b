"""Export: one task a line (JSONL) with its annotations, streamed in constant memory from one snapshot.

With ``aggregate=METHOD`` each line also carries the aggregated answer of every categorical control. The
aggregation needs every annotation first, so it is one pass over the project's annotations (in the same
snapshot) before the lines stream: memory then grows with the number of answered tasks (a few numbers per
task and control), not with their data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Final

import orjson

from consenso.core.errors import InvalidInput
from consenso.core.permissions import Action
from consenso.core.quality import ControlAggregate, check_method
from consenso.services.access import project_for
from consenso.services.clock import utcnow
from consenso.services.principal import Principal
from consenso.services.quality import project_aggregates
from consenso.store.database import Database
from consenso.store.repositories import audit as audit_repo
from consenso.store.repositories import tasks as task_repo

FORMATS: Final = ("jsonl",)
BATCH: Final = 5000


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def export_project(
    db: Database,
    principal: Principal,
    project_id: int,
    fmt: str = "jsonl",
    *,
    aggregate: str | None = None,
    now: datetime | None = None,
) -> Iterator[bytes]:
    """Check access and record the export now; return an iterator of JSONL chunks to stream.

    Each line: ``{"id", "data", "meta", "annotations": [{"id", "annotator_id", "result", "lead_time_ms",
    "created_at"}]}``. Every task is exported, with or without annotations. With ``aggregate`` (a key of
    ``AGGREGATORS``, checked now) each line ends with ``"aggregate": {control: {"method", "label",
    "confidence"} or null}`` for every choice and rating control (null: the task has no answer to it);
    ``confidence`` is the posterior of the chosen label.
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
            details={"format": fmt} if aggregate is None else {"format": fmt, "aggregate": aggregate},
            created_at=at,
        )
    return _lines(db, project_id, aggregate)


def _line_in_parts(line: dict[str, Any]) -> bytes:
    """The same line, for ``data`` or ``meta`` as deep as an import allows (the serialiser's limit): the
    object around them would be one level too many for it."""
    parts = b",".join(b'"%s":%s' % (key.encode(), orjson.dumps(value)) for key, value in line.items())
    return b"{%s}\n" % parts


def _aggregate_column(
    method: str, aggregated: dict[str, ControlAggregate | None], task_ids: list[int]
) -> list[dict[str, Any]]:
    """The ``aggregate`` object of each of ``task_ids``, in order."""
    found = {
        name: fitted.lookup(task_ids) if fitted is not None else [None] * len(task_ids)
        for name, fitted in aggregated.items()
    }
    column: list[dict[str, Any]] = []
    for position in range(len(task_ids)):
        entry: dict[str, Any] = {}
        for name, hits in found.items():
            hit = hits[position]
            entry[name] = None if hit is None else {"method": method, "label": hit[0], "confidence": hit[1]}
        column.append(entry)
    return column


def _lines(db: Database, project_id: int, method: str | None = None) -> Iterator[bytes]:
    loads = orjson.loads
    dumps = orjson.dumps
    with db.snapshot() as session:
        aggregated = project_aggregates(session, project_id, method) if method is not None else None
        for batch in task_repo.export_batches(session, project_id, BATCH):
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
            # Parsed and written again, not pasted: every line is compact JSON whatever the storage. Each
            # line is appended and dropped at once (orjson's result buffers are larger than the lines).
            chunk = bytearray()
            extra = (
                _aggregate_column(method, aggregated, [task[0] for task in batch.tasks])
                if method is not None and aggregated is not None
                else None
            )
            for position, (task_id, data, meta) in enumerate(batch.tasks):
                line = {
                    "id": task_id,
                    "data": loads(data),
                    "meta": loads(meta),
                    "annotations": by_task.get(task_id, none),
                }
                if extra is not None:
                    line["aggregate"] = extra[position]
                try:
                    chunk += dumps(line, option=orjson.OPT_APPEND_NEWLINE)
                except orjson.JSONEncodeError:
                    chunk += _line_in_parts(line)
            yield bytes(chunk)
