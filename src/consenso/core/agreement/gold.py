"""Annotator accuracy against gold labels and against the final labels, with Wilson score intervals.

Both table functions read the label DataFrame of :mod:`consenso.core.aggregation` — columns ``item``,
``annotator`` and ``label``, one row per label an annotator gave an item — and a reference label per
item: the gold (known-correct) answers in :func:`gold_accuracy`, the final (aggregated or adjudicated)
labels in :func:`agreement_with_final`. Labels are compared with ``==``. Each returns a
:class:`pandas.DataFrame` with one row per annotator of ``data``, in order of first appearance, so that
it renders as a table (or, through ``to_dict("index")``, as JSON) directly. An annotator with nothing
to compare has a count of 0 and ``nan`` rates and bounds: no estimate, rather than a made-up one.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

# scipy ships no type information and the project does not install scipy-stubs.
from scipy.stats import norm  # type: ignore[import-untyped]

from consenso.core.agreement.cohen import cohen_kappa

__all__ = ["agreement_with_final", "gold_accuracy", "wilson_interval"]

_COLUMNS = ("item", "annotator", "label")

References = Mapping[Hashable, Hashable] | pd.Series


def _z(confidence: float) -> float:
    """The two-sided standard normal critical value ``z_{1−α/2}`` for ``confidence = 1 − α``."""
    if (
        isinstance(confidence, bool)
        or not isinstance(confidence, int | float | np.integer | np.floating)
        or not 0.0 < float(confidence) < 1.0
    ):
        raise ValueError(f"confidence must be a number in (0, 1), got {confidence!r}")
    return float(norm.ppf(0.5 + float(confidence) / 2.0))


def _wilson_bounds(
    successes: npt.NDArray[np.float64], trials: npt.NDArray[np.float64], z: float
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Wilson bounds element-wise; ``nan`` where ``trials`` is 0. Inputs are assumed valid."""
    low = np.full(trials.shape, np.nan, dtype=np.float64)
    high = np.full(trials.shape, np.nan, dtype=np.float64)
    some = trials > 0
    n, s = trials[some], successes[some]
    p = s / n
    z2 = z * z
    denominator = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denominator
    half_width = z * np.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denominator
    # At s = 0 (s = n) the lower (upper) bound is exactly 0 (1); pin it against rounding.
    low[some] = np.where(s == 0, 0.0, np.clip(centre - half_width, 0.0, 1.0))
    high[some] = np.where(s == n, 1.0, np.clip(centre + half_width, 0.0, 1.0))
    return low, high


def _count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    return int(value)


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    r"""Wilson score confidence interval for a binomial proportion (``successes`` out of ``trials``).

    **What it measures.** The range of true success rates (an annotator's accuracy, say) consistent
    with the observed ``successes / trials`` at the given confidence. Unlike the textbook
    ``p̂ ± z·√(p̂(1 − p̂)/n)`` interval it stays inside ``[0, 1]``, is not zero-width at ``0/n`` or
    ``n/n``, and keeps close to its nominal coverage for small ``n`` and extreme proportions.

    **Assumptions.** The ``trials`` are independent and share one success probability; ``z`` comes from
    the normal approximation to the binomial (the interval inverts the score test).

    **Formula.** With ``p̂ = s/n`` and ``z = Φ⁻¹((1 + confidence)/2)``:

    .. math::

        \frac{\hat p + \frac{z^2}{2n} \pm z\sqrt{\frac{\hat p(1-\hat p)}{n} + \frac{z^2}{4n^2}}}
             {1 + \frac{z^2}{n}}

    **Reference.** E. B. Wilson (1927). Probable inference, the law of succession, and statistical
    inference. *Journal of the American Statistical Association* 22(158):209–212.
    https://doi.org/10.1080/01621459.1927.10502953 ; L. D. Brown, T. T. Cai and A. DasGupta (2001).
    Interval estimation for a binomial proportion. *Statistical Science* 16(2):101–133.
    https://doi.org/10.1214/ss/1009213286 ; R. G. Newcombe (1998). Two-sided confidence intervals for
    the single proportion: comparison of seven methods. *Statistics in Medicine* 17(8):857–872
    (method 3; its worked examples include 81/263 and 15/148). https://doi.org/10.1002/(SICI)1097-0258(19980430)17:8%3C857::AID-SIM777%3E3.0.CO;2-E

    Args:
        successes: number of successes ``s``, ``0 ≤ s ≤ trials``.
        trials: number of trials ``n ≥ 1``.
        confidence: coverage of the interval, in ``(0, 1)``.

    Returns:
        ``(low, high)``, with ``0 ≤ low ≤ s/n ≤ high ≤ 1``; ``low`` is exactly 0 when ``s = 0`` and
        ``high`` exactly 1 when ``s = n``.

    Raises:
        ValueError: ``successes`` or ``trials`` is not an integer, ``trials`` is 0 (no observation, so
            no estimate) or negative, ``successes`` lies outside ``0 … trials``, or ``confidence`` is
            not in ``(0, 1)``.

    Example:
        >>> tuple(round(bound, 4) for bound in wilson_interval(81, 263))
        (0.2553, 0.3662)
        >>> tuple(round(bound, 4) for bound in wilson_interval(0, 20))
        (0.0, 0.1611)
    """
    s, n = _count("successes", successes), _count("trials", trials)
    if n < 1:
        raise ValueError(f"trials must be at least 1 (with no trials there is no estimate), got {n}")
    if not 0 <= s <= n:
        raise ValueError(f"successes must lie in 0 … trials ({n}), got {s}")
    low, high = _wilson_bounds(
        np.array([s], dtype=np.float64), np.array([n], dtype=np.float64), _z(confidence)
    )
    return float(low[0]), float(high[0])


def _validated_labels(data: pd.DataFrame) -> pd.DataFrame:
    """Check the ``item`` / ``annotator`` / ``label`` table: columns, no missing values, no repeats."""
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    missing = [column for column in _COLUMNS if column not in data.columns]
    if missing:
        raise ValueError(f"data is missing column(s) {missing}; expected columns {list(_COLUMNS)}")
    if len(data) == 0:
        raise ValueError("data holds no labels: the DataFrame is empty")
    for column in _COLUMNS:
        if bool(data[column].isna().any()):
            raise ValueError(f"column {column!r} holds missing values (NaN/None); drop those rows first")
    repeated = data.duplicated(subset=["item", "annotator"], keep=False)
    if bool(repeated.any()):
        annotator, item = data.loc[repeated, ["annotator", "item"]].iloc[0].tolist()
        raise ValueError(
            f"annotator {annotator!r} labelled item {item!r} more than once; "
            "keep one label per annotator and item"
        )
    return data


def _reference_series(name: str, reference: References) -> tuple[pd.Index, npt.NDArray[np.object_]]:
    """The reference labels as (item index, labels), after checking items are unique and labelled."""
    if isinstance(reference, pd.Series):
        items, labels = list(reference.index), reference.to_numpy(dtype=object)
    elif isinstance(reference, Mapping):
        items = list(reference.keys())
        labels = np.fromiter(reference.values(), dtype=object, count=len(items))
    else:
        raise ValueError(
            f"{name} must be a mapping or a pandas Series of labels, got {type(reference).__name__}"
        )
    if not items:
        raise ValueError(f"{name} holds no labels")
    index = pd.Index(items, dtype=object, tupleize_cols=False)
    if bool(index.isna().any()):
        raise ValueError(f"{name} has a missing item id (NaN/None)")
    if not index.is_unique:
        repeated = index[index.duplicated()].unique().tolist()
        raise ValueError(f"{name} gives more than one label to item(s) {repeated[:5]!r}")
    unlabelled = pd.isna(labels)
    if bool(unlabelled.any()):
        raise ValueError(
            f"{name} holds missing labels (NaN/None) for item(s) {index[unlabelled].tolist()[:5]!r}; "
            "drop those items first"
        )
    return index, labels


def _compare(
    data: pd.DataFrame, name: str, reference: References
) -> tuple[pd.Index, npt.NDArray[np.intp], npt.NDArray[np.object_], npt.NDArray[np.object_]]:
    """Rows of ``data`` whose item has a reference label: (annotators, annotator code, label, reference)."""
    table = _validated_labels(data)
    items, reference_labels = _reference_series(name, reference)
    codes, annotators = pd.factorize(table["annotator"], sort=False)
    position = items.get_indexer(
        pd.Index(table["item"].to_numpy(dtype=object), dtype=object, tupleize_cols=False)
    )
    matched = position >= 0
    labels = table["label"].to_numpy(dtype=object)[matched]
    return (
        pd.Index(annotators, name="annotator"),
        np.asarray(codes, dtype=np.intp)[matched],
        labels,
        reference_labels[position[matched]],
    )


def _equal(first: npt.NDArray[np.object_], second: npt.NDArray[np.object_]) -> npt.NDArray[np.bool_]:
    """Element-wise ``first[i] == second[i]`` with Python semantics, as a bool array."""
    return np.fromiter(
        (bool(x == y) for x, y in zip(first, second, strict=True)), dtype=bool, count=len(first)
    )


def _rate_table(
    annotators: pd.Index,
    codes: npt.NDArray[np.intp],
    hits: npt.NDArray[np.bool_],
    confidence: float,
    names: tuple[str, str, str],
) -> pd.DataFrame:
    """Per-annotator hits, comparisons, rate and Wilson bounds; ``nan`` where nothing was compared."""
    z = _z(confidence)
    size = len(annotators)
    agreed = np.bincount(codes[hits], minlength=size).astype(np.float64)
    compared = np.bincount(codes, minlength=size).astype(np.float64)
    low, high = _wilson_bounds(agreed, compared, z)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(compared > 0, agreed / compared, np.nan)
    hits_name, total_name, rate_name = names
    return pd.DataFrame(
        {
            hits_name: agreed.astype(np.int64),
            total_name: compared.astype(np.int64),
            rate_name: rate,
            "low": low,
            "high": high,
        },
        index=annotators,
    )


def gold_accuracy(data: pd.DataFrame, gold: References, *, confidence: float = 0.95) -> pd.DataFrame:
    r"""Each annotator's accuracy on the gold items, with its Wilson score interval.

    **What it measures.** For annotator ``a``, the share of the gold items ``a`` labelled on which ``a``
    gave the gold (known-correct) label, and the range of true accuracies consistent with it. The
    interval keeps an annotator with 3/3 correct answers from outranking one with 95/100.

    **Assumptions.** The gold labels are correct; the gold items an annotator answered are a fair sample
    of the work (accuracy on them stands for accuracy on the rest) and are judged independently. Items
    without a gold label are ignored. Labels are compared with ``==``, so each answer is right or wrong
    (no partial credit).

    **Formula.** With ``G_a`` the gold items annotator ``a`` labelled, ``x_ia`` their label and ``g_i``
    the gold label:

    .. math::

        n_a = |G_a|,\qquad s_a = \sum_{i \in G_a} [x_{ia} = g_i],\qquad \text{accuracy}_a = s_a / n_a

    and ``[low, high]`` is the Wilson score interval of ``s_a`` out of ``n_a`` (see
    :func:`wilson_interval`).

    **Reference.** E. B. Wilson (1927). *Journal of the American Statistical Association*
    22(158):209–212. https://doi.org/10.1080/01621459.1927.10502953 ; L. D. Brown, T. T. Cai and
    A. DasGupta (2001). Interval estimation for a binomial proportion. *Statistical Science*
    16(2):101–133 (why Wilson rather than the Wald interval). https://doi.org/10.1214/ss/1009213286

    Args:
        data: one row per label, with columns ``item``, ``annotator`` and ``label`` (others are
            ignored); at most one row per (item, annotator).
        gold: the gold label of each gold item, as a mapping or a :class:`pandas.Series` indexed by item.
        confidence: coverage of the intervals, in ``(0, 1)``.

    Returns:
        A DataFrame indexed by ``annotator`` (every annotator of ``data``, in order of first
        appearance) with columns ``correct`` and ``answered`` (ints), ``accuracy``, ``low`` and
        ``high`` (floats). An annotator who answered no gold item has ``answered = 0`` and ``nan``
        accuracy and bounds.

    Raises:
        ValueError: ``data`` is not a DataFrame, lacks a column, is empty, holds missing values or
            labels an item twice by the same annotator; ``gold`` is empty, not a mapping or Series,
            labels an item twice or holds a missing item or label; ``confidence`` is not in ``(0, 1)``.

    Example:
        >>> data = pd.DataFrame({"item": [1, 2, 3, 1, 2, 3, 3],
        ...                      "annotator": ["ann"] * 3 + ["bob"] * 3 + ["cid"],
        ...                      "label": ["cat", "dog", "dog", "cat", "cat", "cat", "dog"]})
        >>> rows = gold_accuracy(data, {1: "cat", 2: "dog"}).round(4).to_dict("index")
        >>> rows["ann"]
        {'correct': 2, 'answered': 2, 'accuracy': 1.0, 'low': 0.3424, 'high': 1.0}
        >>> rows["bob"]
        {'correct': 1, 'answered': 2, 'accuracy': 0.5, 'low': 0.0945, 'high': 0.9055}
        >>> rows["cid"]  # no gold item answered: no estimate
        {'correct': 0, 'answered': 0, 'accuracy': nan, 'low': nan, 'high': nan}
    """
    annotators, codes, labels, gold_labels = _compare(data, "gold", gold)
    return _rate_table(
        annotators, codes, _equal(labels, gold_labels), confidence, ("correct", "answered", "accuracy")
    )


def agreement_with_final(data: pd.DataFrame, final: References, *, confidence: float = 0.95) -> pd.DataFrame:
    r"""How often each annotator's label is the item's final label: a rate with its interval, and kappa.

    **What it measures.** For annotator ``a``, over the items ``a`` labelled that have a final
    (aggregated or adjudicated) label: the share on which ``a`` chose the final label, its Wilson score
    interval, and Cohen's kappa between ``a`` and the final labels, which discounts the agreement ``a``
    would reach by always picking the most frequent label. Where there is no gold, this is the usual
    proxy for an annotator's accuracy.

    **Assumptions.** As :func:`gold_accuracy`, with the final labels in place of gold. The final label
    usually depends on ``a``'s own label (majority vote counts it), so both numbers are biased upward,
    the more so the fewer annotators an item has; read them to rank and flag annotators, not as an
    unbiased accuracy. Kappa treats labels as nominal and uses the label frequencies of ``a`` and of
    the final labels on ``a``'s items (:func:`~consenso.core.agreement.cohen.cohen_kappa`).

    **Formula.** With ``F_a`` the items ``a`` labelled that have a final label ``f_i``:

    .. math::

        n_a = |F_a|,\qquad s_a = \sum_{i \in F_a} [x_{ia} = f_i],\qquad \text{agreement}_a = s_a / n_a,
        \qquad \kappa_a = \frac{p_o - p_e}{1 - p_e}

    with ``[low, high]`` the Wilson interval of ``s_a`` out of ``n_a``, ``p_o = agreement_a`` and
    ``p_e = Σ_c m_a(c) m_f(c) / n_a²`` from the label counts of ``a`` and of the final labels on ``F_a``.

    **Reference.** E. B. Wilson (1927). *Journal of the American Statistical Association*
    22(158):209–212. https://doi.org/10.1080/01621459.1927.10502953 ; J. Cohen (1960). A coefficient of
    agreement for nominal scales. *Educational and Psychological Measurement* 20(1):37–46.
    https://doi.org/10.1177/001316446002000104

    Args:
        data: one row per label, with columns ``item``, ``annotator`` and ``label``; at most one row per
            (item, annotator).
        final: the final label of each item, as a mapping or a :class:`pandas.Series` indexed by item
            (for example an aggregator's ``predicted_labels()``). Items without one are ignored.
        confidence: coverage of the intervals, in ``(0, 1)``.

    Returns:
        A DataFrame indexed by ``annotator`` (every annotator of ``data``, in order of first
        appearance) with columns ``agreed`` and ``compared`` (ints), ``agreement``, ``low``, ``high``
        and ``kappa`` (floats). ``kappa`` is ``nan`` where it is undefined: no compared item, or
        ``p_e = 1`` (the annotator and the final labels used one and the same label throughout). An
        annotator with no compared item also has ``nan`` agreement and bounds.

    Raises:
        ValueError: as :func:`gold_accuracy`, for ``data``, ``final`` and ``confidence``.

    Example:
        >>> data = pd.DataFrame({"item": [1, 2, 3, 4, 1, 2, 3, 4],
        ...                      "annotator": ["ann"] * 4 + ["bob"] * 4,
        ...                      "label": ["x", "y", "y", "x", "x", "x", "x", "x"]})
        >>> rows = agreement_with_final(data, {1: "x", 2: "y", 3: "y", 4: "x"}).round(4).to_dict("index")
        >>> rows["ann"]
        {'agreed': 4, 'compared': 4, 'agreement': 1.0, 'low': 0.5101, 'high': 1.0, 'kappa': 1.0}
        >>> rows["bob"]  # always "x": right half the time, but no better than chance
        {'agreed': 2, 'compared': 4, 'agreement': 0.5, 'low': 0.15, 'high': 0.85, 'kappa': 0.0}
    """
    annotators, codes, labels, final_labels = _compare(data, "final", final)
    table = _rate_table(
        annotators, codes, _equal(labels, final_labels), confidence, ("agreed", "compared", "agreement")
    )
    # One category order for every annotator: unweighted kappa ignores it, and an explicit order never
    # fails on labels of mixed, unsortable types.
    order = list(dict.fromkeys([*labels.tolist(), *final_labels.tolist()]))
    kappa = np.full(len(annotators), np.nan, dtype=np.float64)
    for code in np.unique(codes):
        rows = codes == code
        try:
            kappa[code] = cohen_kappa(labels[rows], final_labels[rows], labels=order)
        except ValueError:  # the inputs are valid here, so kappa is undefined (p_e = 1)
            kappa[code] = math.nan
    table["kappa"] = kappa
    return table
