"""Quality of a ``multi_choice`` control: each label as a yes/no question, plus exact-answer agreement.

An answer is a set of labels, so the categorical coefficients apply per label: for label ``L``, every
answer says "L" or "not L", and Fleiss' kappa (same number of answers on every compared item) and
Krippendorff's alpha (nominal, missing allowed) measure agreement on that question. A label nobody chose
has no figure (``label_unused``), nor one everybody chose on every compared item (``no_variation``).

``percent_agreement`` is the mean per-item share of annotator pairs whose answers are the *same set*.
There is no overall alpha or kappa (a distance between sets, such as MASI, is not in the core yet): they
are ``None``, never a made-up figure.

**Aggregation** fits :class:`~consenso.core.aggregation.MultiLabelAggregator` (binary relevance: one
present/absent question per label; a label is kept when its probability is at least 0.5) on every answer,
items answered once included. It has two methods, so the report's method maps onto them
(:func:`multilabel_method`): ``dawid_skene`` → ``"dawid_skene"`` (Dawid-Skene per label), ``majority_vote``
→ ``"majority"`` (the share of the item's annotators who ticked the label), and every other method →
``"majority"`` too, reported with ``method_substituted``. The **confidence** of an item is the probability
of its chosen set under the aggregator's own independence between labels,
``Π_k max(p_k, 1 − p_k)`` over the labels of the schema (a label nobody ticked on the item, ``p_k = 0``,
leaves it unchanged): like the posterior of a chosen label for choice, it is the chance that the whole
answer is right, so one label near a coin flip makes the item low-confidence however many labels there are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from consenso.core.aggregation import MultiLabelAggregator, MultiLabelMethod
from consenso.core.agreement import fleiss_kappa, krippendorff_alpha
from consenso.core.quality.answers import ControlAnswers
from consenso.core.quality.categorical import LOW_CONFIDENCE, annotator_rows, mean_item_agreement
from consenso.core.quality.layout import BoolArray, FloatArray, ItemLayout, positions
from consenso.core.quality.model import (
    AggregationSummary,
    ControlQuality,
    Figure,
    LabelQuality,
    Reason,
    attempt,
)
from consenso.core.schema import MultiChoiceControl


def multilabel_method(method: str) -> tuple[MultiLabelMethod, Reason | None]:
    """The :class:`MultiLabelAggregator` method for the report's ``method``, and ``METHOD_SUBSTITUTED``
    when it is not the same method (the aggregator has no multi-label form of the others)."""
    if method == "dawid_skene":
        return "dawid_skene", None
    return "majority", None if method == "majority_vote" else Reason.METHOD_SUBSTITUTED


@dataclass(frozen=True, slots=True)
class LabelSetAggregate:
    """The aggregated label set of every answered item of a multi_choice control: for item ``items[i]``
    (items sorted), ``chosen[i, k]`` says whether label ``values[k]`` (schema order) is kept,
    ``probabilities[i, k]`` is its probability and ``confidence[i]`` that of the whole set."""

    method: str  # the MultiLabelAggregator method used: "majority" or "dawid_skene"
    values: tuple[str, ...]
    items: np.ndarray[Any, np.dtype[np.int64]]
    chosen: BoolArray
    probabilities: FloatArray
    confidence: FloatArray

    def lookup(self, item_ids: Sequence[int]) -> list[tuple[list[str], float, dict[str, float]] | None]:
        """``(labels, confidence, {label: probability})`` for each of ``item_ids`` (labels in schema
        order), None for an item without answers."""
        at = positions(self.items, item_ids)
        found = [p for p in at if p >= 0]
        kept = self.chosen[found].tolist()
        chances = self.probabilities[found].tolist()
        confidence = self.confidence[found].tolist()
        values = self.values
        out: list[tuple[list[str], float, dict[str, float]] | None] = []
        row = 0
        for p in at:
            if p < 0:
                out.append(None)
                continue
            labels = [value for value, keep in zip(values, kept[row], strict=True) if keep]
            out.append((labels, confidence[row], dict(zip(values, chances[row], strict=True))))
            row += 1
        return out


def aggregate_label_sets(
    control: MultiChoiceControl, answers: ControlAnswers, method: str
) -> LabelSetAggregate | None:
    """Fit :class:`MultiLabelAggregator` (method from :func:`multilabel_method`) on every answer of a
    multi_choice control; None without answers. Raises ``ValueError`` if the aggregator refuses them."""
    if not answers.items:
        return None
    values = tuple(label.value for label in control.labels)
    code_of = {value: k for k, value in enumerate(values)}
    ticks = np.zeros((len(answers), len(values)), dtype=np.bool_)
    for row, answer in enumerate(answers.values):
        ticks[row, [code_of[value] for value in answer]] = True
    layout = ItemLayout.of(answers.items)
    _, annotator = np.unique(np.asarray(answers.annotators, dtype=np.int64), return_inverse=True)
    used, _ = multilabel_method(method)
    fitted = MultiLabelAggregator(method=used).fit_codes(
        layout.item_of, annotator.ravel(), ticks, n_items=layout.n_items
    )
    probabilities = np.asarray(fitted.probas_, dtype=np.float64)
    confidence = np.prod(np.maximum(probabilities, 1.0 - probabilities), axis=1)
    return LabelSetAggregate(used, values, layout.item_ids, fitted.labels_, probabilities, confidence)


def _aggregation(
    control: MultiChoiceControl, answers: ControlAnswers, method: str, threshold: float
) -> tuple[AggregationSummary | None, Reason | None]:
    """The aggregation summary, or None and why."""
    if not answers.items:
        return None, Reason.NO_ANNOTATIONS
    try:
        fitted = aggregate_label_sets(control, answers, method)
    except ValueError:  # the aggregator refuses these answers: say so, do not fail the whole report
        fitted = None
    if fitted is None:
        return None, Reason.UNDEFINED
    mean = Figure.of(fitted.confidence.mean())
    summary = AggregationSummary(
        method=method,
        method_used=fitted.method,
        items=int(fitted.items.size),
        mean_confidence=mean.value,
        low_confidence_items=int(np.count_nonzero(fitted.confidence < threshold)),
        threshold=threshold,
        method_reason=multilabel_method(method)[1],
        mean_confidence_reason=mean.reason,
    )
    return summary, None


def multi_choice_quality(
    control: MultiChoiceControl,
    answers: ControlAnswers,
    *,
    method: str,
    annotator_limit: int,
    threshold: float = LOW_CONFIDENCE,
) -> ControlQuality:
    """The report of a multi_choice control (see the module docstring)."""
    values = [label.value for label in control.labels]
    layout = ItemLayout.of(answers.items)
    counts = dict.fromkeys(values, 0)
    for answer in answers.values:
        for value in answer:
            counts[value] += 1
    if not answers.items:
        none = Figure.undefined(Reason.NO_ANNOTATIONS)
        percent, labels = none, [(none, none)] * len(values)
    elif layout.n_compared == 0:
        none = Figure.undefined(Reason.NO_OVERLAP)
        percent, labels = none, [(none, none)] * len(values)
    else:
        set_code: dict[frozenset[str], int] = {}
        codes = np.fromiter(
            (set_code.setdefault(answer, len(set_code)) for answer in answers.values),
            dtype=np.float64,
            count=len(answers),
        )
        percent = mean_item_agreement(layout.units(codes))
        labels = [_label_figures(layout, answers, value) for value in values]
    total, annotators = annotator_rows(
        answers, layout, None, None, annotator_limit, Reason.NOT_AVAILABLE_FOR_CONTROL_TYPE
    )
    aggregation, aggregation_reason = _aggregation(control, answers, method, threshold)
    return ControlQuality(
        name=control.name,
        type=control.type_name,
        level="nominal",
        skipped=None,
        items=layout.n_items,
        items_compared=layout.n_compared,
        annotations=len(answers),
        ignored=answers.ignored,
        percent_agreement=percent,
        krippendorff_alpha=None,
        fleiss_kappa=None,
        span_f1_exact=None,
        span_f1_overlap=None,
        labels=tuple(
            LabelQuality(value, counts[value], kappa, alpha)
            for value, (kappa, alpha) in zip(values, labels, strict=True)
        ),
        annotators_total=total,
        annotators=annotators,
        aggregation=aggregation,
        aggregation_reason=aggregation_reason,
    )


def _label_figures(layout: ItemLayout, answers: ControlAnswers, value: str) -> tuple[Figure, Figure]:
    """(Fleiss' kappa, Krippendorff's alpha) of the question "did the answer include ``value``?"."""
    chosen = np.fromiter((value in answer for answer in answers.values), dtype=np.intp, count=len(answers))
    table = layout.counts(chosen, 2)  # compared items × (no, yes)
    yes = float(table[:, 1].sum())
    raters = table.sum(axis=1)
    equal = bool(np.all(raters == raters[0]))
    if yes == 0:
        unused = Figure.undefined(Reason.LABEL_UNUSED)
        return unused, unused
    if yes == float(raters.sum()):
        constant = Figure.undefined(Reason.NO_VARIATION)
        return (constant if equal else Figure.undefined(Reason.UNEQUAL_RATERS)), constant
    alpha = attempt(krippendorff_alpha, layout.units(chosen.astype(np.float64)), "nominal")
    if not equal:
        return Figure.undefined(Reason.UNEQUAL_RATERS), alpha
    return attempt(fleiss_kappa, table), alpha
