"""Pairwise agreement between annotators, and per-item agreement, on an items × annotators table.

Input is the items × annotators table of labels, with ``None`` or ``nan`` where an annotator did not
label an item. Labels may be any hashable values. Both functions one-hot encode the table once and
compute every pair with array products, so the cost is one pass over the cells plus ``O(A² K N)``
arithmetic for ``A`` annotators, ``K`` categories and ``N`` items.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

__all__ = ["PairwiseMetric", "pairwise_agreement", "per_item_agreement"]

PairwiseMetric = Literal["cohen_kappa", "percent"]
_METRICS: tuple[PairwiseMetric, ...] = ("cohen_kappa", "percent")


def _is_missing(value: Any) -> bool:
    """``None`` and float NaN (Python or numpy) mark a cell nobody labelled."""
    return value is None or (isinstance(value, float | np.floating) and math.isnan(value))


def _one_hot(labels: Any) -> npt.NDArray[np.float64]:
    """Return the items × annotators × categories indicator array after checking the table's shape."""
    table = np.asarray(labels, dtype=object)
    if table.ndim != 2:
        raise ValueError(f"labels must be a 2-D items × annotators table, got {table.ndim} dimension(s)")
    n_items, n_annotators = table.shape
    if n_items < 1 or n_annotators < 1:
        raise ValueError(f"labels must have at least one item and one annotator, got shape {table.shape}")
    index: dict[Hashable, int] = {}
    codes = np.full(table.size, -1, dtype=np.intp)
    for position, value in enumerate(table.ravel().tolist()):
        if _is_missing(value):
            continue
        try:
            codes[position] = index.setdefault(value, len(index))
        except TypeError as exc:
            raise ValueError(f"labels must be hashable, got {type(value).__name__}") from exc
    present = codes >= 0
    indicator = np.zeros((table.size, max(len(index), 1)), dtype=np.float64)
    indicator[np.flatnonzero(present), codes[present]] = 1.0
    return indicator.reshape(n_items, n_annotators, -1)


def pairwise_agreement(labels: Any, *, metric: PairwiseMetric = "cohen_kappa") -> npt.NDArray[np.float64]:
    r"""Agreement of every pair of annotators on the items both of them labelled.

    **What it measures.** Entry ``[a, b]`` is Cohen's kappa (``metric="cohen_kappa"``) or the raw
    share of identical labels (``metric="percent"``) between annotators ``a`` and ``b``, computed on
    the items both labelled. It shows who agrees with whom, and singles out an annotator who agrees
    with nobody. The matrix is symmetric; the diagonal compares an annotator with itself (1, or
    ``nan`` where kappa is undefined).

    **Assumptions.** Nominal labels compared with ``==``; each pair is judged only on its shared items,
    so different pairs may rest on different items. Kappa's chance term uses each annotator's own label
    distribution over the shared items, exactly as :func:`~consenso.core.agreement.cohen.cohen_kappa`.

    **Formula.** For annotators ``a``, ``b`` sharing the ``n_ab`` items ``S_ab``, with ``m_a(c)`` the
    number of shared items ``a`` put in category ``c``:

    .. math::

        p_o = \frac{1}{n_{ab}}\sum_{i \in S_{ab}} [x_{ia} = x_{ib}],\qquad
        p_e = \sum_c \frac{m_a(c)\, m_b(c)}{n_{ab}^2},\qquad
        \kappa_{ab} = \frac{p_o - p_e}{1 - p_e}

    **Reference.** J. Cohen (1960). A coefficient of agreement for nominal scales. *Educational and
    Psychological Measurement* 20(1):37–46. https://doi.org/10.1177/001316446002000104

    Args:
        labels: items × annotators table; ``None`` or ``nan`` marks a missing label.
        metric: ``"cohen_kappa"`` or ``"percent"``.

    Returns:
        An annotators × annotators float array. It holds ``nan`` where two annotators share fewer than 2
        items, and, for kappa, where kappa is undefined (both used one and the same label throughout,
        ``p_e = 1``).

    Raises:
        ValueError: ``metric`` is unknown, ``labels`` is not 2-D or is empty, or holds unhashable labels.

    Example:
        >>> table = [["a", "a", "b"],
        ...          ["b", "b", "b"],
        ...          ["a", "a", None],
        ...          ["b", "a", "a"]]
        >>> pairwise_agreement(table, metric="percent").round(3).tolist()
        [[1.0, 0.75, 0.333], [0.75, 1.0, 0.667], [0.333, 0.667, 1.0]]
        >>> round(float(pairwise_agreement(table)[0, 1]), 3)
        0.5
    """
    if metric not in _METRICS:
        raise ValueError(f"metric must be one of {', '.join(_METRICS)}; got {metric!r}")
    indicator = _one_hot(labels)
    present = indicator.sum(axis=2)  # items × annotators, 1 where labelled
    shared = present.T @ present
    agreeing = np.einsum("iac,ibc->ab", indicator, indicator)
    result = np.full(shared.shape, np.nan, dtype=np.float64)
    enough = shared >= 2
    with np.errstate(divide="ignore", invalid="ignore"):
        observed = agreeing / shared
        if metric == "percent":
            result[enough] = observed[enough]
            return result
        # marginal[a, b, c]: how often a chose c on the items it shares with b.
        marginal = np.einsum("iac,ib->abc", indicator, present)
        expected = np.einsum("abc,bac->ab", marginal, marginal) / (shared * shared)
        defined = enough & ~np.isclose(expected, 1.0, rtol=0.0, atol=1e-12)
        result[defined] = (observed[defined] - expected[defined]) / (1.0 - expected[defined])
    return result


def per_item_agreement(labels: Any) -> npt.NDArray[np.float64]:
    r"""For each item, the fraction of annotator pairs that gave it the same label.

    **What it measures.** How contested each item is: 1 when everyone who labelled it agreed, 0 when
    no two of them did. Sorting items by it surfaces the ambiguous ones for review. This is Fleiss'
    per-item agreement ``P_i``, but allowing a different number of annotators per item.

    **Assumptions.** Nominal labels compared with ``==``; missing labels are left out, so the pairs are
    those among the ``m_i`` annotators who labelled item ``i``.

    **Formula.** With ``n_ic`` annotators choosing category ``c`` for item ``i`` and ``m_i = Σ_c n_ic``:

    .. math::

        P_i = \frac{\sum_c n_{ic}(n_{ic} - 1)}{m_i (m_i - 1)}

    **Reference.** J. L. Fleiss (1971). Measuring nominal scale agreement among many raters.
    *Psychological Bulletin* 76(5):378–382 (``P_i``). https://doi.org/10.1037/h0031619

    Args:
        labels: items × annotators table; ``None`` or ``nan`` marks a missing label.

    Returns:
        A float array with one value per item; ``nan`` for items with fewer than 2 labels.

    Raises:
        ValueError: ``labels`` is not 2-D or is empty, or holds unhashable labels.

    Example:
        >>> per_item_agreement([["a", "a", "b"], ["b", "b", "b"], ["a", None, None]]).round(3).tolist()
        [0.333, 1.0, nan]
    """
    counts = _one_hot(labels).sum(axis=1)  # items × categories
    coded = counts.sum(axis=1)
    result = np.full(coded.shape, np.nan, dtype=np.float64)
    pairable = coded >= 2
    agreeing = (counts * (counts - 1.0)).sum(axis=1)
    result[pairable] = agreeing[pairable] / (coded[pairable] * (coded[pairable] - 1.0))
    return result
