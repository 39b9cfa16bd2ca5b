"""Entity-span agreement between two annotators: precision, recall and F1 over matched spans.

Each annotator's input is a sequence over items (documents); each item holds that annotator's spans as
``(start, end, label)`` tuples of character offsets, ``end`` exclusive. Chance-corrected coefficients
such as kappa need a fixed set of units, which free-form spans do not have, so span agreement is
reported as F1 (Hripcsak & Rothschild 2005): with one annotator taken as the reference, F1 is the same
whichever one it is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal, overload

__all__ = ["MatchCounts", "Span", "SpanMatch", "span_f1"]

Span = tuple[int, int, Hashable]
SpanMatch = Literal["exact", "overlap"]
_MATCHES: tuple[SpanMatch, ...] = ("exact", "overlap")


@dataclass(frozen=True, slots=True)
class MatchCounts:
    """Matched objects between a reference and a candidate annotation, and the scores they give.

    ``precision = matched / candidate`` and ``recall = matched / reference``. When a denominator is
    zero, the score is 1 if both sides are empty (they agree that there is nothing) and 0 otherwise;
    F1 follows the same rule, so two empty annotations score 1 and an empty one against a non-empty
    one scores 0.
    """

    matched: int
    reference: int
    candidate: int

    @staticmethod
    def _ratio(numerator: int, denominator: int, both_empty: bool) -> float:
        if denominator == 0:
            return 1.0 if both_empty else 0.0
        return numerator / denominator

    @property
    def precision(self) -> float:
        """Share of the candidate's objects that match a reference object."""
        return self._ratio(self.matched, self.candidate, self.reference == self.candidate == 0)

    @property
    def recall(self) -> float:
        """Share of the reference's objects that match a candidate object."""
        return self._ratio(self.matched, self.reference, self.reference == self.candidate == 0)

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall, ``2 · matched / (reference + candidate)``."""
        return self._ratio(2 * self.matched, self.reference + self.candidate, self.reference == 0)


def _validated(spans: Sequence[Sequence[Span]], name: str) -> list[list[Span]]:
    """Return the items' spans as lists of tuples after checking offsets and labels."""
    if isinstance(spans, str | bytes):
        raise ValueError(f"{name} must be a sequence of items, each a sequence of (start, end, label)")
    items: list[list[Span]] = []
    for item_index, item in enumerate(spans):
        checked: list[Span] = []
        for span in item:
            if not isinstance(span, tuple | list) or len(span) != 3:
                raise ValueError(
                    f"{name}[{item_index}] must hold (start, end, label) triples, got {span!r}; "
                    f"{name} is a sequence over items, so wrap a single item's spans in a list"
                )
            start, end, label = span
            if isinstance(start, bool) or isinstance(end, bool):
                raise ValueError(f"{name}[{item_index}]: offsets must be integers, got {span!r}")
            if not isinstance(start, int) or not isinstance(end, int):
                raise ValueError(f"{name}[{item_index}]: offsets must be integers, got {span!r}")
            if start < 0 or end <= start:
                raise ValueError(f"{name}[{item_index}]: a span needs 0 <= start < end, got {span!r}")
            try:
                hash(label)
            except TypeError as exc:
                raise ValueError(f"{name}[{item_index}]: labels must be hashable, got {span!r}") from exc
            checked.append((start, end, label))
        items.append(checked)
    return items


def _overlap_matches(first: list[Span], second: list[Span]) -> list[tuple[Span, Span]]:
    """One-to-one greedy matching of same-label overlapping spans, largest overlap first.

    Ties are broken on the spans' offsets, ordered the same way whichever list comes first, so the
    number of matches does not depend on which annotator is the reference.
    """
    candidates: list[tuple[int, tuple[int, int], tuple[int, int], int, int]] = []
    for i, (start_a, end_a, label_a) in enumerate(first):
        for j, (start_b, end_b, label_b) in enumerate(second):
            overlap = min(end_a, end_b) - max(start_a, start_b)
            if overlap > 0 and label_a == label_b:
                low, high = sorted([(start_a, end_a), (start_b, end_b)])
                candidates.append((-overlap, low, high, i, j))
    candidates.sort(key=lambda candidate: candidate[:3])
    used_first: set[int] = set()
    used_second: set[int] = set()
    matches: list[tuple[Span, Span]] = []
    for _, _, _, i, j in candidates:
        if i not in used_first and j not in used_second:
            used_first.add(i)
            used_second.add(j)
            matches.append((first[i], second[j]))
    return matches


@overload
def span_f1(
    a: Sequence[Sequence[Span]],
    b: Sequence[Sequence[Span]],
    *,
    match: SpanMatch = ...,
    per_label: Literal[False] = ...,
) -> MatchCounts: ...
@overload
def span_f1(
    a: Sequence[Sequence[Span]],
    b: Sequence[Sequence[Span]],
    *,
    match: SpanMatch = ...,
    per_label: Literal[True],
) -> dict[Hashable, MatchCounts]: ...
def span_f1(
    a: Sequence[Sequence[Span]],
    b: Sequence[Sequence[Span]],
    *,
    match: SpanMatch = "exact",
    per_label: bool = False,
) -> MatchCounts | dict[Hashable, MatchCounts]:
    r"""Precision, recall and F1 of annotator ``b``'s spans against annotator ``a``'s, pooled over items.

    **What it measures.** How far two annotators mark the same entities. With ``match="exact"`` a span
    counts only if the other annotator has one with the same start, end and label; with
    ``match="overlap"`` a span matches one of the same label whose character range overlaps it.

    **Assumptions.** ``a[i]`` and ``b[i]`` annotate the same item; offsets are character positions with
    ``end`` exclusive. Matching is one-to-one: a span matches at most one span of the other annotator.
    For ``"overlap"``, matching within an item is greedy, taking the pair with the largest overlap
    first. Counts are pooled over items (micro average). ``a`` is the reference: swapping ``a`` and
    ``b`` swaps precision and recall and leaves F1 unchanged.

    **Formula.** With ``M`` the matched pairs and ``|A|``, ``|B|`` the numbers of spans:

    .. math::

        P = \frac{|M|}{|B|},\qquad R = \frac{|M|}{|A|},\qquad F_1 = \frac{2PR}{P+R} = \frac{2|M|}{|A|+|B|}

    Two empty annotations score 1; an empty one against a non-empty one scores 0.

    **Reference.** G. Hripcsak and A. S. Rothschild (2005). Agreement, the F-measure, and reliability in
    information retrieval. *JAMIA* 12(3):296–298. https://doi.org/10.1197/jamia.M1733

    Args:
        a: reference spans, one sequence of ``(start, end, label)`` per item.
        b: candidate spans for the same items.
        match: ``"exact"`` or ``"overlap"``.
        per_label: if true, return one :class:`MatchCounts` per label seen on either side.

    Returns:
        A :class:`MatchCounts` (``.precision``, ``.recall``, ``.f1`` and the counts), or a dict from label
        to :class:`MatchCounts` when ``per_label`` is true.

    Raises:
        ValueError: ``match`` is unknown, ``a`` and ``b`` cover a different number of items, or a span is
            not a ``(start, end, label)`` triple with integer offsets, ``0 <= start < end`` and a hashable
            label.

    Example:
        >>> a = [[(0, 5, "PER"), (10, 16, "ORG")], [(3, 8, "LOC")]]
        >>> b = [[(0, 5, "PER"), (11, 16, "ORG")], [(3, 8, "PER")]]
        >>> exact = span_f1(a, b)
        >>> exact.matched, exact.reference, exact.candidate, round(exact.f1, 3)
        (1, 3, 3, 0.333)
        >>> round(span_f1(a, b, match="overlap").f1, 3)
        0.667
        >>> {label: s.f1 for label, s in span_f1(a, b, match="overlap", per_label=True).items()}
        {'PER': 0.6666666666666666, 'ORG': 1.0, 'LOC': 0.0}
    """
    if match not in _MATCHES:
        raise ValueError(f"match must be one of {', '.join(_MATCHES)}; got {match!r}")
    first, second = _validated(a, "a"), _validated(b, "b")
    if len(first) != len(second):
        raise ValueError(f"a and b must annotate the same items: got {len(first)} and {len(second)} items")

    matched: Counter[Hashable] = Counter()
    for spans_a, spans_b in zip(first, second, strict=True):
        if match == "exact":
            common = Counter(spans_a) & Counter(spans_b)
            for (_, _, label), count in common.items():
                matched[label] += count
        else:
            for (_, _, label), _ in _overlap_matches(spans_a, spans_b):
                matched[label] += 1

    reference = Counter(label for item in first for _, _, label in item)
    candidate = Counter(label for item in second for _, _, label in item)
    if not per_label:
        return MatchCounts(sum(matched.values()), sum(reference.values()), sum(candidate.values()))
    labels = list(dict.fromkeys([*reference, *candidate]))
    return {label: MatchCounts(matched[label], reference[label], candidate[label]) for label in labels}
