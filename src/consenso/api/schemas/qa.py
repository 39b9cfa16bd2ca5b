"""The QA workflow's request and response models: project QA settings, gold tasks, annotator pauses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from consenso.api.schemas import Read, Strict

QA_SETTINGS_INPUT = (
    "QA settings to change (the fields given change; the others keep their values): `method` (an "
    "aggregation method: majority_vote, weighted_majority_vote, dawid_skene, mace), `agreement_threshold`, "
    "`control_thresholds` ({control: threshold}), `min_confidence`, `min_gold_accuracy` and "
    "`gold_pass_score` (each in [0, 1]), `gold_rate` (in [0, 0.5]), `min_gold_answers` (1-1000), "
    "`rating_tolerance` (0-1000), `show_annotator_names` (boolean), `min_language_level` (A1, A2, B1, B2, "
    "C1, C2 or native). A bad value is 422 `qa_setting_invalid` naming the field; an unknown one 422 "
    "`qa_setting_unknown`; an unknown method 422 `unknown_aggregation_method`."
)


class QaSettingsRead(Read):
    """The QA settings in force (every field, defaults included)."""

    method: str = Field(description="The aggregation method proposing a task's final label")
    agreement_threshold: float = Field(
        description="A task is final when, per control, the share of its annotations agreeing with the "
        "aggregate reaches this"
    )
    control_thresholds: dict[str, float] = Field(description="Per-control thresholds overriding the above")
    min_confidence: float = Field(
        description="...and the aggregate's confidence of every control reaches this"
    )
    gold_rate: float = Field(description="The share of an annotator's tasks that are gold questions")
    min_gold_accuracy: float = Field(
        description="An annotator is paused when the upper end of the 95 % Wilson interval of their gold "
        "accuracy falls below this"
    )
    min_gold_answers: int = Field(description="...once they answered at least this many gold questions")
    gold_pass_score: float = Field(description="A gold answer is correct when its score reaches this")
    rating_tolerance: int = Field(description="A rating within this of the expected one scores 1")
    show_annotator_names: bool = Field(description="Whether adjudicators see who gave each answer")
    min_language_level: str = Field(
        description="The level a member needs in a task's language to be served it"
    )


class GoldSet(Strict):
    result: dict[str, Any] = Field(
        description="The expected result, keyed by control name like an annotation's result"
    )


class GoldTaskRead(Read):
    id: int = Field(description="The task's id")
    project_id: int
    data: dict[str, Any]
    meta: dict[str, Any]
    result: dict[str, Any] = Field(description="The expected result")
    answers: int = Field(description="Annotations of the task")
    scored: int = Field(description="Answers with a score (a task without a scorable control has none)")
    correct: int = Field(description="Scored answers reaching the project's `gold_pass_score`")
    mean_score: float | None = Field(description="Mean score of the scored answers (null without any)")
    created_at: datetime


class GoldTaskPage(Read):
    items: list[GoldTaskRead]
    next_cursor: str | None


class GoldUnsetRead(Read):
    id: int = Field(description="The task's id")
    project_id: int
    overlap: int = Field(description="Its overlap now: the project's, or the slots it holds if more")
    annotation_count: int = Field(description="The answers it keeps, now as ordinary annotations")


class PauseRead(Read):
    id: int
    project_id: int
    user_id: int = Field(description="The paused annotator")
    email: str
    name: str
    reason: str = Field(description="`gold_accuracy`: their gold answers fell below the project's bar")
    gold_answers: int = Field(description="Scored gold answers behind the pause")
    gold_accuracy: float | None = Field(description="Share of them that were correct")
    gold_upper_bound: float | None = Field(
        description="Upper end of the 95 % Wilson interval of that accuracy (below `min_gold_accuracy`)"
    )
    paused_at: datetime
    resumed_at: datetime | None = Field(description="Null while the pause lasts")
    resumed_by: int | None = Field(description="Who resumed the annotator")
    resumed_by_name: str | None
    live: bool = Field(description="The pause lasts (not resumed)")


class PausePage(Read):
    items: list[PauseRead]
    next_cursor: str | None
