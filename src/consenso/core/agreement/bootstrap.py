"""Bootstrap confidence intervals for agreement coefficients, resampling items with replacement.

:func:`bootstrap_ci` works for any statistic of an array whose items lie along one axis; the helpers
:func:`cohen_kappa_ci`, :func:`fleiss_kappa_ci` and :func:`krippendorff_alpha_ci` wire it to the
metrics in this package with the right item axis and a fixed category order.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from consenso.core.agreement.cohen import Weights, cohen_kappa
from consenso.core.agreement.fleiss import fleiss_kappa
from consenso.core.agreement.krippendorff import Level, krippendorff_alpha

__all__ = [
    "BootstrapInterval",
    "bootstrap_ci",
    "cohen_kappa_ci",
    "fleiss_kappa_ci",
    "krippendorff_alpha_ci",
]

Seed = int | np.random.Generator | None


@dataclass(frozen=True, slots=True)
class BootstrapInterval:
    """A point estimate with its percentile bootstrap interval.

    ``n_undefined`` counts resamples on which the statistic raised ``ValueError`` (for example a
    resample in which every rating falls in one category, where kappa is undefined); they are left out
    of the interval, which rests on the other ``n_resamples - n_undefined``.
    """

    estimate: float
    low: float
    high: float
    confidence: float
    n_resamples: int
    n_undefined: int


def bootstrap_ci(
    statistic: Callable[[npt.NDArray[Any]], float],
    data: npt.ArrayLike,
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: Seed = None,
    axis_items: int = 0,
) -> BootstrapInterval:
    r"""Percentile bootstrap confidence interval of ``statistic(data)``, resampling items.

    **What it measures.** The sampling uncertainty of an agreement coefficient that comes from which
    items happened to be annotated: how much the coefficient would move on another sample of items of
    the same size from the same population.

    **Assumptions.** Items are independent draws; annotators (and their number per item) are held
    fixed. Each resample draws ``N`` items with replacement along ``axis_items``. The percentile
    interval is accurate when the statistic's sampling distribution is roughly symmetric and unbiased;
    with few items (say under 30) or a coefficient near ±1 it can under-cover. Resamples on which the
    statistic raises ``ValueError`` (undefined) are dropped and counted in ``n_undefined``.

    **Formula.** With ``θ*_1 … θ*_B`` the statistic on ``B`` resamples and ``α = 1 − confidence``,
    the interval is the empirical quantiles

    .. math::

        \left[\hat\theta^*_{(\alpha/2)},\ \hat\theta^*_{(1-\alpha/2)}\right]

    (linear interpolation between order statistics, as :func:`numpy.quantile`).

    **Reference.** B. Efron and R. J. Tibshirani (1993). *An Introduction to the Bootstrap*. Chapman &
    Hall, ch. 13 (percentile interval). https://doi.org/10.1201/9780429246593

    Args:
        statistic: function of an array shaped like ``data`` (with a different number of items) that
            returns a float and raises ``ValueError`` when undefined.
        data: the array; items lie along ``axis_items``.
        n_resamples: number of bootstrap resamples ``B`` (at least 1).
        confidence: interval coverage, in ``(0, 1)``.
        seed: an int or a :class:`numpy.random.Generator`; the same int gives the same interval.
        axis_items: the axis of ``data`` that indexes items.

    Returns:
        A :class:`BootstrapInterval`.

    Raises:
        ValueError: ``data`` is 0-dimensional or has no items, ``axis_items`` is out of range,
            ``n_resamples`` < 1, ``confidence`` is outside ``(0, 1)``, the statistic is undefined on
            ``data`` itself (its ``ValueError`` propagates), or on every resample.

    Example:
        >>> data = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
        >>> ci = bootstrap_ci(lambda x: float(np.mean(x)), data, n_resamples=2000, seed=7)
        >>> ci.estimate, ci.low < 4.5 < ci.high, round(ci.high - ci.low, 1)
        (4.5, True, 3.0)
    """
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int) or n_resamples < 1:
        raise ValueError(f"n_resamples must be a positive integer, got {n_resamples!r}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    array = np.asarray(data)
    if array.ndim == 0:
        raise ValueError("data must have at least one dimension (the items)")
    if not -array.ndim <= axis_items < array.ndim:
        raise ValueError(f"axis_items {axis_items} is out of range for data with {array.ndim} dimension(s)")
    n_items = array.shape[axis_items]
    if n_items < 1:
        raise ValueError("data must hold at least one item")

    estimate = float(statistic(array))
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n_items, size=(n_resamples, n_items))
    values = np.full(n_resamples, np.nan, dtype=np.float64)
    for position, indices in enumerate(draws):
        try:
            values[position] = statistic(np.take(array, indices, axis=axis_items))
        except ValueError:
            continue  # undefined on this resample; counted below
    defined = values[~np.isnan(values)]
    if defined.size == 0:
        raise ValueError("the statistic is undefined on every bootstrap resample")
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(defined, [tail, 1.0 - tail])
    return BootstrapInterval(
        estimate=estimate,
        low=float(low),
        high=float(high),
        confidence=confidence,
        n_resamples=n_resamples,
        n_undefined=int(n_resamples - defined.size),
    )


def cohen_kappa_ci(
    a: Sequence[Hashable] | npt.NDArray[Any],
    b: Sequence[Hashable] | npt.NDArray[Any],
    *,
    weights: Weights = None,
    labels: Sequence[Hashable] | None = None,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: Seed = None,
) -> BootstrapInterval:
    """Bootstrap interval of :func:`~consenso.core.agreement.cohen.cohen_kappa`, resampling items.

    The category order is fixed from the full data (``labels``, else the sorted observed labels), so a
    resample that misses a category keeps the same scale for the weighted forms. See
    :func:`bootstrap_ci` for the method, its assumptions and the other arguments.

    Raises:
        ValueError: as :func:`~consenso.core.agreement.cohen.cohen_kappa` on the full data, or as
            :func:`bootstrap_ci`.

    Example:
        >>> a = ["yes"] * 25 + ["no"] * 25
        >>> b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
        >>> ci = cohen_kappa_ci(a, b, seed=1)
        >>> round(ci.estimate, 4), ci.low < 0.4 < ci.high
        (0.4, True)
    """
    first, second = list(a), list(b)
    cohen_kappa(first, second, weights=weights, labels=labels)  # raises now on malformed input
    if labels is None:
        labels = sorted(set(first) | set(second))  # sortable: cohen_kappa has just sorted them

    def statistic(items: npt.NDArray[Any]) -> float:
        return cohen_kappa(
            [first[i] for i in items], [second[i] for i in items], weights=weights, labels=labels
        )

    return bootstrap_ci(
        statistic, np.arange(len(first)), n_resamples=n_resamples, confidence=confidence, seed=seed
    )


def fleiss_kappa_ci(
    counts: npt.ArrayLike,
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: Seed = None,
) -> BootstrapInterval:
    """Bootstrap interval of :func:`~consenso.core.agreement.fleiss.fleiss_kappa`, resampling items.

    ``counts`` is the items × categories table of :func:`~consenso.core.agreement.fleiss.fleiss_kappa`;
    its rows are resampled. See :func:`bootstrap_ci` for the method and the other arguments.

    Raises:
        ValueError: as :func:`~consenso.core.agreement.fleiss.fleiss_kappa` on the full table, or as
            :func:`bootstrap_ci`.

    Example:
        >>> table = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0],
        ...          [2, 2, 8, 1, 1], [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2],
        ...          [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
        >>> ci = fleiss_kappa_ci(table, seed=0)
        >>> round(ci.estimate, 3), ci.low < ci.estimate < ci.high
        (0.21, True)
    """
    return bootstrap_ci(
        fleiss_kappa, counts, n_resamples=n_resamples, confidence=confidence, seed=seed, axis_items=0
    )


def krippendorff_alpha_ci(
    reliability_data: npt.ArrayLike,
    level: Level = "nominal",
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: Seed = None,
) -> BootstrapInterval:
    """Bootstrap interval of :func:`~consenso.core.agreement.krippendorff.krippendorff_alpha`.

    ``reliability_data`` is the coders × units matrix; its units (columns) are resampled. This is the
    plain unit bootstrap, not Krippendorff's (2004) bootstrap over pairable values. See
    :func:`bootstrap_ci` for the method and the other arguments.

    Raises:
        ValueError: as :func:`~consenso.core.agreement.krippendorff.krippendorff_alpha` on the full data,
            or as :func:`bootstrap_ci`.

    Example:
        >>> nan = float("nan")
        >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
        ...         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
        ...         [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
        ...         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]
        >>> ci = krippendorff_alpha_ci(data, "nominal", seed=0)
        >>> round(ci.estimate, 3), ci.low < ci.estimate < ci.high
        (0.743, True)
    """
    data = np.asarray(reliability_data, dtype=np.float64)

    def statistic(units: npt.NDArray[np.float64]) -> float:
        return krippendorff_alpha(units, level)

    return bootstrap_ci(
        statistic, data, n_resamples=n_resamples, confidence=confidence, seed=seed, axis_items=1
    )
