from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from consenso.api.schemas import Read, Strict
from consenso.api.schemas.routing import RequirementsRead
from consenso.core.netguard import MAX_URL_LENGTH


class ImportRead(Read):
    received: int = Field(description="Records read from the body")
    created: int = Field(description="New tasks stored")
    duplicates: int = Field(
        description="Exact duplicates skipped (same data already in the project or the body)"
    )
    task_count: int = Field(description="Tasks in the project after the import")


class ImportUrlCreate(Strict):
    url: str = Field(
        min_length=1,
        max_length=MAX_URL_LENGTH,
        description="An http or https URL; its host must resolve to public addresses unless an administrator "
        "allow-listed it (CONSENSO_OUTBOUND_ALLOW_HOSTS)",
    )
    format: Literal["json", "jsonl", "csv"] | None = Field(
        default=None, description="The body's format; default: from the answer's Content-Type"
    )


class TaskRead(Read):
    id: int
    project_id: int
    data: dict[str, Any]
    meta: dict[str, Any]
    annotation_count: int
    created_at: datetime
    requirements: RequirementsRead | None = Field(
        default=None,
        description="The task's routing requirements (all null: open to everyone); null for annotators",
    )


class TaskPage(Read):
    items: list[TaskRead]
    next_cursor: str | None


class PredictionRead(Read):
    result: dict[str, Any] = Field(description="The model's answer, keyed by control name like a result")
    score: float | None = Field(description="The model's confidence in [0, 1], when it gave one")
    model: str = Field(description="The model's name (and version) as imported")


class LeasedTaskRead(Read):
    id: int
    project_id: int
    data: dict[str, Any]
    meta: dict[str, Any]
    lease_expires_at: datetime
    prediction: PredictionRead | None = Field(
        description="The task's model pre-label, imported with it; null when it has none. Submit with "
        "`origin` prediction_accepted, prediction_edited or prediction_rejected to record what you did with it"
    )


class SkipRead(Read):
    task_id: int
    state: str
