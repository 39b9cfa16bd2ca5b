"""The quality report core: packed tables give the figures of the full annotator × item table, every reason
has its messages, answers that no longer fit are counted and left out."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consenso.core.aggregation import AGGREGATORS, MajorityVote
from consenso.core.agreement import fleiss_kappa, krippendorff_alpha, per_item_agreement
from consenso.core.errors import InvalidInput
from consenso.core.messages import CATALOG
from consenso.core.quality import (
    ControlAnswers,
    Figure,
    Reason,
    aggregate,
    aggregates,
    collect_answers,
    control_quality,
    quality_report,
)
from consenso.core.schema import LabelSchema

SCHEMA = LabelSchema.parse(
    {
        "controls": [
            {"name": "c", "type": "choice", "field": "t", "labels": [{"value": v} for v in "abcd"]},
            {"name": "r", "type": "rating", "field": "t", "required": False, "min": 1, "max": 4},
        ]
    }
)


@pytest.mark.parametrize("reason", list(Reason))
def test_every_reason_has_a_message_and_a_short_form(reason: Reason) -> None:
    assert f"quality_reason_{reason.value}" in CATALOG
    assert f"quality_short_{reason.value}" in CATALOG


@st.composite
def label_tables(draw: st.DrawFn) -> list[list[int | None]]:
    """Items × annotators tables of codes 0..3 with missing cells."""
    n_items = draw(st.integers(1, 12))
    n_annotators = draw(st.integers(1, 6))
    cell = st.one_of(st.none(), st.integers(0, 3))
    return [draw(st.lists(cell, min_size=n_annotators, max_size=n_annotators)) for _ in range(n_items)]


def _figure(statistic: Any, *args: Any) -> float | None:
    try:
        value = float(statistic(*args))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@settings(max_examples=150, deadline=None)
@given(label_tables())
def test_the_packed_layout_gives_the_figures_of_the_full_table(table: list[list[int | None]]) -> None:
    """The report packs answers by slot, not by annotator: the figures must not change."""
    rows = [
        (item + 1, annotator + 1, {"c": "abcd"[code], "r": code + 1})
        for item, codes in enumerate(table)
        for annotator, code in enumerate(codes)
        if code is not None
    ]
    answers = collect_answers(SCHEMA, rows)
    choice = control_quality(SCHEMA.controls[0], answers["c"], method="majority_vote")
    rating = control_quality(SCHEMA.controls[1], answers["r"], method="majority_vote")

    full = np.array([[np.nan if c is None else float(c) for c in codes] for codes in table])
    compared = [row for row in full if np.count_nonzero(~np.isnan(row)) >= 2]
    if not compared:
        assert choice.percent_agreement.reason in {Reason.NO_OVERLAP, Reason.NO_ANNOTATIONS}  # type: ignore[union-attr]
        assert choice.krippendorff_alpha == choice.percent_agreement
        return
    items = np.array(compared)
    assert choice.items_compared == len(compared)
    percent = float(np.mean(per_item_agreement(items.astype(object))))
    assert choice.percent_agreement == Figure(pytest.approx(percent))
    for report, level in ((choice, "nominal"), (rating, "ordinal")):
        expected = _figure(krippendorff_alpha, items.T, level)
        assert report.krippendorff_alpha is not None
        assert report.krippendorff_alpha.value == (None if expected is None else pytest.approx(expected))
    raters = np.count_nonzero(~np.isnan(items), axis=1)
    assert choice.fleiss_kappa is not None
    if np.all(raters == raters[0]):
        counts = np.stack([np.count_nonzero(items == c, axis=1) for c in range(4)], axis=1)
        expected = _figure(fleiss_kappa, counts)
        assert choice.fleiss_kappa.value == (None if expected is None else pytest.approx(expected))
    else:
        assert choice.fleiss_kappa == Figure(None, Reason.UNEQUAL_RATERS)
    for label in choice.labels:
        code = "abcd".index(str(label.label))
        binary = np.where(np.isnan(items), np.nan, (items == code).astype(float))
        expected = _figure(krippendorff_alpha, binary.T, "nominal")
        assert label.krippendorff_alpha is not None
        assert label.krippendorff_alpha.value == (None if expected is None else pytest.approx(expected))


def test_answers_that_no_longer_fit_are_counted_and_left_out() -> None:
    rows = [
        (1, 1, {"c": "a", "r": 4}),
        (1, 2, {"c": "z", "r": 9}),  # a label since removed; a rating outside the range
        (1, 3, {"c": 3, "r": True}),  # not a label; a boolean is not a rating
        (2, 1, {"other": "x"}),  # a control since removed: not read
        (2, 2, "not an object"),
    ]

    answers = collect_answers(SCHEMA, rows)

    assert (answers["c"].items, answers["c"].values, answers["c"].ignored) == ([1], ["a"], 2)
    assert (answers["r"].items, answers["r"].values, answers["r"].ignored) == ([1], [4], 2)


def test_an_unknown_method_is_refused_before_any_work() -> None:
    with pytest.raises(InvalidInput) as caught:
        quality_report(SCHEMA, {}, method="glad")

    assert caught.value.message_key == "unknown_aggregation_method"
    assert caught.value.params["method"] == "glad"


def test_aggregate_lookup_finds_each_item_or_none() -> None:
    answers = ControlAnswers(items=[5, 5, 9], annotators=[1, 2, 1], values=["a", "a", "b"])

    fitted = aggregate(answers, "majority_vote")

    assert fitted is not None
    assert fitted.lookup([9, 7, 5]) == [("b", 1.0), None, ("a", 1.0)]
    assert aggregate(ControlAnswers(), "majority_vote") is None


class _Refusing(MajorityVote):
    def fit(self, data: Any) -> Any:
        raise ValueError("refused")


def test_an_aggregator_that_refuses_the_answers_gives_nulls_not_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(AGGREGATORS, "refusing", _Refusing)
    rows = [(1, 1, {"c": "a"}), (1, 2, {"c": "b"})]
    answers = collect_answers(SCHEMA, rows)

    report = control_quality(SCHEMA.controls[0], answers["c"], method="refusing")

    assert (report.aggregation, report.aggregation_reason) == (None, Reason.UNDEFINED)
    assert [a.agreement_with_aggregate for a in report.annotators] == [Figure(None, Reason.UNDEFINED)] * 2
    assert report.percent_agreement == Figure(0.0)
    assert aggregates(SCHEMA, answers, "refusing") == {"c": None, "r": None}
