"""Quality of a ``spans`` control: pairwise span F1, exact and overlap, averaged per item then over items.

Free-form spans have no fixed set of units, so chance-corrected coefficients do not apply; agreement is F1
(:func:`~consenso.core.agreement.span_f1`, Hripcsak & Rothschild 2005). For every item answered at least
twice, each pair of its annotators gets F1 with exact matching (same start, end and label) and with overlap
matching (same label, overlapping ranges, one-to-one); the item's figure is the mean over its pairs and the
control's the mean over items. Two annotators who both marked nothing agree (F1 = 1).

Per label: the same, where a pair's F1 for label ``L`` counts only when either of the two marked an ``L``
span; ``label_unused`` when nobody did on a compared item. The cost is one ``span_f1`` call per annotator
pair and matching mode, so O(items × overlap²).

**Aggregation** is a vote of an item's annotators on every piece of its text,
:func:`~consenso.core.aggregation.aggregate_spans` with its defaults (a piece keeps a label that at least
half of the item's annotators gave it; ``min_share=0.5``, inclusive), for every answered item (answered
once: the answer itself). The report's method does not apply: the method used is ``token_vote``, reported
with ``method_substituted``. When one annotator's spans on an item overlap (``allow_overlap``, or answers
stored under an earlier schema), one vote cannot give each character one label, so each label is voted on
separately (each annotator's overlapping spans of that label merged first); a control with
``allow_overlap`` is always voted on label by label, so that a character may keep several labels. Summary:
the consensus spans, their mean ``support`` (the share of annotators behind them) and the items with a span
whose support is below the threshold.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any, Final

import numpy as np

from consenso.core.aggregation import AggregatedSpan, aggregate_spans
from consenso.core.agreement import MatchCounts, SpanMatch, span_f1
from consenso.core.quality.answers import ControlAnswers, SpanTuple
from consenso.core.quality.categorical import LOW_CONFIDENCE, annotator_rows
from consenso.core.quality.layout import ItemLayout, positions
from consenso.core.quality.model import AggregationSummary, ControlQuality, Figure, LabelQuality, Reason
from consenso.core.schema import SpansControl

_MATCHES: tuple[SpanMatch, ...] = ("exact", "overlap")
#: The name of the span aggregation in reports and exports: a vote on every unit of text.
SPAN_METHOD: Final = "token_vote"


@dataclass(frozen=True, slots=True)
class SpanAggregate:
    """The consensus spans of every answered item of a spans control: ``spans[i]`` (sorted by position,
    possibly empty) for item ``items[i]`` (items sorted)."""

    method: str
    items: np.ndarray[Any, np.dtype[np.int64]]
    spans: list[tuple[AggregatedSpan, ...]]

    def lookup(self, item_ids: Sequence[int]) -> list[tuple[AggregatedSpan, ...] | None]:
        """The consensus spans of each of ``item_ids``, None for an item without answers."""
        return [self.spans[p] if p >= 0 else None for p in positions(self.items, item_ids)]


def _merged(spans: list[SpanTuple]) -> list[SpanTuple]:
    """One label's spans of one annotator with overlapping ones merged (touching ones stay apart)."""
    out: list[SpanTuple] = []
    for start, end, label in sorted(spans):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end), label)
        else:
            out.append((start, end, label))
    return out


def _vote(answers: list[tuple[SpanTuple, ...]], per_label: bool) -> tuple[AggregatedSpan, ...]:
    """The consensus spans of one item from its answers (one per annotator)."""
    if not per_label:
        try:
            return tuple(aggregate_spans(answers))
        except ValueError:  # one annotator's spans overlap: vote label by label instead
            pass
    labels = dict.fromkeys(label for answer in answers for _, _, label in answer)
    found = [
        span
        for label in labels
        for span in aggregate_spans([_merged([s for s in answer if s[2] == label]) for answer in answers])
    ]
    return tuple(sorted(found, key=lambda span: (span.start, span.end, str(span.label))))


def aggregate_item_spans(answers: ControlAnswers, *, per_label: bool = False) -> SpanAggregate | None:
    """The consensus spans of every answered item (see the module docstring); None without answers.
    ``per_label``: vote on each label separately (a control with ``allow_overlap``)."""
    if not answers.items:
        return None
    layout = ItemLayout.of(answers.items)
    by_item: list[list[tuple[SpanTuple, ...]]] = [[] for _ in range(layout.n_items)]
    for index, answer in zip(layout.item_of.tolist(), answers.values, strict=True):
        by_item[index].append(answer)
    return SpanAggregate(SPAN_METHOD, layout.item_ids, [_vote(item, per_label) for item in by_item])


def _aggregation(
    control: SpansControl, answers: ControlAnswers, method: str, threshold: float
) -> tuple[AggregationSummary | None, Reason | None]:
    """The aggregation summary, or None and why."""
    if not answers.items:
        return None, Reason.NO_ANNOTATIONS
    try:
        fitted = aggregate_item_spans(answers, per_label=control.allow_overlap)
    except ValueError:  # a vote that refuses these answers: say so, do not fail the whole report
        fitted = None
    if fitted is None:
        return None, Reason.UNDEFINED
    supports = [span.support for spans in fitted.spans for span in spans]
    mean = Figure.of(sum(supports) / len(supports)) if supports else Figure.undefined(Reason.NO_SPANS)
    summary = AggregationSummary(
        method=method,
        method_used=fitted.method,
        items=int(fitted.items.size),
        mean_confidence=mean.value,
        low_confidence_items=sum(any(span.support < threshold for span in spans) for spans in fitted.spans),
        threshold=threshold,
        method_reason=Reason.METHOD_SUBSTITUTED,
        spans=len(supports),
        mean_confidence_reason=mean.reason,
    )
    return summary, None


class _Means:
    """Per key, the mean over items of per-item means."""

    def __init__(self) -> None:
        self.sums: dict[Hashable, float] = defaultdict(float)
        self.items: dict[Hashable, int] = defaultdict(int)

    def add_item(self, key: Hashable, pair_scores: list[float]) -> None:
        if pair_scores:
            self.sums[key] += sum(pair_scores) / len(pair_scores)
            self.items[key] += 1

    def figure(self, key: Hashable, missing: Reason) -> Figure:
        count = self.items.get(key, 0)
        return Figure.of(self.sums[key] / count) if count else Figure.undefined(missing)


def _item_scores(
    spans: list[tuple[SpanTuple, ...]], match: SpanMatch
) -> tuple[list[float], dict[str, list[float]]]:
    """F1 of every pair of answers on one item: overall, and per label seen by either of the pair."""
    overall: list[float] = []
    per_label: dict[str, list[float]] = defaultdict(list)
    for first, second in combinations(spans, 2):
        by_label = span_f1([first], [second], match=match, per_label=True)
        pooled = MatchCounts(
            sum(c.matched for c in by_label.values()),
            sum(c.reference for c in by_label.values()),
            sum(c.candidate for c in by_label.values()),
        )
        overall.append(pooled.f1)
        for label, counts in by_label.items():
            per_label[str(label)].append(counts.f1)
    return overall, per_label


def spans_quality(
    control: SpansControl,
    answers: ControlAnswers,
    *,
    method: str,
    annotator_limit: int,
    threshold: float = LOW_CONFIDENCE,
) -> ControlQuality:
    """The report of a spans control (see the module docstring)."""
    values = [label.value for label in control.labels]
    counts = dict.fromkeys(values, 0)
    for answer in answers.values:
        for _, _, label in answer:
            counts[label] += 1
    layout = ItemLayout.of(answers.items)
    by_item: dict[int, list[tuple[SpanTuple, ...]]] = defaultdict(list)
    compared = layout.compared
    for index in np.flatnonzero(compared).tolist():
        by_item[int(layout.item_of[index])].append(answers.values[index])
    means = {match: _Means() for match in _MATCHES}
    for spans in by_item.values():
        for match in _MATCHES:
            overall, per_label = _item_scores(spans, match)
            means[match].add_item(None, overall)
            for label, scores in per_label.items():
                means[match].add_item(label, scores)
    if not answers.items:
        missing = Reason.NO_ANNOTATIONS
    elif layout.n_compared == 0:
        missing = Reason.NO_OVERLAP
    else:
        missing = Reason.LABEL_UNUSED  # only per label: the overall figure exists once an item is compared
    total, annotators = annotator_rows(
        answers, layout, None, None, annotator_limit, Reason.NOT_AVAILABLE_FOR_CONTROL_TYPE
    )
    aggregation, aggregation_reason = _aggregation(control, answers, method, threshold)
    return ControlQuality(
        name=control.name,
        type=control.type_name,
        level=None,
        skipped=None,
        items=layout.n_items,
        items_compared=layout.n_compared,
        annotations=len(answers),
        ignored=answers.ignored,
        percent_agreement=None,
        krippendorff_alpha=None,
        fleiss_kappa=None,
        span_f1_exact=means["exact"].figure(None, missing),
        span_f1_overlap=means["overlap"].figure(None, missing),
        labels=tuple(
            LabelQuality(
                value,
                counts[value],
                span_f1_exact=means["exact"].figure(value, missing),
                span_f1_overlap=means["overlap"].figure(value, missing),
            )
            for value in values
        ),
        annotators_total=total,
        annotators=annotators,
        aggregation=aggregation,
        aggregation_reason=aggregation_reason,
    )
