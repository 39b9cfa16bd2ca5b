"""Properties every agreement metric must keep, checked on generated data (hypothesis)."""

from __future__ import annotations

import doctest
from types import ModuleType

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from consenso.core import agreement
from consenso.core.agreement import (
    cohen,
    cohen_kappa,
    fleiss,
    fleiss_kappa,
    fleiss_kappa_per_category,
    krippendorff,
    krippendorff_alpha,
    percent_agreement,
)
from consenso.core.agreement.cohen import Weights
from consenso.core.agreement.krippendorff import Level

LEVELS: tuple[Level, ...] = ("nominal", "ordinal", "interval", "ratio")
WEIGHTS: tuple[Weights, ...] = (None, "linear", "quadratic")


@st.composite
def count_tables(draw: st.DrawFn) -> npt.NDArray[np.int_]:
    """Items × categories counts with the same number of raters per item and some variation."""
    n_items = draw(st.integers(2, 12))
    n_categories = draw(st.integers(2, 5))
    n_raters = draw(st.integers(2, 7))
    rows = [
        np.bincount(
            draw(st.lists(st.integers(0, n_categories - 1), min_size=n_raters, max_size=n_raters)),
            minlength=n_categories,
        )
        for _ in range(n_items)
    ]
    table = np.vstack(rows)
    assume(np.count_nonzero(table.sum(axis=0)) >= 2)
    return table


@st.composite
def label_pairs(draw: st.DrawFn) -> tuple[list[int], list[int]]:
    n = draw(st.integers(2, 30))
    a = draw(st.lists(st.integers(0, 4), min_size=n, max_size=n))
    b = draw(st.lists(st.integers(0, 4), min_size=n, max_size=n))
    assume(len(set(a) | set(b)) >= 2 and (len(set(a)) > 1 or len(set(b)) > 1))
    return a, b


@st.composite
def reliability_matrices(draw: st.DrawFn) -> npt.NDArray[np.float64]:
    """Coders × units codes in 1..5 with some missing values and at least two distinct pairable codes."""
    n_coders = draw(st.integers(2, 5))
    n_units = draw(st.integers(2, 12))
    cells = draw(
        st.lists(
            st.one_of(st.none(), st.integers(1, 5)), min_size=n_coders * n_units, max_size=n_coders * n_units
        )
    )
    data = np.array(cells, dtype=float).reshape(n_coders, n_units)
    pairable = (~np.isnan(data)).sum(axis=0) >= 2
    assume(np.unique(data[:, pairable][~np.isnan(data[:, pairable])]).size >= 2)
    return data


# --- Fleiss ------------------------------------------------------------------------------------------


@given(st.lists(st.integers(0, 3), min_size=2, max_size=15), st.integers(2, 8))
def test_fleiss_perfect_agreement_is_one(choices: list[int], n_raters: int) -> None:
    assume(len(set(choices)) >= 2)
    table = np.zeros((len(choices), 4), dtype=int)
    table[np.arange(len(choices)), choices] = n_raters
    assert fleiss_kappa(table) == pytest.approx(1.0)
    per_category = fleiss_kappa_per_category(table)
    used = table.sum(axis=0) > 0
    assert per_category[used] == pytest.approx(1.0)
    assert np.isnan(per_category[~used]).all()


@given(count_tables(), st.data())
def test_fleiss_ignores_item_order_and_category_names(
    table: npt.NDArray[np.int_], data: st.DataObject
) -> None:
    items = np.array(data.draw(st.permutations(range(table.shape[0]))))
    categories = np.array(data.draw(st.permutations(range(table.shape[1]))))
    shuffled = table[items][:, categories]
    assert fleiss_kappa(shuffled) == pytest.approx(fleiss_kappa(table))
    np.testing.assert_allclose(
        fleiss_kappa_per_category(shuffled), fleiss_kappa_per_category(table)[categories]
    )


@given(count_tables())
def test_fleiss_overall_is_the_weighted_mean_of_per_category(table: npt.NDArray[np.int_]) -> None:
    # Fleiss (1971): kappa = Σ_j p_j q_j κ_j / Σ_j p_j q_j.
    p = table.sum(axis=0) / table.sum()
    weights = p * (1 - p)
    per_category = np.nan_to_num(fleiss_kappa_per_category(table))
    assert np.sum(weights * per_category) / np.sum(weights) == pytest.approx(fleiss_kappa(table))


def test_fleiss_with_two_categories_each_category_kappa_is_the_overall_kappa() -> None:
    # With two categories, "j versus the rest" is the whole question for both j.
    table = [[2, 0], [1, 1], [0, 2]]
    np.testing.assert_allclose(fleiss_kappa_per_category(table), [fleiss_kappa(table)] * 2)


# --- Cohen -------------------------------------------------------------------------------------------


@given(st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=2, max_size=30))
def test_cohen_perfect_agreement_is_one(labels: list[str]) -> None:
    assume(len(set(labels)) >= 2)
    for weights in WEIGHTS:
        assert cohen_kappa(labels, labels, weights=weights) == pytest.approx(1.0)
    assert percent_agreement(labels, labels) == 1.0


@given(label_pairs(), st.permutations(range(5)), st.data())
def test_cohen_nominal_ignores_label_names_item_order_and_rater_order(
    pair: tuple[list[int], list[int]], renaming: list[int], data: st.DataObject
) -> None:
    a, b = pair
    kappa = cohen_kappa(a, b)
    names = [f"label-{renaming[x]}" for x in range(5)]
    assert cohen_kappa([names[x] for x in a], [names[x] for x in b]) == pytest.approx(kappa)
    order = np.array(data.draw(st.permutations(range(len(a)))))
    assert cohen_kappa(np.asarray(a)[order], np.asarray(b)[order]) == pytest.approx(kappa)
    assert cohen_kappa(b, a) == pytest.approx(kappa)
    assert percent_agreement(b, a) == percent_agreement(a, b)


@given(label_pairs(), st.sampled_from(WEIGHTS[1:]))
def test_cohen_weighted_is_symmetric_and_ignores_reversing_the_scale(
    pair: tuple[list[int], list[int]], weights: Weights
) -> None:
    a, b = pair
    scale = [0, 1, 2, 3, 4]
    kappa = cohen_kappa(a, b, weights=weights, labels=scale)
    assert cohen_kappa(b, a, weights=weights, labels=scale) == pytest.approx(kappa)
    assert cohen_kappa(a, b, weights=weights, labels=scale[::-1]) == pytest.approx(kappa)


def test_cohen_two_categories_weights_do_not_matter() -> None:
    a = [0, 0, 1, 1, 1, 0, 1]
    b = [0, 1, 1, 1, 0, 0, 1]
    unweighted = cohen_kappa(a, b)
    assert cohen_kappa(a, b, weights="linear") == pytest.approx(unweighted)
    assert cohen_kappa(a, b, weights="quadratic") == pytest.approx(unweighted)


def test_cohen_labels_set_the_ordinal_order() -> None:
    a = ["low", "mid", "high", "mid"]
    b = ["mid", "mid", "high", "low"]
    by_meaning = cohen_kappa(a, b, weights="linear", labels=["low", "mid", "high"])
    alphabetical = cohen_kappa(a, b, weights="linear")  # high < low < mid
    assert by_meaning != pytest.approx(alphabetical)


# --- Krippendorff ------------------------------------------------------------------------------------


@given(st.lists(st.integers(1, 5), min_size=2, max_size=12), st.integers(2, 5), st.data())
def test_krippendorff_perfect_agreement_is_one(truth: list[int], n_coders: int, data: st.DataObject) -> None:
    assume(len(set(truth)) >= 2)
    matrix = np.tile(np.array(truth, dtype=float), (n_coders, 1))
    missing = data.draw(st.lists(st.booleans(), min_size=matrix.size, max_size=matrix.size))
    masked = matrix.copy()
    masked[np.array(missing).reshape(matrix.shape)] = np.nan
    pairable = (~np.isnan(masked)).sum(axis=0) >= 2
    if np.unique(masked[:, pairable][~np.isnan(masked[:, pairable])]).size < 2:
        masked = matrix  # the mask left no variation: alpha would be undefined
    for level in LEVELS:
        assert krippendorff_alpha(masked, level) == pytest.approx(1.0), level


@given(reliability_matrices(), st.sampled_from(LEVELS), st.data())
def test_krippendorff_ignores_coder_and_unit_order(
    matrix: npt.NDArray[np.float64], level: Level, data: st.DataObject
) -> None:
    coders = list(data.draw(st.permutations(range(matrix.shape[0]))))
    units = list(data.draw(st.permutations(range(matrix.shape[1]))))
    shuffled = matrix[coders][:, units]
    assert krippendorff_alpha(shuffled, level) == pytest.approx(krippendorff_alpha(matrix, level))


@given(reliability_matrices(), st.permutations([10.0, 20.0, 30.0, 40.0, 50.0]))
def test_krippendorff_nominal_ignores_code_names(data: npt.NDArray[np.float64], names: list[float]) -> None:
    renamed = np.where(np.isnan(data), np.nan, np.take(names, np.nan_to_num(data).astype(int) - 1))
    assert krippendorff_alpha(renamed, "nominal") == pytest.approx(krippendorff_alpha(data, "nominal"))


@given(reliability_matrices())
def test_krippendorff_levels_respect_their_scale_transformations(data: npt.NDArray[np.float64]) -> None:
    # ordinal: any increasing map; interval: affine maps; ratio: positive scaling.
    increasing = np.where(np.isnan(data), np.nan, data**3 + 7)
    assert krippendorff_alpha(increasing, "ordinal") == pytest.approx(krippendorff_alpha(data, "ordinal"))
    assert krippendorff_alpha(-3 * data + 2, "interval") == pytest.approx(
        krippendorff_alpha(data, "interval")
    )
    assert krippendorff_alpha(2.5 * data, "ratio") == pytest.approx(krippendorff_alpha(data, "ratio"))


@given(count_tables())
def test_krippendorff_nominal_matches_fleiss_on_complete_data(table: npt.NDArray[np.int_]) -> None:
    # With no missing values, 1 − α = (n − 1)/n · (1 − κ_Fleiss), n the number of values.
    labels = np.vstack([np.repeat(np.arange(table.shape[1]), row) for row in table]).T.astype(float)
    n_values = labels.size
    expected = 1 - (n_values - 1) / n_values * (1 - fleiss_kappa(table))
    assert krippendorff_alpha(labels, "nominal") == pytest.approx(expected)


@settings(max_examples=50)
@given(label_pairs())
def test_krippendorff_two_coders_relates_to_percent_agreement(pair: tuple[list[int], list[int]]) -> None:
    a, b = pair
    alpha = krippendorff_alpha(np.array([a, b], dtype=float), "nominal")
    if percent_agreement(a, b) == 1.0:
        assert alpha == pytest.approx(1.0)
    else:
        assert alpha < 1.0


# --- Docs --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("module", [agreement, cohen, fleiss, krippendorff])
def test_docstring_examples_run(module: ModuleType) -> None:
    failures, attempted = doctest.testmod(module)
    assert failures == 0
    assert attempted > 0 or module is agreement
