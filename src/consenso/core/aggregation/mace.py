"""MACE: each annotator either knows the answer or guesses from a strategy of their own."""

from __future__ import annotations

import math

import numpy as np

from consenso.core.aggregation.base import Aggregator, CodedLabels, FloatArray
from consenso.core.aggregation.majority_vote import vote_counts, vote_shares

__all__ = ["MACE"]

_FLOOR = float(np.finfo(np.float64).eps)


class MACE(Aggregator):
    r"""Multi-Annotator Competence Estimation: who is trustworthy, learnt together with the true labels.

    **What it estimates.** For every item the posterior ``probas_[i, k] = P(T_i = k | labels)``; for
    every annotator the competence ``competence_[a] = θ_a``, the probability that a label of theirs is
    given knowingly (and so is the true label) rather than guessed, and the strategy
    ``strategy_[a, l] = ξ_{a,l}``, how they guess. ``skills_`` is the competence.

    **Assumptions.** The true label of each item is uniform over the classes (MACE has no class prior).
    On each item an annotator either knows the true label and gives it (probability ``θ_a``) or
    "spams": draws a label from their own distribution ``ξ_a``, independently of the truth. Unlike
    Dawid-Skene there is one number of skill per annotator plus a guessing habit, which takes far fewer
    labels to estimate; an annotator who is systematically wrong in a structured way (swaps two classes)
    is not modelled and is just seen as incompetent.

    **Model and EM.** The probability of label ``l`` from annotator ``a`` when the truth is ``k`` is
    ``θ_a [l = k] + (1 − θ_a) ξ_{a,l}``. The E step is

    .. math:: q_{ik} \propto \prod_{(i, a, l)} \bigl(θ_a [l = k] + (1 − θ_a) ξ_{a,l}\bigr),

    and the share of a label ``(i, a, l)`` given knowingly is
    ``κ_{ial} = q_{il}\, θ_a / (θ_a + (1 − θ_a) ξ_{a,l})``. The M step, with ``s = smoothing``
    pseudo-counts added to every count before normalising (Hovy et al. smooth the same way), is

    .. math::

        θ_a = \frac{s + \sum κ_{ial}}{2s + n_a}, \qquad
        ξ_{a,l} = \frac{s + \sum_{(i, a, l)} (1 − κ_{ial})}{K s + \sum_{(i, a, \cdot)} (1 − κ_{ial})}.

    Hovy et al. start from several random initialisations and keep the best; here EM starts once, from
    the majority vote's shares (deterministic, and in practice the restarts find the same optimum on
    the public sets). Iteration stops after ``n_iter`` steps or when the mean log-likelihood per
    label improves by less than ``tol`` (kept in ``log_likelihood_``).

    **Reference.** D. Hovy, T. Berg-Kirkpatrick, A. Vaswani and E. Hovy (2013). Learning Whom to
    Trust with MACE. *Proceedings of NAACL-HLT 2013*, 1120–1130. https://aclanthology.org/N13-1132/

    Args:
        n_iter: the maximum number of EM steps (≥ 1).
        tol: stop when the mean log-likelihood per label improves by less than this (≥ 0).
        smoothing: pseudo-count added to every expected count in the M step (≥ 0).

    Example:
        >>> import pandas as pd
        >>> truth = ["a", "b", "c"] * 10
        >>> rows = [(i, w, t) for i, t in enumerate(truth) for w in ("x", "y")]
        >>> rows += [(i, "spammer", "a") for i in range(30)]  # always answers "a"
        >>> mace = MACE().fit(pd.DataFrame(rows, columns=["item", "annotator", "label"]))
        >>> mace.predicted_labels().tolist() == truth
        True
        >>> [round(float(c), 2) for c in mace.competence_]
        [1.0, 1.0, 0.0]
    """

    competence_: FloatArray
    strategy_: FloatArray
    skills_: FloatArray
    n_iter_: int
    log_likelihood_: list[float]

    def __init__(self, n_iter: int = 100, tol: float = 1e-5, smoothing: float = 0.1) -> None:
        if isinstance(n_iter, bool) or not isinstance(n_iter, int | np.integer) or n_iter < 1:
            raise ValueError(f"n_iter must be an integer ≥ 1, got {n_iter!r}")
        if not _is_real(tol) or not math.isfinite(tol) or tol < 0:
            raise ValueError(f"tol must be a finite number ≥ 0, got {tol!r}")
        if not _is_real(smoothing) or not math.isfinite(smoothing) or smoothing < 0:
            raise ValueError(f"smoothing must be a finite number ≥ 0, got {smoothing!r}")
        self.n_iter = int(n_iter)
        self.tol = float(tol)
        self.smoothing = float(smoothing)

    def _fit(self, table: CodedLabels) -> None:
        n_labels, n_annotators = table.n_labels, table.n_annotators
        item, annotator, label = table.item, table.annotator, table.label
        given = np.bincount(annotator, minlength=n_annotators).astype(np.float64)
        s = self.smoothing

        def m_step(
            probas: FloatArray, competence: FloatArray, strategy: FloatArray
        ) -> tuple[FloatArray, FloatArray]:
            truthful = competence[annotator]
            guessed = (1.0 - truthful) * strategy[annotator, label]
            knowing = probas[item, label] * truthful / (truthful + guessed)
            known = np.bincount(annotator, weights=knowing, minlength=n_annotators)
            new_competence = (s + known) / np.maximum(2 * s + given, _FLOOR)
            spam = (
                np.bincount(
                    annotator * n_labels + label, weights=1.0 - knowing, minlength=n_annotators * n_labels
                )
                .reshape(n_annotators, n_labels)
                .astype(np.float64)
            )
            spam += s
            totals = spam.sum(axis=1, keepdims=True)
            uniform = np.full_like(spam, 1.0 / n_labels)
            new_strategy = np.divide(spam, totals, out=uniform, where=totals > 0)
            return np.clip(new_competence, _FLOOR, 1.0 - _FLOOR), np.maximum(new_strategy, _FLOOR)

        def e_step(competence: FloatArray, strategy: FloatArray) -> tuple[FloatArray, float]:
            truthful = competence[annotator]
            guessed = (1.0 - truthful) * strategy[annotator, label]
            # Every label contributes log(guessed) whatever the truth, plus log(1 + θ/guessed) to the
            # class it names: only the second part changes the posterior.
            bonus = np.log1p(truthful / guessed)
            joint = np.bincount(
                item * n_labels + label, weights=bonus, minlength=table.n_items * n_labels
            ).reshape(table.n_items, n_labels)
            top = joint.max(axis=1, keepdims=True)
            joint = np.exp(joint - top)
            total = joint.sum(axis=1, keepdims=True)
            joint /= total
            log_likelihood = float((top + np.log(total / n_labels)).sum() + np.log(guessed).sum())
            return joint, log_likelihood / table.n_rows

        # First M step from the majority vote: the knowing share is then the vote share of the label.
        probas = vote_shares(vote_counts(table))
        competence, strategy = m_step(
            probas, np.full(n_annotators, 1.0 - _FLOOR), np.full((n_annotators, n_labels), 1.0)
        )
        trace: list[float] = []
        previous = -math.inf
        for _ in range(self.n_iter):
            probas, log_likelihood = e_step(competence, strategy)
            competence, strategy = m_step(probas, competence, strategy)
            trace.append(log_likelihood)
            if log_likelihood - previous < self.tol:
                break
            previous = log_likelihood

        self.probas_ = probas
        self.labels_ = np.argmax(probas, axis=1).astype(np.intp)
        self.competence_ = np.where(given > 0, competence, np.nan)
        self.strategy_ = strategy / strategy.sum(axis=1, keepdims=True)
        self.skills_ = self.competence_
        self.n_iter_ = len(trace)
        self.log_likelihood_ = trace


def _is_real(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float | np.integer | np.floating)
