"""Finalization of one task: is the aggregate its final label, or does an adjudicator decide?

Once a task holds its N annotations, the project's aggregation method proposes a label per control
(:func:`consenso.core.quality.aggregates`: majority vote over the task's answers, or a model such as
Dawid-Skene fitted on the whole project). For each control the task's **agreement** is the mean
similarity of its annotations to that proposal:

- ``choice`` and ``rating``: the share of annotations equal to it (2 of 3 agreeing: 0.67);
- ``multi_choice``: the mean Jaccard similarity of each annotation's label set to it (two empty sets: 1);
- ``spans``: the mean span F1 (exact offsets and label) of each annotation against the consensus spans;
- ``text``: not measured, and not part of an automatic final label (the annotations keep the texts).

The **confidence** of a control is the aggregate's posterior of its label (majority vote: the vote share;
Dawid-Skene: the posterior probability; spans: the mean support of the consensus spans, 1 for an agreed
"no span"). The task is **final** when every measured control reaches its agreement threshold and its
confidence reaches ``min_confidence``; otherwise it is **escalated** to adjudication, with the proposal as
the adjudicator's suggestion. A control answered once (overlap 1) cannot disagree: its agreement is None
and it passes. A task with no aggregated control (free text only) is always escalated: a person decides.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from consenso.core.agreement import span_f1
from consenso.core.qa.settings import QaSettings
from consenso.core.quality import (
    Aggregate,
    ControlAggregate,
    ControlAnswers,
    LabelSetAggregate,
    SpanAggregate,
    aggregatable,
    collect_answers,
)
from consenso.core.schema import LabelSchema, MultiChoiceControl, SpansControl


class Outcome(enum.StrEnum):
    FINAL = "final"
    ESCALATED = "escalated"


@dataclass(frozen=True, slots=True)
class ControlDecision:
    """One control of one task: the proposed value (as stored in a result), its confidence, the task's
    agreement with it (None: not measured), and whether both reach the project's thresholds."""

    value: Any
    confidence: float | None
    agreement: float | None
    answers: int
    passed: bool


@dataclass(frozen=True, slots=True)
class TaskDecision:
    outcome: Outcome
    method: str
    result: dict[str, Any]
    confidence: float | None
    controls: Mapping[str, ControlDecision]

    @property
    def agreement(self) -> dict[str, float | None]:
        return {name: c.agreement for name, c in self.controls.items()}


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = a | b
    return 1.0 if not union else len(a & b) / len(union)


def _proposal(fitted: Aggregate, task_id: int) -> tuple[Any, Any, float] | None:
    """(value as stored in a result, value as compared, confidence) of one task, or None."""
    if isinstance(fitted, LabelSetAggregate):
        hit = fitted.lookup([task_id])[0]
        return None if hit is None else (list(hit[0]), frozenset(hit[0]), float(hit[1]))
    if isinstance(fitted, SpanAggregate):
        spans = fitted.lookup([task_id])[0]
        if spans is None:
            return None
        stored = [{"start": s.start, "end": s.end, "label": s.label} for s in spans]
        support = sum(s.support for s in spans) / len(spans) if spans else 1.0
        return stored, [(s.start, s.end, s.label) for s in spans], float(support)
    if isinstance(fitted, ControlAggregate):
        label_hit = fitted.lookup([task_id])[0]
        return None if label_hit is None else (label_hit[0], label_hit[0], float(label_hit[1]))
    return None


def _agreement(fitted: Aggregate, compared: Any, values: list[Any]) -> float:
    if isinstance(fitted, LabelSetAggregate):
        return sum(_jaccard(frozenset(v), compared) for v in values) / len(values)
    if isinstance(fitted, SpanAggregate):
        return sum(span_f1([list(compared)], [list(v)]).f1 for v in values) / len(values)
    return sum(1 for v in values if v == compared) / len(values)


def decide_task(
    schema: LabelSchema,
    task_id: int,
    answers: Mapping[str, ControlAnswers],
    aggregated: Mapping[str, Aggregate | None],
    settings: QaSettings,
) -> TaskDecision:
    """Decide one task from its answers (``collect_answers`` over the task's annotations) and the
    aggregates of its project (``aggregates``: only this task's entry is read).

    Example:
        >>> from consenso.core.quality import aggregates, collect_answers
        >>> schema = LabelSchema.parse({"controls": [{"name": "s", "type": "choice", "field": "text",
        ...                                           "labels": [{"value": "yes"}, {"value": "no"}]}]})
        >>> rows = [(1, 7, {"s": "yes"}), (1, 8, {"s": "yes"}), (1, 9, {"s": "no"})]
        >>> answers = collect_answers(schema, rows)
        >>> d = decide_task(schema, 1, answers, aggregates(schema, answers, "majority_vote"), QaSettings())
        >>> d.outcome.value, d.result, round(d.controls["s"].agreement, 2)
        ('final', {'s': 'yes'}, 0.67)
        >>> strict = QaSettings(agreement_threshold=0.9)
        >>> decide_task(schema, 1, answers, aggregates(schema, answers, "majority_vote"), strict).outcome.value
        'escalated'
    """
    method = settings.method
    result: dict[str, Any] = {}
    controls: dict[str, ControlDecision] = {}
    confidences: list[float] = []
    for control in schema.controls:
        fitted = aggregated.get(control.name)
        if fitted is None:
            continue
        proposal = _proposal(fitted, task_id)
        if proposal is None:
            continue
        stored, compared, confidence = proposal
        column = answers.get(control.name, ControlAnswers())
        values = [v for item, v in zip(column.items, column.values, strict=True) if item == task_id]
        agreement = _agreement(fitted, compared, values) if len(values) >= 2 else None
        passed = (agreement is None or agreement >= settings.threshold(control.name) - 1e-12) and (
            confidence >= settings.min_confidence - 1e-12
        )
        controls[control.name] = ControlDecision(stored, confidence, agreement, len(values), passed)
        result[control.name] = stored
        confidences.append(confidence)
    final = bool(controls) and all(c.passed for c in controls.values())
    return TaskDecision(
        outcome=Outcome.FINAL if final else Outcome.ESCALATED,
        method=method,
        result=result,
        confidence=min(confidences) if confidences else None,
        controls=controls,
    )


def agreement_with_result(
    schema: LabelSchema, task_id: int, answers: Mapping[str, ControlAnswers], result: Mapping[str, Any]
) -> dict[str, float | None]:
    """Per control of ``result`` (a decided label, e.g. an adjudicator's), the mean similarity of the
    task's answers to it, with the same similarities as :func:`decide_task` (share equal for choice and
    rating, mean Jaccard for multi_choice, mean span F1 for spans). None: no annotation answered the
    control, or the decided value does not fit it; free text is not measured (left out).

    Example:
        >>> schema = LabelSchema.parse({"controls": [{"name": "s", "type": "choice", "field": "text",
        ...                                           "labels": [{"value": "yes"}, {"value": "no"}]}]})
        >>> rows = [(1, 7, {"s": "yes"}), (1, 8, {"s": "no"}), (1, 9, {"s": "no"})]
        >>> agreement_with_result(schema, 1, collect_answers(schema, rows), {"s": "yes"})
        {'s': 0.3333333333333333}
    """
    names = [c.name for c in schema.controls if aggregatable(c) and c.name in result]
    decided = collect_answers(schema, [(task_id, 0, dict(result))], only=names)
    out: dict[str, float | None] = {}
    for control in schema.controls:
        if control.name not in names:
            continue
        column = answers.get(control.name, ControlAnswers())
        values = [v for item, v in zip(column.items, column.values, strict=True) if item == task_id]
        if not values or not decided[control.name].values:
            out[control.name] = None
            continue
        want = decided[control.name].values[0]
        if isinstance(control, MultiChoiceControl):
            out[control.name] = sum(_jaccard(frozenset(v), frozenset(want)) for v in values) / len(values)
        elif isinstance(control, SpansControl):
            out[control.name] = sum(span_f1([list(want)], [list(v)]).f1 for v in values) / len(values)
        else:
            out[control.name] = sum(1 for v in values if v == want) / len(values)
    return out
