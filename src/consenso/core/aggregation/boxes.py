"""Box aggregation: one consensus set of labelled bounding boxes for an image from several annotators.

Boxes are ``[x0, y0, x1, y1]`` rows in corner form, as in :mod:`consenso.core.agreement.boxes`. The boxes
of all annotators are clustered so that each cluster is one object (at most one box per annotator, one
label, every two members overlapping enough); the clusters most annotators contributed to are fused into
one box each.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np
import numpy.typing as npt

from consenso.core.agreement.boxes import _boxes, box_iou

__all__ = ["BoxFusion", "FusedBox", "aggregate_boxes"]

BoxFusion = Literal["median", "mean"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True, slots=True)
class FusedBox:
    """A consensus box: its corners, label, and how well the annotators agree on it.

    ``support`` is the share of all annotators who drew a box in its cluster (each draws at most one);
    ``mean_iou`` is the mean IoU of those boxes with the fused ``box`` (1.0 when they all coincide).
    ``label`` is ``None`` when :func:`aggregate_boxes` was called without labels.
    """

    box: tuple[float, float, float, float]
    label: Hashable
    support: float
    mean_iou: float


def _share(value: object, name: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float | np.integer | np.floating)
        or not math.isfinite(value)
        or not 0.0 < value <= 1.0
    ):
        raise ValueError(f"{name} must be a number in (0, 1], got {value!r}")
    return float(value)


def _annotator_boxes(annotations: Sequence[npt.ArrayLike]) -> list[FloatArray]:
    if isinstance(annotations, str | bytes) or not isinstance(annotations, Sequence | np.ndarray):
        raise ValueError("annotations must be a sequence with one n × 4 array of boxes per annotator")
    if len(annotations) == 0:
        raise ValueError("annotations is empty: give one (possibly empty) array of boxes per annotator")
    result = []
    for j, boxes in enumerate(annotations):
        array = _boxes(boxes, f"annotations[{j}]")
        flat = np.flatnonzero((array[:, 2] <= array[:, 0]) | (array[:, 3] <= array[:, 1]))
        if flat.size:
            raise ValueError(
                f"annotations[{j}] row {int(flat[0])} is a box of zero area {array[flat[0]].tolist()}; "
                "its IoU with any box is 0, so it could never be matched: drop it first"
            )
        result.append(array)
    return result


def _annotator_labels(
    labels: Sequence[Sequence[Hashable]] | None, boxes: list[FloatArray]
) -> list[list[Any]]:
    if labels is None:
        return [[None] * len(b) for b in boxes]
    if isinstance(labels, str | bytes) or len(labels) != len(boxes):
        raise ValueError(f"labels must hold one sequence of labels per annotator ({len(boxes)})")
    result = []
    for j, (values, array) in enumerate(zip(labels, boxes, strict=True)):
        if isinstance(values, str | bytes):
            raise ValueError(f"labels[{j}] must be a sequence of labels, got the string {values!r}")
        row = list(values)
        if len(row) != len(array):
            raise ValueError(
                f"labels[{j}] must hold one label per box: got {len(row)} for {len(array)} boxes"
            )
        for value in row:
            try:
                hash(value)
            except TypeError as exc:
                raise ValueError(f"labels[{j}] must hold hashable labels, got {value!r}") from exc
        result.append(row)
    return result


def _canonical_order(boxes: FloatArray, annotator: IntArray) -> IntArray:
    """An order of the boxes that does not depend on the order of the annotators or of their boxes.

    Boxes are sorted by coordinates, then by their annotator's whole set of boxes; two boxes with equal
    keys are copies of each other drawn by annotators whose boxes are all the same (or one annotator's
    repeated box), so swapping them changes nothing in the result.
    """
    rows = [tuple(float(v) for v in box) for box in boxes]
    drawn: dict[int, list[tuple[float, ...]]] = {}
    for row, a in zip(rows, annotator.tolist(), strict=True):
        drawn.setdefault(a, []).append(row)
    signature = {a: tuple(sorted(r)) for a, r in drawn.items()}
    keys = [(row, signature[a]) for row, a in zip(rows, annotator.tolist(), strict=True)]
    return np.array(sorted(range(len(keys)), key=keys.__getitem__), dtype=np.intp)


def _complete_linkage(boxes: FloatArray, annotator: IntArray, threshold: float) -> list[list[int]]:
    """Cluster the boxes (in canonical order) by constrained complete-linkage agglomeration.

    The two clusters whose *least* similar pair of boxes has the highest IoU are merged, as long as that
    IoU is at least ``threshold`` and the clusters have no annotator in common; ties go to the pair of
    clusters that comes first in the canonical order (each cluster is named by its first box).
    """
    n = boxes.shape[0]
    link = box_iou(boxes, boxes)
    link[annotator[:, None] == annotator[None, :]] = -np.inf  # one box per annotator (and no self-link)
    link[link < threshold] = -np.inf
    members = [[i] for i in range(n)]
    while n > 1:
        flat = int(np.argmax(link))
        r, s = divmod(flat, n)  # r < s: the matrix is symmetric, argmax returns the first maximum
        if link[r, s] == -np.inf:
            break
        # Lance-Williams update for complete linkage; a cannot-link (-inf) on either side propagates
        merged = np.minimum(link[r], link[s])
        link[r], link[:, r] = merged, merged
        link[r, r] = -np.inf
        link[s], link[:, s] = -np.inf, -np.inf
        members[r] += members[s]
        members[s] = []
    return [m for m in members if m]


def aggregate_boxes(
    annotations: Sequence[npt.ArrayLike],
    labels: Sequence[Sequence[Hashable]] | None = None,
    *,
    iou_threshold: float = 0.5,
    min_share: float = 0.5,
    fuse: BoxFusion = "median",
) -> list[FusedBox]:
    r"""The consensus boxes of one image: cluster the annotators' boxes, keep and fuse the supported ones.

    **What it estimates.** The objects in the image that at least ``min_share`` of the annotators boxed
    with the same label, each with one fused box: the coordinate-wise median (or mean) of their boxes.

    **Assumptions.** ``annotations[j]`` holds annotator ``j``'s boxes on this image (an ``n_j × 4``
    array, possibly empty; an annotator with no boxes still counts in the share). An annotator boxes
    each object at most once, so two boxes from one annotator are never merged; boxes with different
    labels are never merged either. Boxes need positive area (a zero-area box has IoU 0 with everything).

    **Clustering.** Within each label, constrained agglomerative clustering with complete linkage
    (Lance & Williams 1967): every box starts alone; the two clusters whose least-overlapping pair of
    boxes has the highest IoU are merged while that IoU is ``>= iou_threshold`` and the two clusters
    share no annotator. Complete linkage makes every two boxes of a cluster overlap with IoU
    ``>= iou_threshold``, so a chain of boxes each shifted a little from the last does not become one
    object (single linkage would merge it). Greedy merging could depend on the order in which ties are
    met; boxes are therefore first put in a canonical order (by coordinates, then by their annotator's
    whole set of boxes), so the result does not depend on the order of the annotators or of their boxes.

    **Formula.** For a cluster ``C`` of boxes ``b_1 … b_m`` from ``m`` distinct annotators out of ``n``:

    .. math::

        \hat b = \operatorname{median}_i b_i \ (\text{or } \tfrac1m \textstyle\sum_i b_i),\qquad
        \text{support} = \frac{m}{n},\qquad
        \text{mean\_iou} = \frac1m \sum_i \mathrm{IoU}(b_i, \hat b)

    coordinate by coordinate; ``C`` is kept when ``m / n >= min_share`` (**inclusive**: with 2
    annotators and the default 0.5, a box drawn by one of them is kept). The median resists one
    annotator's sloppy box; the mean is the unweighted form of weighted boxes fusion.

    **Reference.** R. Solovyev, W. Wang and T. Gabruseva (2021). Weighted boxes fusion: Ensembling boxes
    from different object detection models. *Image and Vision Computing* 107:104117 (fusing a cluster
    of matched boxes by averaging their coordinates). https://doi.org/10.1016/j.imavis.2021.104117 ;
    G. N. Lance and W. T. Williams (1967). A General Theory of Classificatory Sorting Strategies:
    1. Hierarchical Systems. *The Computer Journal* 9(4):373–380 (complete linkage).
    https://doi.org/10.1093/comjnl/9.4.373

    Args:
        annotations: one ``n_j × 4`` array of ``[x0, y0, x1, y1]`` boxes per annotator.
        labels: optional, one sequence of labels per annotator, one label per box; without it all boxes
            have the same (``None``) label.
        iou_threshold: the smallest IoU between two boxes of a cluster, in ``(0, 1]``.
        min_share: the smallest share of the annotators a cluster needs to be kept, in ``(0, 1]``.
        fuse: ``"median"`` or ``"mean"`` of the coordinates.

    Returns:
        The fused boxes as :class:`FusedBox`, sorted by their coordinates (then label when comparable).

    Raises:
        ValueError: ``annotations`` is empty; boxes are not ``n × 4``, hold NaN or infinity, or have
            ``x1 <= x0`` or ``y1 <= y0``; ``labels`` does not give one label per box; a parameter is out
            of range.

    Example:
        >>> a = [[0, 0, 10, 10]]
        >>> b = [[1, 1, 11, 11], [50, 50, 60, 60]]
        >>> c = [[0, 0, 10, 10]]
        >>> [fused] = aggregate_boxes([a, b, c])
        >>> fused.box, fused.label, fused.support, round(fused.mean_iou, 3)  # b's second box: 1 of 3
        ((0.0, 0.0, 10.0, 10.0), None, 1.0, 0.894)
        >>> [f.box for f in aggregate_boxes([a, b, c], fuse="mean")]  # doctest: +ELLIPSIS
        [(0.333..., 0.333..., 10.333..., 10.333...)]
        >>> # with labels: b's first box is a dog, so it no longer joins a's and c's cats
        >>> labels = [["cat"], ["dog", "cat"], ["cat"]]
        >>> [(f.box, f.label, round(f.support, 3)) for f in aggregate_boxes([a, b, c], labels)]
        [((0.0, 0.0, 10.0, 10.0), 'cat', 0.667)]
    """
    threshold = _share(iou_threshold, "iou_threshold")
    keep_share = _share(min_share, "min_share")
    if fuse not in get_args(BoxFusion):
        raise ValueError(f"fuse must be one of {list(get_args(BoxFusion))}, got {fuse!r}")
    boxes = _annotator_boxes(annotations)
    box_labels = _annotator_labels(labels, boxes)
    n_annotators = len(boxes)

    groups: dict[Hashable, list[tuple[int, int]]] = {}
    for j, row_labels in enumerate(box_labels):
        for row, label in enumerate(row_labels):
            groups.setdefault(label, []).append((j, row))
    try:
        ordered = sorted(groups)  # type: ignore[type-var]  # labels of one comparable type sort
    except TypeError:  # labels of mixed, incomparable types: keep order of appearance
        ordered = list(groups)

    fused: list[tuple[int, FusedBox]] = []
    for rank, label in enumerate(ordered):
        group = groups[label]
        coords = np.array([boxes[j][row] for j, row in group], dtype=np.float64).reshape(-1, 4)
        owner = np.array([j for j, _ in group], dtype=np.intp)
        order = _canonical_order(coords, owner)
        coords, owner = coords[order], owner[order]
        for cluster in _complete_linkage(coords, owner, threshold):
            support = len(cluster) / n_annotators
            if support < keep_share:
                continue
            members = coords[sorted(cluster)]
            centre = np.median(members, axis=0) if fuse == "median" else members.mean(axis=0)
            mean_iou = float(box_iou(members, centre[None, :])[:, 0].mean())
            x0, y0, x1, y1 = (float(v) for v in centre)
            fused.append((rank, FusedBox((x0, y0, x1, y1), label, support, mean_iou)))
    fused.sort(key=lambda entry: (entry[1].box, entry[0]))
    return [box for _, box in fused]
