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
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Final

import orjson

from consenso.core.errors import InvalidInput
from consenso.core.permissions import Action
from consenso.core.quality import Aggregate, LabelSetAggregate, SpanAggregate, check_method
from consenso.services.access import project_for
from consenso.services.clock import utcnow
from consenso.services.principal import Principal
from consenso.services.quality import project_aggregates
from consenso.store.database import Database
from consenso.store.repositories import adjudications as adjudication_repo
from consenso.store.repositories import audit as audit_repo
from consenso.store.repositories import tasks as task_repo
from consenso.store.repositories.adjudications import AdjudicationRow

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
    include_gold: bool = False,
    now: datetime | None = None,
) -> Iterator[bytes]:
    """Check access and record the export now; return an iterator of JSONL chunks to stream.

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
    return _lines(db, project_id, aggregate, include_gold=include_gold)


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


def _lines(
    db: Database, project_id: int, method: str | None = None, *, include_gold: bool = False
) -> Iterator[bytes]:
    loads = orjson.loads
    dumps = orjson.dumps
    with db.snapshot() as session:
        aggregated = project_aggregates(session, project_id, method) if method is not None else None
        for batch in task_repo.export_batches(session, project_id, BATCH, include_gold=include_gold):
            finals = (
                adjudication_repo.final_labels(session, batch.after, batch.tasks[-1][0])
                if batch.tasks
                else {}
            )
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
                _aggregate_column(aggregated, [task[0] for task in batch.tasks])
                if aggregated is not None
                else None
            )
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
                try:
                    chunk += dumps(line, option=orjson.OPT_APPEND_NEWLINE)
                except orjson.JSONEncodeError:
                    chunk += _line_in_parts(line)
            yield bytes(chunk)
