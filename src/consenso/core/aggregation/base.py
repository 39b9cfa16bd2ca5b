"""The fit / predict protocol shared by every label aggregator.

An aggregator turns many noisy labels per item into one estimated true label (and a posterior over
the labels) per item. Every aggregator works on two levels:

- **the fast path**, :meth:`Aggregator.fit_codes`, over integer-coded arrays: row ``r`` says that
  annotator ``annotator[r]`` gave label ``label[r]`` to item ``item[r]``, with codes in
  ``0 … n_items − 1``, ``0 … n_annotators − 1`` and ``0 … n_labels − 1``;
- **the convenience layer**, :meth:`Aggregator.fit`, :meth:`Aggregator.fit_predict` and
  :meth:`Aggregator.fit_predict_proba`, over a :class:`pandas.DataFrame` with columns ``item``,
  ``annotator`` and ``label`` holding any hashable ids and labels. They are encoded with
  :func:`pandas.factorize`; labels are sorted when they can be compared, so that "the lowest label"
  means what it says.

The style is crowd-kit's: hyperparameters are constructor arguments that ``fit`` never changes,
``fit`` returns ``self`` and the fitted state is held in attributes whose names end in ``_``.
After any fit, ``items_``, ``annotators_`` and ``classes_`` are :class:`pandas.Index` objects that map
codes back to ids (a :class:`pandas.RangeIndex` on the fast path), ``probas_`` is the
``n_items × n_labels`` posterior and ``labels_`` the code of the estimated label of each item.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Self

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["COLUMNS", "Aggregator", "CodedLabels", "coded_labels", "encode_labels"]

#: The columns the DataFrame layer reads.
COLUMNS = ("item", "annotator", "label")

IntArray = npt.NDArray[np.intp]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class CodedLabels:
    """A validated label table in integer codes: one row per (item, annotator, label) observation."""

    item: IntArray
    annotator: IntArray
    label: IntArray
    n_items: int
    n_annotators: int
    n_labels: int

    @property
    def n_rows(self) -> int:
        return int(self.item.shape[0])


def _as_codes(name: str, values: npt.ArrayLike, size: int) -> IntArray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of integer codes, got {array.ndim} dimension(s)")
    if array.dtype.kind not in "iu":
        raise ValueError(f"{name} must hold integer codes, got dtype {array.dtype}")
    if array.size and (int(array.min()) < 0 or int(array.max()) >= size):
        low, high = int(array.min()), int(array.max())
        raise ValueError(f"{name} codes must lie in 0 … {size - 1}, got values from {low} to {high}")
    return array.astype(np.intp, copy=False)


def _as_count(name: str, value: int | None, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return int(value)


def coded_labels(
    item: npt.ArrayLike,
    annotator: npt.ArrayLike,
    label: npt.ArrayLike,
    n_items: int | None = None,
    n_annotators: int | None = None,
    n_labels: int | None = None,
) -> CodedLabels:
    """Validate integer-coded arrays; each count defaults to one more than the largest code."""
    raw = [np.asarray(a) for a in (item, annotator, label)]
    lengths = {a.shape[0] if a.ndim else -1 for a in raw}
    if len(lengths) != 1:
        raise ValueError("item, annotator and label must be 1-D arrays of the same length")
    if raw[0].size == 0:
        raise ValueError("no labels to aggregate: the arrays are empty")
    sizes = []
    for name, array, given in zip(COLUMNS, raw, (n_items, n_annotators, n_labels), strict=True):
        # on a malformed array the default does not matter: _as_codes below reports the real problem
        default = int(array.max()) + 1 if array.ndim == 1 and array.dtype.kind in "iu" else 1
        sizes.append(_as_count(f"n_{name}s", given, default))
    codes = [_as_codes(name, a, s) for name, a, s in zip(COLUMNS, raw, sizes, strict=True)]
    return CodedLabels(codes[0], codes[1], codes[2], sizes[0], sizes[1], sizes[2])


def _factorize_integers(values: npt.NDArray[np.integer], sort: bool) -> tuple[IntArray, pd.Index] | None:
    """:func:`pandas.factorize` for integer ids of a compact range, in O(rows + range) without hashing.

    Returns ``None`` when the range is much wider than the column (sparse ids): hashing is then cheaper.
    """
    n = values.shape[0]
    low, high = int(values.min()), int(values.max())
    span = high - low + 1
    if span > 2 * n + 1024:
        return None
    offset = (values - low).astype(np.intp, copy=False)
    # first[v] = the first row holding v: assigning in reverse order, the last write (the first row) wins
    first = np.full(span, n, dtype=np.intp)
    first[offset[::-1]] = np.arange(n - 1, -1, -1, dtype=np.intp)
    present = np.flatnonzero(first < n)
    order = present if sort else present[np.argsort(first[present], kind="stable")]
    rank = np.empty(span, dtype=np.intp)
    rank[order] = np.arange(order.size, dtype=np.intp)
    return rank[offset], pd.Index(order + low, dtype=values.dtype)


def _factorize(column: pd.Series, sort: bool) -> tuple[IntArray, pd.Index]:
    values = column.to_numpy()
    if values.dtype.kind in "iu":
        fast = _factorize_integers(values, sort)
        if fast is not None:
            return fast
    if sort:
        try:
            codes, uniques = pd.factorize(column, sort=True)
        except TypeError:  # ids or labels of mixed, incomparable types: keep order of appearance
            codes, uniques = pd.factorize(column, sort=False)
    else:
        codes, uniques = pd.factorize(column, sort=False)
    return np.asarray(codes, dtype=np.intp), pd.Index(uniques)


def encode_labels(data: pd.DataFrame) -> tuple[CodedLabels, pd.Index, pd.Index, pd.Index]:
    """Encode a DataFrame with columns ``item``, ``annotator``, ``label`` into codes.

    Returns the coded table and the indexes of items (order of appearance), annotators (order of
    appearance) and labels (sorted when comparable, else order of appearance).
    """
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    missing = [c for c in COLUMNS if c not in data.columns]
    if missing:
        raise ValueError(f"data is missing column(s) {missing}; expected columns {list(COLUMNS)}")
    if len(data) == 0:
        raise ValueError("no labels to aggregate: the DataFrame is empty")
    for column in COLUMNS:
        if bool(data[column].isna().any()):
            raise ValueError(f"column {column!r} holds missing values (NaN/None); drop those rows first")
    item, items = _factorize(data["item"], sort=False)
    annotator, annotators = _factorize(data["annotator"], sort=False)
    label, classes = _factorize(data["label"], sort=True)
    table = CodedLabels(item, annotator, label, len(items), len(annotators), len(classes))
    return table, items, annotators, classes


class Aggregator(ABC):
    """Base of the aggregators: subclasses implement :meth:`_fit` over a :class:`CodedLabels`.

    Fitted attributes common to every aggregator:

    - ``probas_``: ``(n_items, n_labels)`` float array, each row a posterior over the labels;
    - ``labels_``: ``(n_items,)`` int array, the code of the estimated label of each item;
    - ``skills_``: ``(n_annotators,)`` float array, each annotator's estimated reliability in ``[0, 1]``
      (what it means is the model's: agreement with the result, accuracy, competence), NaN for an
      annotator without labels;
    - ``items_``, ``annotators_``, ``classes_``: the ids behind the codes.
    """

    probas_: FloatArray
    labels_: IntArray
    skills_: FloatArray
    items_: pd.Index
    annotators_: pd.Index
    classes_: pd.Index

    @abstractmethod
    def _fit(self, table: CodedLabels) -> None:
        """Fit on a validated coded table, setting ``probas_`` and ``labels_`` (and any other state).

        ``items_``, ``annotators_`` and ``classes_`` are already set when it runs.
        """

    def fit_codes(
        self,
        item: npt.ArrayLike,
        annotator: npt.ArrayLike,
        label: npt.ArrayLike,
        n_items: int | None = None,
        n_annotators: int | None = None,
        n_labels: int | None = None,
    ) -> Self:
        """Fit on integer-coded arrays (the fast path). Counts default to the largest code plus one."""
        table = coded_labels(item, annotator, label, n_items, n_annotators, n_labels)
        self.items_ = pd.RangeIndex(table.n_items, name="item")
        self.annotators_ = pd.RangeIndex(table.n_annotators, name="annotator")
        self.classes_ = pd.RangeIndex(table.n_labels, name="label")
        self._fit(table)
        return self

    def fit(self, data: pd.DataFrame) -> Self:
        """Fit on a DataFrame with columns ``item``, ``annotator``, ``label``."""
        table, items, annotators, classes = encode_labels(data)
        self.items_ = items.rename("item")
        self.annotators_ = annotators.rename("annotator")
        self.classes_ = classes.rename("label")
        self._fit(table)
        return self

    def _require_fitted(self) -> None:
        if not hasattr(self, "probas_"):
            raise ValueError(f"{type(self).__name__} is not fitted yet; call fit() or fit_codes() first")

    def predicted_labels(self) -> pd.Series:
        """The estimated label of each fitted item, as a Series of labels indexed by item."""
        self._require_fitted()
        return pd.Series(self.classes_.take(self.labels_), index=self.items_, name="label")

    def predicted_probas(self) -> pd.DataFrame:
        """The posterior of each fitted item: a DataFrame items × labels whose rows sum to 1."""
        self._require_fitted()
        return pd.DataFrame(self.probas_, index=self.items_, columns=self.classes_)

    def fit_predict(self, data: pd.DataFrame) -> pd.Series:
        """Fit on ``data`` and return the estimated label of each item (a Series indexed by item)."""
        return self.fit(data).predicted_labels()

    def fit_predict_proba(self, data: pd.DataFrame) -> pd.DataFrame:
        """Fit on ``data`` and return the posteriors, a DataFrame items × labels."""
        return self.fit(data).predicted_probas()
