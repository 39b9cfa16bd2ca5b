"""Cohen's kappa (unweighted and weighted) and raw percent agreement for two raters.

Both functions take the two raters' labels for the same items, in the same item order. Labels may be
any hashable values (strings, ints, enums...). There is no notion of a missing label here: drop the
items one rater skipped before calling.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

__all__ = ["cohen_kappa", "percent_agreement"]

Labels = Sequence[Hashable] | npt.NDArray[Any]
Weights = Literal["linear", "quadratic"] | None


def _paired(a: Labels, b: Labels) -> tuple[list[Hashable], list[Hashable]]:
    """Return both label sequences as lists after checking they pair up item by item."""
    if isinstance(a, np.ndarray) and a.ndim != 1:
        raise ValueError(f"a must be one-dimensional, got {a.ndim} dimensions")
    if isinstance(b, np.ndarray) and b.ndim != 1:
        raise ValueError(f"b must be one-dimensional, got {b.ndim} dimensions")
    first, second = list(a), list(b)
    if len(first) != len(second):
        raise ValueError(f"a and b must label the same items: got {len(first)} and {len(second)} labels")
    if not first:
        raise ValueError("a and b must hold at least one label each")
    return first, second


def _label_order(
    first: list[Hashable], second: list[Hashable], labels: Sequence[Hashable] | None
) -> list[Hashable]:
    """The category order: ``labels`` if given (checked), else the sorted union of observed labels."""
    observed = set(first) | set(second)
    if labels is not None:
        order = list(labels)
        if len(set(order)) != len(order):
            raise ValueError("labels must not repeat a value")
        unknown = observed - set(order)
        if unknown:
            raise ValueError(f"labels is missing observed label(s): {sorted(map(repr, unknown))}")
        return order
    try:
        return sorted(observed)  # type: ignore[type-var]
    except TypeError as exc:
        raise ValueError("the labels cannot be sorted; pass labels=[...] to give their order") from exc


def percent_agreement(a: Labels, b: Labels) -> float:
    r"""Share of items on which the two raters chose the same label (observed agreement ``p_o``).

    **What it measures.** Raw agreement, not corrected for chance: 1 when the raters always agree.

    **Assumptions.** ``a[i]`` and ``b[i]`` label the same item; labels are compared with ``==``.

    **Formula.** :math:`p_o = \frac{1}{N}\sum_i [a_i = b_i]`.

    **Reference.** J. Cohen (1960). A coefficient of agreement for nominal scales. *Educational and
    Psychological Measurement* 20(1):37–46 (``p_o``). https://doi.org/10.1177/001316446002000104

    Raises:
        ValueError: the sequences differ in length, are empty or are not one-dimensional.

    Example:
        >>> percent_agreement(["cat", "dog", "dog", "cat"], ["cat", "dog", "cat", "cat"])
        0.75
    """
    first, second = _paired(a, b)
    return sum(1 for x, y in zip(first, second, strict=True) if x == y) / len(first)


def cohen_kappa(
    a: Labels,
    b: Labels,
    *,
    weights: Weights = None,
    labels: Sequence[Hashable] | None = None,
) -> float:
    r"""Cohen's kappa between two raters, optionally weighted for ordinal labels.

    **What it measures.** Agreement between two raters beyond what their own label frequencies would
    produce by chance: 1 is perfect agreement, 0 is chance level, negative is worse than chance. With
    ``weights``, near misses on an ordinal scale count as partial agreement.

    **Assumptions.** Both raters label the same items; chance agreement uses each rater's own marginal
    distribution (unlike Fleiss and Krippendorff, which pool them). For weighted kappa, the category
    order is ``labels`` if given, else the sorted observed labels, and categories are equally spaced.

    **Formula.** With the ``k × k`` table of observed proportions ``O`` (rows rater ``a``), expected
    proportions ``E_ij = O_i· O_·j`` and disagreement weights ``w_ij`` — ``[i ≠ j]`` (unweighted),
    ``|i − j| / (k − 1)`` (linear) or ``(i − j)² / (k − 1)²`` (quadratic):

    .. math::

        \kappa_w = 1 - \frac{\sum_{ij} w_{ij} O_{ij}}{\sum_{ij} w_{ij} E_{ij}}

    which for ``w_ij = [i ≠ j]`` is the familiar ``(p_o − p_e) / (1 − p_e)``.

    **Reference.** J. Cohen (1960), *Educational and Psychological Measurement* 20(1):37–46,
    https://doi.org/10.1177/001316446002000104; J. Cohen (1968). Weighted kappa. *Psychological
    Bulletin* 70(4):213–220, https://doi.org/10.1037/h0026256

    Args:
        a: rater 1's labels, one per item.
        b: rater 2's labels for the same items.
        weights: ``None`` (nominal), ``"linear"`` or ``"quadratic"``.
        labels: every category in ordinal order; must include all observed labels. Unused categories
            only matter for the weighted forms (they widen ``k − 1``).

    Returns:
        The kappa.

    Raises:
        ValueError: the inputs differ in length or are empty, ``weights`` is unknown, ``labels`` misses
            an observed label or repeats one, the labels cannot be sorted and ``labels`` is not given,
            or kappa is undefined (chance disagreement is zero, e.g. both raters always use one label).

    Example:
        >>> a = ["yes"] * 25 + ["no"] * 25
        >>> b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
        >>> round(cohen_kappa(a, b), 4)
        0.4
    """
    if weights not in (None, "linear", "quadratic"):
        raise ValueError(f"weights must be None, 'linear' or 'quadratic', got {weights!r}")
    first, second = _paired(a, b)
    order = _label_order(first, second, labels)
    k = len(order)
    index = {label: position for position, label in enumerate(order)}
    rows = np.fromiter((index[x] for x in first), dtype=np.intp, count=len(first))
    cols = np.fromiter((index[y] for y in second), dtype=np.intp, count=len(second))
    observed = np.bincount(rows * k + cols, minlength=k * k).reshape(k, k) / len(first)
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0))

    distance = np.abs(np.subtract.outer(np.arange(k), np.arange(k))).astype(np.float64)
    if weights is None:
        disagreement = (distance > 0).astype(np.float64)
    elif weights == "linear":
        disagreement = distance / max(k - 1, 1)
    else:
        disagreement = (distance / max(k - 1, 1)) ** 2

    chance = float(np.sum(disagreement * expected))
    if chance <= 1e-15:
        raise ValueError(
            "Cohen's kappa is undefined: chance disagreement is zero (both raters used a single label)"
        )
    return 1.0 - float(np.sum(disagreement * observed)) / chance
