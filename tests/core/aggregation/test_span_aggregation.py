"""Span aggregation by voting on units of text, with boundaries kept where most annotators put them."""

from __future__ import annotations

import doctest
from collections.abc import Hashable
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consenso.core.aggregation import spans as span_aggregation
from consenso.core.aggregation.spans import AggregatedSpan, aggregate_spans

Span = tuple[int, int, Hashable]


def as_tuples(result: list[AggregatedSpan]) -> list[tuple[int, int, Hashable, float]]:
    return [(s.start, s.end, s.label, s.support) for s in result]


def test_partial_agreement_by_hand() -> None:
    # Units (0,3) PER 3/3 and (3,5) PER 2/3 form one span: only c ends a PER span at 3 (1 of 3 < 0.5).
    # (10,13) ORG 2/3 kept, (13,16) ORG 1/3 dropped.
    a = [(0, 5, "PER"), (10, 16, "ORG")]
    b = [(0, 5, "PER"), (10, 13, "ORG")]
    c = [(0, 3, "PER")]
    assert as_tuples(aggregate_spans([a, b, c])) == [
        (0, 5, "PER", pytest.approx(5 / 6)),
        (10, 13, "ORG", pytest.approx(2 / 3)),
    ]


def test_adjacent_same_label_entities_stay_apart_when_most_annotators_split_them() -> None:
    split = [(0, 5, "LOC"), (5, 12, "LOC")]
    merged = [(0, 12, "LOC")]
    assert as_tuples(aggregate_spans([split, split, merged])) == [(0, 5, "LOC", 1.0), (5, 12, "LOC", 1.0)]
    assert as_tuples(aggregate_spans([split, merged, merged])) == [(0, 12, "LOC", 1.0)]


def test_boundary_votes_count_annotators_of_that_label_on_either_side() -> None:
    # a and b each mark only one of the two words, c marks both: both words are LOC (2 of 3), and a and
    # b (2 of the 3 LOC voters) put a boundary between them.
    a, b, c = [(0, 5, "LOC")], [(5, 12, "LOC")], [(0, 12, "LOC")]
    assert as_tuples(aggregate_spans([a, b, c])) == [
        (0, 5, "LOC", pytest.approx(2 / 3)),
        (5, 12, "LOC", pytest.approx(2 / 3)),
    ]


def test_exact_ties() -> None:
    one, other = [(0, 4, "PER")], [(0, 4, "ORG")]
    # a unit's share is inclusive: 1 of 2 annotators reaches min_share 0.5 ...
    assert as_tuples(aggregate_spans([one, []])) == [(0, 4, "PER", 0.5)]
    assert aggregate_spans([one, []], min_share=0.6) == []
    # ... but a tie between two labels leaves the unit outside, whatever the labels are called
    assert aggregate_spans([one, other]) == []
    assert aggregate_spans([one, other, []], min_share=0.3) == []
    # a 1-1 split on a boundary keeps the boundary
    split, merged = [(0, 5, "X"), (5, 9, "X")], [(0, 9, "X")]
    assert as_tuples(aggregate_spans([split, merged])) == [(0, 5, "X", 1.0), (5, 9, "X", 1.0)]
    assert as_tuples(aggregate_spans([split, merged], min_share=0.75)) == [(0, 9, "X", 1.0)]


def test_label_disagreement_is_decided_by_plurality_above_the_share() -> None:
    votes = [[(0, 4, "PER")], [(0, 4, "PER")], [(0, 4, "ORG")], []]
    assert as_tuples(aggregate_spans(votes)) == [(0, 4, "PER", 0.5)]
    assert aggregate_spans(votes, min_share=0.6) == []
    # a label below half can win with a low min_share even though "outside" has more votes
    assert as_tuples(aggregate_spans([[(0, 4, "PER")], [], []], min_share=0.3)) == [
        (0, 4, "PER", pytest.approx(1 / 3))
    ]


def test_tokens_snap_spans_to_token_boundaries() -> None:
    text_tokens = [(0, 3), (4, 9), (10, 15), (16, 20)]  # "The quick brown foxy"
    a = [(4, 15, "ADJ")]
    b = [(5, 15, "ADJ")]  # starts one character late: still covers the token (4, 9)
    c = [(4, 9, "ADJ")]
    result = aggregate_spans([a, b, c], tokens=text_tokens)
    assert as_tuples(result) == [(4, 15, "ADJ", pytest.approx(5 / 6))]
    # a token shared by two spans of one annotator goes to the span covering more of it
    assert as_tuples(aggregate_spans([[(0, 1, "A"), (1, 9, "B")]], tokens=[(0, 3), (4, 9)])) == [
        (0, 9, "B", 1.0)
    ]
    assert as_tuples(aggregate_spans([[(0, 2, "A"), (2, 9, "B")]], tokens=[(0, 3), (4, 9)])) == [
        (0, 3, "A", 1.0),
        (4, 9, "B", 1.0),
    ]
    # on an even share the earlier span wins, and a span that wins no token is lost
    assert as_tuples(aggregate_spans([[(0, 2, "A"), (2, 4, "B")]], tokens=[(0, 4)])) == [(0, 4, "A", 1.0)]


def test_tokens_order_does_not_matter_and_gaps_are_units_boundaries() -> None:
    tokens = [(6, 12), (0, 5)]
    spans = [[(0, 5, "LOC"), (6, 12, "LOC")], [(0, 12, "LOC")], [(0, 5, "LOC"), (6, 12, "LOC")]]
    assert [s.as_span() for s in aggregate_spans(spans, tokens=tokens)] == [(0, 5, "LOC"), (6, 12, "LOC")]


def test_no_spans_at_all() -> None:
    assert aggregate_spans([[], []]) == []
    assert aggregate_spans([[], []], tokens=[(0, 3)]) == []


# Non-overlapping spans of one annotator: sorted distinct boundaries, paired up, each with a label.
@st.composite
def span_sets(draw: st.DrawFn, labels: tuple[str, ...] = ("A", "B", "C")) -> list[Span]:
    bounds = sorted(draw(st.sets(st.integers(0, 40), max_size=10)))
    spans: list[Span] = []
    start = None
    for b in bounds:
        if start is None:
            start = b
        else:
            spans.append((start, b, draw(st.sampled_from(labels))))
            # the next span may touch this one
            start = b if draw(st.booleans()) else None
    return spans


@settings(max_examples=100, deadline=None)
@given(spans=span_sets(), n=st.integers(1, 5), min_share=st.floats(0.01, 1.0))
def test_unanimous_annotations_are_returned(spans: list[Span], n: int, min_share: float) -> None:
    result = aggregate_spans([list(spans) for _ in range(n)], min_share=min_share)
    assert as_tuples(result) == [(s, e, label, 1.0) for s, e, label in spans]


@settings(max_examples=100, deadline=None)
@given(
    annotations=st.lists(span_sets(), min_size=1, max_size=5),
    min_share=st.sampled_from([0.25, 1 / 3, 0.5, 2 / 3, 1.0]),
    data=st.data(),
)
def test_invariant_to_annotator_order_and_label_names(
    annotations: list[list[Span]], min_share: float, data: st.DataObject
) -> None:
    expected = aggregate_spans(annotations, min_share=min_share)
    order = data.draw(st.permutations(range(len(annotations))))
    assert aggregate_spans([annotations[j][::-1] for j in order], min_share=min_share) == expected
    rename = {"A": 3, "B": 1, "C": 2}
    renamed = [[(s, e, rename[label]) for s, e, label in spans] for spans in annotations]
    relabelled = aggregate_spans(renamed, min_share=min_share)
    assert as_tuples(relabelled) == [(s.start, s.end, rename[s.label], s.support) for s in expected]  # type: ignore[index]


@settings(max_examples=100, deadline=None)
@given(annotations=st.lists(span_sets(), min_size=1, max_size=5))
def test_elementary_segments_as_tokens_give_the_same_result(annotations: list[list[Span]]) -> None:
    bounds = sorted({b for spans in annotations for s, e, _ in spans for b in (s, e)})
    segments = list(pairwise(bounds))
    assert aggregate_spans(annotations, tokens=segments) == aggregate_spans(annotations)


@settings(max_examples=100, deadline=None)
@given(annotations=st.lists(span_sets(), min_size=1, max_size=5))
def test_output_is_well_formed(annotations: list[list[Span]]) -> None:
    result = aggregate_spans(annotations)
    for span in result:
        assert 0 <= span.start < span.end
        assert 0.5 <= span.support <= 1.0
        # every character of a kept span is marked with its label by at least half of the annotators
        for x in range(span.start, span.end):
            marked = sum(
                any(s <= x < e and lab == span.label for s, e, lab in spans) for spans in annotations
            )
            assert marked * 2 >= len(annotations)
    for before, after in pairwise(result):
        assert before.end <= after.start


@pytest.mark.parametrize(
    ("annotations", "kwargs", "message"),
    [
        ([], {}, "annotations is empty"),
        ("abc", {}, "must be a sequence"),
        (
            [[(0, 5, "A"), (3, 8, "A")]],
            {},
            r"annotations\[0\] has overlapping spans \(0, 5, 'A'\) and \(3, 8",
        ),
        ([[], [(0, 9, "A"), (2, 4, "B")]], {}, r"annotations\[1\] has overlapping spans"),  # nested
        ([[(0, 5, "A"), (0, 5, "A")]], {}, "overlapping spans"),  # repeated
        ([[(5, 5, "A")]], {}, "0 <= start < end"),
        ([[(6, 5, "A")]], {}, "0 <= start < end"),
        ([[(-1, 5, "A")]], {}, "0 <= start < end"),
        ([[(0.0, 5, "A")]], {}, "offsets must be integers"),
        ([[(float("nan"), 5, "A")]], {}, "offsets must be integers"),
        ([[(True, 5, "A")]], {}, "offsets must be integers"),
        ([[(0, 5)]], {}, r"\(start, end, label\) triples"),
        ([(0, 5, "A")], {}, "a sequence over annotators of ONE item"),
        ([[(0, 5, ["A"])]], {}, "hashable"),
        ([[(0, 5, "A")]], {"min_share": 0.0}, r"min_share must be a number in \(0, 1\]"),
        ([[(0, 5, "A")]], {"min_share": 1.01}, "min_share must be"),
        ([[(0, 5, "A")]], {"min_share": float("nan")}, "min_share must be"),
        ([[(0, 5, "A")]], {"min_share": True}, "min_share must be"),
        ([[(0, 5, "A")]], {"tokens": [(0, 3), (2, 5)]}, "overlap; tokens must be disjoint"),
        ([[(0, 5, "A")]], {"tokens": [(3, 3)]}, "a token needs 0 <= start < end"),
        ([[(0, 5, "A")]], {"tokens": [(0, 3, 4)]}, r"\(start, end\) pairs"),
        ([[(0, 5, "A")]], {"tokens": [(0.5, 3)]}, r"\(start, end\) pairs"),
        ([[(0, 5, "A")]], {"tokens": "0 5"}, "tokens must be a sequence"),
        ([[(7, 9, "A")]], {"tokens": [(0, 3), (4, 6)]}, r"\(7, 9, 'A'\), which overlaps no token"),
        ([[(0, 5, "A")]], {"tokens": []}, "overlaps no token"),
    ],
)
def test_bad_input_raises(annotations: object, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        aggregate_spans(annotations, **kwargs)  # type: ignore[arg-type]


def test_doctests() -> None:
    assert doctest.testmod(span_aggregation, raise_on_error=False).failed == 0
