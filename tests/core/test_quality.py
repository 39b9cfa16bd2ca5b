"""The quality report core: packed tables give the figures of the full annotator × item table, every reason
has its messages, answers that no longer fit are counted and left out."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consenso.core.aggregation import AGGREGATORS, AggregatedSpan, MajorityVote
from consenso.core.agreement import fleiss_kappa, krippendorff_alpha, per_item_agreement
from consenso.core.errors import InvalidInput
from consenso.core.messages import CATALOG
from consenso.core.quality import (
    ControlAnswers,
    Figure,
    LabelSetAggregate,
    Reason,
    SpanAggregate,
    aggregate,
    aggregate_item_spans,
    aggregates,
    collect_answers,
    control_quality,
    multilabel_method,
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


SETS_AND_SPANS = LabelSchema.parse(
    {
        "controls": [
            {"name": "m", "type": "multi_choice", "field": "t", "labels": [{"value": v} for v in "xyz"]},
            {"name": "s", "type": "spans", "field": "t", "labels": [{"value": "A"}, {"value": "B"}]},
            {
                "name": "o",
                "type": "spans",
                "field": "t",
                "allow_overlap": True,
                "labels": [{"value": "A"}, {"value": "B"}],
            },
        ]
    }
)


def _span(start: int, end: int, label: str) -> dict[str, Any]:
    return {"start": start, "end": end, "label": label}


@pytest.mark.parametrize("method", list(AGGREGATORS))
def test_each_method_maps_onto_the_multi_label_aggregator_and_a_substitute_is_named(method: str) -> None:
    used, reason = multilabel_method(method)

    assert used == ("dawid_skene" if method == "dawid_skene" else "majority")
    assert reason == (None if method in ("majority_vote", "dawid_skene") else Reason.METHOD_SUBSTITUTED)


def test_label_sets_give_every_schema_label_a_probability_and_the_set_its_product() -> None:
    rows = [(1, 1, {"m": ["x"]}), (1, 2, {"m": ["x", "y"]}), (2, 1, {"m": []}), (2, 2, {"m": []})]
    answers = collect_answers(SETS_AND_SPANS, rows)

    fitted = aggregates(SETS_AND_SPANS, answers, "mace")["m"]
    report = control_quality(SETS_AND_SPANS.controls[0], answers["m"], method="mace")

    assert isinstance(fitted, LabelSetAggregate)
    # item 1: x 2/2, y 1/2 (kept: the threshold is inclusive), z never ticked; item 2: nothing ticked
    assert fitted.lookup([2, 3, 1]) == [
        ([], 1.0, {"x": 0.0, "y": 0.0, "z": 0.0}),
        None,
        (["x", "y"], 0.5, {"x": 1.0, "y": 0.5, "z": 0.0}),
    ]
    assert report.aggregation is not None
    assert (report.aggregation.method, report.aggregation.method_used) == ("mace", "majority")
    assert report.aggregation.method_reason is Reason.METHOD_SUBSTITUTED
    assert (report.aggregation.items, report.aggregation.low_confidence_items) == (2, 1)
    assert report.aggregation.mean_confidence == pytest.approx(0.75)


def test_a_single_answer_is_its_own_consensus_and_a_split_vote_keeps_nothing() -> None:
    rows = [
        (1, 1, {"s": [_span(0, 4, "A"), _span(4, 8, "A")]}),  # touching spans stay apart
        (2, 1, {"s": [_span(0, 4, "A")]}),
        (2, 2, {"s": [_span(0, 4, "B")]}),  # a tie between two labels: outside
        (2, 3, {"s": []}),
    ]
    answers = collect_answers(SETS_AND_SPANS, rows)

    fitted = aggregate_item_spans(answers["s"])
    report = control_quality(SETS_AND_SPANS.controls[1], answers["s"], method="dawid_skene")

    assert fitted is not None
    assert fitted.lookup([1, 2, 3]) == [
        (AggregatedSpan(0, 4, "A", 1.0), AggregatedSpan(4, 8, "A", 1.0)),
        (),
        None,
    ]
    assert report.aggregation is not None
    assert (report.aggregation.spans, report.aggregation.mean_confidence) == (2, 1.0)
    assert report.aggregation.low_confidence_items == 0


def test_overlapping_spans_are_voted_label_by_label() -> None:
    """With allow_overlap a character may keep two labels; a no-overlap control falls back to the same
    per-label vote on an item whose stored answers overlap (saved under an earlier schema)."""
    nested = [_span(0, 10, "A"), _span(2, 5, "B")]
    rows = [
        (1, 1, {"o": nested, "s": nested}),
        (1, 2, {"o": [_span(0, 10, "A"), _span(2, 5, "B"), _span(3, 8, "B")], "s": [_span(0, 10, "A")]}),
        (1, 3, {"o": [_span(0, 10, "A")], "s": [_span(0, 10, "A")]}),
    ]
    answers = collect_answers(SETS_AND_SPANS, rows)

    by_label = aggregate_item_spans(answers["o"], per_label=True)
    fallback = aggregate_item_spans(answers["s"])
    report = control_quality(SETS_AND_SPANS.controls[2], answers["o"], method="majority_vote")

    assert by_label is not None and fallback is not None
    # B: annotator 2's overlapping B spans count as one, 2-8; 2-5 has 2 votes of 3, 5-8 one
    assert [span.as_span() for span in by_label.spans[0]] == [(0, 10, "A"), (2, 5, "B")]
    assert by_label.spans[0][1].support == pytest.approx(2 / 3)
    assert [span.as_span() for span in fallback.spans[0]] == [(0, 10, "A")]
    assert report.aggregation is not None
    assert (report.aggregation.spans, report.aggregation.low_confidence_items) == (2, 1)
    assert report.aggregation.mean_confidence == pytest.approx((1 + 2 / 3) / 2)


def test_spans_aggregation_without_answers_or_without_a_kept_span_says_why() -> None:
    rows = [(1, 1, {"s": [_span(0, 2, "A")]}), (1, 2, {"s": []}), (1, 3, {"s": []})]
    answers = collect_answers(SETS_AND_SPANS, rows)

    empty = control_quality(SETS_AND_SPANS.controls[1], ControlAnswers(), method="majority_vote")
    none_kept = control_quality(SETS_AND_SPANS.controls[1], answers["s"], method="majority_vote")

    assert (empty.aggregation, empty.aggregation_reason) == (None, Reason.NO_ANNOTATIONS)
    assert none_kept.aggregation is not None
    assert (none_kept.aggregation.spans, none_kept.aggregation.mean_confidence) == (0, None)
    assert none_kept.aggregation.mean_confidence_reason is Reason.NO_SPANS
    fitted = aggregates(SETS_AND_SPANS, answers, "majority_vote")
    assert fitted["m"] is None
    assert isinstance(fitted["s"], SpanAggregate)
    assert fitted["s"].spans == [()]
