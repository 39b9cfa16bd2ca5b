"""Scoring a detector against gold spans: precision, recall and F1 per type, by exact or overlapping match.

A prediction and a gold span *match* when they have the same type and either the same offsets (``exact``)
or at least one character in common (``overlap``). Matching is one-to-one: each gold span is claimed by at
most one prediction (greedily, in order of position), so two predictions over one gold span count one true
positive and one false positive. Then, per type, with TP matched predictions, FP unmatched predictions and
FN unmatched gold spans:

    precision = TP / (TP + FP)        recall = TP / (TP + FN)        F1 = 2 P R / (P + R)

(each 1.0 when its denominator is 0: nothing to find and nothing found is not an error). This is the
entity-level scoring of CoNLL shared tasks (Tjong Kim Sang & De Meulder 2003), with the overlap variant
of the "partial" scheme of the SemEval-2013 task 9.1 evaluation (Segura-Bedmar et al. 2013).

>>> gold = [[Span(0, 5, "email"), Span(10, 14, "phone")]]
>>> predicted = [[Span(0, 5, "email"), Span(9, 14, "phone"), Span(20, 24, "phone")]]
>>> exact = score(gold, predicted, "exact")
>>> exact["email"].f1, exact["phone"].tp, exact["phone"].fp, exact["phone"].fn
(1.0, 0, 2, 1)
>>> round(score(gold, predicted, "overlap")["phone"].precision, 2)
0.5
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Match = Literal["exact", "overlap"]


@dataclass(frozen=True, slots=True, order=True)
class Span:
    start: int
    end: int
    type: str


@dataclass(slots=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        """How many gold spans there are."""
        return self.tp + self.fn

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn


def _matches(a: Span, b: Span, match: Match) -> bool:
    if a.type != b.type:
        return False
    if match == "exact":
        return a.start == b.start and a.end == b.end
    return a.start < b.end and b.start < a.end


def score(
    gold: Sequence[Sequence[Span]], predicted: Sequence[Sequence[Span]], match: Match = "exact"
) -> dict[str, Counts]:
    """Counts per type over a corpus: ``gold[i]`` and ``predicted[i]`` are the spans of document ``i``."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted must cover the same documents")
    counts: dict[str, Counts] = {}
    for gold_spans, predicted_spans in zip(gold, predicted, strict=True):
        claimed: set[int] = set()
        for p in sorted(predicted_spans):
            c = counts.setdefault(p.type, Counts())
            hit = next(
                (i for i, g in enumerate(gold_spans) if i not in claimed and _matches(p, g, match)), None
            )
            if hit is None:
                c.fp += 1
            else:
                claimed.add(hit)
                c.tp += 1
        for i, g in enumerate(gold_spans):
            if i not in claimed:
                counts.setdefault(g.type, Counts()).fn += 1
    return counts


def total(counts: dict[str, Counts]) -> Counts:
    """The micro-average: every type's counts added up."""
    out = Counts()
    for c in counts.values():
        out.add(c)
    return out
