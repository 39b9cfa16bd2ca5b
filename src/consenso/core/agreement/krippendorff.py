"""Krippendorff's alpha for any number of coders, missing values and four levels of measurement.

Input is the coders × units reliability matrix of numeric codes, with ``np.nan`` (or ``None`` in a
nested list) where a coder did not code a unit. Nominal codes may be any numbers; map string labels to
integers first.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

__all__ = ["Level", "krippendorff_alpha", "krippendorff_alpha_counts"]

Level = Literal["nominal", "ordinal", "interval", "ratio"]
_LEVELS: tuple[Level, ...] = ("nominal", "ordinal", "interval", "ratio")


def _squared_distances(
    values: npt.NDArray[np.float64], totals: npt.NDArray[np.float64], level: Level
) -> npt.NDArray[np.float64]:
    """The ``δ²_ck`` matrix over the sorted distinct ``values`` (``totals`` are their ``n_c``)."""
    if level == "nominal":
        return 1.0 - np.eye(values.size)
    if level == "interval":
        return np.subtract.outer(values, values) ** 2
    if level == "ratio":
        sums = np.add.outer(values, values)
        differences = np.subtract.outer(values, values)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(sums == 0, 0.0, differences / sums)
        return ratio**2
    # Ordinal: δ_ck = Σ_{g=c..k} n_g − (n_c + n_k)/2, through cumulative sums of the marginals.
    cumulative = np.cumsum(totals)
    ranks = np.arange(values.size)
    low, high = np.minimum.outer(ranks, ranks), np.maximum.outer(ranks, ranks)
    between = cumulative[high] - cumulative[low] + totals[low]
    return (between - np.add.outer(totals, totals) / 2.0) ** 2


def krippendorff_alpha(reliability_data: npt.ArrayLike, level: Level = "nominal") -> float:
    r"""Krippendorff's alpha: chance-corrected reliability of coders, tolerant of missing values.

    **What it measures.** ``α = 1 − D_o / D_e``, the observed disagreement relative to the
    disagreement expected if codes were paired at random: 1 is perfect reliability, 0 is chance level,
    negative is systematic disagreement. The ``level`` sets how far apart two codes are.

    **Assumptions.** Any number of coders; each unit may be coded by any subset of them; units with
    fewer than two codes are not pairable and are dropped. Codes are numbers; for ``"ratio"`` they are
    non-negative with a true zero. Chance pairs come from the pooled distribution of all pairable codes.

    **Formula** (coincidence-matrix form). Let ``n_uc`` be the number of coders giving code ``c`` to
    unit ``u`` and ``m_u = Σ_c n_uc``. Over pairable units (``m_u ≥ 2``):

    .. math::

        o_{ck} = \sum_u \frac{n_{uc} n_{uk} - [c = k]\, n_{uc}}{m_u - 1},\qquad
        n_c = \sum_k o_{ck},\qquad n = \sum_c n_c

    .. math::

        \alpha = 1 - (n - 1)\,\frac{\sum_{c,k} o_{ck}\,\delta^2_{ck}}{\sum_{c,k} n_c n_k\,\delta^2_{ck}}

    with ``δ²_ck`` equal to ``[c ≠ k]`` (nominal), ``(c − k)²`` (interval), ``((c − k)/(c + k))²``
    (ratio) or ``(Σ_{g=c}^{k} n_g − (n_c + n_k)/2)²`` (ordinal, over the ranks of the distinct codes).

    **Reference.** K. Krippendorff (2011). Computing Krippendorff's alpha-reliability. Annenberg School
    for Communication Departmental Papers 43, University of Pennsylvania.
    https://repository.upenn.edu/asc_papers/43 ; K. Krippendorff (2004). *Content Analysis*, 2nd ed.,
    ch. 11.

    Args:
        reliability_data: coders × units array of numeric codes, ``nan`` for missing.
        level: ``"nominal"``, ``"ordinal"``, ``"interval"`` or ``"ratio"``.

    Returns:
        The alpha.

    Raises:
        ValueError: the data is not 2-D or holds infinities, ``level`` is unknown, ``"ratio"`` data holds
            a negative code, or alpha is undefined (no pairable unit, or fewer than two distinct codes
            among the pairable values, so the expected disagreement is zero).

    Example:
        >>> nan = float("nan")
        >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
        ...         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
        ...         [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
        ...         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]
        >>> round(krippendorff_alpha(data, "nominal"), 3)
        0.743
    """
    if level not in _LEVELS:
        raise ValueError(f"level must be one of {', '.join(_LEVELS)}; got {level!r}")
    data = np.asarray(reliability_data, dtype=np.float64)
    if data.ndim != 2:
        raise ValueError(f"reliability_data must be a 2-D coders × units array, got {data.ndim} dimension(s)")
    if np.any(np.isinf(data)):
        raise ValueError("reliability_data must not hold infinities; use nan for a missing value")
    present = ~np.isnan(data)
    if level == "ratio" and np.any(data[present] < 0):
        raise ValueError("ratio-level codes must be non-negative")

    values, codes = np.unique(data[present], return_inverse=True)
    # n_uc: units × distinct codes, counted in one bincount over the flat (unit, code) index.
    unit_of_value = np.broadcast_to(np.arange(data.shape[1]), data.shape)[present]
    flat = unit_of_value * values.size + codes.ravel()
    per_unit = np.bincount(flat, minlength=data.shape[1] * values.size).astype(np.float64)
    per_unit = per_unit.reshape(data.shape[1], values.size)
    return _alpha_from_counts(per_unit, values, level)


def krippendorff_alpha_counts(
    value_counts: npt.ArrayLike, values: npt.ArrayLike | None = None, level: Level = "nominal"
) -> float:
    r"""Krippendorff's alpha from the units × values table of counts ``n_uc`` (the fast path).

    The same statistic as :func:`krippendorff_alpha`, which builds this table from the reliability
    matrix first: alpha depends on the data only through how many coders gave each value to each unit.
    Pass the table directly when the labels are stored as rows (unit, value): a million labels on
    200,000 units by 2,000 coders need a 200,000 × K table here, not a 2,000 × 200,000 matrix.

    **Formula, assumptions and reference:** as :func:`krippendorff_alpha`.

    Args:
        value_counts: units × values array of counts ≥ 0 (whole numbers).
        values: the numeric value of each column, increasing; ``0 … K − 1`` by default. Only the
            ordinal, interval and ratio levels use them.
        level: ``"nominal"``, ``"ordinal"``, ``"interval"`` or ``"ratio"``.

    Example:
        >>> counts = [[3, 0], [0, 2], [2, 1], [1, 1]]  # 4 units, 2 values
        >>> round(krippendorff_alpha_counts(counts), 3)
        0.25
        >>> round(krippendorff_alpha([[0, 1, 0, 0], [0, 1, 0, 1], [0, float("nan"), 1, float("nan")]]), 3)
        0.25
    """
    if level not in _LEVELS:
        raise ValueError(f"level must be one of {', '.join(_LEVELS)}; got {level!r}")
    counts = np.asarray(value_counts, dtype=np.float64)
    if counts.ndim != 2:
        raise ValueError(f"value_counts must be a 2-D units × values array, got {counts.ndim} dimension(s)")
    if not np.all(np.isfinite(counts)) or np.any(counts < 0) or np.any(counts != np.round(counts)):
        raise ValueError("value_counts must hold whole numbers ≥ 0")
    if values is None:
        scale = np.arange(counts.shape[1], dtype=np.float64)
    else:
        scale = np.asarray(values, dtype=np.float64)
        if scale.shape != (counts.shape[1],):
            raise ValueError(f"values must hold one number per column of value_counts ({counts.shape[1]})")
        if not np.all(np.isfinite(scale)) or np.any(np.diff(scale) <= 0):
            raise ValueError("values must be finite and strictly increasing")
        if level == "ratio" and np.any(scale < 0):
            raise ValueError("ratio-level codes must be non-negative")
    # values nobody used carry no weight; dropping them keeps the ordinal ranks those of used values
    used = counts.sum(axis=0) > 0
    return _alpha_from_counts(counts[:, used], scale[used], level)


def _alpha_from_counts(
    per_unit: npt.NDArray[np.float64], values: npt.NDArray[np.float64], level: Level
) -> float:
    """Alpha from the units × distinct-values counts ``n_uc`` and the sorted distinct ``values``."""
    coded = per_unit.sum(axis=1)
    pairable = coded >= 2
    if not np.any(pairable):
        raise ValueError("Krippendorff's alpha is undefined: no unit has at least two codes")
    per_unit, coded = per_unit[pairable], coded[pairable]

    weighted = per_unit / (coded - 1.0)[:, None]
    coincidences = per_unit.T @ weighted - np.diag(weighted.sum(axis=0))
    totals = coincidences.sum(axis=1)
    n_pairable = float(totals.sum())
    distances = _squared_distances(values, totals, level)
    expected = float(totals @ distances @ totals)
    if expected <= 0.0:
        raise ValueError(
            "Krippendorff's alpha is undefined: the pairable values hold fewer than two distinct codes"
        )
    observed = float(np.sum(coincidences * distances))
    return 1.0 - (n_pairable - 1.0) * observed / expected
