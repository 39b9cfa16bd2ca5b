"""Quality reports: the agreement and aggregation figures of a project, computed from its answers.

This package turns stored answers into figures with the core metrics (:mod:`consenso.core.agreement`) and
aggregators (:mod:`consenso.core.aggregation`); it holds no formula of its own beyond means and counts.

- :mod:`.answers` — read annotation results once into per-control columns, against the current schema;
- :mod:`.layout` — answers arranged by item, packed so a crowd of annotators costs nothing;
- :mod:`.categorical` — choice (nominal) and rating (ordinal): percent agreement, Krippendorff's alpha,
  Fleiss' kappa, per label and per annotator, and aggregation with any method of ``AGGREGATORS``;
- :mod:`.multi_choice` — per label as a yes/no question, and aggregation into label sets;
- :mod:`.spans` — pairwise span F1, exact and overlap, and aggregation into consensus spans;
- :mod:`.report` — one report per control, in schema order; free text is skipped with a reason.

An undefined statistic is never NaN and never an error: it is a :class:`Figure` with ``value=None`` and a
:class:`Reason`.
"""

from consenso.core.quality.answers import AnnotationRow, ControlAnswers, collect_answers
from consenso.core.quality.categorical import (
    DEFAULT_METHOD,
    LOW_CONFIDENCE,
    ControlAggregate,
    aggregate,
    categories,
    check_method,
)
from consenso.core.quality.model import (
    AggregationSummary,
    AnnotatorQuality,
    ControlQuality,
    Figure,
    LabelQuality,
    Reason,
)
from consenso.core.quality.multi_choice import LabelSetAggregate, aggregate_label_sets, multilabel_method
from consenso.core.quality.report import (
    ANNOTATOR_LIMIT,
    MAX_ANNOTATOR_LIMIT,
    Aggregate,
    aggregatable,
    aggregate_control,
    aggregates,
    control_quality,
    quality_report,
    reasons_in,
)
from consenso.core.quality.spans import SPAN_METHOD, SpanAggregate, aggregate_item_spans

__all__ = [
    "ANNOTATOR_LIMIT",
    "DEFAULT_METHOD",
    "LOW_CONFIDENCE",
    "MAX_ANNOTATOR_LIMIT",
    "SPAN_METHOD",
    "Aggregate",
    "AggregationSummary",
    "AnnotationRow",
    "AnnotatorQuality",
    "ControlAggregate",
    "ControlAnswers",
    "ControlQuality",
    "Figure",
    "LabelQuality",
    "LabelSetAggregate",
    "Reason",
    "SpanAggregate",
    "aggregatable",
    "aggregate",
    "aggregate_control",
    "aggregate_item_spans",
    "aggregate_label_sets",
    "aggregates",
    "categories",
    "check_method",
    "collect_answers",
    "control_quality",
    "multilabel_method",
    "quality_report",
    "reasons_in",
]
