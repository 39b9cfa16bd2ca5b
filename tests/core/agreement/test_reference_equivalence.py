"""Our agreement metrics equal the reference packages (to 1e-9) on generated data.

- Krippendorff's alpha against ``krippendorff.alpha`` (Castro, https://github.com/pln-fing-udelar/fast-krippendorff);
- Cohen's kappa against ``sklearn.metrics.cohen_kappa_score``;
- Fleiss' kappa against ``statsmodels.stats.inter_rater.fleiss_kappa``.

Where a statistic is undefined, we raise ``ValueError`` while the references may return ``nan`` (or
raise): each test asserts that correspondence explicitly instead of skipping those inputs.

Perfect agreement, label renaming and annotator / item reordering are already covered in
``test_properties.py`` (Fleiss: items and categories; Cohen nominal: labels, items, raters; Cohen
weighted: raters and reversed scale; Krippendorff: coders and units at every level, nominal codes,
scale transformations). The one gap, weighted Cohen's kappa under item reordering and order-preserving
relabelling, is filled at the end of this file.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

import krippendorff
import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa as statsmodels_fleiss_kappa

from consenso.core.agreement import cohen_kappa, fleiss_kappa, krippendorff_alpha
from consenso.core.agreement.cohen import Weights
from consenso.core.agreement.krippendorff import Level

LEVELS: tuple[Level, ...] = ("nominal", "ordinal", "interval", "ratio")
WEIGHTS: tuple[Weights, ...] = (None, "linear", "quadratic")
TOLERANCE = 1e-9

T = TypeVar("T")


def quietly(reference: Callable[[], T]) -> T:
    """Call a reference implementation with its warnings (undefined metric, 0/0) silenced."""
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore")
        return reference()


# --- Krippendorff's alpha ----------------------------------------------------------------------------


@st.composite
def reliability_data(draw: st.DrawFn, level: Level) -> npt.NDArray[np.float64]:
    """Coders × units codes from a small random code set (positive for ratio), some cells missing.

    Hypothesis picks the shape, the code set, the missing rate and a seed; the cells are then filled
    uniformly from the seed, which gives far more varied matrices than drawing each cell.
    """
    n_coders = draw(st.integers(2, 6))
    n_units = draw(st.integers(2, 40))
    codes = draw(
        st.lists(st.integers(1 if level == "ratio" else -5, 12), min_size=2, max_size=5, unique=True)
    )
    missing_rate = draw(st.sampled_from([0.0, 0.2, 0.5, 0.8]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    values = rng.choice(np.array(codes, dtype=np.float64), size=(n_coders, n_units))
    values[rng.random((n_coders, n_units)) < missing_rate] = np.nan
    return values


def alpha_is_defined(data: npt.NDArray[np.float64]) -> bool:
    """At least two distinct codes among the values of units coded at least twice."""
    pairable = (~np.isnan(data)).sum(axis=0) >= 2
    values = data[:, pairable]
    return np.unique(values[~np.isnan(values)]).size >= 2


@pytest.mark.parametrize("level", LEVELS)
@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_krippendorff_alpha_equals_the_krippendorff_package(level: Level, data: st.DataObject) -> None:
    matrix = data.draw(reliability_data(level))

    def reference() -> float:
        return float(krippendorff.alpha(reliability_data=matrix, level_of_measurement=level))

    if alpha_is_defined(matrix):
        event("defined")
        assert krippendorff_alpha(matrix, level) == pytest.approx(quietly(reference), abs=TOLERANCE, rel=0)
        return
    # Undefined: no pairable unit, or a single code among the pairable values. We raise; the package
    # raises too when no unit is pairable or all values share one code, and otherwise (other codes
    # only in unpairable units, which widen its value domain) computes 0/0 = nan.
    event("undefined")
    with pytest.raises(ValueError, match="undefined"):
        krippendorff_alpha(matrix, level)
    try:
        value = quietly(reference)
    except ValueError:
        return
    assert np.isnan(value)


def test_krippendorff_undefined_correspondence_by_hand() -> None:
    # Unit 1 is coded twice (both 1); code 2 appears only in the unpairable unit 2.
    matrix = np.array([[1.0, 2.0], [1.0, np.nan]])
    with pytest.raises(ValueError, match="fewer than two distinct codes"):
        krippendorff_alpha(matrix, "nominal")
    assert np.isnan(
        quietly(lambda: krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"))
    )
    with pytest.raises(ValueError, match="more than one value"):
        krippendorff.alpha(
            reliability_data=np.array([[1.0, 1.0], [1.0, np.nan]]), level_of_measurement="nominal"
        )
    with pytest.raises(ValueError, match="at least one unit"):
        krippendorff.alpha(
            reliability_data=np.array([[1.0, np.nan], [np.nan, 2.0]]), level_of_measurement="nominal"
        )


# --- Cohen's kappa -----------------------------------------------------------------------------------


@st.composite
def rater_pairs(draw: st.DrawFn) -> tuple[list[Any], list[Any], list[Any] | None]:
    """Two raters' labels (ints or strings) and, sometimes, an explicit order with unused categories."""
    universe: list[Any] = draw(
        st.sampled_from([[0, 1, 2, 3, 4, 5], [-3, 0, 7, 10, 42], ["a", "b", "c", "d", "e"]])
    )
    used = draw(st.lists(st.sampled_from(universe), min_size=2, max_size=4, unique=True))
    n = draw(st.integers(1, 40))
    first = draw(st.lists(st.sampled_from(used), min_size=n, max_size=n))
    second = draw(st.lists(st.sampled_from(used), min_size=n, max_size=n))
    order: list[Any] | None = None
    if draw(st.booleans()):
        # Every observed label plus some unused ones, in any order: both sides index the table by it.
        extra = draw(st.lists(st.sampled_from(universe), unique=True))
        order = draw(st.permutations(list(dict.fromkeys([*first, *second, *extra]))))
    return first, second, order


def sklearn_kappa(
    first: Sequence[Hashable], second: Sequence[Hashable], weights: Weights, order: Any
) -> float:
    return float(quietly(lambda: cohen_kappa_score(first, second, labels=order, weights=weights)))


@pytest.mark.parametrize("weights", WEIGHTS)
@settings(max_examples=200, deadline=None)
@given(pair=rater_pairs())
def test_cohen_kappa_equals_sklearn(
    weights: Weights, pair: tuple[list[Any], list[Any], list[Any] | None]
) -> None:
    first, second, order = pair
    reference = sklearn_kappa(first, second, weights, order)
    # Undefined exactly when both raters used one and the same label (chance disagreement 0), with
    # or without weights: sklearn returns nan (its replace_undefined_by default), we raise.
    if len(set(first) | set(second)) == 1:
        event("undefined")
        assert np.isnan(reference)
        with pytest.raises(ValueError, match="undefined"):
            cohen_kappa(first, second, weights=weights, labels=order)
        return
    event("defined")
    ours = cohen_kappa(first, second, weights=weights, labels=order)
    assert ours == pytest.approx(reference, abs=TOLERANCE, rel=0)


def test_cohen_unused_middle_category_changes_weighted_kappa_the_same_way_in_sklearn() -> None:
    # The order passed as labels (with the unused category 1 between 0 and 2) sets the weights on both
    # sides: category 0 moves one step further from 2 and 3.
    first, second = [0, 0, 2, 3, 3, 2, 0], [0, 2, 2, 3, 2, 3, 3]
    for weights in WEIGHTS[1:]:
        dense = cohen_kappa(first, second, weights=weights)
        spaced = cohen_kappa(first, second, weights=weights, labels=[0, 1, 2, 3])
        assert dense == pytest.approx(sklearn_kappa(first, second, weights, None), abs=TOLERANCE)
        assert spaced == pytest.approx(sklearn_kappa(first, second, weights, [0, 1, 2, 3]), abs=TOLERANCE)
        assert spaced != pytest.approx(dense)


# --- Fleiss' kappa -----------------------------------------------------------------------------------


@st.composite
def count_tables(draw: st.DrawFn) -> npt.NDArray[np.int_]:
    """Items × categories counts, the same number of raters on every item."""
    n_items = draw(st.integers(1, 30))
    n_categories = draw(st.integers(1, 6))
    n_raters = draw(st.integers(2, 10))
    ratings = draw(
        st.lists(
            st.lists(st.integers(0, n_categories - 1), min_size=n_raters, max_size=n_raters),
            min_size=n_items,
            max_size=n_items,
        )
    )
    return np.vstack([np.bincount(row, minlength=n_categories) for row in ratings])


@settings(max_examples=300, deadline=None)
@given(count_tables())
def test_fleiss_kappa_equals_statsmodels(table: npt.NDArray[np.int_]) -> None:
    reference = float(quietly(lambda: statsmodels_fleiss_kappa(table, method="fleiss")))
    # Undefined exactly when every rating falls in one category (P̄_e = 1): statsmodels computes
    # 0/0 = nan, we raise.
    if np.count_nonzero(table.sum(axis=0)) == 1:
        event("undefined")
        assert np.isnan(reference)
        with pytest.raises(ValueError, match="undefined"):
            fleiss_kappa(table)
        return
    event("defined")
    assert fleiss_kappa(table) == pytest.approx(reference, abs=TOLERANCE, rel=0)


# --- Properties test_properties.py does not cover ----------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(rater_pairs(), st.sampled_from(WEIGHTS[1:]), st.data())
def test_weighted_cohen_ignores_item_order_and_order_preserving_renaming(
    pair: tuple[list[Any], list[Any], list[Any] | None], weights: Weights, data: st.DataObject
) -> None:
    first, second, order = pair
    if order is None:
        order = sorted(set(first) | set(second))
    if len(set(first) | set(second)) == 1:
        return  # undefined; covered above
    kappa = cohen_kappa(first, second, weights=weights, labels=order)
    permutation = data.draw(st.permutations(range(len(first))))
    shuffled = cohen_kappa(
        [first[i] for i in permutation], [second[i] for i in permutation], weights=weights, labels=order
    )
    assert shuffled == pytest.approx(kappa, abs=TOLERANCE)
    # Weighted kappa depends on the categories' ranks only: new names that sort in the same order
    # (unused categories included, as they widen the gaps) give the same kappa.
    rename = {label: f"rank-{position:02d}" for position, label in enumerate(order)}
    renamed = cohen_kappa(
        [rename[x] for x in first],
        [rename[x] for x in second],
        weights=weights,
        labels=sorted(rename.values()),
    )
    assert renamed == pytest.approx(kappa, abs=TOLERANCE)
