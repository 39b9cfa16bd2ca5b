"""Malformed input, and input on which a statistic is undefined, raises ValueError with a clear message."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from consenso.core.agreement import (
    cohen_kappa,
    fleiss_kappa,
    fleiss_kappa_per_category,
    krippendorff_alpha,
    percent_agreement,
)


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ([1, 2, 3], "2-D"),
        (np.zeros((0, 3)), "at least one item"),
        ([[1, 1], [np.nan, 2]], "finite"),
        ([[3, -1], [1, 1]], "non-negative whole"),
        ([[1.5, 0.5], [1, 1]], "non-negative whole"),
        ([[2, 0], [1, 2]], "same number of raters"),
        ([[1, 0], [0, 1]], "at least 2 raters"),
        ([[3, 0], [3, 0]], "undefined"),
    ],
)
def test_fleiss_rejects_bad_counts(counts: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fleiss_kappa(counts)


def test_fleiss_per_category_rejects_bad_counts_but_marks_unused_categories_nan() -> None:
    with pytest.raises(ValueError, match="same number of raters"):
        fleiss_kappa_per_category([[2, 0], [1, 2]])
    result = fleiss_kappa_per_category([[3, 0, 0], [3, 0, 0]])
    assert np.isnan(result).all()


@pytest.mark.parametrize(
    ("a", "b", "kwargs", "message"),
    [
        ([1, 2], [1], {}, "same items"),
        ([], [], {}, "at least one label"),
        (np.zeros((2, 2)), [1, 2], {}, "one-dimensional"),
        ([1, 2], [1, 2], {"weights": "cubic"}, "weights must be"),
        ([1, 2], [1, 3], {"labels": [1, 2]}, "missing observed label"),
        ([1, 2], [1, 2], {"labels": [1, 2, 1]}, "must not repeat"),
        ([1, "x"], ["x", 1], {}, "cannot be sorted"),
        (["x", "x"], ["x", "x"], {}, "undefined"),
    ],
)
def test_cohen_rejects_bad_labels(a: Any, b: Any, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cohen_kappa(a, b, **kwargs)


def test_cohen_unsortable_labels_work_with_an_explicit_order() -> None:
    assert cohen_kappa([1, "x"], [1, "x"], labels=["x", 1]) == pytest.approx(1.0)


def test_percent_agreement_rejects_unpaired_labels() -> None:
    with pytest.raises(ValueError, match="same items"):
        percent_agreement([1, 2, 3], [1, 2])


@pytest.mark.parametrize(
    ("data", "level", "message"),
    [
        ([1, 2, 3], "nominal", "2-D"),
        ([[1, 2], [1, np.inf]], "nominal", "infinities"),
        ([[1, 2], [1, 2]], "cardinal", "level must be one of"),
        ([[1, -2], [1, 2]], "ratio", "non-negative"),
        ([[1, np.nan], [np.nan, 2]], "nominal", "no unit has at least two"),
        ([[1, 1, 3], [1, 1, np.nan]], "interval", "fewer than two distinct"),
        ([[np.nan, np.nan], [np.nan, np.nan]], "nominal", "no unit has at least two"),
    ],
)
def test_krippendorff_rejects_bad_data(data: Any, level: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        krippendorff_alpha(data, level)
