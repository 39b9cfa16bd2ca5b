"""``consenso.core.qa.decide_task`` on every control type, and ``agreement_with_result``.

Task 1, three annotators (values worked by hand below)::

    control        A           B             C                   proposal      confidence  agreement
    s (choice)     a           a             b                   a             2/3         2/3
    r (rating)     4           4             5                   4             2/3         2/3
    m (multi)      [x]         [x, y]        [x]                 [x]           2/3 (1)     (1 + 1/2 + 1) / 3
    e (spans)      PER 0-3     PER 0-3       PER 0-3, ORG 5-8    PER 0-3       1           (1 + 1 + 2/3) / 3
    t (text)       "..."       "..."         "..."               —             —           —

(1) the probability of the set: each label kept or dropped by its vote share, 1 · (1 - 1/3) · 1.
"""

from __future__ import annotations

from typing import Any

import pytest

from consenso.core.qa import Outcome, QaSettings, agreement_with_result, decide_task
from consenso.core.quality import aggregates, collect_answers
from consenso.core.schema import LabelSchema

SCHEMA = LabelSchema.parse(
    {
        "controls": [
            {"name": "s", "type": "choice", "field": "text", "labels": [{"value": v} for v in "abc"]},
            {"name": "r", "type": "rating", "field": "text", "min": 1, "max": 5},
            {"name": "m", "type": "multi_choice", "field": "text", "labels": [{"value": v} for v in "xyz"]},
            {"name": "e", "type": "spans", "field": "text", "labels": [{"value": "PER"}, {"value": "ORG"}]},
            {"name": "t", "type": "text", "field": "text", "required": False},
        ]
    }
)
PER = {"start": 0, "end": 3, "label": "PER"}
ORG = {"start": 5, "end": 8, "label": "ORG"}
TASK_1 = [
    (1, 10, {"s": "a", "r": 4, "m": ["x"], "e": [PER], "t": "fine"}),
    (1, 11, {"s": "a", "r": 4, "m": ["x", "y"], "e": [PER], "t": "ok"}),
    (1, 12, {"s": "b", "r": 5, "m": ["x"], "e": [PER, ORG], "t": "meh"}),
]


def _decide(rows: list[tuple[int, int, dict[str, Any]]], task: int = 1, **settings: Any) -> Any:
    answers = collect_answers(SCHEMA, rows)
    chosen = QaSettings(**settings)
    return decide_task(SCHEMA, task, answers, aggregates(SCHEMA, answers, chosen.method), chosen)


def test_every_control_type_is_proposed_with_its_confidence_and_agreement() -> None:
    d = _decide(TASK_1)

    assert d.outcome is Outcome.FINAL
    assert d.method == "majority_vote"
    assert d.result == {"s": "a", "r": 4, "m": ["x"], "e": [PER]}  # free text is not part of it
    assert list(d.controls) == ["s", "r", "m", "e"]
    assert {n: c.confidence for n, c in d.controls.items()} == pytest.approx(
        {"s": 2 / 3, "r": 2 / 3, "m": 2 / 3, "e": 1.0}
    )
    assert d.agreement == pytest.approx({"s": 2 / 3, "r": 2 / 3, "m": 2.5 / 3, "e": (2 + 2 / 3) / 3})
    assert {n: (c.answers, c.passed) for n, c in d.controls.items()} == {
        "s": (3, True),
        "r": (3, True),
        "m": (3, True),
        "e": (3, True),
    }
    assert d.confidence == pytest.approx(2 / 3)  # the lowest of the controls'


def test_one_control_below_its_threshold_escalates_the_task_with_the_proposal() -> None:
    d = _decide(TASK_1, control_thresholds={"m": 0.9})

    assert d.outcome is Outcome.ESCALATED
    assert d.result == {"s": "a", "r": 4, "m": ["x"], "e": [PER]}  # the adjudicator's suggestion
    assert {n: c.passed for n, c in d.controls.items()} == {"s": True, "r": True, "m": False, "e": True}


def test_the_minimum_confidence_escalates_too() -> None:
    d = _decide(TASK_1, min_confidence=0.7)
    assert d.outcome is Outcome.ESCALATED
    assert {n: c.passed for n, c in d.controls.items()} == {"s": False, "r": False, "m": False, "e": True}
    assert _decide(TASK_1, min_confidence=2 / 3).outcome is Outcome.FINAL  # reaching it is enough


def test_a_three_way_split_is_escalated() -> None:
    rows = [(1, 10 + i, {"s": v}) for i, v in enumerate("abc")]
    d = _decide(rows)
    assert d.outcome is Outcome.ESCALATED
    assert d.agreement == pytest.approx({"s": 1 / 3})
    assert list(d.controls) == ["s"]  # unanswered controls are left out


def test_a_single_answer_cannot_disagree() -> None:
    d = _decide([TASK_1[2]])
    assert d.outcome is Outcome.FINAL
    assert d.agreement == {"s": None, "r": None, "m": None, "e": None}
    assert d.result == {"s": "b", "r": 5, "m": ["x"], "e": [PER, ORG]}


def test_an_agreed_empty_answer_is_final() -> None:
    rows = [(1, 10, {"m": [], "e": []}), (1, 11, {"m": [], "e": []})]
    d = _decide(rows)
    assert d.outcome is Outcome.FINAL
    assert d.result == {"m": [], "e": []}
    assert d.agreement == pytest.approx({"m": 1.0, "e": 1.0})


def test_free_text_alone_always_goes_to_a_person() -> None:
    d = _decide([(1, 10, {"t": "same"}), (1, 11, {"t": "same"})])
    assert (d.outcome, d.result, d.confidence, dict(d.controls)) == (Outcome.ESCALATED, {}, None, {})


def test_other_tasks_answers_do_not_count_in_the_agreement() -> None:
    other = [(2, 10, {"s": "c"}), (2, 11, {"s": "c"}), (2, 12, {"s": "c"})]
    assert _decide(TASK_1 + other).agreement == _decide(TASK_1).agreement
    assert _decide(TASK_1 + other, task=2).result == {"s": "c"}


def test_a_model_reads_the_whole_project_and_only_this_tasks_entry() -> None:
    # A and B agree on six tasks, C always answers "c": Dawid-Skene learns C is uninformative
    rows: list[tuple[int, int, dict[str, Any]]] = []
    for task, label in enumerate("abababa", start=1):
        rows += [(task, 10, {"s": label}), (task, 11, {"s": label}), (task, 12, {"s": "c"})]
    rows += [(9, 10, {"s": "a"}), (9, 11, {"s": "b"}), (9, 12, {"s": "c"})]
    project = _decide(rows, task=9, method="dawid_skene")
    alone = _decide([r for r in rows if r[0] == 9], task=9, method="dawid_skene")
    assert project.method == "dawid_skene"
    assert project.result["s"] in ("a", "b")  # C's "c" carries no weight in the project fit
    assert project.confidence != pytest.approx(alone.confidence, abs=1e-3)


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (
            {"s": "b", "r": 5, "m": ["x", "y"], "e": [PER, ORG], "t": "x"},
            {"s": 1 / 3, "r": 1 / 3, "m": (0.5 + 1 + 0.5) / 3, "e": (2 / 3 + 2 / 3 + 1) / 3},
        ),
        ({"s": "a"}, {"s": 2 / 3}),
        ({"s": "z", "m": ["x"]}, {"s": None, "m": 2.5 / 3}),  # a value that does not fit is not measured
    ],
)
def test_agreement_with_a_decided_result(result: dict[str, Any], expected: dict[str, float | None]) -> None:
    answers = collect_answers(SCHEMA, TASK_1)
    assert agreement_with_result(SCHEMA, 1, answers, result) == pytest.approx(expected)


def test_agreement_with_a_result_nobody_answered_is_none() -> None:
    answers = collect_answers(SCHEMA, [(1, 10, {"s": "a"})])
    assert agreement_with_result(SCHEMA, 1, answers, {"s": "a", "r": 3}) == {"s": 1.0, "r": None}
