"""Simulated crowd labels with a known truth, for tests, benchmarks and sizing a project.

:func:`simulate_labels` draws a label set from the Dawid-Skene generative model: each item has a true
class, each annotator a confusion matrix, and every label an annotator gives is drawn from the row of
their matrix for the item's true class. Everything comes from one :func:`numpy.random.default_rng`
seed, so the same arguments always give the same labels.

:func:`simulate_annotator` makes one annotator of a named kind (good, mediocre, adversarial, random) who
answers tasks one at a time, for simulations that go through the platform's own serving loop (gold
questions, pauses, finalization) rather than a pre-drawn table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "ANNOTATOR_KINDS",
    "SimulatedAnnotator",
    "SimulatedLabels",
    "simulate_annotator",
    "simulate_labels",
]

IntArray = npt.NDArray[np.intp]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class SimulatedLabels:
    """A simulated label table in integer codes, with the truth and the model that produced it.

    ``item``, ``annotator`` and ``label`` are the rows (the aggregators' fast path takes them as they
    are); ``truth[i]`` is the true class of item ``i``; ``confusion[a, k, l]`` the probability that
    annotator ``a`` says ``l`` when the truth is ``k``; ``accuracy[a]`` its diagonal mean.
    """

    item: IntArray
    annotator: IntArray
    label: IntArray
    truth: IntArray
    confusion: FloatArray
    accuracy: FloatArray

    @property
    def n_items(self) -> int:
        return int(self.truth.shape[0])

    @property
    def n_annotators(self) -> int:
        return int(self.confusion.shape[0])

    @property
    def n_classes(self) -> int:
        return int(self.confusion.shape[1])

    def frame(self) -> pd.DataFrame:
        """The rows as a DataFrame with columns ``item``, ``annotator``, ``label`` (integer ids)."""
        return pd.DataFrame({"item": self.item, "annotator": self.annotator, "label": self.label})


def _check_count(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be an integer ≥ {minimum}, got {value!r}")
    return int(value)


def _distinct_annotators(
    rng: np.random.Generator, n_items: int, per_item: int, n_annotators: int
) -> npt.NDArray[np.int64]:
    """``per_item`` distinct annotators for each item, uniformly."""
    if per_item * 4 > n_annotators:
        # a dense crowd: the first columns of a random permutation per item
        return np.argsort(rng.random((n_items, n_annotators)), axis=1)[:, :per_item]
    # a sparse crowd: draw with replacement and redraw the few rows that repeat an annotator (for 5 of
    # 2,000 annotators about 0.5% of them)
    chosen = rng.integers(0, n_annotators, size=(n_items, per_item))
    while True:
        ordered = np.sort(chosen, axis=1)
        repeated = np.flatnonzero((ordered[:, 1:] == ordered[:, :-1]).any(axis=1))
        if repeated.size == 0:
            return chosen
        chosen[repeated] = rng.integers(0, n_annotators, size=(repeated.size, per_item))


def simulate_labels(
    n_items: int,
    labels_per_item: int,
    n_annotators: int,
    n_classes: int,
    *,
    accuracy: tuple[float, float] = (0.6, 0.95),
    spammer_share: float = 0.0,
    class_weights: npt.ArrayLike | None = None,
    seed: int | None = 0,
) -> SimulatedLabels:
    r"""Draw crowd labels from the Dawid-Skene model, with a known truth.

    **What it produces.** ``n_items × labels_per_item`` labels: every item gets ``labels_per_item``
    distinct annotators drawn uniformly; each label follows the annotator's confusion row for the
    item's true class.

    **Model.** True classes ``z_i ~ Categorical(w)`` (``class_weights``, uniform by default). Annotator
    ``a`` is right with probability ``p_a ~ Uniform(accuracy)`` and otherwise says one of the other
    classes uniformly, so ``e^{(a)}_{kk} = p_a`` and ``e^{(a)}_{kl} = (1 − p_a)/(K − 1)`` — except for a
    ``spammer_share`` of annotators who ignore the item and always answer one class of their own
    (``e^{(a)}_{kl} = [l = c_a]``), the case that separates confusion-matrix models from voting.

    **Reference.** The generative model of A. P. Dawid and A. M. Skene (1979), *Applied Statistics*
    28(1):20–28, https://doi.org/10.2307/2346806, as used for the synthetic benchmarks of Zheng et al.
    (2017), *PVLDB* 10(5):541–552, https://doi.org/10.14778/3055540.3055547

    Args:
        n_items: number of items (≥ 1).
        labels_per_item: distinct annotators per item (1 … ``n_annotators``).
        n_annotators: number of annotators (≥ 1).
        n_classes: number of classes (≥ 2).
        accuracy: the range ``(low, high)`` of the annotators' accuracies, within ``[0, 1]``.
        spammer_share: the share of annotators who always give the same class, in ``[0, 1]``.
        class_weights: relative frequency of each true class (``n_classes`` values ≥ 0, not all 0).
        seed: seed of :func:`numpy.random.default_rng`.

    Example:
        >>> sim = simulate_labels(1000, 5, 50, 3, accuracy=(0.7, 0.9), seed=1)
        >>> sim.frame().shape
        (5000, 3)
        >>> bool(abs((sim.label == sim.truth[sim.item]).mean() - 0.8) < 0.03)
        True
    """
    n_items = _check_count("n_items", n_items, 1)
    n_annotators = _check_count("n_annotators", n_annotators, 1)
    n_classes = _check_count("n_classes", n_classes, 2)
    labels_per_item = _check_count("labels_per_item", labels_per_item, 1)
    if labels_per_item > n_annotators:
        raise ValueError(f"labels_per_item ({labels_per_item}) cannot exceed n_annotators ({n_annotators})")
    low, high = (float(v) for v in accuracy)
    if not 0.0 <= low <= high <= 1.0:
        raise ValueError(f"accuracy must be a range (low, high) with 0 ≤ low ≤ high ≤ 1, got {accuracy!r}")
    if not 0.0 <= float(spammer_share) <= 1.0:
        raise ValueError(f"spammer_share must lie in [0, 1], got {spammer_share!r}")
    if class_weights is None:
        weights = np.full(n_classes, 1.0 / n_classes)
    else:
        weights = np.asarray(class_weights, dtype=np.float64)
        if weights.shape != (n_classes,) or not np.all(np.isfinite(weights)) or np.any(weights < 0):
            raise ValueError(f"class_weights must be {n_classes} finite numbers ≥ 0")
        if weights.sum() <= 0:
            raise ValueError("class_weights must not all be 0")
        weights = weights / weights.sum()

    rng = np.random.default_rng(seed)
    truth = rng.choice(n_classes, size=n_items, p=weights).astype(np.intp)
    skill = rng.uniform(low, high, size=n_annotators)
    off = (1.0 - skill) / (n_classes - 1)
    confusion = np.repeat(off[:, None, None], n_classes, axis=1).repeat(n_classes, axis=2)
    diagonal = np.arange(n_classes)
    confusion[:, diagonal, diagonal] = skill[:, None]
    spammers = rng.random(n_annotators) < spammer_share
    favourite = rng.integers(0, n_classes, size=n_annotators)
    confusion[spammers] = 0.0
    confusion[spammers, :, favourite[spammers]] = 1.0

    chosen = _distinct_annotators(rng, n_items, labels_per_item, n_annotators)
    item = np.repeat(np.arange(n_items, dtype=np.intp), labels_per_item)
    annotator = chosen.reshape(-1).astype(np.intp)
    # inverse-CDF draw from each row's confusion row for the item's true class
    rows = confusion[annotator, truth[item]]
    label = (rng.random(item.shape[0])[:, None] > np.cumsum(rows, axis=1)).sum(axis=1)
    label = np.minimum(label, n_classes - 1).astype(np.intp)
    accuracy_per_annotator = confusion[:, diagonal, diagonal].mean(axis=1)
    return SimulatedLabels(item, annotator, label, truth, confusion, accuracy_per_annotator)


#: The kinds of :func:`simulate_annotator`, with their accuracy (``None``: see the kind's description).
ANNOTATOR_KINDS: dict[str, float | None] = {
    "good": 0.9,
    "mediocre": 0.75,
    "adversarial": 0.0,
    "random": None,
}


@dataclass(frozen=True)
class SimulatedAnnotator:
    """One simulated annotator: ``confusion[k, l]`` is the probability of answering ``l`` when the truth is
    ``k``; :meth:`answer` draws from it with the annotator's own generator (reproducible from the seed)."""

    kind: str
    confusion: FloatArray
    rng: np.random.Generator

    @property
    def accuracy(self) -> float:
        """The probability of the right answer, averaged over classes."""
        return float(np.diag(self.confusion).mean())

    def answer(self, truth: int) -> int:
        """The class this annotator gives an item whose true class is ``truth``."""
        return int(self.rng.choice(self.confusion.shape[1], p=self.confusion[truth]))


def simulate_annotator(kind: str, n_classes: int, *, seed: int | None = 0) -> SimulatedAnnotator:
    """An annotator of a known kind, over ``n_classes`` classes:

    - ``good``: right 90 % of the time, otherwise one of the other classes uniformly;
    - ``mediocre``: the same at 75 %;
    - ``adversarial``: always wrong, and systematically so: the truth ``k`` becomes ``(k + 1) mod K`` (a
      confusion-matrix model can even read the truth back from such answers; a vote cannot);
    - ``random``: clicks a class uniformly at random whatever the item (accuracy ``1 / K``).

    Example:
        >>> bad = simulate_annotator("adversarial", 3, seed=1)
        >>> [bad.answer(k) for k in (0, 1, 2)], bad.accuracy
        ([1, 2, 0], 0.0)
        >>> round(simulate_annotator("random", 4).accuracy, 2)
        0.25
    """
    n_classes = _check_count("n_classes", n_classes, 2)
    if kind not in ANNOTATOR_KINDS:
        raise ValueError(f"kind must be one of {', '.join(ANNOTATOR_KINDS)}, got {kind!r}")
    if kind == "random":
        confusion = np.full((n_classes, n_classes), 1.0 / n_classes)
    elif kind == "adversarial":
        confusion = np.roll(np.eye(n_classes), 1, axis=1)
    else:
        right = ANNOTATOR_KINDS[kind] or 0.0
        confusion = np.full((n_classes, n_classes), (1.0 - right) / (n_classes - 1))
        np.fill_diagonal(confusion, right)
    return SimulatedAnnotator(kind, confusion, np.random.default_rng(seed))
