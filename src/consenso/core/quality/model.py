"""What a quality report holds: figures, and per control its summary, labels, annotators and aggregation.

A figure is a finite value, or ``None`` with the machine-readable reason why. A statistic that is undefined on the data at hand (nobody overlapped, nobody ever disagreed...) is never
NaN and never an error: it is ``Figure(None, Reason.X)``. Each reason has a message in English and Spanish
in the message catalog under ``quality_reason_<code>``.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class Reason(enum.StrEnum):
    """Why a figure has no value (or, ``METHOD_SUBSTITUTED``, why a control was aggregated with another method
    than the one asked for). Stable snake_case codes (clients may switch on them)."""

    NO_ANNOTATIONS = "no_annotations"  # nobody answered the control
    NO_OVERLAP = "no_overlap"  # no item (of this annotator) was answered by two annotators
    NO_VARIATION = "no_variation"  # every compared answer is the same: chance agreement is 1
    UNEQUAL_RATERS = "unequal_raters"  # Fleiss' kappa needs the same number of answers on every item
    LABEL_UNUSED = "label_unused"  # nobody chose this label on an item answered twice or more
    NOT_PROVIDED_BY_METHOD = "not_provided_by_method"  # the aggregator estimates no annotator skill
    NOT_AVAILABLE_FOR_CONTROL_TYPE = "not_available_for_control_type"  # e.g. an annotator's skill on spans
    FREE_TEXT = "free_text"  # free text has no agreement measure
    UNDEFINED = "undefined"  # the formula is undefined on this data for another reason
    NO_SPANS = "no_spans"  # the span vote kept no span: there is no support to average
    METHOD_SUBSTITUTED = "method_substituted"  # the asked method does not apply to the control type


@dataclass(frozen=True, slots=True)
class Figure:
    """A statistic: ``value`` (finite) or ``None`` together with a ``reason``."""

    value: float | None
    reason: Reason | None = None

    @classmethod
    def of(cls, value: float) -> Figure:
        """A computed value; NaN or infinity (which JSON cannot carry) becomes ``UNDEFINED``."""
        number = float(value)
        return cls(number) if math.isfinite(number) else cls(None, Reason.UNDEFINED)

    @classmethod
    def undefined(cls, reason: Reason) -> Figure:
        return cls(None, reason)


def attempt(statistic: Callable[..., float], *args: Any, **kwargs: Any) -> Figure:
    """``statistic(*args)`` as a figure. The core metrics raise ``ValueError`` where they are undefined;
    the callers check the known cases first (to name the reason), so this is the safety net."""
    try:
        return Figure.of(statistic(*args, **kwargs))
    except ValueError:
        return Figure.undefined(Reason.UNDEFINED)


@dataclass(frozen=True, slots=True)
class LabelQuality:
    """One label (a rating value, for ratings) of a control.

    ``count``: how often it was given (spans: how many spans carry it). The figures that do not apply to
    the control's type are ``None``: kappa and alpha for choice, rating and multi_choice (the label against
    the rest, a yes/no question), span F1 for spans.
    """

    label: str | int
    count: int
    fleiss_kappa: Figure | None = None
    krippendorff_alpha: Figure | None = None
    span_f1_exact: Figure | None = None
    span_f1_overlap: Figure | None = None


@dataclass(frozen=True, slots=True)
class AnnotatorQuality:
    """One annotator on one control: answers given, agreement with the aggregated label, estimated skill."""

    annotator_id: int
    annotations: int
    agreement_with_aggregate: Figure
    skill: Figure


@dataclass(frozen=True, slots=True)
class AggregationSummary:
    """The aggregation of a control: every answered item gets an aggregated answer and a confidence.

    ``method`` is the method asked for, ``method_used`` the one that aggregated the control: the same for
    choice and rating; for multi_choice ``dawid_skene`` when asked for, else ``majority`` (a vote per
    label); for spans ``token_vote``. ``method_reason`` is ``METHOD_SUBSTITUTED`` when ``method_used`` is
    not the method asked for (``majority`` counts as ``majority_vote``).

    ``mean_confidence`` is the mean over items of the confidence of the aggregated answer — choice and
    rating: the posterior of the chosen label; multi_choice: of the chosen label set — except for spans,
    where it is the mean ``support`` of the consensus spans (``spans`` of them; ``None`` with
    ``mean_confidence_reason`` ``NO_SPANS`` when the vote kept none). ``low_confidence_items``: items whose
    confidence is below ``threshold`` (spans: items with a consensus span whose support is below it).
    """

    method: str
    method_used: str
    items: int
    mean_confidence: float | None
    low_confidence_items: int
    threshold: float
    method_reason: Reason | None = None
    spans: int | None = None
    mean_confidence_reason: Reason | None = None


@dataclass(frozen=True, slots=True)
class ControlQuality:
    """The quality figures of one control. Figures that do not apply to its type are ``None``.

    ``items``: items with at least one answer; ``items_compared``: items with two or more (the ones
    agreement is measured on); ``annotations``: answers; ``ignored``: stored answers that no longer fit the
    control under the current schema. ``skipped`` is set (and every figure ``None``) for a control without
    an agreement measure (free text). ``annotators`` is capped (see ``annotators_total``).
    """

    name: str
    type: str
    level: str | None
    skipped: Reason | None
    items: int
    items_compared: int
    annotations: int
    ignored: int
    percent_agreement: Figure | None
    krippendorff_alpha: Figure | None
    fleiss_kappa: Figure | None
    span_f1_exact: Figure | None
    span_f1_overlap: Figure | None
    labels: tuple[LabelQuality, ...]
    annotators_total: int
    annotators: tuple[AnnotatorQuality, ...]
    aggregation: AggregationSummary | None
    aggregation_reason: Reason | None
