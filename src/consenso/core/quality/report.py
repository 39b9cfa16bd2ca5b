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
from consenso.core.quality.multi_choice import multi_choice_quality
from consenso.core.quality.spans import spans_quality
from consenso.core.schema import Control, LabelSchema, MultiChoiceControl, SpansControl

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
        return multi_choice_quality(control, answers, annotator_limit=annotator_limit)
    if isinstance(control, SpansControl):
        return spans_quality(control, answers, annotator_limit=annotator_limit)
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


def aggregates(
    schema: LabelSchema, answers: Mapping[str, ControlAnswers], method: str
) -> dict[str, ControlAggregate | None]:
    """The aggregated answer per item of every categorical control (None: the control has no answers, or
    the aggregator refused them)."""
    check_method(method)
    out: dict[str, ControlAggregate | None] = {}
    for control in schema.controls:
        if categories(control) is None:
            continue
        try:
            out[control.name] = aggregate(answers.get(control.name, ControlAnswers()), method)
        except ValueError:
            out[control.name] = None
    return out


def reasons_in(controls: Iterable[ControlQuality]) -> list[Reason]:
    """Every reason the report gives for a missing figure, each once, in order of first appearance."""

    def walk() -> Iterator[Reason | None]:
        for control in controls:
            yield control.skipped
            yield control.aggregation_reason
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
