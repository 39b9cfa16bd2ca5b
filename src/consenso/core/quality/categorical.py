"""Quality of a categorical control: ``choice`` (nominal labels) and ``rating`` (ordinal values).

Over the items answered at least twice:

- **percent agreement**: the mean over items of the share of annotator pairs that gave the same answer
  (:func:`~consenso.core.agreement.per_item_agreement`, Fleiss' ``P_i`` with any number of answers);
- **Krippendorff's alpha**: nominal for choice, ordinal for rating, missing answers allowed
  (:func:`~consenso.core.agreement.krippendorff_alpha`);
- **Fleiss' kappa**: only when every such item has the same number of answers (the formula needs it),
  else ``None`` with ``unequal_raters`` (:func:`~consenso.core.agreement.fleiss_kappa`); on ratings it
  treats values as unordered categories.

Per label: its count, Fleiss' per-category kappa (:func:`~consenso.core.agreement.fleiss_kappa_per_category`)
and Krippendorff's alpha of the yes/no question "is it this label?" (nominal, missing allowed, so it exists
when the numbers of answers differ). Per annotator: answers given, agreement with the aggregated label (the
share of their answers, on items answered at least twice, equal to the item's aggregated label — their own
answer counts towards that label, as in majority-vote agreement) and the aggregator's ``skills_``.

Aggregation fits ``AGGREGATORS[method]`` with its default hyperparameters on a DataFrame of every answer
(items answered once included, so that each answered item gets a label); the confidence of an item is the
posterior of its chosen label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from consenso.core.aggregation import AGGREGATORS, Aggregator
from consenso.core.agreement import (
    Level,
    fleiss_kappa,
    fleiss_kappa_per_category,
    krippendorff_alpha,
    per_item_agreement,
)
from consenso.core.errors import InvalidInput
from consenso.core.quality.answers import ControlAnswers
from consenso.core.quality.layout import BoolArray, FloatArray, IntArray, ItemLayout, positions
from consenso.core.quality.model import (
    AggregationSummary,
    AnnotatorQuality,
    ControlQuality,
    Figure,
    LabelQuality,
    Reason,
    attempt,
)
from consenso.core.schema import ChoiceControl, Control, RatingControl

#: The aggregation method used when none is named.
DEFAULT_METHOD: Final = "dawid_skene"
#: Items whose aggregated label has a lower posterior than this are counted as low-confidence.
LOW_CONFIDENCE: Final = 0.7
#: Cells of the one-hot table ``per_item_agreement`` builds per call: items are fed to it in chunks.
_ONE_HOT_CELLS: Final = 2_000_000


def check_method(method: str) -> None:
    """Refuse an aggregation method that is not a key of ``AGGREGATORS`` (``unknown_aggregation_method``)."""
    if method not in AGGREGATORS:
        raise InvalidInput("unknown_aggregation_method", method=method, supported=", ".join(AGGREGATORS))


def categories(control: Control) -> list[Any] | None:
    """The answer values of a categorical control in order (schema order; ratings ascending), or None."""
    if isinstance(control, ChoiceControl):
        return [label.value for label in control.labels]
    if isinstance(control, RatingControl):
        return list(range(control.minimum, control.maximum + 1))
    return None


@dataclass(frozen=True, slots=True)
class ControlAggregate:
    """The aggregated answer of every answered item of one control: ``labels[i]`` with posterior
    ``confidence[i]`` for item ``items[i]`` (items sorted), plus the fitted aggregator."""

    method: str
    items: np.ndarray[Any, np.dtype[np.int64]]
    labels: list[Any]
    confidence: FloatArray
    aggregator: Aggregator

    def lookup(self, item_ids: Sequence[int]) -> list[tuple[Any, float] | None]:
        """``(label, confidence)`` for each of ``item_ids``, None for an item without answers."""
        confidence = self.confidence.tolist()
        return [(self.labels[p], confidence[p]) if p >= 0 else None for p in positions(self.items, item_ids)]


def aggregate(answers: ControlAnswers, method: str) -> ControlAggregate | None:
    """Fit ``AGGREGATORS[method]`` on every answer of a categorical control; None without answers."""
    check_method(method)
    if not answers.items:
        return None
    frame = pd.DataFrame({"item": answers.items, "annotator": answers.annotators, "label": answers.values})
    fitted = AGGREGATORS[method]().fit(frame)
    items = np.asarray(fitted.items_, dtype=np.int64)
    confidence = fitted.probas_[np.arange(items.size), fitted.labels_]
    labels = [_plain(value) for value in fitted.classes_.take(fitted.labels_).tolist()]
    order = np.argsort(items, kind="stable")
    return ControlAggregate(
        method, items[order], [labels[i] for i in order.tolist()], confidence[order], fitted
    )


def _plain(value: Any) -> Any:
    """numpy scalars (an int64 rating) as Python values, for JSON."""
    return value.item() if isinstance(value, np.generic) else value


def _label_figures(table: FloatArray, code_units: FloatArray) -> list[tuple[Figure, Figure]]:
    """Per code (column of ``table``): (Fleiss' per-category kappa, Krippendorff's alpha of "this code or
    not"). ``code_units`` is the packed table of the answers' codes (see ``ItemLayout.units``)."""
    raters = table.sum(axis=1)
    equal = bool(np.all(raters == raters[0]))
    used = table.sum(axis=0)
    total = float(raters.sum())
    per_category = fleiss_kappa_per_category(table) if equal else None
    present = ~np.isnan(code_units)
    out: list[tuple[Figure, Figure]] = []
    for code in range(table.shape[1]):
        if used[code] == 0:
            unused = Figure.undefined(Reason.LABEL_UNUSED)
            out.append((unused, unused))
            continue
        if used[code] == total:
            constant = Figure.undefined(Reason.NO_VARIATION)
            out.append((constant if equal else Figure.undefined(Reason.UNEQUAL_RATERS), constant))
            continue
        kappa = (
            Figure.of(float(per_category[code]))
            if per_category is not None
            else Figure.undefined(Reason.UNEQUAL_RATERS)
        )
        binary = np.where(present, (code_units == code).astype(np.float64), np.nan)
        out.append((kappa, attempt(krippendorff_alpha, binary, "nominal")))
    return out


def mean_item_agreement(units: FloatArray) -> Figure:
    """Mean over items of :func:`per_item_agreement`, fed in chunks to bound its one-hot table."""
    width, n_items = units.shape
    distinct = max(1, np.unique(units[~np.isnan(units)]).size)
    chunk = max(1, _ONE_HOT_CELLS // (width * distinct))
    total = 0.0
    for start in range(0, n_items, chunk):
        part = units[:, start : start + chunk].T.astype(object)
        total += float(per_item_agreement(part).sum())
    return Figure.of(total / n_items)


def summary_figures(table: FloatArray, units: FloatArray, level: Level) -> tuple[Figure, Figure, Figure]:
    """(percent agreement, Krippendorff's alpha at ``level``, Fleiss' kappa) over the compared items."""
    percent = mean_item_agreement(units)
    used = table.sum(axis=0) > 0
    raters = table.sum(axis=1)
    equal = bool(np.all(raters == raters[0]))
    if np.count_nonzero(used) < 2:
        constant = Figure.undefined(Reason.NO_VARIATION)
        return percent, constant, constant if equal else Figure.undefined(Reason.UNEQUAL_RATERS)
    alpha = attempt(krippendorff_alpha, units, level)
    if not equal:
        return percent, alpha, Figure.undefined(Reason.UNEQUAL_RATERS)
    return percent, alpha, attempt(fleiss_kappa, table[:, used])


def annotator_rows(
    answers: ControlAnswers,
    layout: ItemLayout,
    hits: BoolArray | None,
    skills: dict[int, float] | None,
    limit: int,
    na_reason: Reason | None = None,
) -> tuple[int, tuple[AnnotatorQuality, ...]]:
    """The ``limit`` annotators with the most answers (ties: lowest id first) and how many there are.

    ``hits``: per answer, whether it equals its item's aggregated answer (``None`` with ``na_reason`` when
    the control has no aggregation). ``skills``: the aggregator's estimate per annotator id, or None when
    the method estimates none.
    """
    ids, annotator_of = np.unique(np.asarray(answers.annotators, dtype=np.int64), return_inverse=True)
    annotator_of = annotator_of.ravel()
    given = np.bincount(annotator_of, minlength=ids.size)
    compared = layout.compared
    shared = np.bincount(annotator_of[compared], minlength=ids.size)
    agreeing = (
        np.bincount(annotator_of[compared], weights=hits[compared].astype(np.float64), minlength=ids.size)
        if hits is not None
        else None
    )
    order = np.lexsort((ids, -given))[:limit]
    rows: list[AnnotatorQuality] = []
    for index in order.tolist():
        annotator = int(ids[index])
        if agreeing is None or na_reason is not None:
            agreement = Figure.undefined(na_reason or Reason.NOT_AVAILABLE_FOR_CONTROL_TYPE)
            skill = agreement
        else:
            agreement = (
                Figure.of(agreeing[index] / shared[index])
                if shared[index]
                else Figure.undefined(Reason.NO_OVERLAP)
            )
            if skills is None:
                skill = Figure.undefined(Reason.NOT_PROVIDED_BY_METHOD)
            else:
                skill = Figure.of(skills.get(annotator, float("nan")))
        rows.append(AnnotatorQuality(annotator, int(given[index]), agreement, skill))
    return int(ids.size), tuple(rows)


def categorical_quality(
    control: Control,
    answers: ControlAnswers,
    *,
    method: str,
    annotator_limit: int,
    threshold: float = LOW_CONFIDENCE,
) -> ControlQuality:
    """The report of a choice or rating control (see the module docstring)."""
    values = categories(control)
    if values is None:
        raise ValueError(f"control {control.name!r} of type {control.type_name!r} is not categorical")
    level: Level = "ordinal" if isinstance(control, RatingControl) else "nominal"
    n_labels = len(values)
    code_of = {value: code for code, value in enumerate(values)}
    codes: IntArray = np.fromiter((code_of[v] for v in answers.values), dtype=np.intp, count=len(answers))
    counts = np.bincount(codes, minlength=n_labels)
    layout = ItemLayout.of(answers.items)

    empty = not answers.items
    try:
        fitted = aggregate(answers, method)
    except ValueError:  # an aggregator that refuses these answers: say so, do not fail the whole report
        fitted = None
    failed = fitted is None and not empty
    aggregation = None if fitted is None else _summary(fitted, threshold)

    if layout.n_compared == 0:
        reason = Reason.NO_ANNOTATIONS if empty else Reason.NO_OVERLAP
        none = Figure.undefined(reason)
        percent = alpha = kappa = none
        label_figures = [(none, none)] * n_labels
    else:
        table = layout.counts(codes, n_labels)
        code_units = layout.units(codes.astype(np.float64))
        # alpha compares ratings by their values; nominal codes only need to be distinct numbers
        ordinal = level == "ordinal"
        units = layout.units(np.asarray(answers.values, dtype=np.float64)) if ordinal else code_units
        percent, alpha, kappa = summary_figures(table, units, level)
        label_figures = _label_figures(table, code_units)

    hits = None
    skills: dict[int, float] | None = None
    if fitted is not None:
        aggregated = np.empty(layout.n_items, dtype=np.intp)
        where = np.searchsorted(layout.item_ids, fitted.items)
        aggregated[where] = [code_of[label] for label in fitted.labels]
        hits = codes == aggregated[layout.item_of]
        raw_skills = getattr(fitted.aggregator, "skills_", None)
        if raw_skills is not None:
            skills = dict(
                zip(
                    np.asarray(fitted.aggregator.annotators_).tolist(),
                    np.asarray(raw_skills, dtype=np.float64).tolist(),
                    strict=True,
                )
            )
    total, annotators = annotator_rows(
        answers, layout, hits, skills, annotator_limit, Reason.UNDEFINED if failed else None
    )
    return ControlQuality(
        name=control.name,
        type=control.type_name,
        level=level,
        skipped=None,
        items=layout.n_items,
        items_compared=layout.n_compared,
        annotations=len(answers),
        ignored=answers.ignored,
        percent_agreement=percent,
        krippendorff_alpha=alpha,
        fleiss_kappa=kappa,
        span_f1_exact=None,
        span_f1_overlap=None,
        labels=tuple(
            LabelQuality(value, int(counts[code]), kappa_c, alpha_c)
            for code, (value, (kappa_c, alpha_c)) in enumerate(zip(values, label_figures, strict=True))
        ),
        annotators_total=total,
        annotators=annotators,
        aggregation=aggregation,
        aggregation_reason=Reason.NO_ANNOTATIONS if empty else Reason.UNDEFINED if failed else None,
    )


def _summary(fitted: ControlAggregate, threshold: float) -> AggregationSummary:
    mean = Figure.of(fitted.confidence.mean())
    return AggregationSummary(
        method=fitted.method,
        method_used=fitted.method,
        items=int(fitted.items.size),
        mean_confidence=mean.value,
        low_confidence_items=int(np.count_nonzero(fitted.confidence < threshold)),
        threshold=threshold,
        mean_confidence_reason=mean.reason,
    )
