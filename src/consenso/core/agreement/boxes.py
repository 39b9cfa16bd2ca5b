"""Bounding-box agreement between two annotators: intersection over union and matched-box F1.

Boxes are ``[x0, y0, x1, y1]`` rows with ``x0 <= x1`` and ``y0 <= y1`` (corner coordinates, any unit, as
long as both annotators use the same one). :func:`box_f1` compares the boxes two annotators drew on
one image; sum its counts over images for a dataset-level score.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

# scipy ships no type information and the project does not install scipy-stubs.
from scipy.optimize import linear_sum_assignment  # type: ignore[import-untyped]

from consenso.core.agreement.spans import MatchCounts

__all__ = ["box_f1", "box_iou"]


def _boxes(boxes: npt.ArrayLike, name: str) -> npt.NDArray[np.float64]:
    """Return ``boxes`` as an ``n × 4`` float array after checking shape, finiteness and corner order."""
    array = np.asarray(boxes, dtype=np.float64)
    if array.size == 0:
        return array.reshape(0, 4)
    if array.ndim != 2 or array.shape[1] != 4:
        raise ValueError(f"{name} must be an n × 4 array of [x0, y0, x1, y1], got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must hold finite coordinates (no NaN or infinity)")
    if np.any(array[:, 2] < array[:, 0]) or np.any(array[:, 3] < array[:, 1]):
        raise ValueError(f"{name} boxes must have x0 <= x1 and y0 <= y1")
    return array


def box_iou(a: npt.ArrayLike, b: npt.ArrayLike) -> npt.NDArray[np.float64]:
    r"""Intersection over union of every box in ``a`` with every box in ``b``.

    **What it measures.** How much two boxes cover the same region: 1 for identical boxes, 0 for
    disjoint ones (or boxes that only touch along an edge).

    **Assumptions.** Axis-aligned boxes in corner form ``[x0, y0, x1, y1]`` on a continuous plane (no
    ``+1`` pixel convention). Two boxes whose union has zero area (both degenerate) get IoU 0.

    **Formula.** The Jaccard index of the two regions:

    .. math::

        \mathrm{IoU}(A, B) = \frac{|A \cap B|}{|A| + |B| - |A \cap B|}

    **Reference.** M. Everingham, L. Van Gool, C. K. I. Williams, J. Winn and A. Zisserman (2010). The
    PASCAL Visual Object Classes (VOC) Challenge. *IJCV* 88(2):303–338, §4.4.
    https://doi.org/10.1007/s11263-009-0275-4

    Args:
        a: ``n × 4`` array of boxes (or empty).
        b: ``m × 4`` array of boxes (or empty).

    Returns:
        The ``n × m`` float array of IoUs.

    Raises:
        ValueError: an input is not ``n × 4``, holds non-finite values, or has ``x1 < x0`` or ``y1 < y0``.

    Example:
        >>> box_iou([[0, 0, 2, 2]], [[1, 1, 3, 3], [0, 0, 2, 2], [5, 5, 6, 6]]).round(4).tolist()
        [[0.1429, 1.0, 0.0]]
    """
    first, second = _boxes(a, "a"), _boxes(b, "b")
    low = np.maximum(first[:, None, :2], second[None, :, :2])
    high = np.minimum(first[:, None, 2:], second[None, :, 2:])
    intersection = np.prod(np.clip(high - low, 0.0, None), axis=2)
    area_first = np.prod(first[:, 2:] - first[:, :2], axis=1)
    area_second = np.prod(second[:, 2:] - second[:, :2], axis=1)
    union = area_first[:, None] + area_second[None, :] - intersection
    result = np.zeros(intersection.shape, dtype=np.float64)
    np.divide(intersection, union, out=result, where=union > 0)
    return result


def _box_labels(labels: Sequence[Hashable] | npt.NDArray[Any] | None, count: int, name: str) -> list[Any]:
    if labels is None:
        raise ValueError("labels_a and labels_b must be given together")
    values = list(labels)
    if len(values) != count:
        raise ValueError(f"{name} must hold one label per box: got {len(values)} labels for {count} boxes")
    return values


def box_f1(
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    *,
    threshold: float = 0.5,
    labels_a: Sequence[Hashable] | npt.NDArray[Any] | None = None,
    labels_b: Sequence[Hashable] | npt.NDArray[Any] | None = None,
) -> MatchCounts:
    r"""Precision, recall and F1 of annotator ``b``'s boxes against annotator ``a``'s on one image.

    **What it measures.** How far two annotators drew the same objects: boxes are paired one-to-one,
    and a pair counts when its IoU reaches ``threshold`` (and, if labels are given, the labels agree).

    **Assumptions.** Both annotators boxed the same image. The pairing maximises the summed IoU over
    admissible pairs (IoU ``>= threshold``, equal labels) with the Hungarian method, so no box is
    claimed twice and one greedy choice cannot block a better overall pairing. ``a`` is the reference:
    swapping ``a`` and ``b`` swaps precision and recall and leaves F1 unchanged.

    **Formula.** With ``M`` the matched pairs and ``|A|``, ``|B|`` the numbers of boxes:

    .. math::

        M = \operatorname*{arg\,max}_{\text{matchings}} \sum_{(i,j)} \mathrm{IoU}_{ij}\,
            [\mathrm{IoU}_{ij} \ge t]\,[\ell_i = \ell_j],\qquad
        F_1 = \frac{2|M|}{|A| + |B|}

    Two empty annotations score 1; an empty one against a non-empty one scores 0.

    **Reference.** M. Everingham et al. (2010). The PASCAL Visual Object Classes (VOC) Challenge.
    *IJCV* 88(2):303–338 (IoU ≥ 0.5 matching). https://doi.org/10.1007/s11263-009-0275-4 ;
    H. W. Kuhn (1955). The Hungarian method for the assignment problem. *Naval Research Logistics
    Quarterly* 2:83–97. https://doi.org/10.1002/nav.3800020109

    Args:
        a: reference boxes, ``n × 4``.
        b: candidate boxes, ``m × 4``.
        threshold: smallest IoU that counts as a match, in ``(0, 1]``.
        labels_a: optional class label per box of ``a``; give ``labels_b`` too.
        labels_b: optional class label per box of ``b``.

    Returns:
        A :class:`~consenso.core.agreement.spans.MatchCounts` with ``.precision``, ``.recall``, ``.f1``
        and the counts.

    Raises:
        ValueError: boxes are malformed (see :func:`box_iou`), ``threshold`` is outside ``(0, 1]``, only
            one side has labels, or a label list does not have one label per box.

    Example:
        >>> a = [[0, 0, 10, 10], [20, 20, 30, 30]]
        >>> b = [[1, 1, 10, 10], [20, 20, 24, 24], [50, 50, 60, 60]]
        >>> counts = box_f1(a, b)
        >>> counts.matched, counts.reference, counts.candidate, round(counts.f1, 3)
        (1, 2, 3, 0.4)
        >>> box_f1(a, b, labels_a=["cat", "dog"], labels_b=["dog", "dog", "cat"]).matched
        0
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold!r}")
    iou = box_iou(a, b)
    n_first, n_second = iou.shape
    admissible = iou >= threshold
    if labels_a is not None or labels_b is not None:
        first_labels = _box_labels(labels_a, n_first, "labels_a")
        second_labels = _box_labels(labels_b, n_second, "labels_b")
        same = np.array([[x == y for y in second_labels] for x in first_labels], dtype=bool)
        admissible &= same.reshape(n_first, n_second)
    if not np.any(admissible):
        return MatchCounts(0, n_first, n_second)
    score = np.where(admissible, iou, 0.0)
    rows: npt.NDArray[np.intp]
    cols: npt.NDArray[np.intp]
    rows, cols = linear_sum_assignment(score, maximize=True)
    matched = int(np.count_nonzero(admissible[rows, cols]))
    return MatchCounts(matched, n_first, n_second)
