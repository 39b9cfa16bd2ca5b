from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consenso.core.aggregation import DawidSkene, MajorityVote
from consenso.core.simulate import simulate_labels


@settings(max_examples=40, deadline=None)
@given(
    n_items=st.integers(1, 60),
    n_annotators=st.integers(1, 12),
    n_classes=st.integers(2, 6),
    data=st.data(),
)
def test_shapes_codes_and_distinct_annotators(
    n_items: int, n_annotators: int, n_classes: int, data: st.DataObject
) -> None:
    per_item = data.draw(st.integers(1, n_annotators))
    sim = simulate_labels(n_items, per_item, n_annotators, n_classes, seed=data.draw(st.integers(0, 99)))
    assert sim.item.shape == sim.annotator.shape == sim.label.shape == (n_items * per_item,)
    assert sim.truth.shape == (n_items,)
    assert sim.label.min() >= 0 and sim.label.max() < n_classes
    assert sim.annotator.min() >= 0 and sim.annotator.max() < n_annotators
    pairs = set(zip(sim.item.tolist(), sim.annotator.tolist(), strict=True))
    assert len(pairs) == n_items * per_item  # no annotator labels an item twice
    np.testing.assert_allclose(sim.confusion.sum(axis=2), 1.0)


def test_the_same_seed_gives_the_same_labels_and_another_seed_others() -> None:
    a = simulate_labels(500, 3, 40, 4, seed=7)
    b = simulate_labels(500, 3, 40, 4, seed=7)
    c = simulate_labels(500, 3, 40, 4, seed=8)
    np.testing.assert_array_equal(a.label, b.label)
    np.testing.assert_array_equal(a.annotator, b.annotator)
    assert not np.array_equal(a.label, c.label)


def test_labels_follow_each_annotators_accuracy() -> None:
    sim = simulate_labels(40_000, 5, 20, 5, accuracy=(0.5, 0.9), seed=3)
    correct = sim.label == sim.truth[sim.item]
    observed = np.bincount(sim.annotator, weights=correct) / np.bincount(sim.annotator)
    np.testing.assert_allclose(observed, sim.accuracy, atol=0.02)
    # wrong labels are spread evenly over the other classes
    wrong = sim.label[~correct] - sim.truth[sim.item][~correct]
    shares = np.bincount(wrong % 5, minlength=5)[1:] / (~correct).sum()
    np.testing.assert_allclose(shares, 0.25, atol=0.02)


def test_class_weights_set_the_truth_frequencies() -> None:
    sim = simulate_labels(20_000, 1, 1, 3, class_weights=[1, 0, 3], seed=0)
    shares = np.bincount(sim.truth, minlength=3) / sim.n_items
    np.testing.assert_allclose(shares, [0.25, 0.0, 0.75], atol=0.015)


def test_spammers_always_give_their_own_class_and_fool_the_vote_but_not_dawid_skene() -> None:
    sim = simulate_labels(3000, 7, 30, 3, accuracy=(0.75, 0.85), spammer_share=0.4, seed=5)
    spammers = np.flatnonzero(sim.accuracy < 0.5)
    assert 6 <= spammers.size <= 18
    for a in spammers:
        assert np.unique(sim.label[sim.annotator == a]).size == 1
    mv = MajorityVote().fit_codes(sim.item, sim.annotator, sim.label, n_labels=3)
    ds = DawidSkene().fit_codes(sim.item, sim.annotator, sim.label, n_labels=3)
    mv_accuracy = float((mv.labels_ == sim.truth).mean())
    ds_accuracy = float((ds.labels_ == sim.truth).mean())
    assert ds_accuracy > mv_accuracy + 0.02


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_items": 0}, "n_items must be an integer ≥ 1"),
        ({"n_classes": 1}, "n_classes must be an integer ≥ 2"),
        ({"labels_per_item": 11}, r"labels_per_item \(11\) cannot exceed n_annotators \(10\)"),
        ({"accuracy": (0.9, 0.5)}, "accuracy must be a range"),
        ({"accuracy": (0.5, 1.2)}, "accuracy must be a range"),
        ({"spammer_share": -0.1}, "spammer_share must lie in"),
        ({"class_weights": [1, 1]}, "class_weights must be 3 finite numbers"),
        ({"class_weights": [0, 0, 0]}, "must not all be 0"),
        ({"n_annotators": True}, "n_annotators must be an integer"),
    ],
)
def test_bad_arguments_raise(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"n_items": 10, "labels_per_item": 2, "n_annotators": 10, "n_classes": 3}
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        simulate_labels(**arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "expected"), [("good", 0.9), ("mediocre", 0.75), ("adversarial", 0.0), ("random", 0.25)]
)
def test_simulated_annotators_answer_at_their_kinds_accuracy(kind: str, expected: float) -> None:
    from consenso.core.simulate import simulate_annotator

    annotator = simulate_annotator(kind, 4, seed=11)
    truth = np.random.default_rng(0).integers(0, 4, size=8000)
    answers = np.array([annotator.answer(int(t)) for t in truth])
    assert annotator.accuracy == pytest.approx(expected)
    assert (answers == truth).mean() == pytest.approx(expected, abs=0.02)
    if kind == "adversarial":
        np.testing.assert_array_equal(answers, (truth + 1) % 4)  # systematically wrong
    if kind == "random":
        # the answer does not depend on the item: every class about as often, whatever the truth
        for k in range(4):
            shares = np.bincount(answers[truth == k], minlength=4) / (truth == k).sum()
            np.testing.assert_allclose(shares, 0.25, atol=0.04)


def test_a_simulated_annotator_is_reproducible_from_its_seed_and_refuses_unknown_kinds() -> None:
    from consenso.core.simulate import simulate_annotator

    first, again, other = (simulate_annotator("mediocre", 3, seed=s) for s in (5, 5, 6))
    answers = [first.answer(k % 3) for k in range(200)]
    assert answers == [again.answer(k % 3) for k in range(200)]
    assert answers != [other.answer(k % 3) for k in range(200)]
    with pytest.raises(ValueError, match="kind must be one of"):
        simulate_annotator("lazy", 3)
