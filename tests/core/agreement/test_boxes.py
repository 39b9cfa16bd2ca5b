"""Box IoU and one-to-one matched-box F1 between two annotators."""

from __future__ import annotations

import doctest
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from consenso.core.agreement import boxes
from consenso.core.agreement.boxes import box_f1, box_iou


def test_iou_by_hand() -> None:
    # Intersection [1, 1, 2, 2] = 1; union 4 + 4 - 1 = 7.
    assert box_iou([[0, 0, 2, 2]], [[1, 1, 3, 3]])[0, 0] == pytest.approx(1 / 7)
    # One box inside another: 4 / 16.
    assert box_iou([[0, 0, 4, 4]], [[1, 1, 3, 3]])[0, 0] == pytest.approx(0.25)


def test_iou_shapes_and_empty_inputs() -> None:
    assert box_iou([[0, 0, 1, 1]] * 3, [[0, 0, 1, 1]] * 2).shape == (3, 2)
    assert box_iou([], [[0, 0, 1, 1]]).shape == (0, 1)
    assert box_iou(np.array([[0, 0, 1, 1], [2, 2, 3, 3]]), []).shape == (2, 0)


def test_touching_and_degenerate_boxes_have_zero_iou() -> None:
    assert box_iou([[0, 0, 1, 1]], [[1, 0, 2, 1]])[0, 0] == 0.0
    assert box_iou([[0, 0, 0, 0]], [[0, 0, 0, 0]])[0, 0] == 0.0


def test_hungarian_beats_greedy() -> None:
    # Greedy on the largest IoU would pair a0 with b1 (9/11) and leave a1 without a partner above 0.5;
    # the optimal pairing (a0-b0 at 0.6, a1-b1 at 8/12) matches both.
    a = [[0, 0, 10, 1], [3, 0, 13, 1]]
    b = [[0, 0, 6, 1], [1, 0, 11, 1]]
    iou = box_iou(a, b)
    assert iou[0, 1] > iou[0, 0] >= 0.5 and iou[1, 1] >= 0.5 and iou[1, 0] < 0.5
    result = box_f1(a, b)
    assert (result.matched, result.reference, result.candidate) == (2, 2, 2)
    assert result.f1 == 1.0


def test_threshold_is_inclusive_and_pairs_below_it_stay_unmatched() -> None:
    a, b = [[0, 0, 2, 2]], [[1, 0, 3, 2]]  # IoU = 2 / 6
    assert box_f1(a, b, threshold=1 / 3).matched == 1
    below = box_f1(a, b, threshold=0.5)
    assert (below.matched, below.precision, below.recall, below.f1) == (0, 0.0, 0.0, 0.0)


def test_labels_must_agree() -> None:
    a, b = [[0, 0, 1, 1], [5, 5, 6, 6]], [[5, 5, 6, 6], [0, 0, 1, 1]]
    assert box_f1(a, b).matched == 2
    assert box_f1(a, b, labels_a=["cat", "dog"], labels_b=["dog", "cat"]).matched == 2
    assert box_f1(a, b, labels_a=["cat", "dog"], labels_b=["cat", "dog"]).matched == 0


def test_precision_and_recall_by_hand() -> None:
    result = box_f1([[0, 0, 1, 1]], [[0, 0, 1, 1], [3, 3, 4, 4], [6, 6, 7, 7]])
    assert (result.precision, result.recall) == (pytest.approx(1 / 3), 1.0)
    assert result.f1 == pytest.approx(0.5)


def test_empty_annotations() -> None:
    assert box_f1([], []).f1 == 1.0
    assert box_f1([[0, 0, 1, 1]], []).f1 == 0.0
    assert box_f1([], [[0, 0, 1, 1]], labels_a=[], labels_b=["x"]).f1 == 0.0


@pytest.mark.parametrize(
    ("a", "kwargs", "message"),
    [
        ([0, 0, 1, 1], {}, "n × 4"),
        ([[0, 0, 1]], {}, "n × 4"),
        ([[0, 0, np.nan, 1]], {}, "finite"),
        ([[2, 0, 1, 1]], {}, "x0 <= x1"),
        ([[0, 2, 1, 1]], {}, "x0 <= x1"),
        ([[0, 0, 1, 1]], {"threshold": 0.0}, "threshold"),
        ([[0, 0, 1, 1]], {"threshold": 1.5}, "threshold"),
        ([[0, 0, 1, 1]], {"labels_a": ["x"]}, "together"),
        ([[0, 0, 1, 1]], {"labels_a": ["x", "y"], "labels_b": ["x"]}, "one label per box"),
    ],
)
def test_bad_input_raises(a: Any, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        box_f1(a, [[0, 0, 1, 1]], **kwargs)


coordinate = st.integers(0, 20)


@st.composite
def box_arrays(draw: st.DrawFn) -> npt.NDArray[np.float64]:
    n = draw(st.integers(0, 6))
    corners = np.array(
        draw(st.lists(st.tuples(coordinate, coordinate, coordinate, coordinate), min_size=n, max_size=n)),
        dtype=float,
    ).reshape(n, 4)
    low = np.minimum(corners[:, :2], corners[:, 2:])
    high = np.maximum(corners[:, :2], corners[:, 2:]) + 1.0
    return np.hstack([low, high])


@given(box_arrays(), box_arrays())
def test_iou_is_symmetric_and_bounded(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> None:
    forward, backward = box_iou(a, b), box_iou(b, a)
    np.testing.assert_allclose(forward, backward.T)
    assert np.all((forward >= 0.0) & (forward <= 1.0 + 1e-12))


@given(box_arrays())
def test_identical_boxes(a: npt.NDArray[np.float64]) -> None:
    np.testing.assert_allclose(np.diag(box_iou(a, a)), 1.0)
    assert box_f1(a, a).f1 == 1.0


@given(box_arrays(), box_arrays(), st.sampled_from([0.1, 0.5, 0.75]))
def test_swapping_annotators_swaps_precision_and_recall(
    a: npt.NDArray[np.float64], b: npt.NDArray[np.float64], threshold: float
) -> None:
    forward, backward = box_f1(a, b, threshold=threshold), box_f1(b, a, threshold=threshold)
    assert forward.matched == backward.matched
    assert forward.f1 == pytest.approx(backward.f1)
    assert forward.precision == pytest.approx(backward.recall)


def test_docstring_examples_run() -> None:
    failures, attempted = doctest.testmod(boxes)
    assert failures == 0
    assert attempted > 0
