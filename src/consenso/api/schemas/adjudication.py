"""Finalization, the adjudication queue, one task's adjudication view, decisions, reopening and history."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from consenso.api.schemas import Read, Strict
from consenso.api.schemas.reliability import FinalAgreementRead, GoldRead
from consenso.core.messages import translate
from consenso.services.adjudication import AnnotatorRef, TaskAdjudicationView

QaStatus = Literal["pending", "final", "escalated"]
_REASONING = (
    "Why (required: 422 `{missing}` when empty), at most 4,000 characters (422 "
    "`adjudication_reasoning_too_long`); surrounding blanks are cut"
)


class FinalizeCreate(Strict):
    redecide: bool = Field(
        default=False,
        description="Also decide again every task whose current state came from an automatic decision (a "
        "final label or an escalation nobody has acted on since), writing a new history row only when the "
        "outcome or the result changes",
    )


class FinalizeRead(Read):
    project_id: int
    method: str = Field(description="The project's aggregation method, fitted once over the project")
    decided: int = Field(description="Complete pending tasks decided now")
    final: int = Field(description="Decisions written now (decided + changed) that are final labels")
    escalated: int = Field(description="Decisions written now (decided + changed) that are escalations")
    changed: int = Field(description="Re-decided tasks whose outcome or result changed (a new history row)")
    unchanged: int = Field(description="Re-decided tasks left as they were")


class PersonRead(Read):
    id: int
    name: str
    email: str


class AdjudicationRead(Read):
    """One row of a task's finalization history."""

    id: int
    task_id: int
    project_id: int
    method: str = Field(
        description="An aggregation method (`majority_vote`, `dawid_skene`, ...: an automatic final label), "
        "`escalated` (sent to adjudication; `result` is the suggestion), `adjudicated` (a person decided) or "
        "`reopened` (a final label was reopened; `result` is empty)"
    )
    aggregation: str | None = Field(
        description="The aggregation method behind an automatic row's result; null on a person's row"
    )
    result: dict[str, Any]
    confidence: float | None = Field(
        description="An automatic row's confidence: the lowest posterior of its controls' labels"
    )
    agreement: dict[str, float | None] = Field(
        description="Per control, the mean agreement of the task's annotations with `result` (share equal "
        "for choice and rating, mean Jaccard for multi_choice, mean span F1 for spans; null: not measured)"
    )
    reasoning: str
    decided_by: PersonRead | None = Field(description="Who decided or reopened; null when automatic")
    created_at: datetime


class SuggestionRead(Read):
    result: dict[str, Any] = Field(description="The aggregate's proposed label per control")
    method: str = Field(description="The aggregation method that proposed it")
    confidence: float | None
    agreement: dict[str, float | None] = Field(
        description="Per control, the agreement of the annotations with the proposal"
    )


class AdjudicationQueueItemRead(Read):
    task_id: int
    data: dict[str, Any]
    annotation_count: int
    overlap: int
    suggestion: SuggestionRead | None = Field(
        description="The newest automatic proposal (the escalation's, or the reopened automatic label's)"
    )
    agreement: dict[str, float | None] = Field(description="The suggestion's agreement per control")
    escalated_at: datetime | None = Field(
        description="When the task entered the queue (escalation or reopening)"
    )
    reopened: bool = Field(description="The task is in the queue because someone reopened its final label")
    annotated_by_you: bool = Field(
        description="You annotated it: someone else must decide it (403 `adjudication_own_task`)"
    )


class AdjudicationQueuePage(Read):
    items: list[AdjudicationQueueItemRead]
    next_cursor: str | None


class AnnotatorRefRead(Read):
    label: str = Field(
        description='A pseudonym, stable on this task: "Annotator 1", "Annotator 2"… in submission order, in '
        "the caller's language"
    )
    id: int | None = Field(description="The annotator's user id; null unless the project shows names")
    name: str | None = Field(description="Null unless the project's `show_annotator_names` is true")
    email: str | None = Field(description="Null unless the project's `show_annotator_names` is true")

    @classmethod
    def of(cls, ref: AnnotatorRef, lang: str) -> AnnotatorRefRead:
        label = translate("adjudication_annotator_label", lang, number=ref.number)
        return cls(label=label, id=ref.id, name=ref.name, email=ref.email)


class AdjudicatedAnnotationRead(Read):
    id: int
    annotator: AnnotatorRefRead
    result: dict[str, Any]
    lead_time_ms: int | None
    origin: str
    created_at: datetime


class AnnotatorReliabilityBriefRead(Read):
    annotator: AnnotatorRefRead = Field(description="The same pseudonym (and identity) as on the annotations")
    annotations: int = Field(description="Their annotations in the project, gold tasks included")
    gold: GoldRead
    agreement_with_final: FinalAgreementRead = Field(
        description="Their agreement with the current final labels of the project's other tasks"
    )
    paused: bool


class TaskAdjudicationRead(Read):
    id: int
    project_id: int
    data: dict[str, Any]
    meta: dict[str, Any]
    overlap: int
    annotation_count: int
    created_at: datetime
    qa_status: QaStatus = Field(
        description="`pending` (not complete or not decided yet), `final` or `escalated` (in the queue)"
    )
    show_annotator_names: bool = Field(description="Whether this project shows who gave each answer")
    annotations: list[AdjudicatedAnnotationRead] = Field(description="Every annotation, in submission order")
    suggestion: SuggestionRead | None
    final: AdjudicationRead | None = Field(description="The current final label (`qa_status` final only)")
    reliability: list[AnnotatorReliabilityBriefRead] = Field(
        description="Each annotator of the task, in the order of `annotations`"
    )
    history: list[AdjudicationRead] = Field(description="Every finalization event of the task, oldest first")

    @classmethod
    def of(cls, view: TaskAdjudicationView, lang: str) -> TaskAdjudicationRead:
        return cls(
            id=view.id,
            project_id=view.project_id,
            data=view.data,
            meta=view.meta,
            overlap=view.overlap,
            annotation_count=view.annotation_count,
            created_at=view.created_at,
            qa_status=view.qa_status,
            show_annotator_names=view.show_annotator_names,
            annotations=[
                AdjudicatedAnnotationRead(
                    id=a.id,
                    annotator=AnnotatorRefRead.of(a.annotator, lang),
                    result=a.result,
                    lead_time_ms=a.lead_time_ms,
                    origin=a.origin,
                    created_at=a.created_at,
                )
                for a in view.annotations
            ],
            suggestion=SuggestionRead.model_validate(view.suggestion) if view.suggestion else None,
            final=AdjudicationRead.model_validate(view.final) if view.final else None,
            reliability=[
                AnnotatorReliabilityBriefRead(
                    annotator=AnnotatorRefRead.of(r.annotator, lang),
                    annotations=r.annotations,
                    gold=GoldRead.model_validate(r.gold),
                    agreement_with_final=FinalAgreementRead.model_validate(r.agreement_with_final),
                    paused=r.paused,
                )
                for r in view.reliability
            ],
            history=[AdjudicationRead.model_validate(h) for h in view.history],
        )


class AdjudicationCreate(Strict):
    result: dict[str, Any] = Field(
        description="The final label, keyed by control name like an annotation result and checked against the "
        "project's label schema the same way (422 `result_invalid`)"
    )
    reasoning: str = Field(description=_REASONING.format(missing="adjudication_reasoning_required"))


class ReopenCreate(Strict):
    reasoning: str = Field(description=_REASONING.format(missing="reopen_reasoning_required"))
