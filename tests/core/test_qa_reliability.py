"""consenso.core.qa.reliability: gold figures, agreement with final labels, confusion matrices, throughput."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consenso.core.aggregation import DawidSkene
from consenso.core.agreement import wilson_interval
from consenso.core.qa.reliability import (
    MAX_CONFUSION_LABELS,
    NO_GOLD,
    TOO_MANY_LABELS,
    GoldFigures,
    LeadTimes,
    confusion_controls,
    confusion_matrices,
    covered_annotations,
    final_agreement,
    gold_figures,
    lead_times,
    no_confusion,
    no_final_agreement,
    report_block,
    throughput,
)
from consenso.core.schema import LabelSchema

SCHEMA = LabelSchema.parse(
    {
        "controls": [
            {
                "name": "s",
                "type": "choice",
                "field": "text",
                "labels": [{"value": "pos"}, {"value": "neg"}, {"value": "neu"}],
            },
            {"name": "r", "type": "rating", "field": "text", "min": 1, "max": 3},
            {
                "name": "m",
                "type": "multi_choice",
                "field": "text",
                "labels": [{"value": "a"}, {"value": "b"}, {"value": "c"}],
            },
            {"name": "e", "type": "spans", "field": "text", "labels": [{"value": "PER"}, {"value": "ORG"}]},
            {"name": "t", "type": "text", "field": "text"},
        ]
    }
)
PER = {"start": 0, "end": 3, "label": "PER"}
ORG = {"start": 5, "end": 9, "label": "ORG"}


def test_gold_figures_count_the_pass_score_and_its_boundary() -> None:
    rows = [(1, 7, 0.8), (2, 7, 0.7999), (3, 7, 1.0), (1, 8, 0.2)]

    figures = gold_figures(rows, pass_score=0.8)

    low, high = wilson_interval(2, 3)
    assert figures[7] == GoldFigures(
        3,
        2,
        pytest.approx(2 / 3),
        pytest.approx(low),
        pytest.approx(high),
        pytest.approx((0.8 + 0.7999 + 1.0) / 3),
    )
    assert figures[8] == GoldFigures(1, 0, 0.0, 0.0, pytest.approx(wilson_interval(0, 1)[1]), 0.2)
    # a score a hair below the pass score through rounding still passes (as the pause rule compares)
    assert gold_figures([(1, 7, (0.1 + 0.7))], pass_score=0.8)[7].correct == 1
    assert gold_figures([], pass_score=0.8) == {}
    assert GoldFigures(0, 0, None, None, None, None) == NO_GOLD


def test_agreement_with_final_per_control_type() -> None:
    final = {"s": "pos", "r": 2, "m": ["b", "a"], "e": [ORG, PER]}
    rows: list[tuple[int, int, Any, Any]] = [
        # 7 agrees everywhere: the label set and the spans in another order are the same answer
        (1, 7, {"s": "pos", "r": 2, "m": ["a", "b"], "e": [PER, ORG], "t": "fine"}, final),
        # 8 disagrees everywhere; one of the two spans matches: span F1 2·1 / (1 + 2)
        (1, 8, {"s": "neg", "r": 3, "m": ["a"], "e": [PER]}, final),
        # 9 answers only the choice; an answer outside the schema is not compared
        (1, 9, {"s": "pos"}, final),
        (2, 9, {"s": "maybe", "r": 2}, {"s": "neg", "r": 2}),
    ]

    figures = final_agreement(SCHEMA, rows)

    seven, eight, nine = figures[7], figures[8], figures[9]
    assert [c.control for c in seven.controls] == ["s", "r", "m", "e"]
    assert [(c.agreed, c.compared) for c in seven.controls] == [(1, 1)] * 4
    assert (seven.agreed, seven.compared, seven.rate) == (4, 4, 1.0)
    assert (seven.low, seven.high) == pytest.approx(wilson_interval(4, 4))
    assert [(c.agreed, c.compared) for c in eight.controls] == [(0, 1)] * 4
    assert eight.controls[3].mean_f1 == pytest.approx(2 / 3)
    assert seven.controls[3].mean_f1 == 1.0
    assert [c.mean_f1 for c in seven.controls[:3]] == [None, None, None]
    assert seven.controls[3].kappa is None
    assert [(c.agreed, c.compared) for c in nine.controls] == [(1, 1), (1, 1), (0, 0), (0, 0)]
    assert nine.controls[2].rate is None and nine.controls[2].low is None
    assert (nine.agreed, nine.compared) == (2, 2)


def test_two_empty_answers_agree_and_kappa_matches_cohen() -> None:
    rows = [
        (1, 7, {"e": []}, {"e": []}),
        (2, 7, {"e": [PER]}, {"e": []}),
    ]
    (spans,) = [c for c in final_agreement(SCHEMA, rows)[7].controls if c.compared]
    assert (spans.agreed, spans.compared, spans.mean_f1) == (1, 2, 0.5)

    labels = ["pos", "neg", "neu", "pos", "pos"]
    finals = ["pos", "neg", "neu", "pos", "neg"]
    rows = [(i, 7, {"s": a}, {"s": f}) for i, (a, f) in enumerate(zip(labels, finals, strict=True))]
    choice = final_agreement(SCHEMA, rows)[7].controls[0]
    # p_o = 4/5, p_e = (3·2 + 1·2 + 1·1) / 25
    assert choice.kappa == pytest.approx((0.8 - 9 / 25) / (1 - 9 / 25))


def test_no_final_agreement_lists_every_aggregated_control() -> None:
    empty = no_final_agreement(SCHEMA)
    assert (empty.compared, empty.agreed, empty.rate) == (0, 0, None)
    assert [(c.control, c.type, c.compared) for c in empty.controls] == [
        ("s", "choice", 0),
        ("r", "rating", 0),
        ("m", "multi_choice", 0),
        ("e", "spans", 0),
    ]


def _liar_rows(n: int = 90) -> list[tuple[int, int, str]]:
    truth = ["pos", "neg", "pos"] * (n // 3)
    rows = [(i, a, t) for i, t in enumerate(truth) for a in (1, 2)]
    rows += [(i, 3, "neg" if t == "pos" else "pos") for i, t in enumerate(truth)]
    return rows


def test_confusion_matrices_are_dawid_skenes_in_schema_order() -> None:
    control = SCHEMA.controls[0]
    rows = _liar_rows()

    matrices = confusion_matrices(control, rows)

    # the same fit through the DataFrame layer, labels sorted by name: neg, pos (neu never used)
    ds = DawidSkene().fit(pd.DataFrame(rows, columns=["item", "annotator", "label"]))
    order = [list(ds.classes_).index(label) for label in ("pos", "neg")]
    for code, who in enumerate(ds.annotators_):
        m = matrices[int(who)]
        assert (m.control, m.type, m.labels, m.answers, m.reason) == (
            "s",
            "choice",
            ("pos", "neg", "neu"),
            90,
            None,
        )
        matrix = np.array(m.matrix)
        assert matrix.shape == (3, 3)
        assert np.allclose(matrix.sum(axis=1), 1.0)
        assert np.allclose(matrix[:2, :2], ds.errors_[code][np.ix_(order, order)], atol=1e-6)
        assert np.all(matrix[:2, 2] < 1e-6)  # nobody answers "neu"
        assert np.allclose(matrix[2], 1 / 3)  # no item is "neu": the prior's (uniform) row
    liar = np.array(matrices[3].matrix)
    assert liar[0, 1] > 0.8 and liar[1, 0] > 0.8  # the liar is learnt as one
    assert np.array(matrices[1].matrix)[0, 0] > 0.9


def test_confusion_matrices_edge_cases() -> None:
    choice, rating, multi = SCHEMA.controls[0], SCHEMA.controls[1], SCHEMA.controls[2]
    assert confusion_matrices(choice, []) == {}
    ratings = confusion_matrices(rating, [(1, 7, 3), (1, 8, 3), (2, 7, 1)])
    assert ratings[7].labels == (1, 2, 3) and ratings[7].answers == 2 and ratings[8].answers == 1
    with pytest.raises(ValueError, match="not categorical"):
        confusion_matrices(multi, [(1, 7, frozenset({"a"}))])
    assert [c.name for c in confusion_controls(SCHEMA)] == ["s", "r"]
    assert no_confusion(choice) == no_confusion(choice, "no_answers")
    assert no_confusion(choice).matrix is None and no_confusion(choice).labels == ("pos", "neg", "neu")

    many = LabelSchema.parse(
        {
            "controls": [
                {
                    "name": "x",
                    "type": "choice",
                    "field": "text",
                    "labels": [{"value": f"l{i}"} for i in range(MAX_CONFUSION_LABELS + 1)],
                }
            ]
        }
    ).controls[0]
    skipped = confusion_matrices(many, [(1, 7, "l0"), (2, 7, "l1"), (1, 8, "l0")])
    assert (skipped[7].matrix, skipped[7].reason, skipped[7].answers) == (None, TOO_MANY_LABELS, 2)
    assert skipped[8].answers == 1


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 12), st.integers(0, 4), st.sampled_from(["pos", "neg", "neu"])),
        min_size=1,
        max_size=60,
        unique_by=lambda row: (row[0], row[1]),
    )
)
def test_every_confusion_row_is_a_distribution(rows: list[tuple[int, int, str]]) -> None:
    matrices = confusion_matrices(SCHEMA.controls[0], rows)
    assert set(matrices) == {who for _, who, _ in rows}
    for who, m in matrices.items():
        assert m.answers == sum(1 for _, w, _ in rows if w == who)
        matrix = np.array(m.matrix)
        assert matrix.shape == (3, 3)
        assert np.all(matrix >= 0) and np.allclose(matrix.sum(axis=1), 1.0)


def test_throughput_and_lead_times() -> None:
    day = datetime(2025, 5, 1, 23, 30, tzinfo=UTC)
    stamps = [day, day + timedelta(minutes=40), day + timedelta(days=2)]  # 1 May, 2 May, 3 May (UTC)
    t = throughput([60_000, 120_000, 180_000], stamps)
    # three answers in six minutes of active time: 30 an hour; three answers over three days
    assert (t.per_active_hour, t.active_ms, t.timed_annotations, t.per_day, t.days) == (
        30.0,
        360_000,
        3,
        1.0,
        3,
    )
    # no lead time: no active time to divide by
    none = throughput([None, None], stamps[:2])
    assert (none.per_active_hour, none.active_ms, none.timed_annotations, none.per_day) == (None, 0, 0, 1.0)
    assert throughput([0], [day]).per_active_hour is None
    empty = throughput([], [])
    assert (empty.per_day, empty.days) == (None, 0)
    assert lead_times([]) == LeadTimes(0, None, None)
    assert lead_times([5, None]) == LeadTimes(1, 5.0, 5.0)
    assert lead_times([100, 200, 400, 800]) == LeadTimes(4, 300.0, pytest.approx(680.0))


@pytest.mark.parametrize(
    ("rate", "block"), [(0.0, 10), (0.5, 10), (0.1, 10), (0.08, 13), (1 / 30, 30), (0.01, 100)]
)
def test_the_report_block_holds_about_one_gold_question(rate: float, block: int) -> None:
    assert report_block(rate) == block


def test_covered_annotations_are_whole_blocks() -> None:
    assert [covered_annotations(n, 10) for n in (0, 9, 10, 11, 19, 20, 25)] == [0, 0, 10, 10, 10, 20, 20]
