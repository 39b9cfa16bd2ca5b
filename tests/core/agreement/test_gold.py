"""Wilson score intervals, accuracy on gold items and agreement with the final labels."""

from __future__ import annotations

import doctest
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm
from statsmodels.stats.proportion import proportion_confint

from consenso.core.agreement import cohen_kappa, gold
from consenso.core.agreement.gold import agreement_with_final, gold_accuracy, wilson_interval

# --- Wilson interval ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [
        # R. G. Newcombe (1998), Statistics in Medicine 17:857–872, worked examples, method 3 (score,
        # no continuity correction); also what statsmodels proportion_confint(method="wilson") gives.
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
    ],
)
def test_wilson_matches_newcombe_1998_table(successes: int, trials: int, low: float, high: float) -> None:
    result = wilson_interval(successes, trials)
    assert result == pytest.approx((low, high), abs=0.5e-4 + 1e-12)


@pytest.mark.parametrize("trials", [1, 2, 5, 20, 29, 1000])
@pytest.mark.parametrize("confidence", [0.8, 0.95, 0.99])
def test_wilson_closed_forms_at_the_ends(trials: int, confidence: float) -> None:
    # At s = 0 the interval is [0, z²/(n + z²)]; at s = n it is [n/(n + z²), 1] (Wilson 1927).
    z2 = norm.ppf(0.5 + confidence / 2) ** 2
    assert wilson_interval(0, trials, confidence) == (0.0, pytest.approx(z2 / (trials + z2), abs=1e-14))
    assert wilson_interval(trials, trials, confidence) == (
        pytest.approx(trials / (trials + z2), abs=1e-14),
        1.0,
    )


def test_wilson_by_hand_at_one_half() -> None:
    # s = 2, n = 4: the centre is 1/2 and the half-width z·√(1/16 + z²/64)/(1 + z²/4) = z/(2√(4 + z²)).
    z = norm.ppf(0.975)
    half = z / (2 * math.sqrt(4 + z * z))
    assert wilson_interval(2, 4) == pytest.approx((0.5 - half, 0.5 + half), abs=1e-15)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 10**6), st.data(), st.floats(0.5, 0.999))
def test_wilson_equals_statsmodels(trials: int, data: st.DataObject, confidence: float) -> None:
    successes = data.draw(st.integers(0, trials))
    expected = proportion_confint(successes, trials, alpha=1 - confidence, method="wilson")
    result = wilson_interval(successes, trials, confidence)
    assert result == pytest.approx(expected, abs=1e-12, rel=0)


@given(st.integers(1, 10**6), st.data(), st.floats(0.01, 0.9999))
def test_wilson_stays_in_unit_interval_and_brackets_the_estimate(
    trials: int, data: st.DataObject, confidence: float
) -> None:
    successes = data.draw(st.integers(0, trials))
    low, high = wilson_interval(successes, trials, confidence)
    assert 0.0 <= low <= successes / trials <= high <= 1.0
    assert low < high
    assert (low == 0.0) == (successes == 0)
    assert (high == 1.0) == (successes == trials)


def test_wilson_widens_with_confidence_and_narrows_with_trials() -> None:
    narrow, wide = wilson_interval(30, 100, 0.9), wilson_interval(30, 100, 0.99)
    assert wide[0] < narrow[0] and narrow[1] < wide[1]
    small, large = wilson_interval(3, 10), wilson_interval(300, 1000)
    assert small[1] - small[0] > large[1] - large[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, 0), "no estimate"),
        ((0, -3), "no estimate"),
        ((-1, 5), "must lie in"),
        ((6, 5), "must lie in"),
        ((1.0, 5), "successes must be an integer"),
        ((1, 5.0), "trials must be an integer"),
        ((True, 5), "successes must be an integer"),
        ((1, 5, 0.0), "confidence"),
        ((1, 5, 1.0), "confidence"),
        ((1, 5, 95), "confidence"),
        ((1, 5, math.nan), "confidence"),
    ],
)
def test_wilson_rejects_bad_input(args: tuple[Any, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        wilson_interval(*args)


def test_wilson_accepts_numpy_integers() -> None:
    assert wilson_interval(np.int64(15), np.int32(148)) == wilson_interval(15, 148)


# --- gold_accuracy -----------------------------------------------------------------------------------


def labels_frame(rows: list[tuple[Any, Any, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["item", "annotator", "label"])


LABELS = labels_frame(
    [
        ("q1", "ann", "cat"),
        ("q2", "ann", "dog"),
        ("q3", "ann", "dog"),
        ("q4", "ann", "cat"),
        ("q1", "bob", "dog"),
        ("q2", "bob", "dog"),
        ("q3", "bob", "cat"),
        ("q5", "bob", "cat"),  # q5 has no gold label
        ("q5", "cid", "dog"),  # cid answered no gold item
    ]
)
GOLD = {"q1": "cat", "q2": "dog", "q3": "dog", "q4": "dog"}


def test_gold_accuracy_by_hand() -> None:
    table = gold_accuracy(LABELS, GOLD)
    assert list(table.index) == ["ann", "bob", "cid"]  # order of first appearance
    assert table.index.name == "annotator"
    assert list(table.columns) == ["correct", "answered", "accuracy", "low", "high"]
    # ann: q1 ✓ q2 ✓ q3 ✓ q4 ✗ → 3/4; bob: q1 ✗ q2 ✓ q3 ✗ (q5 not gold) → 1/3; cid: nothing.
    assert table["correct"].tolist() == [3, 1, 0]
    assert table["answered"].tolist() == [4, 3, 0]
    assert table["correct"].dtype == np.int64 and table["answered"].dtype == np.int64
    assert table.loc["ann", "accuracy"] == 0.75
    assert table.loc["bob", "accuracy"] == pytest.approx(1 / 3)
    for annotator, (s, n) in {"ann": (3, 4), "bob": (1, 3)}.items():
        low, high = wilson_interval(s, n)
        assert table.loc[annotator, "low"] == low
        assert table.loc[annotator, "high"] == high
    assert table.loc["cid", ["accuracy", "low", "high"]].isna().all()


def test_gold_accuracy_takes_a_series_and_a_confidence() -> None:
    table = gold_accuracy(LABELS, pd.Series(GOLD), confidence=0.9)
    pd.testing.assert_frame_equal(
        table[["correct", "answered"]], gold_accuracy(LABELS, GOLD)[["correct", "answered"]]
    )
    assert (table.loc["ann", "low"], table.loc["ann", "high"]) == wilson_interval(3, 4, 0.9)


def test_gold_accuracy_ignores_extra_columns_and_gold_items_nobody_labelled() -> None:
    data = LABELS.assign(seconds=range(len(LABELS)))
    table = gold_accuracy(data, {**GOLD, "q99": "cat"})
    assert table["answered"].tolist() == [4, 3, 0]


def test_gold_accuracy_compares_labels_with_equality_and_any_hashable_ids() -> None:
    data = labels_frame([(("doc", 1), 7, 1), (("doc", 2), 7, (0, 1)), ("x", 8, 2.0), (("doc", 1), 8, 2)])
    table = gold_accuracy(data, {("doc", 1): 1.0, ("doc", 2): (0, 1), "x": 2})
    assert table["correct"].tolist() == [2, 1]
    assert table["answered"].tolist() == [2, 2]


def test_gold_accuracy_matches_a_direct_count_on_random_data() -> None:
    rng = np.random.default_rng(3)
    rows = [
        (item, annotator, int(rng.integers(3)))
        for item in range(60)
        for annotator in "abcde"
        if rng.random() < 0.7
    ]
    data = labels_frame(rows)
    answers = {item: int(rng.integers(3)) for item in range(0, 60, 2)}
    table = gold_accuracy(data, answers)
    for annotator, group in data.groupby("annotator"):
        scored = group[group["item"].isin(answers)]
        correct = int((scored["label"] == scored["item"].map(answers)).sum())
        assert table.loc[annotator, "correct"] == correct
        assert table.loc[annotator, "answered"] == len(scored)
        assert (table.loc[annotator, "low"], table.loc[annotator, "high"]) == pytest.approx(
            proportion_confint(correct, len(scored), method="wilson"), abs=1e-12
        )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([("q1", "ann", "cat")], "must be a pandas DataFrame"),
        (LABELS.drop(columns="label"), r"missing column\(s\) \['label'\]"),
        (LABELS.iloc[:0], "empty"),
        (LABELS.assign(label=[None, *LABELS["label"][1:]]), "'label' holds missing values"),
        (LABELS.assign(item=[math.nan, *LABELS["item"][1:]]), "'item' holds missing values"),
        (
            pd.concat([LABELS, LABELS.iloc[[1]].assign(label="cat")]),
            "'ann' labelled item 'q2' more than once",
        ),
    ],
)
def test_gold_accuracy_rejects_bad_data(data: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        gold_accuracy(data, GOLD)
    with pytest.raises(ValueError, match=message):
        agreement_with_final(data, GOLD)


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ({}, "holds no labels"),
        (pd.Series(dtype=object), "holds no labels"),
        (["cat", "dog"], "mapping or a pandas Series"),
        ({"q1": "cat", "q2": None}, r"missing labels .* \['q2'\]"),
        (pd.Series(["cat", math.nan], index=["q1", "q2"]), r"missing labels .* \['q2'\]"),
        (pd.Series(["cat", "dog"], index=["q1", "q1"]), r"more than one label to item\(s\) \['q1'\]"),
        (pd.Series(["cat", "dog"], index=["q1", None]), "missing item id"),
    ],
)
def test_gold_accuracy_rejects_bad_references(reference: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        gold_accuracy(LABELS, reference)
    with pytest.raises(ValueError, match=message):
        agreement_with_final(LABELS, reference)


@pytest.mark.parametrize("confidence", [0, 1, -0.5, 1.5, math.nan, True, "0.95"])
def test_tables_reject_a_bad_confidence(confidence: Any) -> None:
    with pytest.raises(ValueError, match="confidence"):
        gold_accuracy(LABELS, GOLD, confidence=confidence)
    with pytest.raises(ValueError, match="confidence"):
        agreement_with_final(LABELS, GOLD, confidence=confidence)


# --- agreement_with_final ----------------------------------------------------------------------------


def test_agreement_with_final_by_hand() -> None:
    final = {"q1": "cat", "q2": "dog", "q3": "dog", "q4": "cat"}  # q5 undecided
    table = agreement_with_final(LABELS, final)
    assert list(table.columns) == ["agreed", "compared", "agreement", "low", "high", "kappa"]
    assert list(table.index) == ["ann", "bob", "cid"]
    # ann agrees on all 4; bob on q2 only of q1–q3; cid labelled only q5, which has no final label.
    assert table["agreed"].tolist() == [4, 1, 0]
    assert table["compared"].tolist() == [4, 3, 0]
    assert table.loc["ann", "kappa"] == pytest.approx(1.0)
    # bob: (dog, dog, cat) against (cat, dog, dog): p_o = 1/3, p_e = (2·2 + 1·1)/9 = 5/9, κ = −1/2.
    assert table.loc["bob", "kappa"] == pytest.approx(-0.5)
    assert table.loc["bob", "kappa"] == pytest.approx(
        cohen_kappa(["dog", "dog", "cat"], ["cat", "dog", "dog"])
    )
    assert (table.loc["bob", "low"], table.loc["bob", "high"]) == wilson_interval(1, 3)
    assert table.loc["cid", ["agreement", "low", "high", "kappa"]].isna().all()


def test_agreement_with_final_kappa_is_nan_where_undefined() -> None:
    # Annotator and final labels all "cat": p_e = 1, cohen_kappa raises; the table says nan.
    data = labels_frame([("a", "u", "cat"), ("b", "u", "cat"), ("a", "v", "dog"), ("b", "v", "cat")])
    final = {"a": "cat", "b": "cat"}
    with pytest.raises(ValueError, match="undefined"):
        cohen_kappa(["cat", "cat"], ["cat", "cat"])
    table = agreement_with_final(data, final)
    assert table.loc["u", "agreement"] == 1.0
    assert math.isnan(table.loc["u", "kappa"])
    # v: (dog, cat) against (cat, cat): p_o = 1/2, p_e = 1/2, κ = 0.
    assert table.loc["v", "kappa"] == pytest.approx(0.0)


def test_agreement_with_final_handles_mixed_unsortable_labels() -> None:
    # cohen_kappa cannot sort {1, "x"} by itself; agreement_with_final passes an explicit order.
    data = labels_frame([("a", "u", 1), ("b", "u", "x"), ("c", "u", "x")])
    table = agreement_with_final(data, {"a": 1, "b": "x", "c": 1})
    assert table.loc["u", "agreed"] == 2
    assert table.loc["u", "kappa"] == pytest.approx(cohen_kappa([1, "x", "x"], [1, "x", 1], labels=[1, "x"]))


def test_agreement_with_final_kappa_matches_cohen_kappa_on_random_data() -> None:
    rng = np.random.default_rng(11)
    rows = [
        (item, annotator, int(rng.integers(4)))
        for item in range(80)
        for annotator in "abcd"
        if rng.random() < 0.6
    ]
    data = labels_frame(rows)
    final = pd.Series({item: int(rng.integers(4)) for item in range(0, 80) if item % 5})
    table = agreement_with_final(data, final)
    for annotator, group in data.groupby("annotator"):
        scored = group[group["item"].isin(final.index)]
        mine, decided = scored["label"].tolist(), scored["item"].map(final).tolist()
        assert table.loc[annotator, "compared"] == len(scored)
        assert table.loc[annotator, "agreed"] == sum(x == y for x, y in zip(mine, decided, strict=True))
        assert table.loc[annotator, "kappa"] == pytest.approx(cohen_kappa(mine, decided))


def test_docstring_examples_run() -> None:
    failures, attempted = doctest.testmod(gold)
    assert failures == 0
    assert attempted > 0
