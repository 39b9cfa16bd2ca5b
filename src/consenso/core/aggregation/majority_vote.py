"""Majority vote: the most frequent label of each item, with an explicit tie policy."""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np

from consenso.core.aggregation.base import Aggregator, CodedLabels, FloatArray, IntArray

__all__ = ["MajorityVote", "TiePolicy"]

TiePolicy = Literal["lowest", "random", "first_seen"]


def vote_counts(table: CodedLabels) -> FloatArray:
    """The ``n_items × n_labels`` table of how many labels of each kind every item received."""
    flat = np.bincount(table.item * table.n_labels + table.label, minlength=table.n_items * table.n_labels)
    return flat.reshape(table.n_items, table.n_labels).astype(np.float64)


def vote_shares(counts: FloatArray) -> FloatArray:
    """Row-normalised counts; an item without any label gets the uniform distribution."""
    totals = counts.sum(axis=1, keepdims=True)
    uniform = np.full_like(counts, 1.0 / counts.shape[1])
    shares: FloatArray = np.divide(counts, totals, out=uniform, where=totals > 0)
    return shares


class MajorityVote(Aggregator):
    """Majority vote: each item gets the label most of its annotators gave it.

    **What it estimates.** The true label of each item, as the mode of its labels. The posterior
    ``probas_`` is the share of votes per label; ``skills_`` is each annotator's agreement with the
    result (the fraction of their labels that equal the aggregated label of the item).

    **Assumptions.** Annotators are interchangeable and better than chance; nothing is learnt about
    any of them. An item with no labels (possible only on the fast path) gets uniform shares.

    **Formula.** With ``n_{ik}`` the number of labels ``k`` on item ``i``:
    ``ŷ_i = argmax_k n_{ik}`` and ``p_{ik} = n_{ik} / Σ_l n_{il}``. Ties are broken by ``tie_policy``:

    - ``"lowest"``: the lowest tied label (labels are sorted when comparable; codes on the fast path);
    - ``"first_seen"``: the tied label whose first vote on that item comes earliest in the input rows;
    - ``"random"``: a tied label drawn uniformly with ``numpy.random.default_rng(seed)``, so a given
      seed gives the same result on every fit.

    **Reference.** The baseline of every truth-inference survey, for example Y. Zheng, G. Li, Y. Li,
    C. Shan and R. Cheng (2017). Truth Inference in Crowdsourcing: Is the Problem Solved?
    *PVLDB* 10(5):541–552. https://doi.org/10.14778/3055540.3055547

    Args:
        tie_policy: how to break ties, see above.
        seed: seed of the generator used by ``tie_policy="random"``.

    Example:
        >>> import pandas as pd
        >>> df = pd.DataFrame({"item": ["a", "a", "a", "b", "b"], "annotator": [1, 2, 3, 1, 2],
        ...                    "label": ["cat", "dog", "dog", "cat", "dog"]})
        >>> MajorityVote().fit_predict(df).to_dict()
        {'a': 'dog', 'b': 'cat'}
        >>> MajorityVote(tie_policy="first_seen").fit(df).predicted_labels().to_dict()
        {'a': 'dog', 'b': 'cat'}
    """

    skills_: FloatArray

    def __init__(self, tie_policy: TiePolicy = "lowest", seed: int | None = None) -> None:
        if tie_policy not in get_args(TiePolicy):
            raise ValueError(f"tie_policy must be one of {list(get_args(TiePolicy))}, got {tie_policy!r}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | np.integer)):
            raise ValueError(f"seed must be an integer or None, got {seed!r}")
        self.tie_policy: TiePolicy = tie_policy
        self.seed = seed

    def _fit(self, table: CodedLabels) -> None:
        counts = vote_counts(table)
        tied = counts == counts.max(axis=1, keepdims=True)
        labels: IntArray
        if self.tie_policy == "lowest":
            labels = np.argmax(tied, axis=1).astype(np.intp)
        elif self.tie_policy == "random":
            keys = np.random.default_rng(self.seed).random(counts.shape)
            labels = np.argmax(np.where(tied, keys, -1.0), axis=1).astype(np.intp)
        else:
            first = np.full(counts.shape, table.n_rows, dtype=np.intp)
            np.minimum.at(first, (table.item, table.label), np.arange(table.n_rows, dtype=np.intp))
            labels = np.argmin(np.where(tied, first, table.n_rows + 1), axis=1).astype(np.intp)
        self.probas_ = vote_shares(counts)
        self.labels_ = labels
        self.skills_ = annotator_agreement(table, labels)


def annotator_agreement(table: CodedLabels, labels: IntArray) -> FloatArray:
    """Per annotator, the fraction of their labels equal to ``labels`` of the item (NaN if none)."""
    hits = np.bincount(
        table.annotator,
        weights=(table.label == labels[table.item]).astype(np.float64),
        minlength=table.n_annotators,
    )
    given = np.bincount(table.annotator, minlength=table.n_annotators).astype(np.float64)
    out = np.full(table.n_annotators, np.nan)
    agreement: FloatArray = np.divide(hits, given, out=out, where=given > 0)
    return agreement
