"""A project's quality report: one :class:`ControlQuality` per control of its schema, in schema order."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from consenso.core.quality.answers import ControlAnswers
from consenso.core.quality.categorical import (
    LOW_CONFIDENCE,
    ControlAggregate,
    aggregate,
    categorical_quality,
    categories,
    check_method,
)
from consenso.core.quality.model import ControlQuality, Figure, Reason
from consenso.core.quality.multi_choice import LabelSetAggregate, aggregate_label_sets, multi_choice_quality
from consenso.core.quality.spans import SpanAggregate, aggregate_item_spans, spans_quality
from consenso.core.schema import Control, LabelSchema, MultiChoiceControl, SpansControl

#: The aggregated answers of one control, by control type: choice and rating, multi_choice, spans.
Aggregate = ControlAggregate | LabelSetAggregate | SpanAggregate

#: The default of ``annotator_limit``: enough for a team, bounded for a crowd of thousands.
ANNOTATOR_LIMIT = 100
#: The most annotators listed per control: a project may have thousands; the list is for review, and the
#: figures (agreement, aggregation) always use everyone.
MAX_ANNOTATOR_LIMIT = 1000


def _skipped(control: Control, answers: ControlAnswers, reason: Reason) -> ControlQuality:
    """A control without an agreement measure: counted, every figure ``None``."""
    return ControlQuality(
        name=control.name,
        type=control.type_name,
        level=None,
        skipped=reason,
        items=len(set(answers.items)),
        items_compared=0,
        annotations=len(answers),
        ignored=answers.ignored,
        percent_agreement=None,
        krippendorff_alpha=None,
        fleiss_kappa=None,
        span_f1_exact=None,
        span_f1_overlap=None,
        labels=(),
        annotators_total=len(set(answers.annotators)),
        annotators=(),
        aggregation=None,
        aggregation_reason=reason,
    )


def control_quality(
    control: Control,
    answers: ControlAnswers,
    *,
    method: str,
    annotator_limit: int = ANNOTATOR_LIMIT,
    threshold: float = LOW_CONFIDENCE,
) -> ControlQuality:
    """The figures of one control from its answers (see each control type's module for the formulas).

    Example:
        >>> schema = LabelSchema.parse({"controls": [{"name": "s", "type": "choice", "field": "text",
        ...                                           "labels": [{"value": "yes"}, {"value": "no"}]}]})
        >>> rows = [(1, 7, {"s": "yes"}), (1, 8, {"s": "yes"}), (2, 7, {"s": "no"}), (2, 8, {"s": "yes"})]
        >>> from consenso.core.quality.answers import collect_answers
        >>> report = control_quality(schema.controls[0], collect_answers(schema, rows)["s"],
        ...                          method="majority_vote")
        >>> report.items_compared, report.percent_agreement.value
        (2, 0.5)
        >>> report.krippendorff_alpha
        Figure(value=0.0, reason=None)
        >>> report.fleiss_kappa.value == -1 / 3, [a.skill.value for a in report.annotators]
        (True, [1.0, 0.5])
    """
    check_method(method)
    if categories(control) is not None:
        return categorical_quality(
            control, answers, method=method, annotator_limit=annotator_limit, threshold=threshold
        )
    if isinstance(control, MultiChoiceControl):
        return multi_choice_quality(
            control, answers, method=method, annotator_limit=annotator_limit, threshold=threshold
        )
    if isinstance(control, SpansControl):
        return spans_quality(
            control, answers, method=method, annotator_limit=annotator_limit, threshold=threshold
        )
    if control.type_name == "text":
        return _skipped(control, answers, Reason.FREE_TEXT)
    return _skipped(control, answers, Reason.NOT_AVAILABLE_FOR_CONTROL_TYPE)


def quality_report(
    schema: LabelSchema,
    answers: Mapping[str, ControlAnswers],
    *,
    method: str,
    annotator_limit: int = ANNOTATOR_LIMIT,
    threshold: float = LOW_CONFIDENCE,
) -> tuple[ControlQuality, ...]:
    """Every control's figures, in schema order. ``answers`` comes from :func:`collect_answers`."""
    check_method(method)
    return tuple(
        control_quality(
            control,
            answers.get(control.name, ControlAnswers()),
            method=method,
            annotator_limit=annotator_limit,
            threshold=threshold,
        )
        for control in schema.controls
    )


def aggregatable(control: Control) -> bool:
    """Whether the control's answers are aggregated: choice, rating, multi_choice and spans."""
    return categories(control) is not None or isinstance(control, MultiChoiceControl | SpansControl)


def aggregate_control(control: Control, answers: ControlAnswers, method: str) -> Aggregate | None:
    """The aggregated answer per item of one control: ``method`` for choice and rating, its multi-label
    counterpart for multi_choice (see :func:`.multi_choice.multilabel_method`), the span vote for spans.
    None without answers or for a control that is not aggregated; ``ValueError`` if the aggregator
    refuses the answers."""
    if categories(control) is not None:
        return aggregate(answers, method)
    if isinstance(control, MultiChoiceControl):
        return aggregate_label_sets(control, answers, method)
    if isinstance(control, SpansControl):
        return aggregate_item_spans(answers, per_label=control.allow_overlap)
    return None


def aggregates(
    schema: LabelSchema, answers: Mapping[str, ControlAnswers], method: str
) -> dict[str, Aggregate | None]:
    """The aggregated answer per item of every aggregated control (see :func:`aggregatable`; None: the
    control has no answers, or the aggregator refused them)."""
    check_method(method)
    out: dict[str, Aggregate | None] = {}
    for control in schema.controls:
        if not aggregatable(control):
            continue
        try:
            out[control.name] = aggregate_control(
                control, answers.get(control.name, ControlAnswers()), method
            )
        except ValueError:
            out[control.name] = None
    return out


def reasons_in(controls: Iterable[ControlQuality]) -> list[Reason]:
    """Every reason the report gives for a missing figure, each once, in order of first appearance."""

    def walk() -> Iterator[Reason | None]:
        for control in controls:
            yield control.skipped
            yield control.aggregation_reason
            if control.aggregation is not None:
                yield control.aggregation.method_reason
                yield control.aggregation.mean_confidence_reason
            summary = (
                control.percent_agreement,
                control.krippendorff_alpha,
                control.fleiss_kappa,
                control.span_f1_exact,
                control.span_f1_overlap,
            )
            yield from _figure_reasons(summary)
            for label in control.labels:
                yield from _figure_reasons(
                    (label.fleiss_kappa, label.krippendorff_alpha, label.span_f1_exact, label.span_f1_overlap)
                )
            for annotator in control.annotators:
                yield from _figure_reasons((annotator.agreement_with_aggregate, annotator.skill))

    return list(dict.fromkeys(reason for reason in walk() if reason is not None))


def _figure_reasons(figures: Iterable[Figure | None]) -> Iterator[Reason | None]:
    return (figure.reason for figure in figures if figure is not None)
