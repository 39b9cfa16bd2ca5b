"""Scoring an answer against a gold task's expected result, control by control.

Per control present in the expected result (values as :func:`consenso.core.quality.collect_answers` reads
them):

- ``choice``: 1 when equal, else 0; ``multi_choice``: 1 when the same set of labels, else 0;
- ``rating``: 1 when within ``rating_tolerance`` of the expected value, else 0;
- ``spans``: the span F1 of the answer against the expected spans (exact start, end and label; two empty
  answers score 1), see :func:`consenso.core.agreement.span_f1`;
- ``text``: not scored (free text has no single right answer).

A control the expected result holds but the answer leaves out scores 0. The task's score is the mean over
scored controls (None when no control is scored); the answer counts as **correct** when the score reaches
the project's ``gold_pass_score``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from consenso.core.agreement import span_f1
from consenso.core.quality import collect_answers
from consenso.core.schema import LabelSchema, MultiChoiceControl, RatingControl, SpansControl, TextControl


@dataclass(frozen=True, slots=True)
class GoldScore:
    score: float | None
    controls: Mapping[str, float]


def score_answer(
    schema: LabelSchema, expected: Mapping[str, Any], answer: Mapping[str, Any], *, rating_tolerance: int = 0
) -> GoldScore:
    """How well ``answer`` matches the gold ``expected`` result (see the module docstring).

    Example:
        >>> schema = LabelSchema.parse({"controls": [
        ...     {"name": "s", "type": "choice", "field": "text", "labels": [{"value": "pos"}, {"value": "neg"}]},
        ...     {"name": "r", "type": "rating", "field": "text", "min": 1, "max": 5}]})
        >>> score_answer(schema, {"s": "pos", "r": 4}, {"s": "pos", "r": 5}).score
        0.5
        >>> score_answer(schema, {"s": "pos", "r": 4}, {"s": "pos", "r": 5}, rating_tolerance=1).score
        1.0
    """
    wanted = [c for c in schema.controls if c.name in expected and not isinstance(c, TextControl)]
    names = [c.name for c in wanted]
    gold = collect_answers(schema, [(0, 0, dict(expected))], only=names)
    given = collect_answers(schema, [(0, 0, dict(answer))], only=names)
    scores: dict[str, float] = {}
    for control in wanted:
        if not gold[control.name].values:
            continue  # an expected value that does not fit the schema any more is not scored
        want = gold[control.name].values[0]
        got = given[control.name].values
        if not got:
            scores[control.name] = 0.0
        elif isinstance(control, SpansControl):
            scores[control.name] = span_f1([list(want)], [list(got[0])]).f1
        elif isinstance(control, RatingControl):
            scores[control.name] = 1.0 if abs(int(got[0]) - int(want)) <= rating_tolerance else 0.0
        elif isinstance(control, MultiChoiceControl):
            scores[control.name] = 1.0 if frozenset(got[0]) == frozenset(want) else 0.0
        else:
            scores[control.name] = 1.0 if got[0] == want else 0.0
    if not scores:
        return GoldScore(None, {})
    return GoldScore(sum(scores.values()) / len(scores), scores)
