"""Span aggregation: one consensus set of entity spans for an item from several annotators' spans.

Spans are ``(start, end, label)`` tuples of character offsets with ``end`` exclusive, as in
:mod:`consenso.core.agreement.spans`. Free-form spans have no common units to vote on, so the text is
first cut into units — the caller's tokens, or the pieces between every span boundary of every
annotator — and each unit is voted on like a classification item; runs of winning units become spans
again.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from consenso.core.agreement.spans import Span

__all__ = ["AggregatedSpan", "aggregate_spans"]

IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True, slots=True)
class AggregatedSpan:
    """A consensus span: character offsets ``start``–``end`` (end exclusive), its ``label``, and ``support``.

    ``support`` is the mean, over the units the span is made of, of the share of all annotators who gave
    the unit this label: 1.0 when every annotator marked the whole span with this label.
    """

    start: int
    end: int
    label: Hashable
    support: float

    def as_span(self) -> Span:
        """The span as a ``(start, end, label)`` tuple, the input format of the span functions."""
        return (self.start, self.end, self.label)


def _offset(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _annotator_spans(annotations: Sequence[Sequence[Span]]) -> list[list[Span]]:
    """Check every annotator's spans and return them as lists of tuples sorted by offsets."""
    if isinstance(annotations, str | bytes) or not isinstance(annotations, Sequence | np.ndarray):
        raise ValueError(
            "annotations must be a sequence with one sequence of (start, end, label) per annotator"
        )
    if len(annotations) == 0:
        raise ValueError("annotations is empty: give one (possibly empty) sequence of spans per annotator")
    result: list[list[Span]] = []
    for j, spans in enumerate(annotations):
        if isinstance(spans, str | bytes) or not isinstance(spans, Sequence | np.ndarray):
            raise ValueError(f"annotations[{j}] must be a sequence of (start, end, label), got {spans!r}")
        checked: list[Span] = []
        for span in spans:
            if not isinstance(span, tuple | list) or len(span) != 3:
                raise ValueError(
                    f"annotations[{j}] must hold (start, end, label) triples, got {span!r}; "
                    "annotations is a sequence over annotators of ONE item"
                )
            start, end, label = span
            if not _offset(start) or not _offset(end):
                raise ValueError(f"annotations[{j}]: offsets must be integers, got {span!r}")
            if start < 0 or end <= start:
                raise ValueError(f"annotations[{j}]: a span needs 0 <= start < end, got {span!r}")
            try:
                hash(label)
            except TypeError as exc:
                raise ValueError(f"annotations[{j}]: labels must be hashable, got {span!r}") from exc
            checked.append((int(start), int(end), label))
        checked.sort(key=lambda s: (s[0], s[1]))
        for before, after in pairwise(checked):
            if after[0] < before[1]:
                raise ValueError(
                    f"annotations[{j}] has overlapping spans {before!r} and {after!r}: the vote gives "
                    "each annotator one label per character, so one annotator's spans must not overlap "
                    "(nor be nested or repeated); keep one of them or split them"
                )
        result.append(checked)
    return result


def _token_units(tokens: Sequence[tuple[int, int]]) -> tuple[IntArray, IntArray]:
    """Check the tokens (character ranges) and return their starts and ends sorted by position."""
    if isinstance(tokens, str | bytes) or not isinstance(tokens, Sequence | np.ndarray):
        raise ValueError("tokens must be a sequence of (start, end) character ranges")
    pairs: list[tuple[int, int]] = []
    for token in tokens:
        if (
            not isinstance(token, tuple | list | np.ndarray)
            or len(token) != 2
            or not all(_offset(v) for v in token)
        ):
            raise ValueError(f"tokens must be (start, end) pairs of integers, got {token!r}")
        start, end = int(token[0]), int(token[1])
        if start < 0 or end <= start:
            raise ValueError(f"a token needs 0 <= start < end, got {token!r}")
        pairs.append((start, end))
    pairs.sort()
    for before, after in pairwise(pairs):
        if after[0] < before[1]:
            raise ValueError(f"tokens {before!r} and {after!r} overlap; tokens must be disjoint")
    starts = np.array([p[0] for p in pairs], dtype=np.intp)
    ends = np.array([p[1] for p in pairs], dtype=np.intp)
    return starts, ends


def _segment_units(spans: list[list[Span]]) -> tuple[IntArray, IntArray]:
    """The elementary segments between consecutive span boundaries of all annotators."""
    bounds = np.unique(
        np.array([b for s in spans for (start, end, _) in s for b in (start, end)], dtype=np.intp)
    )
    return bounds[:-1], bounds[1:]


def _votes(
    spans: list[Span],
    unit_start: IntArray,
    unit_end: IntArray,
    code: dict[Hashable, int],
    strict: bool,
    j: int,
) -> tuple[IntArray, IntArray]:
    """One annotator's label code (-1 outside) and covering span index (-1 none) for every unit.

    A unit is covered by the span that shares the most characters with it (the earlier one on a tie);
    with elementary segments a unit lies wholly inside at most one span. With ``strict``, a span that
    overlaps no unit is an error (it falls between the tokens). Units and spans are both sorted and
    disjoint, so the spans overlapping a unit form a run found by binary search: the cost grows with
    units + spans, not their product.
    """
    n_units = unit_start.shape[0]
    label = np.full(n_units, -1, dtype=np.intp)
    cover = np.full(n_units, -1, dtype=np.intp)
    if not spans:
        return label, cover
    span_start = np.array([s[0] for s in spans], dtype=np.intp)
    span_end = np.array([s[1] for s in spans], dtype=np.intp)
    span_label = np.array([code[s[2]] for s in spans], dtype=np.intp)
    if strict:
        first_unit = np.searchsorted(unit_end, span_start, side="right")
        past_unit = np.searchsorted(unit_start, span_end, side="left")
        lost = np.flatnonzero(past_unit <= first_unit)
        if lost.size:
            raise ValueError(
                f"annotations[{j}] has the span {spans[int(lost[0])]!r}, which overlaps no token; "
                "the tokens must cover the annotated text"
            )
    first = np.searchsorted(span_end, unit_start, side="right")  # first span ending after the unit starts
    past = np.searchsorted(span_start, unit_end, side="left")  # first span starting at or after its end
    best_shared = np.zeros(n_units, dtype=np.intp)
    for step in range(int((past - first).max(initial=0))):
        candidate = first + step
        valid = candidate < past
        index = np.where(valid, candidate, 0)
        shared = np.minimum(unit_end, span_end[index]) - np.maximum(unit_start, span_start[index])
        better = valid & (shared > best_shared)  # strictly more: the earlier span wins a tie
        best_shared = np.where(better, shared, best_shared)
        cover = np.where(better, index, cover)
    label = np.where(cover >= 0, span_label[cover], -1).astype(np.intp)
    return label, cover.astype(np.intp)


def aggregate_spans(
    annotations: Sequence[Sequence[Span]],
    *,
    min_share: float = 0.5,
    tokens: Sequence[tuple[int, int]] | None = None,
) -> list[AggregatedSpan]:
    r"""The consensus spans of one item, by a vote of all its annotators on every unit of text.

    **What it estimates.** The spans (offsets and label) a majority of the annotators agree on, as
    token-level majority voting does for sequence labelling, with the entity boundaries restored
    afterwards.

    **Assumptions.** ``annotations[j]`` holds annotator ``j``'s spans on this item; an annotator with no
    spans is counted, voting "outside" everywhere. One annotator's spans must not overlap (each
    annotator gives every character at most one label). The units are ``tokens`` when given — a token
    takes the label of the annotator's span that shares the most characters with it, so spans are
    snapped to token boundaries — or else the elementary segments between all span boundaries of all
    annotators, so that no annotator's span starts or ends inside a unit.

    **Formula.** With ``n`` annotators and ``v_{uk}`` the number who gave unit ``u`` the label ``k``:

    - unit ``u`` takes the label ``k* = argmax_k v_{uk}`` when ``k*`` is the only label with that
      many votes and ``v_{uk*} / n >= min_share`` (**inclusive**: with 2 annotators and the default
      0.5, one annotator's span is kept); otherwise it is outside. A tie for the most votes between two
      labels leaves the unit outside: no label has a plurality, and picking one would depend on the
      label names.
    - two neighbouring units ``u``, ``u + 1`` with the same kept label ``k`` belong to the same span
      unless the annotators split them: among the annotators who gave ``k`` to either unit, those for
      whom the two units are *not* inside one and the same span of theirs (their span ends or starts
      between them) vote for a boundary, and the boundary is kept when they are at least ``min_share``
      of them (inclusive again: a 1–1 split keeps two spans). So two adjacent entities of the same label
      stay apart when most annotators drew them apart, and merge when most drew one span over both.
    - a span's ``support`` is the mean of ``v_{uk} / n`` over its units (not weighted by their length).

    **Reference.** A. T. Nguyen, B. Wallace, J. J. Li, A. Nenkova and M. Lease (2017). Aggregating and
    Predicting Sequence Labels from Crowd Annotations. *Proceedings of ACL 2017*, 299–309 (token-level
    majority voting as the aggregation baseline). https://doi.org/10.18653/v1/P17-1028

    Args:
        annotations: one sequence of ``(start, end, label)`` spans per annotator, all on this item.
        min_share: the smallest share of all annotators a unit's label needs, in ``(0, 1]``; also the
            share of a label's annotators needed to keep a boundary inside a run of that label.
        tokens: optional ``(start, end)`` character ranges of the tokens (disjoint, any order); spans
            are snapped to them.

    Returns:
        The consensus spans as :class:`AggregatedSpan`, sorted by position; empty when no unit wins.

    Raises:
        ValueError: ``annotations`` is empty or not a sequence of span sequences; a span is not a
            ``(start, end, label)`` triple with integer offsets, ``0 <= start < end`` and a hashable
            label; one annotator's spans overlap; ``min_share`` is outside ``(0, 1]``; tokens are
            malformed or overlap, or a span overlaps no token.

    Example:
        >>> a = [(0, 5, "PER"), (10, 16, "ORG")]
        >>> b = [(0, 5, "PER"), (10, 13, "ORG")]
        >>> c = [(0, 3, "PER")]  # (3, 5) is PER for 2 of 3; (13, 16) is ORG for a alone
        >>> for span in aggregate_spans([a, b, c]):
        ...     print(span.start, span.end, span.label, round(span.support, 3))
        0 5 PER 0.833
        10 13 ORG 0.667
        >>> # two touching entities: two annotators split them, one merges them
        >>> split = [(0, 5, "LOC"), (5, 12, "LOC")]
        >>> [s.as_span() for s in aggregate_spans([split, split, [(0, 12, "LOC")]])]
        [(0, 5, 'LOC'), (5, 12, 'LOC')]
    """
    if (
        isinstance(min_share, bool)
        or not isinstance(min_share, int | float | np.integer | np.floating)
        or not math.isfinite(min_share)
        or not 0.0 < min_share <= 1.0
    ):
        raise ValueError(f"min_share must be a number in (0, 1], got {min_share!r}")
    spans = _annotator_spans(annotations)
    n_annotators = len(spans)
    code: dict[Hashable, int] = {}
    for annotator_spans in spans:
        for _, _, label in annotator_spans:
            code.setdefault(label, len(code))
    names = list(code)
    if tokens is not None:
        unit_start, unit_end = _token_units(tokens)
    elif code:
        unit_start, unit_end = _segment_units(spans)
    else:
        return []
    n_units = unit_start.shape[0]

    # votes[j, u]: annotator j's label code for unit u (-1 outside); cover[j, u]: which of j's spans
    votes = np.empty((n_annotators, n_units), dtype=np.intp)
    cover = np.empty((n_annotators, n_units), dtype=np.intp)
    for j, annotator_spans in enumerate(spans):
        votes[j], cover[j] = _votes(annotator_spans, unit_start, unit_end, code, tokens is not None, j)
    if not code or n_units == 0:
        return []

    counts = np.zeros((n_units, len(code) + 1), dtype=np.intp)  # column 0 counts "outside"
    for j in range(n_annotators):
        counts[np.arange(n_units), votes[j] + 1] += 1
    label_counts = counts[:, 1:]
    top = label_counts.max(axis=1)
    unique_top = (label_counts == top[:, None]).sum(axis=1) == 1
    share = top / n_annotators
    kept = (top > 0) & unique_top & (share >= min_share)
    winner = np.where(kept, np.argmax(label_counts, axis=1), -1)

    def boundary(u: int, k: int) -> bool:
        """Whether at least ``min_share`` of the annotators voting ``k`` on ``u`` or ``u + 1`` split them."""
        left, right = votes[:, u] == k, votes[:, u + 1] == k
        voters = int(np.count_nonzero(left | right))
        joined = int(np.count_nonzero(left & right & (cover[:, u] == cover[:, u + 1])))
        return (voters - joined) / voters >= min_share

    result: list[AggregatedSpan] = []
    first = -1  # the first unit of the span being built, -1 when none is open
    for u in range(n_units + 1):
        k = int(winner[u]) if u < n_units else -1
        if first >= 0 and (k != int(winner[u - 1]) or boundary(u - 1, k)):
            last = u - 1
            support = float(share[first : last + 1].mean())
            label = names[int(winner[first])]
            result.append(AggregatedSpan(int(unit_start[first]), int(unit_end[last]), label, support))
            first = -1
        if k >= 0 and first < 0:
            first = u
    return result
