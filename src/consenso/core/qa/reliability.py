"""Annotator reliability: gold accuracy, agreement with final labels, a Dawid-Skene confusion matrix,
throughput and lead times, one annotator at a time (pure functions; the service reads the rows).

Every figure is recomputable from stored rows with the formula given here:

- **gold** (:func:`gold_figures`): over the annotator's *scored* answers to gold tasks
  (``Annotation.gold_score`` set; an unscored answer is not counted), ``correct`` = answers whose score
  reaches the project's ``gold_pass_score`` (``score ≥ gold_pass_score``, to 1e-12), ``accuracy`` =
  correct / answers with its 95 % Wilson interval (:func:`consenso.core.agreement.gold_accuracy`), and
  ``mean_score`` the mean of the scores (partial credit: a span F1 of 0.5 counts 0.5).
- **agreement with final labels** (:func:`final_agreement`): over the annotator's answers to non-gold tasks
  whose current final label exists, per aggregated control, the share of answers equal to the final value
  (:func:`consenso.core.agreement.agreement_with_final`, with its Wilson interval and Cohen's kappa):
  ``choice`` and ``rating`` the same value, ``multi_choice`` the same *set* of labels, ``spans`` the same
  set of spans (exact start, end and label: span F1 = 1, two empty answers agree); for spans
  ``mean_f1`` also gives the mean exact span F1 (:func:`consenso.core.agreement.span_f1`) as partial credit.
  Kappa is reported for choice, rating and multi_choice (label sets as nominal categories), not for spans.
  The overall figure pools the controls: Σ agreed / Σ compared, with its Wilson interval. The final label
  usually counts the annotator's own answer, so the figure is biased upward (see ``agreement_with_final``).
- **confusion** (:func:`confusion_matrices`): per categorical control (choice, rating), one Dawid-Skene fit
  (:class:`consenso.core.aggregation.DawidSkene`, default hyperparameters) over the given answers; an
  annotator's matrix is their ``errors_[a]``, ``[true, observed]``: row ``k`` is P(they answer ``l`` | the
  true label is ``k``), rows sum to 1. Labels are in schema order (ratings ascending) and every label of the
  schema has its row and column (the fit runs on codes with ``n_labels = K``): a true label no item is
  estimated to carry keeps the prior's row. A control of more than :data:`MAX_CONFUSION_LABELS` labels gets
  no matrix (reason ``too_many_labels``): K² figures per annotator would swamp the response.
- **throughput** (:func:`throughput`): ``per_active_hour`` = timed annotations / active hours, where the
  *active time is the sum of their lead times* (``lead_time_ms``; annotations without one count in neither
  term); ``per_day`` = annotations / calendar days (UTC) on which they submitted at least one.
- **lead time** (:func:`lead_times`): median and 90th percentile of ``lead_time_ms``, linear interpolation
  between ranks (:func:`consenso.core.progress.percentile`, as the dashboard).

**What an annotator sees of themself.** Annotators are blind: they must not tell a gold task from another,
nor learn others' answers to a task. A gold count that moved right after a submission would do both, so an
annotator's own report covers their annotations in whole blocks only (:func:`report_block`,
:func:`covered_annotations`): with ``B = max(10, ⌈1 / gold_rate⌉)``, the figures about gold, final labels and
the confusion matrix count their first ``⌊n / B⌋·B`` annotations (in submission order), so they change once
per B answers, when a block holds about one gold question at an unknown place.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import numpy as np
import pandas as pd

from consenso.core.aggregation import DawidSkene
from consenso.core.agreement import agreement_with_final, gold_accuracy, span_f1, wilson_interval
from consenso.core.progress import MEDIAN, P90, percentile
from consenso.core.quality import aggregatable, categories, collect_answers
from consenso.core.schema import Control, LabelSchema, SpansControl

#: Coverage of every interval of the report.
CONFIDENCE: Final = 0.95
#: Controls with more labels than this get no confusion matrix (``too_many_labels``).
MAX_CONFUSION_LABELS: Final = 30
#: The smallest block of annotations an annotator's own report advances by.
MIN_REPORT_BLOCK: Final = 10
#: Why a confusion matrix is missing.
NO_ANSWERS: Final = "no_answers"
TOO_MANY_LABELS: Final = "too_many_labels"
#: Every reason code a report may hold.
REASONS: Final = (NO_ANSWERS, TOO_MANY_LABELS)

_EPS = 1e-12
_MS_PER_HOUR = 3_600_000


def _number(value: Any) -> float | None:
    """A float, None for NaN (JSON has no NaN)."""
    number = float(value)
    return None if math.isnan(number) else number


@dataclass(frozen=True, slots=True)
class GoldFigures:
    """Scored gold answers, how many reached the pass score, the accuracy with its Wilson interval and the
    mean score (None without any answer)."""

    answers: int
    correct: int
    accuracy: float | None
    low: float | None
    high: float | None
    mean_score: float | None


NO_GOLD: Final = GoldFigures(0, 0, None, None, None, None)


@dataclass(frozen=True, slots=True)
class ControlAgreement:
    """Agreement with the final labels on one control (see the module docstring)."""

    control: str
    type: str
    compared: int
    agreed: int
    rate: float | None
    low: float | None
    high: float | None
    kappa: float | None
    mean_f1: float | None


@dataclass(frozen=True, slots=True)
class FinalAgreement:
    """Pooled over the controls (Σ agreed / Σ compared, Wilson interval), then per control in schema order."""

    compared: int
    agreed: int
    rate: float | None
    low: float | None
    high: float | None
    controls: tuple[ControlAgreement, ...]


@dataclass(frozen=True, slots=True)
class ConfusionMatrix:
    """An annotator's Dawid-Skene confusion matrix on one control: ``matrix[k][l]`` = P(answers
    ``labels[l]`` | true label ``labels[k]``); ``answers`` behind it; None with a ``reason`` when missing."""

    control: str
    type: str
    labels: tuple[Any, ...]
    answers: int
    matrix: tuple[tuple[float, ...], ...] | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class Throughput:
    """Annotations per hour of active time (the sum of lead times) and per calendar day worked."""

    per_active_hour: float | None
    active_ms: int
    timed_annotations: int
    per_day: float | None
    days: int


@dataclass(frozen=True, slots=True)
class LeadTimes:
    count: int
    median: float | None
    p90: float | None


def _share(agreed: int, compared: int) -> tuple[float | None, float | None, float | None]:
    if compared == 0:
        return None, None, None
    low, high = wilson_interval(agreed, compared, CONFIDENCE)
    return agreed / compared, low, high


def gold_figures(rows: Iterable[tuple[int, int, float]], *, pass_score: float) -> dict[int, GoldFigures]:
    """Per annotator, the gold figures of their scored gold answers ``(task id, annotator id, score)``.

    Example:
        >>> rows = [(1, 7, 1.0), (2, 7, 1.0), (3, 7, 0.5), (1, 8, 0.0)]
        >>> figures = gold_figures(rows, pass_score=0.8)
        >>> g = figures[7]
        >>> g.answers, g.correct, round(g.accuracy, 4), round(g.low, 4), round(g.high, 4), round(g.mean_score, 4)
        (3, 2, 0.6667, 0.2077, 0.9385, 0.8333)
        >>> figures[8].correct, figures[8].high is not None
        (0, True)
    """
    frame = pd.DataFrame(list(rows), columns=["item", "annotator", "score"])
    if frame.empty:
        return {}
    passed = frame["score"] >= pass_score - _EPS
    data = pd.DataFrame({"item": frame["item"], "annotator": frame["annotator"], "label": passed})
    # the "label" is whether the answer passed; the gold "label" of every gold task is True
    table = gold_accuracy(data, dict.fromkeys(frame["item"].unique().tolist(), True), confidence=CONFIDENCE)
    means = frame.groupby("annotator", sort=False)["score"].mean().to_dict()
    out: dict[int, GoldFigures] = {}
    for annotator, row in zip(table.index.tolist(), table.to_dict("records"), strict=True):
        out[int(annotator)] = GoldFigures(
            answers=int(row["answered"]),
            correct=int(row["correct"]),
            accuracy=_number(row["accuracy"]),
            low=_number(row["low"]),
            high=_number(row["high"]),
            mean_score=float(means[annotator]),
        )
    return out


def _key(value: Any) -> Any:
    """A value as compared with the final one: a label set as a set, spans as a sorted tuple."""
    if isinstance(value, frozenset):
        return value
    if isinstance(value, tuple):
        return tuple(sorted(value))
    return value


def _no_agreement(control: Control) -> ControlAgreement:
    return ControlAgreement(control.name, control.type_name, 0, 0, None, None, None, None, None)


def _control_agreement(
    control: Control, answers: list[tuple[int, int, Any]], finals: dict[int, Any]
) -> dict[int, ControlAgreement]:
    """Per annotator, agreement on one control: ``answers`` are (task, annotator, value) with a final value."""
    codes: dict[Hashable, int] = {}
    rows = [(task, who, codes.setdefault(_key(value), len(codes))) for task, who, value in answers]
    final_codes: dict[Hashable, Hashable] = {
        task: codes.setdefault(_key(value), len(codes)) for task, value in finals.items()
    }
    table = agreement_with_final(
        pd.DataFrame(rows, columns=["item", "annotator", "label"]), final_codes, confidence=CONFIDENCE
    )
    spans = isinstance(control, SpansControl)
    f1: dict[int, list[float]] = {}
    if spans:
        for task, who, value in answers:
            f1.setdefault(who, []).append(span_f1([list(finals[task])], [list(value)]).f1)
    out: dict[int, ControlAgreement] = {}
    for annotator, row in zip(table.index.tolist(), table.to_dict("records"), strict=True):
        who = int(annotator)
        scores = f1.get(who)
        out[who] = ControlAgreement(
            control=control.name,
            type=control.type_name,
            compared=int(row["compared"]),
            agreed=int(row["agreed"]),
            rate=_number(row["agreement"]),
            low=_number(row["low"]),
            high=_number(row["high"]),
            kappa=None if spans else _number(row["kappa"]),
            mean_f1=sum(scores) / len(scores) if scores else None,
        )
    return out


def no_final_agreement(schema: LabelSchema) -> FinalAgreement:
    """The figures of an annotator without any answer to a task with a final label."""
    controls = tuple(_no_agreement(c) for c in schema.controls if aggregatable(c))
    return FinalAgreement(0, 0, None, None, None, controls)


def final_agreement(
    schema: LabelSchema, rows: Iterable[tuple[int, int, Any, Any]]
) -> dict[int, FinalAgreement]:
    """Per annotator, agreement of their answers with the final labels; ``rows`` are ``(task id, annotator id,
    their result, the task's final result)``, results as stored, read against ``schema``.

    Example:
        >>> schema = LabelSchema.parse({"controls": [
        ...     {"name": "s", "type": "choice", "field": "text", "labels": [{"value": "yes"}, {"value": "no"}]},
        ...     {"name": "e", "type": "spans", "field": "text", "labels": [{"value": "PER"}]}]})
        >>> per, org = {"start": 0, "end": 3, "label": "PER"}, {"start": 4, "end": 6, "label": "PER"}
        >>> final = {"s": "yes", "e": [per]}
        >>> rows = [(1, 7, {"s": "yes", "e": [per]}, final), (2, 7, {"s": "no", "e": [per, org]}, {"s": "yes", "e": [per]})]
        >>> a = final_agreement(schema, rows)[7]
        >>> a.compared, a.agreed, a.rate
        (4, 2, 0.5)
        >>> [(c.control, c.agreed, c.compared, c.mean_f1 and round(c.mean_f1, 4)) for c in a.controls]
        [('s', 1, 2, None), ('e', 1, 2, 0.8333)]
    """
    rows = list(rows)
    wanted = [c for c in schema.controls if aggregatable(c)]
    names = [c.name for c in wanted]
    given = collect_answers(schema, [(task, who, result) for task, who, result, _ in rows], only=names)
    finals_by_task = {task: final for task, _, _, final in rows}
    final_values = collect_answers(
        schema, [(task, 0, final) for task, final in finals_by_task.items()], only=names
    )
    per_control: dict[str, dict[int, ControlAgreement]] = {}
    for control in wanted:
        column = final_values[control.name]
        finals = dict(zip(column.items, column.values, strict=True))
        answered = given[control.name]
        answers = [
            (task, who, value)
            for task, who, value in zip(answered.items, answered.annotators, answered.values, strict=True)
            if task in finals
        ]
        per_control[control.name] = _control_agreement(control, answers, finals) if answers else {}
    out: dict[int, FinalAgreement] = {}
    for who in dict.fromkeys(who for _, who, _, _ in rows):
        controls = tuple(per_control[c.name].get(who) or _no_agreement(c) for c in wanted)
        compared = sum(c.compared for c in controls)
        agreed = sum(c.agreed for c in controls)
        out[who] = FinalAgreement(compared, agreed, *_share(agreed, compared), controls=controls)
    return out


def confusion_controls(schema: LabelSchema) -> list[Control]:
    """The controls that get a confusion matrix: choice and rating, in schema order."""
    return [c for c in schema.controls if categories(c) is not None]


def no_confusion(control: Control, reason: str = NO_ANSWERS) -> ConfusionMatrix:
    labels = tuple(categories(control) or ())
    return ConfusionMatrix(control.name, control.type_name, labels, 0, None, reason)


def confusion_matrices(control: Control, rows: Sequence[tuple[int, int, Any]]) -> dict[int, ConfusionMatrix]:
    """Per annotator, their Dawid-Skene confusion matrix on a choice or rating ``control``, from one fit over
    ``rows`` ``(task id, annotator id, value)`` (values as :func:`consenso.core.quality.collect_answers`
    reads them; one per task and annotator). Annotators without a row are absent.

    Example (a third annotator always answers the opposite):
        >>> schema = LabelSchema.parse({"controls": [{"name": "s", "type": "choice", "field": "text",
        ...     "labels": [{"value": "yes"}, {"value": "no"}, {"value": "maybe"}]}]})
        >>> truth = ["yes" if i % 3 else "no" for i in range(60)]
        >>> rows = [(i, a, t) for i, t in enumerate(truth) for a in (1, 2)]
        >>> rows += [(i, 3, "no" if t == "yes" else "yes") for i, t in enumerate(truth)]
        >>> m = confusion_matrices(schema.controls[0], rows)
        >>> m[3].labels, m[3].answers
        (('yes', 'no', 'maybe'), 60)
        >>> [[round(p, 2) for p in row] for row in m[3].matrix]  # says "no" when it is "yes" and back
        [[0.12, 0.88, 0.0], [0.83, 0.17, 0.0], [0.33, 0.33, 0.33]]
        >>> [round(row[0], 2) for row in m[1].matrix]  # right, shrunk a little towards the crowd
        [0.92, 0.17, 0.33]
    """
    values = categories(control)
    if values is None:
        raise ValueError(f"control {control.name!r} of type {control.type_name!r} is not categorical")
    if not rows:
        return {}
    if len(values) > MAX_CONFUSION_LABELS:
        counts: dict[int, int] = {}
        for _, who, _ in rows:
            counts[who] = counts.get(who, 0) + 1
        return {
            who: ConfusionMatrix(control.name, control.type_name, tuple(values), n, None, TOO_MANY_LABELS)
            for who, n in counts.items()
        }
    code_of = {value: code for code, value in enumerate(values)}
    items, _ = pd.factorize(pd.Series([task for task, _, _ in rows]), sort=False)
    annotators, ids = pd.factorize(pd.Series([who for _, who, _ in rows]), sort=False)
    labels = np.fromiter((code_of[value] for _, _, value in rows), dtype=np.intp, count=len(rows))
    fitted = DawidSkene().fit_codes(items, annotators, labels, n_labels=len(values))
    answers = np.bincount(annotators, minlength=len(ids))
    return {
        int(who): ConfusionMatrix(
            control=control.name,
            type=control.type_name,
            labels=tuple(values),
            answers=int(answers[code]),
            matrix=tuple(tuple(float(p) for p in row) for row in fitted.errors_[code]),
            reason=None,
        )
        for code, who in enumerate(ids.tolist())
    }


def throughput(lead_times_ms: Sequence[int | None], submitted_at: Sequence[datetime]) -> Throughput:
    """Throughput of one annotator's annotations (see the module docstring); ``submitted_at`` in UTC.

    Example:
        >>> from datetime import UTC, datetime
        >>> days = [datetime(2025, 1, 1, 9, tzinfo=UTC), datetime(2025, 1, 1, 17, tzinfo=UTC),
        ...         datetime(2025, 1, 3, 9, tzinfo=UTC)]
        >>> t = throughput([30_000, 90_000, None], days)  # 2 timed answers in 2 minutes: 60 an hour
        >>> t.per_active_hour, t.active_ms, t.timed_annotations, t.per_day, t.days
        (60.0, 120000, 2, 1.5, 2)
    """
    timed = [ms for ms in lead_times_ms if ms is not None]
    active = sum(timed)
    days = len({moment.date() for moment in submitted_at})
    return Throughput(
        per_active_hour=len(timed) / (active / _MS_PER_HOUR) if active > 0 else None,
        active_ms=active,
        timed_annotations=len(timed),
        per_day=len(submitted_at) / days if days else None,
        days=days,
    )


def lead_times(values_ms: Sequence[int | None]) -> LeadTimes:
    """Count, median and 90th percentile of the lead times that were reported.

    Example:
        >>> lead_times([100, 200, None, 400, 800])
        LeadTimes(count=4, median=300.0, p90=680.0)
    """
    timed = [float(v) for v in values_ms if v is not None]
    return LeadTimes(len(timed), percentile(timed, MEDIAN), percentile(timed, P90))


def report_block(gold_rate: float) -> int:
    """How many annotations an annotator's own report advances by (see the module docstring).

    Example:
        >>> report_block(0.1), report_block(0.02), report_block(0.0)
        (10, 50, 10)
    """
    if gold_rate <= 0:
        return MIN_REPORT_BLOCK
    return max(MIN_REPORT_BLOCK, math.ceil(1.0 / gold_rate - 1e-9))


def covered_annotations(total: int, block: int) -> int:
    """How many of an annotator's ``total`` annotations (the first ones) their own report covers.

    Example:
        >>> covered_annotations(29, 10), covered_annotations(30, 10), covered_annotations(9, 10)
        (20, 30, 0)
    """
    return total // block * block


__all__ = [
    "CONFIDENCE",
    "MAX_CONFUSION_LABELS",
    "MIN_REPORT_BLOCK",
    "NO_ANSWERS",
    "NO_GOLD",
    "REASONS",
    "TOO_MANY_LABELS",
    "ConfusionMatrix",
    "ControlAgreement",
    "FinalAgreement",
    "GoldFigures",
    "LeadTimes",
    "Throughput",
    "confusion_controls",
    "confusion_matrices",
    "covered_annotations",
    "final_agreement",
    "gold_figures",
    "lead_times",
    "no_confusion",
    "no_final_agreement",
    "report_block",
    "throughput",
]
