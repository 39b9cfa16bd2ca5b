"""Multi-label aggregation: one estimated label *set* per item, when each annotator picks a set.

A multi-choice question lets every annotator tick any number of labels (possibly none). The labels are
aggregated one at a time, each as an independent yes/no question per item ("is label ``k`` present on
item ``i``?"), which the multi-label literature calls *binary relevance*. Like the single-label
aggregators in :mod:`.base`, :class:`MultiLabelAggregator` works on two levels:

- **the fast path**, :meth:`MultiLabelAggregator.fit_codes`, over integer codes: row ``r`` says that
  annotator ``annotator[r]`` answered item ``item[r]`` and ticked the labels where the boolean row
  ``indicators[r]`` (one column per label) is true;
- **the DataFrame layer**, :meth:`MultiLabelAggregator.fit`, over columns ``item``, ``annotator`` and
  ``labels``, each ``labels`` cell an iterable of hashable labels (a list, tuple, set or array; empty
  when the annotator ticked nothing). Items and annotators keep their order of appearance; labels are
  sorted when they can be compared.

An annotator may answer an item once: a second row for the same (item, annotator) pair is an error, since
"the share of the annotators who ticked ``k``" would otherwise count someone twice.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable
from typing import Literal, Self, get_args

import numpy as np
import numpy.typing as npt
import pandas as pd

from consenso.core.aggregation.base import FloatArray, IntArray, _as_codes, _as_count
from consenso.core.aggregation.dawid_skene import DawidSkene

__all__ = ["MULTILABEL_COLUMNS", "MultiLabelAggregator", "MultiLabelMethod"]

#: The columns the DataFrame layer reads.
MULTILABEL_COLUMNS = ("item", "annotator", "labels")

MultiLabelMethod = Literal["majority", "dawid_skene"]

BoolArray = npt.NDArray[np.bool_]


class MultiLabelAggregator:
    r"""Multi-label aggregation: each label is kept on an item when enough evidence says it is present.

    **What it estimates.** For every item ``i`` and label ``k`` the probability ``probas_[i, k]`` that
    ``k`` belongs to the true label set of ``i``, and that set itself: ``labels_[i, k]`` is true when
    ``probas_[i, k] >= threshold``.

    **Assumptions.** Binary relevance: the presence of each label is a separate yes/no question, so
    correlations between labels (two labels that always come together, or exclude each other) are not
    used. An annotator who answered an item said "no" to every label they did not tick, so an empty
    answer counts as a vote against every label. Annotators are independent given the truth.

    **Methods and formulas.** With ``n_i`` the number of annotators who answered item ``i`` and
    ``n_{ik}`` the number of them who ticked ``k``:

    - ``"majority"``: ``p_{ik} = n_{ik} / n_i``, the share of the item's annotators who ticked ``k``
      (0 for an item nobody answered, possible only on the fast path).
    - ``"dawid_skene"``: ``p_{ik}`` is the posterior of "present" from a binary
      :class:`~consenso.core.aggregation.dawid_skene.DawidSkene` (default hyperparameters) fitted for
      label ``k`` alone on the ``n_items`` questions "is ``k`` on item ``i``?". Each annotator gets a
      2 × 2 confusion matrix per label (how often they miss ``k`` when it is there, and tick it when it
      is not), kept in ``errors_[k, a, true, observed]`` with 0 = absent, 1 = present; someone who ticks
      the opposite of the truth is learnt as such and turned around rather than outvoting the others.
      An item nobody answered gets the label's estimated prevalence.

    Then ``ŷ_{ik} = [p_{ik} >= t]`` with ``t = threshold``. **The threshold is inclusive**: with the
    default ``t = 0.5`` a label ticked by exactly half of an item's annotators (1 of 2, 2 of 4) is
    kept. On an even split, the label is kept rather than dropped, so a consensus never loses a label
    that half the team saw; use a threshold just above 0.5 (for example 0.51) to require a strict
    majority. Shares are exact fractions ``n_{ik} / n_i`` compared with ``>=``, so ``2/4 >= 0.5`` holds
    exactly in floating point.

    **Reference.** G. Tsoumakas and I. Katakis (2007). Multi-Label Classification: An Overview.
    *International Journal of Data Warehousing and Mining* 3(3):1–13.
    https://doi.org/10.4018/jdwm.2007070101 (binary relevance) — and A. P. Dawid and A. M. Skene (1979).
    Maximum Likelihood Estimation of Observer Error-Rates Using the EM Algorithm. *Journal of the Royal
    Statistical Society, Series C* 28(1):20–28. https://doi.org/10.2307/2346806

    Fitted attributes: ``probas_`` (``n_items × n_labels`` floats), ``labels_`` (``n_items × n_labels``
    booleans), ``items_``, ``annotators_`` and ``classes_`` (the ids behind the codes; a
    :class:`pandas.RangeIndex` on the fast path) and, for ``method="dawid_skene"`` only, ``errors_``.

    Args:
        method: ``"majority"`` or ``"dawid_skene"``, see above.
        threshold: the smallest probability at which a label is kept, in ``(0, 1]``; inclusive.

    Example:
        >>> import pandas as pd
        >>> df = pd.DataFrame({
        ...     "item": ["a", "a", "a", "b", "b"],
        ...     "annotator": ["x", "y", "z", "x", "y"],
        ...     "labels": [["cat", "dog"], ["cat"], [], ["dog"], ["bird", "dog"]],
        ... })
        >>> MultiLabelAggregator().fit_predict(df).to_dict()
        {'a': ('cat',), 'b': ('bird', 'dog')}
        >>> MultiLabelAggregator().fit_predict_proba(df).round(2).to_dict(orient="index")
        {'a': {'bird': 0.0, 'cat': 0.67, 'dog': 0.33}, 'b': {'bird': 0.5, 'cat': 0.0, 'dog': 1.0}}
        >>> MultiLabelAggregator(threshold=0.51).fit_predict(df).to_dict()
        {'a': ('cat',), 'b': ('dog',)}
    """

    probas_: FloatArray
    labels_: BoolArray
    items_: pd.Index
    annotators_: pd.Index
    classes_: pd.Index
    errors_: FloatArray

    def __init__(self, method: MultiLabelMethod = "majority", threshold: float = 0.5) -> None:
        if method not in get_args(MultiLabelMethod):
            raise ValueError(f"method must be one of {list(get_args(MultiLabelMethod))}, got {method!r}")
        if (
            isinstance(threshold, bool)
            or not isinstance(threshold, int | float | np.integer | np.floating)
            or not math.isfinite(threshold)
            or not 0.0 < threshold <= 1.0
        ):
            raise ValueError(f"threshold must be a number in (0, 1], got {threshold!r}")
        self.method: MultiLabelMethod = method
        self.threshold = float(threshold)

    def fit_codes(
        self,
        item: npt.ArrayLike,
        annotator: npt.ArrayLike,
        indicators: npt.ArrayLike,
        n_items: int | None = None,
        n_annotators: int | None = None,
    ) -> Self:
        """Fit on codes (the fast path): ``indicators`` is the boolean ``n_rows × n_labels`` matrix.

        ``indicators`` may also hold the integers or floats 0 and 1. Counts default to the largest code
        plus one; the number of labels is the number of columns of ``indicators``.
        """
        ticks = _indicator_matrix(indicators)
        codes = _row_codes(item, annotator, ticks.shape[0], n_items, n_annotators)
        self._fit(*codes, ticks)
        self.items_ = pd.RangeIndex(codes[2], name="item")
        self.annotators_ = pd.RangeIndex(codes[3], name="annotator")
        self.classes_ = pd.RangeIndex(ticks.shape[1], name="label")
        return self

    def fit(self, data: pd.DataFrame) -> Self:
        """Fit on a DataFrame with columns ``item``, ``annotator`` and ``labels`` (iterables of labels)."""
        item, annotator, ticks, items, annotators, classes = _encode_label_sets(data)
        self._fit(item, annotator, len(items), len(annotators), ticks)
        self.items_ = items.rename("item")
        self.annotators_ = annotators.rename("annotator")
        self.classes_ = classes.rename("label")
        return self

    def _fit(
        self, item: IntArray, annotator: IntArray, n_items: int, n_annotators: int, ticks: BoolArray
    ) -> None:
        n_labels = ticks.shape[1]
        if self.method == "majority":
            chosen = np.zeros((n_items, n_labels), dtype=np.float64)
            np.add.at(chosen, item, ticks.astype(np.float64))
            answered = np.bincount(item, minlength=n_items).astype(np.float64)[:, None]
            probas: FloatArray = np.divide(chosen, answered, out=np.zeros_like(chosen), where=answered > 0)
        else:
            probas = np.zeros((n_items, n_labels), dtype=np.float64)
            errors = np.zeros((n_labels, n_annotators, 2, 2), dtype=np.float64)
            for k in range(n_labels):
                model = DawidSkene().fit_codes(
                    item,
                    annotator,
                    ticks[:, k].astype(np.intp),
                    n_items=n_items,
                    n_annotators=n_annotators,
                    n_labels=2,
                )
                probas[:, k] = model.probas_[:, 1]
                errors[k] = model.errors_
            self.errors_ = errors
        self.probas_ = probas
        self.labels_ = probas >= self.threshold

    def _require_fitted(self) -> None:
        if not hasattr(self, "probas_"):
            raise ValueError(f"{type(self).__name__} is not fitted yet; call fit() or fit_codes() first")

    def predicted_labels(self) -> pd.Series:
        """The estimated label set of each fitted item: a Series of tuples (in ``classes_`` order)."""
        self._require_fitted()
        names = self.classes_.tolist()
        sets = [tuple(names[k] for k in np.flatnonzero(row)) for row in self.labels_]
        return pd.Series(sets, index=self.items_, name="labels", dtype=object)

    def predicted_probas(self) -> pd.DataFrame:
        """The probability of each label on each fitted item: a DataFrame items × labels."""
        self._require_fitted()
        return pd.DataFrame(self.probas_, index=self.items_, columns=self.classes_)

    def fit_predict(self, data: pd.DataFrame) -> pd.Series:
        """Fit on ``data`` and return the label set of each item (tuples, sorted when comparable)."""
        return self.fit(data).predicted_labels()

    def fit_predict_proba(self, data: pd.DataFrame) -> pd.DataFrame:
        """Fit on ``data`` and return the probability of each label on each item (items × labels)."""
        return self.fit(data).predicted_probas()


def _indicator_matrix(indicators: npt.ArrayLike) -> BoolArray:
    array = np.asarray(indicators)
    if array.ndim != 2:
        raise ValueError(
            f"indicators must be a 2-D n_rows × n_labels array of booleans, got {array.ndim} dimension(s)"
        )
    if array.shape[0] == 0:
        raise ValueError("no labels to aggregate: the arrays are empty")
    if array.dtype == np.bool_:
        return array
    if array.dtype.kind not in "iuf" or not np.all((array == 0) | (array == 1)):
        raise ValueError("indicators must hold booleans (or the numbers 0 and 1; no NaN)")
    return array.astype(np.bool_)


def _row_codes(
    item: npt.ArrayLike,
    annotator: npt.ArrayLike,
    n_rows: int,
    n_items: int | None,
    n_annotators: int | None,
) -> tuple[IntArray, IntArray, int, int]:
    """Validate the item and annotator codes of the fast path; return them and the two counts."""
    raw = [np.asarray(item), np.asarray(annotator)]
    if any(a.ndim != 1 or a.shape[0] != n_rows for a in raw):
        raise ValueError("item and annotator must be 1-D arrays with one entry per row of indicators")
    codes, counts = [], []
    for name, array, given in zip(("item", "annotator"), raw, (n_items, n_annotators), strict=True):
        # on a malformed array the default does not matter: _as_codes reports the real problem
        default = int(array.max()) + 1 if array.dtype.kind in "iu" else 1
        counts.append(_as_count(f"n_{name}s", given, default))
        codes.append(_as_codes(name, array, counts[-1]))
    _require_one_answer(codes[0], codes[1], counts[1], lambda r: (int(codes[1][r]), int(codes[0][r])))
    return codes[0], codes[1], counts[0], counts[1]


def _require_one_answer(
    item: IntArray, annotator: IntArray, n_annotators: int, names: Callable[[int], tuple[object, object]]
) -> None:
    """Raise if an (item, annotator) pair occurs twice; ``names(row)`` gives (annotator, item) ids."""
    duplicated = pd.Series(item * n_annotators + annotator).duplicated().to_numpy()
    if duplicated.any():
        who, what = names(int(np.flatnonzero(duplicated)[0]))
        raise ValueError(
            f"annotator {who!r} answered item {what!r} in more than one row; "
            "give one row (one label set) per item and annotator"
        )


def _label_set(cell: object, row: int) -> list[Hashable]:
    if isinstance(cell, str | bytes):
        raise ValueError(
            f"labels in row {row} must be a collection of labels, got the string {cell!r}; "
            "wrap a single label in a list"
        )
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        raise ValueError(
            f"labels in row {row} is missing (NaN/None); use an empty list for an answer with no label"
        )
    if not isinstance(cell, Iterable):
        raise ValueError(f"labels in row {row} must be an iterable of labels, got {cell!r}")
    labels: list[Hashable] = []
    for label in cell:
        if label is None or (isinstance(label, float | np.floating) and math.isnan(label)):
            raise ValueError(f"labels in row {row} holds a missing label (NaN/None): {cell!r}")
        if not isinstance(label, Hashable):
            raise ValueError(f"labels in row {row} must be hashable, got {label!r}")
        labels.append(label)
    return labels


def _encode_label_sets(
    data: pd.DataFrame,
) -> tuple[IntArray, IntArray, BoolArray, pd.Index, pd.Index, pd.Index]:
    """Encode a DataFrame with columns ``item``, ``annotator``, ``labels`` into codes.

    Returns the item and annotator codes per row, the boolean ``n_rows × n_labels`` indicator matrix,
    and the indexes of items (order of appearance), annotators (order of appearance) and labels (sorted
    when comparable, else order of appearance). Raises ``ValueError`` on a malformed frame.
    """
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    missing = [c for c in MULTILABEL_COLUMNS if c not in data.columns]
    if missing:
        raise ValueError(f"data is missing column(s) {missing}; expected columns {list(MULTILABEL_COLUMNS)}")
    if len(data) == 0:
        raise ValueError("no labels to aggregate: the DataFrame is empty")
    for column in ("item", "annotator"):
        if bool(data[column].isna().any()):
            raise ValueError(f"column {column!r} holds missing values (NaN/None); drop those rows first")
    sets = [_label_set(cell, row) for row, cell in enumerate(data["labels"])]
    seen = list(dict.fromkeys(label for labels in sets for label in labels))
    try:
        ordered = sorted(seen)  # type: ignore[type-var]  # labels of one comparable type sort
    except TypeError:  # labels of mixed, incomparable types: keep order of appearance
        ordered = seen
    code = {label: k for k, label in enumerate(ordered)}
    ticks = np.zeros((len(sets), len(ordered)), dtype=np.bool_)
    for row, labels in enumerate(sets):
        ticks[row, [code[label] for label in labels]] = True
    item_codes, item_ids = pd.factorize(data["item"], sort=False)
    annotator_codes, annotator_ids = pd.factorize(data["annotator"], sort=False)
    item = np.asarray(item_codes, dtype=np.intp)
    annotator = np.asarray(annotator_codes, dtype=np.intp)
    items, annotators = pd.Index(item_ids), pd.Index(annotator_ids)
    item_names, annotator_names = items.tolist(), annotators.tolist()  # plain Python ids for messages
    _require_one_answer(
        item, annotator, len(annotators), lambda r: (annotator_names[annotator[r]], item_names[item[r]])
    )
    classes = pd.Index(ordered) if ordered else pd.Index([], dtype=object)
    return item, annotator, ticks, items, annotators, classes
