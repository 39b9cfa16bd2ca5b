"""Bootstrap intervals for agreement coefficients: coverage of the estimate, width, determinism."""

from __future__ import annotations

import doctest
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from consenso.core.agreement import bootstrap, cohen_kappa, fleiss_kappa, krippendorff_alpha
from consenso.core.agreement.bootstrap import (
    bootstrap_ci,
    cohen_kappa_ci,
    fleiss_kappa_ci,
    krippendorff_alpha_ci,
)


def simulated_labels(n_items: int, n_raters: int, accuracy: float, seed: int) -> npt.NDArray[np.int_]:
    """Raters × items codes in 0..2: each rater copies a hidden true label with probability ``accuracy``."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 3, size=n_items)
    noise = rng.integers(0, 3, size=(n_raters, n_items))
    return np.where(rng.random((n_raters, n_items)) < accuracy, truth, noise)


def counts_table(labels: npt.NDArray[np.int_]) -> npt.NDArray[np.int_]:
    return np.stack([np.bincount(column, minlength=3) for column in labels.T])


def test_mean_interval_by_hand() -> None:
    # A constant statistic has a degenerate interval at its value.
    ci = bootstrap_ci(lambda x: 2.0, [1, 2, 3], n_resamples=50, seed=0)
    assert (ci.estimate, ci.low, ci.high, ci.n_undefined) == (2.0, 2.0, 2.0, 0)
    # Resampling one item always returns that item.
    assert bootstrap_ci(lambda x: float(x.mean()), [5.0], n_resamples=20, seed=0).low == 5.0


def test_same_seed_same_interval_and_different_seed_differs() -> None:
    table = counts_table(simulated_labels(60, 4, 0.6, seed=1))
    first = fleiss_kappa_ci(table, n_resamples=300, seed=42)
    assert fleiss_kappa_ci(table, n_resamples=300, seed=42) == first
    assert fleiss_kappa_ci(table, n_resamples=300, seed=np.random.default_rng(42)) == first
    assert fleiss_kappa_ci(table, n_resamples=300, seed=43) != first


@pytest.mark.parametrize("accuracy", [0.3, 0.6, 0.9])
def test_intervals_contain_the_estimate_and_narrow_with_more_items(accuracy: float) -> None:
    widths: dict[str, list[float]] = {"fleiss": [], "alpha": [], "cohen": []}
    for n_items in (40, 640):
        labels = simulated_labels(n_items, 4, accuracy, seed=n_items)
        results = {
            "fleiss": fleiss_kappa_ci(counts_table(labels), n_resamples=400, seed=0),
            "alpha": krippendorff_alpha_ci(labels.astype(float), n_resamples=400, seed=0),
            "cohen": cohen_kappa_ci(labels[0], labels[1], n_resamples=400, seed=0),
        }
        assert results["fleiss"].estimate == pytest.approx(fleiss_kappa(counts_table(labels)))
        assert results["alpha"].estimate == pytest.approx(krippendorff_alpha(labels.astype(float)))
        assert results["cohen"].estimate == pytest.approx(cohen_kappa(labels[0], labels[1]))
        for name, ci in results.items():
            assert ci.low <= ci.estimate <= ci.high, name
            assert ci.confidence == 0.95 and ci.n_resamples == 400
            widths[name].append(ci.high - ci.low)
    for name, (small, large) in widths.items():
        # Width shrinks like 1/sqrt(N): 16 times the items, about a quarter of the width.
        assert large < 0.5 * small, name


def test_higher_confidence_gives_a_wider_interval() -> None:
    table = counts_table(simulated_labels(80, 3, 0.6, seed=5))
    narrow = fleiss_kappa_ci(table, confidence=0.5, seed=3)
    wide = fleiss_kappa_ci(table, confidence=0.99, seed=3)
    assert wide.low < narrow.low <= narrow.high < wide.high


def test_undefined_resamples_are_counted_and_left_out() -> None:
    # One item of the two carries all the variation; resamples of only the other are undefined.
    table = [[2, 0], [1, 1]]
    ci = fleiss_kappa_ci(table, n_resamples=200, seed=0)
    assert 0 < ci.n_undefined < 200
    assert np.isfinite([ci.low, ci.high]).all()


def test_undefined_on_every_resample_raises() -> None:
    calls = iter(range(10_000))

    def first_call_only(x: npt.NDArray[Any]) -> float:
        if next(calls) > 0:
            raise ValueError("undefined")
        return 0.0

    with pytest.raises(ValueError, match="every bootstrap resample"):
        bootstrap_ci(first_call_only, [1, 2, 3], n_resamples=10, seed=0)


def test_cohen_ci_keeps_the_category_order_for_weighted_kappa() -> None:
    a = [0, 1, 2, 2, 1, 0, 2, 1] * 5
    b = [0, 2, 2, 1, 1, 0, 2, 0] * 5
    ci = cohen_kappa_ci(a, b, weights="quadratic", seed=0, n_resamples=200)
    assert ci.estimate == pytest.approx(cohen_kappa(a, b, weights="quadratic"))
    assert ci.low <= ci.estimate <= ci.high


def test_krippendorff_resamples_units_with_missing_values() -> None:
    nan = float("nan")
    data = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, nan],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5],
        [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5],
    ]
    ci = krippendorff_alpha_ci(data, "interval", seed=0, n_resamples=300)
    assert ci.estimate == pytest.approx(krippendorff_alpha(data, "interval"))
    assert ci.low <= ci.estimate <= ci.high <= 1.0


@pytest.mark.parametrize(
    ("data", "kwargs", "message"),
    [
        (3.0, {}, "at least one dimension"),
        ([], {}, "at least one item"),
        ([1.0, 2.0], {"axis_items": 1}, "out of range"),
        ([1.0, 2.0], {"n_resamples": 0}, "positive integer"),
        ([1.0, 2.0], {"n_resamples": 10.0}, "positive integer"),
        ([1.0, 2.0], {"confidence": 1.0}, "confidence"),
        ([1.0, 2.0], {"confidence": 0.0}, "confidence"),
    ],
)
def test_bad_arguments_raise(data: Any, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        bootstrap_ci(lambda x: float(np.mean(x)), data, **kwargs)


def test_statistic_undefined_on_the_full_data_propagates() -> None:
    with pytest.raises(ValueError, match="undefined"):
        fleiss_kappa_ci([[3, 0], [3, 0]])
    with pytest.raises(ValueError, match="same items"):
        cohen_kappa_ci(["a"], ["a", "b"])


def test_docstring_examples_run() -> None:
    failures, attempted = doctest.testmod(bootstrap)
    assert failures == 0
    assert attempted > 0
