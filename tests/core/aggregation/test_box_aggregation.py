"""Box aggregation: constrained complete-linkage clustering across annotators, then fusion."""

from __future__ import annotations

import doctest
from collections.abc import Hashable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consenso.core.aggregation import boxes as box_aggregation
from consenso.core.aggregation.boxes import FusedBox, aggregate_boxes

Box = list[float]


def summary(result: list[FusedBox]) -> list[tuple[tuple[float, ...], Hashable, float, float]]:
    return [(f.box, f.label, f.support, f.mean_iou) for f in result]


def test_three_annotators_by_hand() -> None:
    a = [[0, 0, 10, 10]]
    b = [[1, 1, 11, 11], [50, 50, 60, 60]]
    c = [[0, 0, 10, 10]]
    iou_ab = 81 / 119  # intersection 9 × 9, union 100 + 100 − 81
    assert summary(aggregate_boxes([a, b, c])) == [
        ((0.0, 0.0, 10.0, 10.0), None, 1.0, pytest.approx((2 + iou_ab) / 3)),
    ]
    [mean] = aggregate_boxes([a, b, c], fuse="mean")
    assert mean.box == pytest.approx((1 / 3, 1 / 3, 31 / 3, 31 / 3))
    # with min_share 1/3 the lone box is kept, with support 1/3 and a perfect fit to itself
    result = summary(aggregate_boxes([a, b, c], min_share=1 / 3))
    assert result[1] == ((50.0, 50.0, 60.0, 60.0), None, pytest.approx(1 / 3), 1.0)


def test_complete_linkage_does_not_chain() -> None:
    # A–B and B–C overlap with IoU 70/130 ≈ 0.54, A–C only 40/160 = 0.25: single linkage would make
    # one object of the three. The tie between A–B and B–C goes to the pair with the lower coordinates.
    a, b, c = [[0, 0, 10, 10]], [[3, 0, 13, 10]], [[6, 0, 16, 10]]
    expected = [((1.5, 0.0, 11.5, 10.0), None, pytest.approx(2 / 3), pytest.approx(170 / 230))]
    for order in ([a, b, c], [c, b, a], [b, c, a]):
        assert summary(aggregate_boxes(order)) == expected


def test_best_pair_is_merged_first() -> None:
    # B's box overlaps A's at 0.68 and C's at 1.0: B and C form the cluster, A's box joins it only if
    # it overlaps both of them enough (complete linkage), which it does at threshold 0.5 but not 0.7.
    a, b, c = [[0, 0, 10, 10]], [[1, 1, 11, 11]], [[1, 1, 11, 11]]
    assert [f.support for f in aggregate_boxes([a, b, c], iou_threshold=0.5)] == [1.0]
    result = aggregate_boxes([a, b, c], iou_threshold=0.7)
    assert summary(result) == [((1.0, 1.0, 11.0, 11.0), None, pytest.approx(2 / 3), 1.0)]


def test_one_annotators_boxes_never_merge() -> None:
    # A drew two overlapping boxes; each could match B's box, but A's two boxes stay apart.
    a = [[0, 0, 10, 10], [1, 0, 11, 10]]
    b = [[0, 0, 10, 10]]
    result = summary(aggregate_boxes([a, b]))
    assert result == [
        ((0.0, 0.0, 10.0, 10.0), None, 1.0, 1.0),
        ((1.0, 0.0, 11.0, 10.0), None, 0.5, 1.0),  # 1 of 2 annotators: min_share 0.5 is inclusive
    ]
    assert len(aggregate_boxes([a, b], min_share=0.51)) == 1
    # a single annotator's boxes come back unchanged, however much they overlap
    assert [f.box for f in aggregate_boxes([a])] == [(0.0, 0.0, 10.0, 10.0), (1.0, 0.0, 11.0, 10.0)]


def test_labels_must_agree() -> None:
    a, b, c = [[0, 0, 10, 10]], [[0, 0, 10, 10]], [[0, 0, 10, 10]]
    labels = [["cat"], ["dog"], ["cat"]]
    assert summary(aggregate_boxes([a, b, c], labels)) == [
        ((0.0, 0.0, 10.0, 10.0), "cat", pytest.approx(2 / 3), 1.0)
    ]
    both = aggregate_boxes([a, b], [["cat"], ["dog"]])
    assert [(f.label, f.support) for f in both] == [("cat", 0.5), ("dog", 0.5)]


def test_iou_threshold_is_inclusive() -> None:
    a, b = [[0, 0, 2, 2]], [[1, 0, 3, 2]]  # IoU 2 / 6
    assert [f.support for f in aggregate_boxes([a, b], iou_threshold=1 / 3)] == [1.0]
    assert [f.support for f in aggregate_boxes([a, b], iou_threshold=0.34)] == [0.5, 0.5]


def test_annotators_without_boxes_count_in_the_share() -> None:
    box = [[0, 0, 10, 10]]
    assert [f.support for f in aggregate_boxes([box, box, [], []])] == [0.5]
    assert aggregate_boxes([box, [], []]) == []
    assert aggregate_boxes([[], np.zeros((0, 4))]) == []


def test_median_resists_one_sloppy_box() -> None:
    good = [[10, 10, 20, 20]]
    sloppy = [[10, 10, 26, 24]]  # IoU 100/224 with the others: too low at 0.5
    result = aggregate_boxes([good, good, good, sloppy], iou_threshold=0.4)
    assert [f.box for f in result] == [(10.0, 10.0, 20.0, 20.0)]
    [mean] = aggregate_boxes([good, good, good, sloppy], iou_threshold=0.4, fuse="mean")
    assert mean.box == pytest.approx((10.0, 10.0, 21.5, 21.0))


# Boxes on a small integer grid, so that coincident and overlapping boxes are common.
boxes_strategy = st.lists(
    st.tuples(st.integers(0, 20), st.integers(0, 20), st.integers(1, 12), st.integers(1, 12)).map(
        lambda t: [float(t[0]), float(t[1]), float(t[0] + t[2]), float(t[1] + t[3])]
    ),
    max_size=5,
)


@st.composite
def labelled_annotations(draw: st.DrawFn) -> tuple[list[list[Box]], list[list[str]]]:
    annotations = draw(st.lists(boxes_strategy, min_size=1, max_size=5))
    labels = [[draw(st.sampled_from(["cat", "dog"])) for _ in boxes] for boxes in annotations]
    return annotations, labels


@settings(max_examples=150, deadline=None)
@given(
    drawn=labelled_annotations(),
    iou_threshold=st.sampled_from([0.3, 0.5, 0.7]),
    min_share=st.sampled_from([0.2, 0.5, 1.0]),
    fuse=st.sampled_from(["median", "mean"]),
    data=st.data(),
)
def test_invariant_to_the_order_of_annotators_and_of_their_boxes(
    drawn: tuple[list[list[Box]], list[list[str]]],
    iou_threshold: float,
    min_share: float,
    fuse: str,
    data: st.DataObject,
) -> None:
    annotations, labels = drawn
    kwargs = {"iou_threshold": iou_threshold, "min_share": min_share, "fuse": fuse}
    expected = aggregate_boxes(annotations, labels, **kwargs)  # type: ignore[arg-type]
    order = data.draw(st.permutations(range(len(annotations))))
    rows = [data.draw(st.permutations(range(len(annotations[j])))) for j in order]
    shuffled = [[annotations[j][r] for r in rs] for j, rs in zip(order, rows, strict=True)]
    shuffled_labels = [[labels[j][r] for r in rs] for j, rs in zip(order, rows, strict=True)]
    assert aggregate_boxes(shuffled, shuffled_labels, **kwargs) == expected  # type: ignore[arg-type]


@settings(max_examples=100, deadline=None)
@given(drawn=labelled_annotations())
def test_invariant_to_label_names(drawn: tuple[list[list[Box]], list[list[str]]]) -> None:
    annotations, labels = drawn
    expected = sorted(summary(aggregate_boxes(annotations, labels)), key=repr)
    rename = {"cat": 7, "dog": -1}
    renamed = [[rename[x] for x in row] for row in labels]
    result = [
        (b, {7: "cat", -1: "dog"}[lab], s, m)
        for b, lab, s, m in summary(aggregate_boxes(annotations, renamed))
    ]  # type: ignore[index]
    assert sorted(result, key=repr) == expected


@settings(max_examples=100, deadline=None)
@given(boxes=boxes_strategy, n=st.integers(1, 5), fuse=st.sampled_from(["median", "mean"]))
def test_unanimous_boxes_are_returned(boxes: list[Box], n: int, fuse: str) -> None:
    result = aggregate_boxes([boxes] * n, fuse=fuse)  # type: ignore[arg-type]
    assert summary(result) == sorted((tuple(b), None, 1.0, 1.0) for b in boxes)


@settings(max_examples=100, deadline=None)
@given(drawn=labelled_annotations(), iou_threshold=st.sampled_from([0.3, 0.5, 0.7]))
def test_clusters_are_well_formed(
    drawn: tuple[list[list[Box]], list[list[str]]], iou_threshold: float
) -> None:
    annotations, labels = drawn
    n = len(annotations)
    result = aggregate_boxes(annotations, labels, iou_threshold=iou_threshold, min_share=1 / n)
    # every box lands in exactly one cluster, of at most one box per annotator
    assert sum(round(f.support * n) for f in result) == sum(len(b) for b in annotations)
    for fused in result:
        assert 0 < fused.support <= 1.0
        assert 0.0 < fused.mean_iou <= 1.0
        x0, y0, x1, y1 = fused.box
        assert x0 < x1 and y0 < y1


@pytest.mark.parametrize(
    ("annotations", "labels", "kwargs", "message"),
    [
        ([], None, {}, "annotations is empty"),
        ("boxes", None, {}, "must be a sequence"),
        ([[0, 0, 1, 1]], None, {}, r"annotations\[0\] must be an n × 4 array"),
        ([[[0, 0, 1]]], None, {}, r"annotations\[0\] must be an n × 4 array"),
        ([[[0, 0, 1, 1]], [[0, np.nan, 1, 1]]], None, {}, r"annotations\[1\] must hold finite"),
        ([[[0, 0, np.inf, 1]]], None, {}, "finite"),
        ([[[2, 0, 1, 1]]], None, {}, "x0 <= x1 and y0 <= y1"),
        ([[[0, 0, 1, 1], [0, 0, 0, 1]]], None, {}, r"annotations\[0\] row 1 is a box of zero area"),
        ([[[0, 0, 1, 1]]], [["a"], ["b"]], {}, r"one sequence of labels per annotator \(1\)"),
        ([[[0, 0, 1, 1]]], [["a", "b"]], {}, r"labels\[0\] must hold one label per box: got 2 for 1"),
        ([[[0, 0, 1, 1]]], ["a"], {}, "got the string 'a'"),
        ([[[0, 0, 1, 1]]], [[["a"]]], {}, "hashable"),
        ([[[0, 0, 1, 1]]], None, {"iou_threshold": 0.0}, r"iou_threshold must be a number in \(0, 1\]"),
        ([[[0, 0, 1, 1]]], None, {"iou_threshold": 1.2}, "iou_threshold must be"),
        ([[[0, 0, 1, 1]]], None, {"iou_threshold": float("nan")}, "iou_threshold must be"),
        ([[[0, 0, 1, 1]]], None, {"min_share": 0}, r"min_share must be a number in \(0, 1\]"),
        ([[[0, 0, 1, 1]]], None, {"min_share": 2}, "min_share must be"),
        ([[[0, 0, 1, 1]]], None, {"min_share": False}, "min_share must be"),
        ([[[0, 0, 1, 1]]], None, {"fuse": "max"}, "fuse must be one of"),
    ],
)
def test_bad_input_raises(
    annotations: object, labels: object, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        aggregate_boxes(annotations, labels, **kwargs)  # type: ignore[arg-type]


def test_doctests() -> None:
    assert doctest.testmod(box_aggregation, raise_on_error=False).failed == 0
