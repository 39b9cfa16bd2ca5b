"""Pairwise annotator agreement and per-item agreement on tables with missing labels."""

from __future__ import annotations

import doctest
import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from consenso.core.agreement import cohen_kappa, pairwise, percent_agreement
from consenso.core.agreement.pairwise import pairwise_agreement, per_item_agreement

nan = float("nan")

TABLE = [
    ["a", "a", "b"],
    ["b", "b", "b"],
    ["a", "a", None],
    ["b", "a", "a"],
]


def test_percent_by_hand() -> None:
    expected = [[1.0, 3 / 4, 1 / 3], [3 / 4, 1.0, 2 / 3], [1 / 3, 2 / 3, 1.0]]
    np.testing.assert_allclose(pairwise_agreement(TABLE, metric="percent"), expected)


def test_kappa_by_hand() -> None:
    # Annotators 0 and 1: p_o = 3/4; marginals (a 2, b 2) and (a 3, b 1) give p_e = 8/16.
    assert pairwise_agreement(TABLE)[0, 1] == pytest.approx((0.75 - 0.5) / 0.5)


def test_numeric_table_with_nan_missing() -> None:
    table = np.array([[1.0, nan], [2.0, 1.0], [1.0, 2.0]])
    np.testing.assert_allclose(pairwise_agreement(table), [[1.0, -1.0], [-1.0, 1.0]])


def test_fewer_than_two_shared_items_is_nan() -> None:
    table = [["x", None, "x"], ["y", "y", None], [None, "x", "y"]]
    result = pairwise_agreement(table, metric="percent")
    assert np.isnan(result[0, 1]) and np.isnan(result[0, 2]) and np.isnan(result[1, 2])
    assert result[0, 0] == 1.0


def test_kappa_undefined_when_both_use_one_label_is_nan() -> None:
    result = pairwise_agreement([["x", "x"], ["x", "x"], ["x", "x"]])
    assert np.isnan(result).all()
    assert (pairwise_agreement([["x", "x"], ["x", "x"]], metric="percent") == 1.0).all()


def test_per_item_by_hand() -> None:
    result = per_item_agreement([["a", "a", "b"], ["b", "b", "b"], ["a", None, None], ["a", "b", "c"]])
    np.testing.assert_allclose(result, [1 / 3, 1.0, nan, 0.0])


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (["a", "b"], "2-D"),
        (np.empty((0, 2), dtype=object), "at least one item"),
        ([[["a"]], [["b"]]], "2-D"),
    ],
)
def test_bad_tables_raise(labels: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        pairwise_agreement(labels)
    with pytest.raises(ValueError, match=message):
        per_item_agreement(labels)


def test_unknown_metric_raises() -> None:
    with pytest.raises(ValueError, match="metric must be one of"):
        pairwise_agreement(TABLE, metric="fleiss")  # type: ignore[arg-type]


def test_unhashable_label_raises() -> None:
    table = np.empty((2, 2), dtype=object)
    table[:] = "a"
    table[0, 0] = ["a"]
    with pytest.raises(ValueError, match="hashable"):
        per_item_agreement(table)


cells = st.one_of(st.none(), st.integers(0, 3))


@st.composite
def tables(draw: st.DrawFn) -> list[list[int | None]]:
    n_items = draw(st.integers(1, 15))
    n_annotators = draw(st.integers(1, 5))
    return [draw(st.lists(cells, min_size=n_annotators, max_size=n_annotators)) for _ in range(n_items)]


@given(tables())
def test_matches_cohen_on_every_pair(table: list[list[int | None]]) -> None:
    kappa = pairwise_agreement(table)
    percent = pairwise_agreement(table, metric="percent")
    np.testing.assert_allclose(kappa, kappa.T, equal_nan=True)
    np.testing.assert_allclose(percent, percent.T, equal_nan=True)
    n_annotators = len(table[0])
    for a, b in itertools.product(range(n_annotators), repeat=2):
        shared = [(row[a], row[b]) for row in table if row[a] is not None and row[b] is not None]
        if len(shared) < 2:
            assert np.isnan(kappa[a, b]) and np.isnan(percent[a, b])
            continue
        first, second = [x for x, _ in shared], [y for _, y in shared]
        assert percent[a, b] == pytest.approx(percent_agreement(first, second))
        try:
            expected = cohen_kappa(first, second)
        except ValueError:
            assert np.isnan(kappa[a, b])
        else:
            assert kappa[a, b] == pytest.approx(expected)


@given(tables())
def test_per_item_in_unit_interval_and_one_when_unanimous(table: list[list[int | None]]) -> None:
    result = per_item_agreement(table)
    for value, row in zip(result, table, strict=True):
        present = [x for x in row if x is not None]
        if len(present) < 2:
            assert np.isnan(value)
        else:
            assert 0.0 <= value <= 1.0
            assert (value == 1.0) == (len(set(present)) == 1)


def test_docstring_examples_run() -> None:
    failures, attempted = doctest.testmod(pairwise)
    assert failures == 0
    assert attempted > 0
