"""Quality of a ``spans`` control: pairwise span F1, exact and overlap, averaged per item then over items.

Free-form spans have no fixed set of units, so chance-corrected coefficients do not apply; agreement is F1
(:func:`~consenso.core.agreement.span_f1`, Hripcsak & Rothschild 2005). For every item answered at least
twice, each pair of its annotators gets F1 with exact matching (same start, end and label) and with overlap
matching (same label, overlapping ranges, one-to-one); the item's figure is the mean over its pairs and the
control's the mean over items. Two annotators who both marked nothing agree (F1 = 1).

Per label: the same, where a pair's F1 for label ``L`` counts only when either of the two marked an ``L``
span; ``label_unused`` when nobody did on a compared item. The cost is one ``span_f1`` call per annotator
pair and matching mode, so O(items × overlap²). Aggregation of spans is not in the core yet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from itertools import combinations

import numpy as np

from consenso.core.agreement import MatchCounts, SpanMatch, span_f1
from consenso.core.quality.answers import ControlAnswers, SpanTuple
from consenso.core.quality.categorical import annotator_rows
from consenso.core.quality.layout import ItemLayout
from consenso.core.quality.model import ControlQuality, Figure, LabelQuality, Reason
from consenso.core.schema import SpansControl

_MATCHES: tuple[SpanMatch, ...] = ("exact", "overlap")


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


def spans_quality(control: SpansControl, answers: ControlAnswers, *, annotator_limit: int) -> ControlQuality:
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
        aggregation=None,
        aggregation_reason=Reason.NOT_AVAILABLE_FOR_CONTROL_TYPE,
    )
