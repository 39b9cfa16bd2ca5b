"""Entity-span F1 between two annotators: exact and overlap matching, per label, edge cases."""

from __future__ import annotations

import doctest
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consenso.core.agreement import spans
from consenso.core.agreement.spans import MatchCounts, Span, span_f1


def test_exact_by_hand() -> None:
    a = [[(0, 5, "PER"), (10, 16, "ORG"), (20, 25, "LOC")]]
    b = [[(0, 5, "PER"), (10, 16, "LOC"), (20, 25, "LOC"), (30, 31, "PER")]]
    result = span_f1(a, b)
    assert (result.matched, result.reference, result.candidate) == (2, 3, 4)
    assert result.precision == pytest.approx(2 / 4)
    assert result.recall == pytest.approx(2 / 3)
    assert result.f1 == pytest.approx(2 * 2 / 7)


def test_overlap_is_one_to_one_and_takes_largest_overlap_first() -> None:
    # b's long span overlaps both of a's; it pairs with the one it overlaps most (6 > 2 characters),
    # and the other a span stays unmatched even though it overlaps too.
    a = [[(0, 4, "X"), (4, 10, "X")]]
    b = [[(2, 10, "X")]]
    result = span_f1(a, b, match="overlap")
    assert (result.matched, result.reference, result.candidate) == (1, 2, 1)
    assert result.precision == 1.0
    assert result.recall == 0.5


def test_overlap_needs_the_same_label_and_a_shared_character() -> None:
    a = [[(0, 5, "X"), (10, 15, "X")]]
    b = [[(5, 10, "X"), (10, 15, "Y")]]  # touching is not overlapping (end exclusive)
    assert span_f1(a, b, match="overlap").matched == 0


def test_counts_pool_over_items() -> None:
    a = [[(0, 1, "X")], [], [(2, 3, "Y")]]
    b = [[(0, 1, "X")], [(0, 1, "X")], []]
    result = span_f1(a, b)
    assert (result.matched, result.reference, result.candidate) == (1, 2, 2)


def test_per_label() -> None:
    a = [[(0, 5, "PER"), (10, 16, "ORG")]]
    b = [[(0, 5, "PER"), (10, 16, "PER")]]
    result = span_f1(a, b, per_label=True)
    assert result == {"PER": MatchCounts(1, 1, 2), "ORG": MatchCounts(0, 1, 0)}
    assert result["ORG"].f1 == 0.0
    assert result["PER"].f1 == pytest.approx(2 / 3)


def test_duplicate_spans_match_once_each() -> None:
    result = span_f1([[(0, 2, "X"), (0, 2, "X")]], [[(0, 2, "X")]])
    assert (result.matched, result.reference, result.candidate) == (1, 2, 1)


@pytest.mark.parametrize("match", ["exact", "overlap"])
def test_empty_annotations(match: Any) -> None:
    both = span_f1([[], []], [[], []], match=match)
    assert (both.precision, both.recall, both.f1) == (1.0, 1.0, 1.0)
    assert span_f1([], [], match=match).f1 == 1.0
    one = span_f1([[(0, 1, "X")]], [[]], match=match)
    assert (one.precision, one.recall, one.f1) == (0.0, 0.0, 0.0)
    other = span_f1([[]], [[(0, 1, "X")]], match=match)
    assert (other.precision, other.recall, other.f1) == (0.0, 0.0, 0.0)


@pytest.mark.parametrize(
    ("a", "b", "kwargs", "message"),
    [
        ([[(0, 1, "X")]], [[], []], {}, "same items"),
        ([(0, 1, "X")], [(0, 1, "X")], {}, "triples"),
        ([[(0, 1)]], [[]], {}, "triples"),
        ([[(1, 1, "X")]], [[]], {}, "start < end"),
        ([[(-1, 2, "X")]], [[]], {}, "start < end"),
        ([[(0.0, 2, "X")]], [[]], {}, "integers"),
        ([[(False, 2, "X")]], [[]], {}, "integers"),
        ([[(0, 2, ["X"])]], [[]], {}, "hashable"),
        ("abc", [[]], {}, "sequence of items"),
        ([[]], [[]], {"match": "partial"}, "match must be one of"),
    ],
)
def test_bad_input_raises(a: Any, b: Any, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        span_f1(a, b, **kwargs)


@st.composite
def span_lists(draw: st.DrawFn) -> list[list[Span]]:
    n_items = draw(st.integers(0, 4))
    items: list[list[Span]] = []
    for _ in range(n_items):
        item: list[Span] = []
        for _ in range(draw(st.integers(0, 6))):
            start = draw(st.integers(0, 20))
            item.append((start, start + draw(st.integers(1, 8)), draw(st.sampled_from("ABC"))))
        items.append(item)
    return items


@st.composite
def span_list_pairs(draw: st.DrawFn) -> tuple[list[list[Span]], list[list[Span]]]:
    a = draw(span_lists())
    b = [draw(span_lists().filter(lambda items: len(items) >= 1))[0] for _ in a]
    return a, b


@pytest.mark.parametrize("match", ["exact", "overlap"])
@given(pair=span_list_pairs())
def test_swapping_annotators_swaps_precision_and_recall(
    match: Any, pair: tuple[list[list[Span]], list[list[Span]]]
) -> None:
    a, b = pair
    forward, backward = span_f1(a, b, match=match), span_f1(b, a, match=match)
    assert forward.f1 == pytest.approx(backward.f1)
    assert forward.precision == pytest.approx(backward.recall)
    assert forward.recall == pytest.approx(backward.precision)
    assert 0.0 <= forward.f1 <= 1.0


@pytest.mark.parametrize("match", ["exact", "overlap"])
@given(a=span_lists())
def test_identical_annotations_score_one(match: Any, a: list[list[Span]]) -> None:
    assert span_f1(a, a, match=match).f1 == 1.0
    assert all(counts.f1 == 1.0 for counts in span_f1(a, a, match=match, per_label=True).values())


@given(pair=span_list_pairs())
def test_overlap_matches_at_least_as_many_as_exact(pair: tuple[list[list[Span]], list[list[Span]]]) -> None:
    a, b = pair
    assert span_f1(a, b, match="overlap").matched >= span_f1(a, b).matched


def test_docstring_examples_run() -> None:
    failures, attempted = doctest.testmod(spans)
    assert failures == 0
    assert attempted > 0
