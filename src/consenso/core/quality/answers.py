"""The answers of a project, one column set per control, read once from the stored annotation results.

Annotations keep the result they were validated against when they were submitted, under the schema of that
day. A report reads them against the project's *current* schema: an answer that no longer fits its control
(a label since removed, a rating outside a new range) is counted in ``ignored`` and left out, rather than
making up a category. Each (item, annotator) pair has at most one annotation (a database constraint), so
each control holds at most one answer per pair.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from consenso.core.schema import (
    ChoiceControl,
    Control,
    LabelSchema,
    MultiChoiceControl,
    RatingControl,
    SpansControl,
    TextControl,
)

#: ``(item id, annotator id, result)``: one stored annotation.
AnnotationRow = tuple[int, int, Any]
#: ``(start, end, label)``: one span, end exclusive.
SpanTuple = tuple[int, int, str]

_UNFIT = object()  # an answer that does not fit the current control


@dataclass(slots=True)
class ControlAnswers:
    """The answers to one control, in columns: ``values[r]`` is what ``annotators[r]`` said on ``items[r]``.

    Value types: ``str`` (choice), ``int`` (rating), ``frozenset[str]`` (multi_choice),
    ``tuple[SpanTuple, ...]`` (spans), ``None`` (text: only counted).
    """

    items: list[int] = field(default_factory=list)
    annotators: list[int] = field(default_factory=list)
    values: list[Any] = field(default_factory=list)
    ignored: int = 0

    def __len__(self) -> int:
        return len(self.items)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _spans(labels: frozenset[str], value: object) -> object:
    if not isinstance(value, list):
        return _UNFIT
    spans: list[SpanTuple] = []
    for span in value:
        if not isinstance(span, dict):
            return _UNFIT
        start, end, label = span.get("start"), span.get("end"), span.get("label")
        if not (isinstance(start, int) and isinstance(end, int) and isinstance(label, str)):
            return _UNFIT
        if isinstance(start, bool) or isinstance(end, bool) or not 0 <= start < end or label not in labels:
            return _UNFIT
        spans.append((start, end, label))
    return tuple(spans)


def _reader(control: Control) -> Callable[[object], object] | None:
    """A function from a stored answer to the value a report uses (or ``_UNFIT``); None: not reported."""
    if isinstance(control, ChoiceControl):
        labels = control.values
        return lambda value: value if isinstance(value, str) and value in labels else _UNFIT
    if isinstance(control, RatingControl):
        low, high = control.minimum, control.maximum

        def rating(value: object) -> object:
            return value if isinstance(value, int) and _is_int(value) and low <= value <= high else _UNFIT

        return rating
    if isinstance(control, MultiChoiceControl):
        choices = control.values

        def multi_choice(value: object) -> object:
            if not isinstance(value, list) or not all(isinstance(v, str) and v in choices for v in value):
                return _UNFIT
            return frozenset(value)

        return multi_choice
    if isinstance(control, SpansControl):
        span_labels = control.values
        return lambda value: _spans(span_labels, value)
    if isinstance(control, TextControl):
        return lambda value: None if isinstance(value, str) else _UNFIT
    return None


def collect_answers(
    schema: LabelSchema, rows: Iterable[AnnotationRow], only: Collection[str] | None = None
) -> dict[str, ControlAnswers]:
    """Every control's answers (by control name, in schema order) from the annotations ``rows``; with
    ``only``, just those controls' answers (the others stay empty).

    A control left out of a result is not answered (an optional control); an answer that does not fit the
    control under ``schema`` is counted in ``ignored``. Controls of a type without a reader here get no
    answers (a later control type is reported as having none rather than failing the report).
    """
    out = {control.name: ControlAnswers() for control in schema.controls}
    wanted = [c for c in schema.controls if only is None or c.name in only]
    readers = [(c.name, reader, out[c.name]) for c in wanted if (reader := _reader(c)) is not None]
    for item, annotator, result in rows:
        if not isinstance(result, dict):
            continue
        for name, reader, answers in readers:
            if name not in result:
                continue
            value = reader(result[name])
            if value is _UNFIT:
                answers.ignored += 1
                continue
            answers.items.append(item)
            answers.annotators.append(annotator)
            answers.values.append(value)
    return out
