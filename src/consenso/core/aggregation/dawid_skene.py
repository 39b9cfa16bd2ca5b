"""Dawid-Skene: EM over per-annotator confusion matrices and class priors."""

from __future__ import annotations

import math
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Literal, get_args

import numpy as np
import scipy.sparse as sparse  # type: ignore[import-untyped]  # scipy ships no type information

from consenso.core.aggregation.base import Aggregator, CodedLabels, FloatArray
from consenso.core.aggregation.majority_vote import vote_counts, vote_shares

__all__ = ["DawidSkene", "DawidSkeneInit", "DawidSkenePrior"]

DawidSkeneInit = Literal["majority_vote"]
DawidSkenePrior = Literal["crowd", "uniform"]

# Probabilities are floored here before taking logs, as crowd-kit clips at machine epsilon.
_FLOOR = float(np.finfo(np.float64).eps)
# Items per block of the E and M steps (see _ItemBlocks): below this a fit runs in one thread.
_BLOCK_ITEMS = 100_000


class DawidSkene(Aggregator):
    r"""Dawid-Skene: the true labels and each annotator's confusion matrix, estimated together by EM.

    **What it estimates.** For every item ``i`` the posterior ``probas_[i, k] = P(z_i = k | labels)``
    of its true label; for every annotator ``a`` the confusion matrix ``errors_[a, k, l] = P(annotator
    a says l | true label k)``; the class priors ``priors_[k] = P(z = k)``. ``labels_`` is the posterior
    mode (the lowest label on an exact tie).

    **Assumptions.** Each item has one true label from a fixed set; given it, the labels are
    independent across annotators and an annotator's errors depend only on the true class (not on the
    item). The likelihood is not convex: EM finds a local optimum, which is why it starts from the
    majority vote (``init="majority_vote"``). An annotator who labels systematically wrong (for example
    always swaps two classes) is learnt as such and their labels are turned around, not discarded.

    **E step** (in log space, rows then normalised with a max shift):

    .. math:: \log q_{ik} = \log \pi_k + \sum_{(i, a, l)} \log e^{(a)}_{kl} + \text{const}

    **M step**, with a Dirichlet prior of ``s = prior_strength`` pseudo-labels per true class centred on
    ``m_{kl}`` (a MAP estimate; ``s = 0`` is plain maximum likelihood):

    .. math::

        \pi_k = \frac{1}{N}\sum_i q_{ik}, \qquad
        e^{(a)}_{kl} = \frac{s\, m_{kl} + \sum_{(i, a, l)} q_{ik}}{s + \sum_{(i, a, \cdot)} q_{ik}}

    With ``prior="crowd"`` (the default) ``m_{k·}`` is the crowd's pooled confusion row under the
    majority vote, ``m_{kl} = Σ_a n^{(a)}_{kl} / Σ_{a,l'} n^{(a)}_{kl'}`` with the vote shares as ``q``,
    computed once before EM: each annotator is shrunk towards how the crowd as a whole confuses class
    ``k``, by as much as ``s`` labels of evidence, so an annotator with four labels is not given 0/1
    error rates from them while one with hundreds is hardly affected. This is an empirical-Bayes form
    of the hierarchical ("community") priors of Venanzi et al. (2014). The centre stays fixed: if it
    were re-estimated at every step it could drift with the posteriors, and on a handful of items
    EM then swaps classes (a unanimous "positive" item came out "negative"). With
    ``prior="uniform"`` ``m_{kl} = 1/K`` (add-``s/K`` smoothing).

    Probabilities are floored at machine epsilon before their logs. Iteration stops after ``n_iter``
    EM steps or when the mean log-likelihood per label, ``(1/R) Σ_i log Σ_k π_k Π e^{(a)}_{k l}``,
    improves by less than ``tol``; its values are kept in ``log_likelihood_`` and the number of steps
    in ``n_iter_``. ``skills_[a] = Σ_k π_k e^{(a)}_{kk}`` is each annotator's estimated accuracy.

    **Why the default prior.** Maximum likelihood (crowd-kit's update, ``prior_strength=0``) overfits
    annotators with few labels: on ``cf`` in ``shared/data/crowd`` (≈ 4 labels per annotator) it falls
    to 0.787 accuracy when run to convergence, and on ``s5_adult`` to 0.748. crowd-kit 1.4.2 reports
    0.830 and 0.766 there only because its stopping rule ends EM after 2–5 steps (its bound decreases
    on the second step and the loop stops). The crowd prior with ``s = 10`` gives 0.883 and 0.769 at
    convergence and stays within 0.4 point of crowd-kit on the four binary sets. Of the strengths
    tried, 8 to 15 keep every set within 0.5 point of crowd-kit; 3 and 5 lose about 1 point on
    ``s5_adult``, where 1 of its 333 items with a known truth is 0.3 point. ``docs/quality.md`` has
    the full table.

    Each step is two sparse-dense products with the items × (annotator, observed label) count
    matrix, built once, in blocks of 100,000 items that run in parallel threads: 10 steps on 10⁶
    labels (200,000 items, 2,000 annotators, 5 classes) take about 0.1 s on a 2-core machine where
    crowd-kit 1.4.2 takes 2.7 s (``bench/quality.sh speed``, which also gives the one-thread figure).

    **Reference.** A. P. Dawid and A. M. Skene (1979). Maximum Likelihood Estimation of Observer
    Error-Rates Using the EM Algorithm. *Journal of the Royal Statistical Society, Series C (Applied
    Statistics)* 28(1):20–28. https://doi.org/10.2307/2346806 — and, for the crowd prior, M. Venanzi,
    J. Guiver, G. Kazai, P. Kohli and M. Shokouhi (2014). Community-Based Bayesian Aggregation Models for
    Crowdsourcing. *WWW '14*, 155–164. https://doi.org/10.1145/2566486.2567989

    Args:
        n_iter: the maximum number of EM steps (≥ 1).
        tol: stop when the mean log-likelihood per label improves by less than this (≥ 0).
        init: how the first M step gets its posteriors; ``"majority_vote"`` uses the vote shares.
        prior: where the confusion-matrix prior is centred: ``"crowd"`` (the pooled confusion of all
            annotators) or ``"uniform"``.
        prior_strength: how many pseudo-labels per true class the prior is worth (≥ 0); 0 is plain
            maximum likelihood.
        n_jobs: threads for the E and M steps, which work on blocks of 100,000 items (so a smaller fit
            runs in one); ``None`` is one per block. The result is the same whatever the number.

    Example:
        >>> import pandas as pd
        >>> truth = ["yes" if i % 3 else "no" for i in range(60)]
        >>> rows = [(i, a, t) for i, t in enumerate(truth) for a in ("x", "y")]
        >>> rows += [(i, "liar", "no" if t == "yes" else "yes") for i, t in enumerate(truth)]
        >>> df = pd.DataFrame(rows, columns=["item", "annotator", "label"])
        >>> ds = DawidSkene().fit(df)
        >>> ds.predicted_labels().tolist()[:6]
        ['no', 'yes', 'yes', 'no', 'yes', 'yes']
        >>> liar = list(ds.annotators_).index("liar")
        >>> round(float(ds.errors_[liar, 0, 1]), 2)  # true "no", says "yes": learnt, shrunk a little
        0.83
        >>> [round(float(s), 2) for s in ds.skills_]  # estimated accuracy of x, y, liar
        [0.89, 0.89, 0.14]
    """

    errors_: FloatArray
    priors_: FloatArray
    skills_: FloatArray
    n_iter_: int
    log_likelihood_: list[float]

    def __init__(
        self,
        n_iter: int = 100,
        tol: float = 1e-5,
        init: DawidSkeneInit = "majority_vote",
        prior: DawidSkenePrior = "crowd",
        prior_strength: float = 10.0,
        n_jobs: int | None = None,
    ) -> None:
        if isinstance(n_iter, bool) or not isinstance(n_iter, int | np.integer) or n_iter < 1:
            raise ValueError(f"n_iter must be an integer ≥ 1, got {n_iter!r}")
        if not _is_real(tol) or not math.isfinite(tol) or tol < 0:
            raise ValueError(f"tol must be a finite number ≥ 0, got {tol!r}")
        if init not in get_args(DawidSkeneInit):
            raise ValueError(f"init must be one of {list(get_args(DawidSkeneInit))}, got {init!r}")
        if prior not in get_args(DawidSkenePrior):
            raise ValueError(f"prior must be one of {list(get_args(DawidSkenePrior))}, got {prior!r}")
        if not _is_real(prior_strength) or not math.isfinite(prior_strength) or prior_strength < 0:
            raise ValueError(f"prior_strength must be a finite number ≥ 0, got {prior_strength!r}")
        if n_jobs is not None and (
            isinstance(n_jobs, bool) or not isinstance(n_jobs, int | np.integer) or n_jobs < 1
        ):
            raise ValueError(f"n_jobs must be an integer ≥ 1 or None, got {n_jobs!r}")
        self.n_iter = int(n_iter)
        self.n_jobs = None if n_jobs is None else int(n_jobs)
        self.tol = float(tol)
        self.init: DawidSkeneInit = init
        self.prior: DawidSkenePrior = prior
        self.prior_strength = float(prior_strength)

    def _fit(self, table: CodedLabels) -> None:
        n_labels = table.n_labels
        blocks = _ItemBlocks(table)
        workers = blocks.count if self.n_jobs is None else min(self.n_jobs, blocks.count)
        pool = ThreadPoolExecutor(workers) if workers > 1 else None
        run = pool.map if pool is not None else map

        def m_step(probas: FloatArray, centre: FloatArray) -> tuple[FloatArray, FloatArray]:
            counts = sum_in_order(run(blocks.expected_counts, blocks.slices(probas)))
            counts = counts.reshape(table.n_annotators, n_labels, n_labels)  # [annotator, observed, true]
            if self.prior_strength > 0:
                counts = counts + self.prior_strength * centre
            totals = counts.sum(axis=1, keepdims=True)
            uniform = np.full_like(counts, 1.0 / n_labels)
            errors = np.divide(counts, totals, out=uniform, where=totals > 0)
            priors = probas.mean(axis=0)
            return np.maximum(priors, _FLOOR), np.maximum(errors, _FLOOR)

        def e_step(priors: FloatArray, errors: FloatArray) -> tuple[FloatArray, float]:
            log_errors = np.log(errors).reshape(-1, n_labels)
            log_priors = np.log(priors)
            probas = np.empty((table.n_items, n_labels), order="F")
            totals = run(lambda b: blocks.posterior(b, log_errors, log_priors, probas), range(blocks.count))
            return probas, sum(totals) / table.n_rows

        try:
            votes = vote_counts(table)
            probas = vote_shares(votes)
            if self.prior == "crowd":
                # The crowd's pooled confusion under the majority vote, fixed for the whole fit:
                # re-estimated at every step it can drift with the labels on small data and end up with
                # classes swapped. Σ over annotators of their expected counts = Σ over items of votes ⊗ shares.
                pooled = votes.T @ probas  # [observed, true]
                column = pooled.sum(axis=0, keepdims=True)
                centre = np.divide(pooled, column, out=np.full_like(pooled, 1.0 / n_labels), where=column > 0)
            else:
                centre = np.full((n_labels, n_labels), 1.0 / n_labels)
            priors, errors = m_step(probas, centre)
            trace: list[float] = []
            previous = -math.inf
            for _ in range(self.n_iter):
                probas, log_likelihood = e_step(priors, errors)
                priors, errors = m_step(probas, centre)
                trace.append(log_likelihood)
                if log_likelihood - previous < self.tol:
                    break
                previous = log_likelihood
        finally:
            if pool is not None:
                pool.shutdown()

        self.probas_ = probas
        self.labels_ = np.argmax(probas, axis=1).astype(np.intp)
        self.priors_ = priors / priors.sum()
        errors = errors / errors.sum(axis=1, keepdims=True)  # undo the floor's tiny excess
        self.errors_ = np.ascontiguousarray(errors.transpose(0, 2, 1))  # [annotator, true, observed]
        self.skills_ = np.einsum("k,akk->a", self.priors_, self.errors_)
        self.n_iter_ = len(trace)
        self.log_likelihood_ = trace


class _ItemBlocks:
    """The label table as sparse items × (annotator, observed label) count matrices, one per block of items.

    The E step's sums of log-errors are one sparse-dense product per block, and the M step's expected
    counts one product with each block's transpose, summed over the blocks in order. numpy and scipy
    release the GIL in these products and in the element-wise work, so blocks run in parallel threads.
    The blocks are fixed by the data (``_BLOCK_ITEMS`` items each), not by the number of threads, so the
    results do not depend on how many threads ran them.
    """

    def __init__(self, table: CodedLabels) -> None:
        n_cells = table.n_annotators * table.n_labels
        cell = table.annotator * table.n_labels + table.label
        if table.n_rows > 1 and not bool(np.all(table.item[1:] >= table.item[:-1])):
            order = np.argsort(table.item, kind="stable")
            item, cell = table.item[order], cell[order]
        else:
            item = table.item
        # rows grouped by item: the CSR structure is the rows themselves
        row_starts = np.zeros(table.n_items + 1, dtype=np.intp)
        np.cumsum(np.bincount(item, minlength=table.n_items), out=row_starts[1:])
        self.count = max(1, -(-table.n_items // _BLOCK_ITEMS))
        self.bounds = [
            (b * table.n_items // self.count, (b + 1) * table.n_items // self.count)
            for b in range(self.count)
        ]
        self.matrices = []
        ones = np.ones(table.n_rows)
        for low, high in self.bounds:
            first, last = row_starts[low], row_starts[high]
            self.matrices.append(
                sparse.csr_array(
                    (ones[first:last], cell[first:last], row_starts[low : high + 1] - first),
                    shape=(high - low, n_cells),
                )
            )

    def slices(self, probas: FloatArray) -> list[tuple[int, FloatArray]]:
        return [(b, probas[low:high]) for b, (low, high) in enumerate(self.bounds)]

    def expected_counts(self, block: tuple[int, FloatArray]) -> FloatArray:
        """Σ over the block's labels (a, l) of the item's posterior: ``[(annotator, observed), true]``."""
        index, probas = block
        return np.asarray(self.matrices[index].T @ probas, dtype=np.float64)

    def posterior(self, index: int, log_errors: FloatArray, log_priors: FloatArray, out: FloatArray) -> float:
        """Write the block's posteriors into its rows of ``out``; return its items' summed log-likelihood."""
        low, high = self.bounds[index]
        # column-major, because numpy reduces over a short contiguous axis (the classes) slowly
        joint = np.asfortranarray(self.matrices[index] @ log_errors, dtype=np.float64)
        joint += log_priors
        top = joint.max(axis=1, keepdims=True)
        joint -= top
        np.exp(joint, out=joint)
        total = joint.sum(axis=1, keepdims=True)
        joint /= total
        out[low:high] = joint
        return float((top + np.log(total)).sum())


def sum_in_order(parts: Iterable[FloatArray]) -> FloatArray:
    """Sum the blocks' partial results in block order (a fixed order: the same bits on every run)."""
    iterator = iter(parts)
    total = np.array(next(iterator), dtype=np.float64, copy=True)
    for part in iterator:
        total += part
    return total


def _is_real(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float | np.integer | np.floating)
