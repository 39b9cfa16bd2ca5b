from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from consenso.api.schemas import Read, Strict
from consenso.api.schemas.tasks import LeasedTaskRead


class AnnotationCreate(Strict):
    result: dict[str, Any] = Field(description='Keyed by control name, e.g. {"sentiment": "positive"}')
    lead_time_ms: int | None = Field(default=None, ge=0, le=7 * 24 * 3600 * 1000)
    origin: Literal["human", "prediction_accepted", "prediction_edited", "prediction_rejected"] = Field(
        default="human",
        description="What the annotator did with the task's model prediction: none shown (`human`), kept it "
        "(`prediction_accepted`), changed it (`prediction_edited`) or discarded it (`prediction_rejected`). "
        "Anything but `human` on a task without a prediction is 422 `no_prediction`",
    )


class AnnotationRead(Read):
    id: int
    task_id: int
    project_id: int
    annotator_id: int
    result: dict[str, Any]
    lead_time_ms: int | None
    origin: str
    schema_version_id: int
    guideline_version_id: int | None
    created_at: datetime


class ReviewSummaryRead(Read):
    verdict: Literal["accepted", "rejected", "fixed"] = Field(description="The newest review's verdict")
    comment: str = Field(description="The reviewer's comment (always given with a rejection)")
    fixed_result: dict[str, Any] | None = Field(description="The corrected answer, for the verdict `fixed`")
    reviewed_at: datetime


class AnnotationListItemRead(AnnotationRead):
    review: ReviewSummaryRead | None = Field(
        description="The annotation's current verdict (its newest review); null while nobody has reviewed it"
    )


class AnnotationPage(Read):
    items: list[AnnotationListItemRead]
    next_cursor: str | None


class WithdrawalRead(Read):
    annotation: AnnotationRead = Field(description="The annotation as it was before it was undone")
    task: LeasedTaskRead = Field(
        description="Its task, leased to you again: `next` hands it back until you answer it or the lease ends"
    )
