"""An annotator's progress (``GET /projects/{id}/progress``) and the activity dashboard (``.../dashboard``)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from consenso.api.schemas import Read
from consenso.api.schemas.qa import PauseRead


class ProgressRead(Read):
    project_id: int
    user_id: int = Field(description="The caller: every figure but the project totals is theirs")
    submitted: int = Field(description="Annotations you submitted in this project (undone ones excluded)")
    skipped: int = Field(description="Tasks you skipped")
    available: int = Field(
        description="Tasks `next` can still hand you now, the one you hold included; it falls as others "
        "take the last free slots (0 while you are paused)"
    )
    leased_task_id: int | None = Field(description="The task leased to you now, if any")
    tasks_total: int = Field(description="Tasks of the project (gold questions left out)")
    tasks_complete: int = Field(description="Tasks holding their `overlap` annotations")
    paused: bool = Field(
        description="You are paused from this project (your answers to its quality-check questions fell "
        "below its bar): nothing is served to you until a manager resumes you"
    )


class LeadTimeRead(Read):
    count: int = Field(description="Annotations that reported a lead time")
    median: float | None = Field(description="Median lead time in ms (null without any)")
    p90: float | None = Field(description="90th percentile in ms, linear interpolation between ranks")


class TaskCountsRead(Read):
    total: int = Field(description="Tasks of the project, gold tasks left out (they are not work to finish)")
    complete: int = Field(description="Holding their `overlap` annotations")
    in_progress: int = Field(description="Not complete, with an annotation or a lease")
    untouched: int = Field(description="No annotation and no lease")


class HourRead(Read):
    hour: datetime = Field(description="Start of the hour (UTC)")
    annotations: int = Field(description="Annotations submitted in that hour (and still standing)")


class AnnotatorActivityRead(Read):
    user_id: int
    email: str
    name: str
    annotations: int
    skips: int
    last_annotation_at: datetime | None
    lead_time_ms: LeadTimeRead


class DashboardRead(Read):
    project_id: int
    overlap: int
    generated_at: datetime = Field(description="The instant the figures were computed for")
    tasks: TaskCountsRead
    annotations: int = Field(description="Annotations of the project")
    skips: int = Field(description="Tasks skipped, over all annotators")
    lead_time_ms: LeadTimeRead = Field(description="Over every annotation of the project")
    throughput: list[HourRead] = Field(
        description="24 hourly buckets, oldest first, the last one the current (partial) hour; empty hours are 0"
    )
    annotators: list[AnnotatorActivityRead] = Field(
        description="Everyone who annotated or skipped a task here, the most annotations first (then user id)"
    )
    paused: list[PauseRead] = Field(
        description="Annotators paused from the project now (by gold accuracy), newest first; resume one "
        "with POST /projects/{id}/pauses/{user_id}/resume"
    )
