"""Fleiss' kappa: chance-corrected agreement of many raters on a nominal scale.

Input is the items × categories table of counts ``n_ij`` (how many raters put item ``i`` in category
``j``), with the same number of raters ``n`` for every item. The raters need not be the same people
from item to item.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["fleiss_kappa", "fleiss_kappa_per_category"]


def _validated_counts(counts: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Return ``counts`` as a float array after checking the shape and the rater totals."""
    table = np.asarray(counts, dtype=np.float64)
    if table.ndim != 2:
        raise ValueError(f"counts must be a 2-D items × categories array, got {table.ndim} dimension(s)")
    n_items, n_categories = table.shape
    if n_items < 1 or n_categories < 1:
        raise ValueError(f"counts must have at least one item and one category, got shape {table.shape}")
    if not np.all(np.isfinite(table)):
        raise ValueError("counts must be finite (no NaN or infinity)")
    if np.any(table < 0) or np.any(table != np.round(table)):
        raise ValueError("counts must be non-negative whole numbers")
    raters = table.sum(axis=1)
    if np.any(raters != raters[0]):
        raise ValueError(
            "every item must be rated by the same number of raters; "
            f"row totals range from {int(raters.min())} to {int(raters.max())}"
        )
    if raters[0] < 2:
        raise ValueError(f"each item needs at least 2 raters, got {int(raters[0])}")
    return table


def fleiss_kappa(counts: npt.ArrayLike) -> float:
    r"""Fleiss' kappa for ``N`` items, each rated by the same number ``n`` of raters.

    **What it measures.** How much more the raters agree than they would by chance, on a nominal
    scale: 1 is perfect agreement, 0 is what chance alone produces, negative is worse than chance.

    **Assumptions.** Categories are nominal (unordered); every item has exactly ``n ≥ 2`` ratings;
    chance agreement comes from the pooled category proportions (raters are interchangeable).

    **Formula.** With ``p_j = Σ_i n_ij / (N n)`` and ``P_i = (Σ_j n_ij² − n) / (n (n − 1))``:

    .. math::

        \bar P = \frac{1}{N}\sum_i P_i,\qquad \bar P_e = \sum_j p_j^2,\qquad
        \kappa = \frac{\bar P - \bar P_e}{1 - \bar P_e}

    **Reference.** J. L. Fleiss (1971). Measuring nominal scale agreement among many raters.
    *Psychological Bulletin* 76(5):378–382. https://doi.org/10.1037/h0031619

    Args:
        counts: items × categories array; ``counts[i, j]`` raters chose category ``j`` for item ``i``.

    Returns:
        The overall kappa.

    Raises:
        ValueError: ``counts`` is not 2-D, holds negative or fractional or non-finite values, the row
            totals differ or are below 2, or kappa is undefined because every rating falls in a single
            category (``P̄_e = 1``).

    Example:
        >>> round(fleiss_kappa([[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0],
        ...                     [2, 2, 8, 1, 1], [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2],
        ...                     [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]), 3)
        0.21
    """
    table = _validated_counts(counts)
    n_items = table.shape[0]
    n_raters = table[0].sum()
    p_j = table.sum(axis=0) / (n_items * n_raters)
    p_i = ((table * table).sum(axis=1) - n_raters) / (n_raters * (n_raters - 1))
    p_bar = float(p_i.mean())
    p_e_bar = float(np.sum(p_j * p_j))
    if np.isclose(p_e_bar, 1.0, rtol=0.0, atol=1e-12):
        raise ValueError(
            "Fleiss' kappa is undefined: every rating falls in one category (expected agreement 1)"
        )
    return (p_bar - p_e_bar) / (1.0 - p_e_bar)


def fleiss_kappa_per_category(counts: npt.ArrayLike) -> npt.NDArray[np.float64]:
    r"""Fleiss' kappa for each category separately (that category against all the others).

    **What it measures.** For category ``j``, the chance-corrected agreement on the binary question
    "is the item ``j`` or not?". It shows which categories the raters confuse.

    **Assumptions.** As :func:`fleiss_kappa`: nominal categories, ``n ≥ 2`` ratings per item.

    **Formula.** With ``p_j = Σ_i n_ij / (N n)`` and ``q_j = 1 − p_j``:

    .. math::

        \kappa_j = 1 - \frac{\sum_i n_{ij}(n - n_{ij})}{N\,n\,(n-1)\,p_j q_j}

    **Reference.** J. L. Fleiss (1971), *Psychological Bulletin* 76(5):378–382, eq. (16)–(17).
    https://doi.org/10.1037/h0031619

    Args:
        counts: items × categories array of counts, as for :func:`fleiss_kappa`.

    Returns:
        A float array with one kappa per category; ``nan`` for a category no rater ever used or every
        rater always used (``p_j q_j = 0``), where the statistic is undefined.

    Raises:
        ValueError: ``counts`` is malformed (see :func:`fleiss_kappa`).

    Example:
        >>> fleiss_kappa_per_category([[2, 0], [0, 2], [2, 0]]).tolist()
        [1.0, 1.0]
    """
    table = _validated_counts(counts)
    n_items = table.shape[0]
    n_raters = table[0].sum()
    p_j = table.sum(axis=0) / (n_items * n_raters)
    disagreement = (table * (n_raters - table)).sum(axis=0)
    denominator = n_items * n_raters * (n_raters - 1) * p_j * (1.0 - p_j)
    result = np.full(table.shape[1], np.nan, dtype=np.float64)
    defined = denominator > 0
    result[defined] = 1.0 - disagreement[defined] / denominator[defined]
    return result
