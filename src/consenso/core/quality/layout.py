"""Where each answer of a control sits: its item, and its place among that item's answers.

The agreement metrics take an items × annotators (or coders × units) table. With 2,000 annotators and
200,000 items that table would have 400 million cells, almost all empty. Krippendorff's alpha, Fleiss'
per-item agreement and percent agreement depend only on *which values each item received*, not on who gave
them, so the reports hand the core functions a packed table instead: one row per answer *slot* (as many as
the largest number of answers on one item, i.e. the overlap) and one column per item, padded with NaN. The
figures are exactly those of the full table; the size is items × overlap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.intp]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class ItemLayout:
    """The answers of one control arranged by item.

    ``item_ids``: the distinct items, sorted; per answer, ``item_of`` (index into ``item_ids``) and
    ``slot`` (0 … answers on its item − 1, in input order); per item, ``per_item`` (its answers) and
    ``column`` (its column among the items answered at least twice, −1 for the others).
    """

    item_ids: npt.NDArray[np.int64]
    item_of: IntArray
    slot: IntArray
    per_item: IntArray
    column: IntArray

    @classmethod
    def of(cls, items: Sequence[int]) -> ItemLayout:
        item_ids, inverse = np.unique(np.asarray(items, dtype=np.int64), return_inverse=True)
        item_of = inverse.astype(np.intp).ravel()
        per_item = np.bincount(item_of, minlength=item_ids.size).astype(np.intp)
        order = np.argsort(item_of, kind="stable")
        starts = np.concatenate(([0], np.cumsum(per_item)[:-1])).astype(np.intp)
        slot = np.empty(item_of.size, dtype=np.intp)
        slot[order] = np.arange(item_of.size, dtype=np.intp) - starts[item_of[order]]
        pairable = per_item >= 2
        column = np.full(item_ids.size, -1, dtype=np.intp)
        column[pairable] = np.arange(int(pairable.sum()), dtype=np.intp)
        return cls(item_ids, item_of, slot, per_item, column)

    @property
    def n_items(self) -> int:
        return int(self.item_ids.size)

    @property
    def n_compared(self) -> int:
        """Items with at least two answers: the ones agreement is measured on."""
        return int(np.count_nonzero(self.per_item >= 2))

    @property
    def compared(self) -> BoolArray:
        """Per answer: whether its item has at least two answers."""
        mask: BoolArray = self.per_item[self.item_of] >= 2
        return mask

    @property
    def width(self) -> int:
        """The largest number of answers on one item."""
        return int(self.per_item.max()) if self.per_item.size else 0

    def units(self, values: FloatArray) -> FloatArray:
        """The slots × compared-items matrix of ``values`` (one per answer), NaN where an item has fewer
        answers: Krippendorff's reliability data, transposed it is per-item agreement's table."""
        compared = self.compared
        matrix = np.full((self.width, self.n_compared), np.nan, dtype=np.float64)
        matrix[self.slot[compared], self.column[self.item_of[compared]]] = values[compared]
        return matrix

    def counts(self, codes: IntArray, n_codes: int) -> FloatArray:
        """The compared-items × codes table of how many answers of each code every item received."""
        compared = self.compared
        flat = self.column[self.item_of[compared]] * n_codes + codes[compared]
        table = np.bincount(flat, minlength=self.n_compared * n_codes)
        return table.reshape(self.n_compared, n_codes).astype(np.float64)


def positions(sorted_ids: npt.NDArray[np.int64], wanted: Sequence[int]) -> list[int]:
    """Where each of ``wanted`` sits in ``sorted_ids`` (sorted, distinct), −1 when it is not there."""
    asked = np.asarray(wanted, dtype=np.int64)
    if sorted_ids.size == 0 or asked.size == 0:
        return [-1] * asked.size
    at = np.minimum(np.searchsorted(sorted_ids, asked), sorted_ids.size - 1)
    found: list[int] = np.where(sorted_ids[at] == asked, at, -1).tolist()
    return found
