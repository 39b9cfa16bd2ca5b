"""Export: one task a line (JSONL) with its annotations, streamed in constant memory from one snapshot."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Final

import orjson

from consenso.core.errors import InvalidInput
from consenso.core.permissions import Action
from consenso.services.access import project_for
from consenso.services.clock import utcnow
from consenso.services.principal import Principal
from consenso.store.database import Database
from consenso.store.models import AuditEvent
from consenso.store.repositories import annotations as annotation_repo
from consenso.store.repositories import tasks as task_repo

FORMATS: Final = ("jsonl",)
BATCH: Final = 2000


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def export_project(
    db: Database, principal: Principal, project_id: int, fmt: str = "jsonl", *, now: datetime | None = None
) -> Iterator[bytes]:
    """Check access and record the export now; return an iterator of JSONL chunks to stream.

    Each line: ``{"id", "data", "meta", "annotations": [{"id", "annotator_id", "result", "lead_time_ms",
    "created_at"}]}``. Every task is exported, with or without annotations.
    """
    if fmt not in FORMATS:
        raise InvalidInput("unsupported_export_format", format=fmt, supported=", ".join(FORMATS))
    at = now or utcnow()
    with db.write() as session:
        project, _ = project_for(session, principal, project_id, Action.EXPORT)
        session.add(
            AuditEvent(
                workspace_id=project.workspace_id,
                actor_id=principal.user_id,
                action="project.export",
                object_type="project",
                object_id=str(project_id),
                details={"format": fmt},
                created_at=at,
            )
        )
    return _lines(db, project_id)


def _lines(db: Database, project_id: int) -> Iterator[bytes]:
    with db.snapshot() as session:
        after = 0
        while True:
            tasks = task_repo.export_batch(session, project_id, after, BATCH)
            if not tasks:
                return
            by_task: dict[int, list[dict[str, Any]]] = defaultdict(list)
            for a in annotation_repo.for_tasks(session, [t[0] for t in tasks]):
                by_task[a.task_id].append(
                    {
                        "id": a.id,
                        "annotator_id": a.annotator_id,
                        "result": a.result,
                        "lead_time_ms": a.lead_time_ms,
                        "created_at": _iso(a.created_at),
                    }
                )
            chunk = bytearray()
            for task_id, data, meta in tasks:
                chunk += orjson.dumps({"id": task_id, "data": data, "meta": meta, "annotations": by_task.get(task_id, [])})
                chunk += b"\n"
            yield bytes(chunk)
            after = tasks[-1][0]
