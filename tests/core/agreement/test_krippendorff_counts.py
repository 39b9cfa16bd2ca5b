"""The counts fast path of Krippendorff's alpha equals the reliability-matrix path and the reference."""

from __future__ import annotations

import krippendorff
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from consenso.core.agreement import krippendorff_alpha, krippendorff_alpha_counts

LEVELS = ["nominal", "ordinal", "interval", "ratio"]


@st.composite
def reliability_data(draw: st.DrawFn) -> np.ndarray:
    coders = draw(st.integers(2, 5))
    units = draw(st.integers(2, 25))
    cells = draw(
        st.lists(
            st.one_of(st.none(), st.sampled_from([1, 2, 3, 5, 8])),
            min_size=coders * units,
            max_size=coders * units,
        )
    )
    return np.array([np.nan if c is None else c for c in cells], dtype=np.float64).reshape(coders, units)


def counts_of(data: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    values = np.unique(data[~np.isnan(data)])
    counts = (
        np.stack([(data == v).sum(axis=0) for v in values], axis=1)
        if values.size
        else np.zeros((data.shape[1], 0))
    )
    return counts, values


@settings(max_examples=150, deadline=None)
@given(data=reliability_data(), level=st.sampled_from(LEVELS))
def test_counts_path_equals_matrix_path_and_the_krippendorff_package(data: np.ndarray, level: str) -> None:
    counts, values = counts_of(data)
    try:
        expected = krippendorff_alpha(data, level)  # type: ignore[arg-type]
    except ValueError:
        with pytest.raises(ValueError, match="undefined"):
            krippendorff_alpha_counts(counts, values, level)  # type: ignore[arg-type]
        return
    ours = krippendorff_alpha_counts(counts, values, level)  # type: ignore[arg-type]
    assert ours == pytest.approx(expected, abs=1e-9)
    reference = krippendorff.alpha(value_counts=counts, value_domain=values, level_of_measurement=level)
    assume(np.isfinite(reference))
    assert ours == pytest.approx(reference, abs=1e-9)


def test_unused_values_change_nothing() -> None:
    counts = np.array([[3, 0, 0], [0, 0, 2], [2, 0, 1], [1, 0, 1]])
    assert krippendorff_alpha_counts(counts, [1, 2, 3], "ordinal") == pytest.approx(
        krippendorff_alpha_counts(counts[:, [0, 2]], [1, 3], "ordinal")
    )


@pytest.mark.parametrize(
    ("counts", "values", "message"),
    [
        ([1, 2], None, "2-D"),
        ([[1, -1]], None, "whole numbers ≥ 0"),
        ([[1.5, 1]], None, "whole numbers ≥ 0"),
        ([[1, np.nan]], None, "whole numbers ≥ 0"),
        ([[1, 1]], [1, 2, 3], "one number per column"),
        ([[1, 1]], [2, 1], "strictly increasing"),
        ([[2, 0], [0, 0]], None, "undefined"),
    ],
)
def test_bad_counts_raise(counts: object, values: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        krippendorff_alpha_counts(counts, values)  # type: ignore[arg-type]
