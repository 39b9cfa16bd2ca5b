"""Weighted majority vote: annotators' votes count by a weight, given or learnt from agreement."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, get_args

import numpy as np

from consenso.core.aggregation.base import Aggregator, CodedLabels, FloatArray, IntArray
from consenso.core.aggregation.majority_vote import MajorityVote, annotator_agreement, vote_shares

__all__ = ["WeightedMajorityVote", "Weighting"]

Weighting = Literal["agreement", "log_odds"]

# Agreement is clipped into [ε, 1 − ε] before log-odds so that a perfect or hopeless annotator gets a
# large finite weight, not an infinite one.
_CLIP = 1e-3


class WeightedMajorityVote(Aggregator):
    r"""Weighted majority vote: each item gets the label with the largest total weight of votes.

    **What it estimates.** The true label of each item as ``ŷ_i = argmax_k Σ_{(i, a, k)} w_a``, with
    ``probas_`` the weight shares ``p_{ik} = Σ_{(i,a,k)} w_a / Σ_{(i,a,·)} w_a``. ``skills_`` is each
    annotator's agreement with the result; ``weights_`` the weights used.

    **Where the weights come from.**

    - Given: ``weights={annotator: w}`` (for example accuracy on gold questions); an annotator missing
      from the mapping gets ``default_weight``.
    - ``weighting="agreement"`` (learnt): ``w_a`` is annotator ``a``'s agreement with the plain majority
      vote, the fraction of their labels equal to it, then one weighted vote. This is crowd-kit's
      "Wawa" (worker agreement with aggregate).
    - ``weighting="log_odds"`` (learnt): ``w_a = log((K − 1) p_a / (1 − p_a))`` with ``p_a`` that same
      agreement clipped to ``[0.001, 0.999]``: the weight that makes the vote optimal when each
      annotator is independently right with probability ``p_a`` and otherwise picks a wrong label
      uniformly (Nitzan & Paroush 1982; Li & Yu 2014). Annotators no better than chance, ``p_a ≤ 1/K``,
      get a weight ≤ 0 and are set to 0 rather than counted against their own answer.

    **Assumptions.** Annotators err independently; the weights (given, or learnt from one round of
    agreement with the unweighted vote) reflect how reliable they are. Ties are broken towards the
    lowest label, as :class:`~consenso.core.aggregation.majority_vote.MajorityVote` does by default.

    **References.** S. Nitzan and J. Paroush (1982). Optimal Decision Rules in Uncertain Dichotomous
    Choice Situations. *International Economic Review* 23(2):289–297. https://doi.org/10.2307/2526438
    — H. Li and B. Yu (2014). Error Rate Bounds and Iterative Weighted Majority Voting for
    Crowdsourcing. arXiv:1411.4086. https://arxiv.org/abs/1411.4086

    Args:
        weights: a weight ≥ 0 per annotator id (DataFrame layer) or per annotator code (fast path);
            ``None`` learns them as ``weighting`` says.
        weighting: how weights are learnt when ``weights`` is ``None``.
        default_weight: the weight of an annotator missing from ``weights``.

    Example:
        >>> import pandas as pd
        >>> df = pd.DataFrame({"item": [1, 1, 1], "annotator": ["expert", "x", "y"],
        ...                    "label": ["tumour", "clear", "clear"]})
        >>> WeightedMajorityVote(weights={"expert": 3.0}).fit_predict(df).to_dict()
        {1: 'tumour'}
        >>> WeightedMajorityVote().fit_predict(df).to_dict()  # learnt weights side with the majority
        {1: 'clear'}
    """

    weights_: FloatArray
    skills_: FloatArray

    def __init__(
        self,
        weights: Mapping[object, float] | None = None,
        weighting: Weighting = "agreement",
        default_weight: float = 1.0,
    ) -> None:
        if weights is not None:
            if not isinstance(weights, Mapping):
                raise ValueError(
                    f"weights must be a mapping annotator → weight, got {type(weights).__name__}"
                )
            for key, value in weights.items():
                if not _is_weight(value):
                    raise ValueError(
                        f"the weight of annotator {key!r} must be a finite number ≥ 0, got {value!r}"
                    )
        if weighting not in get_args(Weighting):
            raise ValueError(f"weighting must be one of {list(get_args(Weighting))}, got {weighting!r}")
        if not _is_weight(default_weight):
            raise ValueError(f"default_weight must be a finite number ≥ 0, got {default_weight!r}")
        self.weights = dict(weights) if weights is not None else None
        self.weighting: Weighting = weighting
        self.default_weight = float(default_weight)

    def _given_weights(self) -> FloatArray:
        assert self.weights is not None
        return np.array(
            [float(self.weights.get(a, self.default_weight)) for a in self.annotators_], dtype=np.float64
        )

    def _fit(self, table: CodedLabels) -> None:
        if self.weights is not None:
            weights = self._given_weights()
        else:
            agreement = (
                MajorityVote()
                .fit_codes(
                    table.item,
                    table.annotator,
                    table.label,
                    table.n_items,
                    table.n_annotators,
                    table.n_labels,
                )
                .skills_
            )
            agreement = np.nan_to_num(agreement, nan=0.0)
            if self.weighting == "agreement":
                weights = agreement
            else:
                p = np.clip(agreement, _CLIP, 1.0 - _CLIP)
                weights = (
                    np.maximum(np.log((table.n_labels - 1) * p / (1.0 - p)), 0.0)
                    if table.n_labels > 1
                    else np.ones_like(p)
                )
        scores = (
            np.bincount(
                table.item * table.n_labels + table.label,
                weights=weights[table.annotator],
                minlength=table.n_items * table.n_labels,
            )
            .reshape(table.n_items, table.n_labels)
            .astype(np.float64)
        )
        labels: IntArray = np.argmax(scores, axis=1).astype(np.intp)
        self.weights_ = weights
        self.probas_ = vote_shares(scores)
        self.labels_ = labels
        self.skills_ = annotator_agreement(table, labels)


def _is_weight(value: object) -> bool:
    return (
        not isinstance(value, bool)
        and isinstance(value, int | float | np.integer | np.floating)
        and bool(np.isfinite(value))
        and bool(value >= 0)
    )
