"""Reviews of annotations, the review queue and one task's annotations side by side."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from consenso.api.schemas import Read, Strict
from consenso.api.schemas.tasks import PredictionRead

VerdictName = Literal["accepted", "rejected", "fixed"]


class ReviewCreate(Strict):
    verdict: VerdictName = Field(
        description="`accepted`: the answer is right; `rejected`: it is wrong (say why in `comment`); "
        "`fixed`: it is wrong and `fixed_result` is the right one"
    )
    comment: str = Field(
        default="",
        description="Feedback for the annotator, at most 2,000 characters (surrounding blanks are cut); "
        "required with `rejected` (422 `review_comment_required`), optional otherwise",
    )
    fixed_result: dict[str, Any] | None = Field(
        default=None,
        description="Only with `fixed`, and required with it: the corrected answer, keyed by control name "
        "like an annotation result and checked against the project's label schema the same way (422 "
        "`result_invalid`); it must differ from the annotation's answer (422 `review_fix_unchanged`)",
    )


class ReviewRead(Read):
    id: int
    annotation_id: int
    task_id: int
    project_id: int
    reviewer_id: int
    reviewer_name: str
    verdict: VerdictName
    comment: str
    fixed_result: dict[str, Any] | None = Field(description="The corrected answer (verdict `fixed` only)")
    schema_version_id: int = Field(description="The label schema version the verdict was given under")
    guideline_version_id: int | None
    created_at: datetime


class ReviewedAnnotationRead(Read):
    id: int
    annotator_id: int
    annotator_name: str
    result: dict[str, Any]
    lead_time_ms: int | None
    origin: str
    schema_version_id: int
    guideline_version_id: int | None
    created_at: datetime
    verdict: VerdictName | None = Field(
        description="The current verdict: that of the newest review; null while nobody has reviewed it"
    )
    reviews: list[ReviewRead] = Field(description="Every review of this annotation, oldest first")


class TaskReviewRead(Read):
    id: int
    project_id: int
    data: dict[str, Any]
    meta: dict[str, Any]
    overlap: int = Field(description="Annotations the task needs to be complete")
    annotation_count: int
    created_at: datetime
    prediction: PredictionRead | None = Field(description="The task's model pre-label, if it has one")
    annotations: list[ReviewedAnnotationRead] = Field(description="Every annotation, in submission order")


class VerdictCountsRead(Read):
    accepted: int
    rejected: int
    fixed: int


class ReviewQueueItemRead(Read):
    task_id: int
    preview: str = Field(
        description="The task's text: its first field shown by a control (else its first string value), "
        'cut to 200 characters ending in "…"'
    )
    annotation_count: int
    overlap: int
    reviewed_count: int = Field(description="Annotations of the task with at least one review")
    verdicts: VerdictCountsRead = Field(description="Annotations holding each current verdict")


class ReviewQueuePage(Read):
    items: list[ReviewQueueItemRead]
    next_cursor: str | None
