"""The DataFrame layer's encoding: integer ids take a hash-free path that must equal pandas.factorize."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from consenso.core.aggregation import DawidSkene, MajorityVote, encode_labels


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.integers(-50, 50), min_size=1, max_size=60),
    dtype=st.sampled_from(["int64", "int32", "int8"]),
)
def test_integer_ids_encode_as_pandas_factorize_does(values: list[int], dtype: str) -> None:
    column = pd.Series(values, dtype=dtype)
    frame = pd.DataFrame({"item": column, "annotator": column, "label": column})
    table, items, annotators, classes = encode_labels(frame)
    for codes, index, sort in ((table.item, items, False), (table.label, classes, True)):
        expected_codes, expected_uniques = pd.factorize(column, sort=sort)
        np.testing.assert_array_equal(codes, expected_codes)
        assert index.tolist() == list(expected_uniques)
    assert annotators.tolist() == items.tolist()


def test_unsigned_and_sparse_integer_ids_encode_too() -> None:
    wide = pd.Series([10**12, 5, 10**12, 7], dtype="int64")  # far wider range than rows: hashing path
    unsigned = pd.Series([3, 1, 3, 2], dtype="uint16")
    for column in (wide, unsigned):
        frame = pd.DataFrame({"item": column, "annotator": column, "label": column})
        table, items, _, classes = encode_labels(frame)
        codes, uniques = pd.factorize(column, sort=False)
        np.testing.assert_array_equal(table.item, codes)
        assert items.tolist() == list(uniques)
        assert classes.tolist() == sorted(set(column.tolist()))


def test_rows_in_any_order_give_the_same_fit() -> None:
    # Dawid-Skene builds its sparse matrix without sorting when rows come grouped by item: the result
    # must not depend on which construction was used.
    rng = np.random.default_rng(4)
    frame = pd.DataFrame(
        {
            "item": np.repeat(np.arange(300), 4),
            "annotator": rng.integers(0, 12, 1200),
            "label": rng.integers(0, 3, 1200),
        }
    ).drop_duplicates(["item", "annotator"])
    shuffled = frame.sample(frac=1.0, random_state=1)
    for model in (DawidSkene, MajorityVote):
        grouped = model().fit(frame).predicted_probas()
        mixed = model().fit(shuffled).predicted_probas().reindex(grouped.index)
        np.testing.assert_allclose(mixed.to_numpy(), grouped.to_numpy(), atol=1e-9)
