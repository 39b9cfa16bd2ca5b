"""Annotator reliability (``GET /projects/{id}/reliability`` and ``GET /projects/{id}/reliability/me``).

The formulas are in ``consenso.core.qa.reliability``; the descriptions here say what each figure counts.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Literal

from pydantic import Field

from consenso.api.schemas import Read
from consenso.api.schemas.progress import LeadTimeRead
from consenso.core.messages import translate
from consenso.core.qa.reliability import REASONS
from consenso.services.reliability import AnnotatorReliabilityView, OwnReliabilityView, ProjectReliabilityView

ConfusionReason = Literal["no_answers", "too_many_labels"]


class GoldRead(Read):
    answers: int = Field(description="Scored answers to gold tasks (an unscored answer is not counted)")
    correct: int = Field(description="Answers whose gold score reaches the project's `gold_pass_score`")
    accuracy: float | None = Field(description="correct / answers; null without answers")
    low: float | None = Field(description="Lower bound of the 95 % Wilson interval of the accuracy")
    high: float | None = Field(description="Upper bound of the 95 % Wilson interval of the accuracy")
    mean_score: float | None = Field(description="Mean gold score, in [0, 1] (partial credit counts)")


class ControlAgreementRead(Read):
    control: str
    type: str
    compared: int = Field(description="Answers to this control on non-gold tasks with a final label")
    agreed: int = Field(
        description="Answers equal to the final value: choice and rating the same value, multi_choice the "
        "same set of labels, spans the same spans (exact start, end and label)"
    )
    rate: float | None = Field(description="agreed / compared; null when nothing was compared")
    low: float | None = Field(description="Lower bound of the 95 % Wilson interval")
    high: float | None = Field(description="Upper bound of the 95 % Wilson interval")
    kappa: float | None = Field(
        description="Cohen's kappa against the final labels (choice, rating, multi_choice); null for spans "
        "or where undefined"
    )
    mean_f1: float | None = Field(description="spans: mean exact span F1 against the final spans")


class FinalAgreementRead(Read):
    compared: int = Field(description="Answers compared, over every aggregated control")
    agreed: int
    rate: float | None = Field(description="Pooled over the controls: Σ agreed / Σ compared")
    low: float | None
    high: float | None
    controls: list[ControlAgreementRead] = Field(description="Every aggregated control, in schema order")


class ConfusionRead(Read):
    control: str
    type: str
    labels: list[str | int] = Field(description="The control's labels in schema order (ratings ascending)")
    answers: int = Field(description="The annotator's non-gold answers to this control behind the matrix")
    matrix: list[list[float]] | None = Field(
        description="Dawid-Skene confusion matrix, labels × labels: row k, column l is the probability that "
        "the annotator answers labels[l] when the true label is labels[k] (rows sum to 1); null with a reason"
    )
    reason: ConfusionReason | None = Field(
        description="Why `matrix` is null: `no_answers`, or `too_many_labels` (more than 30 labels)"
    )


class ThroughputRead(Read):
    per_active_hour: float | None = Field(
        description="Annotations per hour of active time, active time being the sum of the lead times "
        "(annotations without a lead time count in neither term)"
    )
    active_ms: int = Field(description="Sum of the lead times, in ms")
    timed_annotations: int = Field(description="Annotations that reported a lead time")
    per_day: float | None = Field(description="Annotations per calendar day (UTC) with at least one")
    days: int = Field(description="Calendar days (UTC) on which the annotator submitted an annotation")


class AnnotatorReliabilityRead(Read):
    user_id: int
    email: str
    name: str
    annotations: int = Field(description="Annotations in the project, gold tasks included")
    gold: GoldRead
    agreement_with_final: FinalAgreementRead = Field(
        description="Agreement with the current final labels of non-gold tasks"
    )
    confusion: list[ConfusionRead] = Field(description="One per choice and rating control, in schema order")
    throughput: ThroughputRead
    lead_time_ms: LeadTimeRead
    paused: bool = Field(description="Whether the annotator is paused from the project now")
    paused_at: datetime | None


def _reasons(annotators: list[AnnotatorReliabilityView], lang: str) -> dict[str, str]:
    used = {m.reason for a in annotators for m in a.confusion or () if m.reason is not None}
    return {code: translate(f"reliability_reason_{code}", lang) for code in REASONS if code in used}


class ProjectReliabilityRead(Read):
    project_id: int
    schema_version: int = Field(description="The schema version the answers were read against")
    gold_pass_score: float = Field(description="The gold score an answer needs to count as correct")
    confidence: float = Field(description="Coverage of every interval")
    annotators: list[AnnotatorReliabilityRead] = Field(
        description="Everyone with an annotation in the project, the most annotations first (then user id)"
    )
    reasons: dict[str, str] = Field(description="Each reason code used, explained in the caller's language")

    @classmethod
    def of(cls, view: ProjectReliabilityView, lang: str) -> ProjectReliabilityRead:
        data = {f.name: getattr(view, f.name) for f in fields(view)}
        data["reasons"] = _reasons(list(view.annotators), lang)
        return cls.model_validate(data, from_attributes=True)


class OwnReliabilityRead(Read):
    project_id: int
    schema_version: int
    gold_pass_score: float
    confidence: float
    block: int = Field(
        description="Your gold, final-label and confusion figures advance by whole blocks of this many of "
        "your annotations"
    )
    covered_annotations: int = Field(
        description="How many of your annotations (the first ones) those figures cover; `annotations`, "
        "throughput and lead times count all of them"
    )
    annotator: AnnotatorReliabilityRead = Field(description="Your own figures")
    reasons: dict[str, str] = Field(description="Each reason code used, explained in the caller's language")

    @classmethod
    def of(cls, view: OwnReliabilityView, lang: str) -> OwnReliabilityRead:
        data = {f.name: getattr(view, f.name) for f in fields(view)}
        data["reasons"] = _reasons([view.annotator], lang)
        return cls.model_validate(data, from_attributes=True)
