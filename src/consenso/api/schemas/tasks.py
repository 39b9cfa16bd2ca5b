from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from consenso.api.schemas import Read


class ImportRead(Read):
    received: int = Field(description="Records read from the body")
    created: int = Field(description="New tasks stored")
    duplicates: int = Field(
        description="Exact duplicates skipped (same data already in the project or the body)"
    )
    task_count: int = Field(description="Tasks in the project after the import")


class TaskRead(Read):
    id: int
    project_id: int
    data: dict[str, Any]
    meta: dict[str, Any]
    annotation_count: int
    created_at: datetime


class TaskPage(Read):
    items: list[TaskRead]
    next_cursor: str | None


class LeasedTaskRead(Read):
    id: int
    project_id: int
    data: dict[str, Any]
    meta: dict[str, Any]
    lease_expires_at: datetime


class SkipRead(Read):
    task_id: int
    state: str
