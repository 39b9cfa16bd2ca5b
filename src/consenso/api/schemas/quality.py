"""The quality report of a project (``GET /api/v1/projects/{id}/quality``)."""

from __future__ import annotations

from dataclasses import fields

from pydantic import Field

from consenso.api.schemas import Read
from consenso.core.messages import translate
from consenso.core.quality import Reason, reasons_in
from consenso.services.quality import ProjectQualityView

_REASON = (
    "Why `value` is null, a stable code; `reasons` at the top of the report explains each code present "
    "in the caller's language"
)


class FigureRead(Read):
    value: float | None = Field(description="The statistic; null when it is undefined on these answers")
    reason: Reason | None = Field(description=_REASON)


class LabelQualityRead(Read):
    label: str | int = Field(description="The label's value (an integer for a rating)")
    count: int = Field(description="How often it was given (spans: spans with this label)")
    fleiss_kappa: FigureRead | None = Field(
        description="choice, rating, multi_choice: Fleiss' kappa of 'this label or not'"
    )
    krippendorff_alpha: FigureRead | None = Field(
        description="choice, rating, multi_choice: Krippendorff's alpha (nominal) of 'this label or not'"
    )
    span_f1_exact: FigureRead | None = Field(description="spans: mean pairwise F1, exact match")
    span_f1_overlap: FigureRead | None = Field(description="spans: mean pairwise F1, overlap match")


class AnnotatorQualityRead(Read):
    annotator_id: int
    annotations: int = Field(description="Answers this annotator gave to the control")
    agreement_with_aggregate: FigureRead = Field(
        description="Share of their answers, on items answered at least twice, equal to the aggregated label"
    )
    skill: FigureRead = Field(description="The aggregation method's estimate of their reliability, in [0, 1]")


class AggregationRead(Read):
    method: str = Field(description="The method asked for (the report's `method`)")
    method_used: str = Field(
        description="The method that aggregated this control: `method` for choice and rating; for "
        "multi_choice `dawid_skene` when asked for, else `majority` (a vote per label); for spans `token_vote`"
    )
    method_reason: Reason | None = Field(
        description="`method_substituted` when `method_used` is not the method asked for (`majority` "
        "counts as `majority_vote`)"
    )
    items: int = Field(description="Items aggregated (every item with at least one answer)")
    spans: int | None = Field(description="spans: consensus spans produced; null for the other types")
    mean_confidence: float | None = Field(
        description="Mean over items of the confidence of the aggregated answer: the posterior of the chosen "
        "label (choice, rating) or of the chosen label set, the product over labels of max(p, 1 − p) "
        "(multi_choice); spans: the mean support (share of annotators) of the consensus spans"
    )
    mean_confidence_reason: Reason | None = Field(
        description="Why mean_confidence is null (spans: `no_spans` when the vote kept none)"
    )
    low_confidence_items: int = Field(
        description="Items whose confidence is below threshold (spans: with a consensus span whose support is)"
    )
    threshold: float


class ControlQualityRead(Read):
    name: str
    type: str
    level: str | None = Field(description="Level of measurement of the alpha: nominal or ordinal")
    skipped: Reason | None = Field(description="Set when the control has no agreement measure (free text)")
    items: int = Field(description="Items with at least one answer")
    items_compared: int = Field(description="Items with two or more answers: agreement is measured on them")
    annotations: int = Field(description="Answers to this control")
    ignored: int = Field(description="Stored answers that do not fit the current schema (left out)")
    percent_agreement: FigureRead | None = Field(
        description="Mean over items of the share of annotator pairs giving the same answer"
    )
    krippendorff_alpha: FigureRead | None = Field(description="choice (nominal) and rating (ordinal)")
    fleiss_kappa: FigureRead | None = Field(
        description="choice and rating, when every compared item has the same number of answers"
    )
    span_f1_exact: FigureRead | None = Field(description="spans: mean over items of mean pairwise F1, exact")
    span_f1_overlap: FigureRead | None = Field(description="spans: the same with overlap matching")
    labels: list[LabelQualityRead] = Field(description="Every label of the schema, in schema order")
    annotators_total: int = Field(description="Annotators who answered the control")
    annotators: list[AnnotatorQualityRead] = Field(
        description="The annotator_limit annotators with the most answers (ties: lowest id first)"
    )
    aggregation: AggregationRead | None
    aggregation_reason: Reason | None = Field(description="Why aggregation is null")


class QualityRead(Read):
    project_id: int
    schema_version: int = Field(description="The schema version the answers were read against")
    method: str = Field(description="The aggregation method used")
    methods: list[str] = Field(description="Every aggregation method `method` accepts")
    annotations: int = Field(description="Submitted annotations of the project")
    annotators: int = Field(description="Distinct annotators who submitted them")
    annotator_limit: int
    low_confidence_threshold: float
    controls: list[ControlQualityRead] = Field(description="One entry per control, in schema order")
    reasons: dict[str, str] = Field(
        description="Each reason code used in this report, explained in the caller's language"
    )

    @classmethod
    def of(cls, view: ProjectQualityView, lang: str) -> QualityRead:
        """The response for a report, with the reasons it uses explained in ``lang``."""
        data = {f.name: getattr(view, f.name) for f in fields(view)}
        data["reasons"] = {
            reason.value: translate(f"quality_reason_{reason.value}", lang)
            for reason in reasons_in(view.controls)
        }
        return cls.model_validate(data, from_attributes=True)
