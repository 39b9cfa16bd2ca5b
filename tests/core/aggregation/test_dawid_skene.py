from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consenso.core.aggregation import DawidSkene, MajorityVote


def adversarial_set(n_items: int = 30, liars: int = 2) -> tuple[pd.DataFrame, pd.Series]:
    """Binary items; one perfect annotator, ``liars`` who always lie, two right on 70% of the items."""
    rng = np.random.default_rng(0)
    truth = pd.Series(["pos" if i % 2 else "neg" for i in range(n_items)], index=range(n_items))
    flip = {"pos": "neg", "neg": "pos"}
    rows = []
    for i, t in truth.items():
        rows.append((i, "good", t))
        rows.extend((i, f"liar{n}", flip[t]) for n in range(1, liars + 1))
        for name in ("noisy1", "noisy2"):
            rows.append((i, name, t if rng.random() < 0.7 else flip[t]))
    return pd.DataFrame(rows, columns=["item", "annotator", "label"]), truth


def test_dawid_skene_recovers_the_truth_where_majority_vote_fails() -> None:
    df, truth = adversarial_set()
    mv = MajorityVote().fit_predict(df)
    ds = DawidSkene().fit(df)
    mv_accuracy = float((mv == truth).mean())
    ds_accuracy = float((ds.predicted_labels() == truth).mean())
    assert mv_accuracy < 0.7
    assert ds_accuracy == 1.0
    liar = list(ds.annotators_).index("liar1")
    # errors_[annotator, true, observed]; classes are sorted: 0 = "neg", 1 = "pos". With 15 labels per
    # class the liar is learnt as a liar, shrunk towards the crowd (2 liars in 5) by the prior's 10
    # pseudo-labels: (15 + 10 · 0.4) / 25 ≈ 0.76.
    assert 0.7 < ds.errors_[liar, 0, 1] < 0.9
    assert 0.7 < ds.errors_[liar, 1, 0] < 0.9
    skills = dict(zip(ds.annotators_, ds.skills_, strict=True))
    assert skills["good"] > max(skills["noisy1"], skills["noisy2"]) > 0.5 > skills["liar1"]
    # maximum likelihood learns the liar exactly
    ml = DawidSkene(prior_strength=0.0).fit(df)
    assert ml.errors_[liar, 0, 1] > 0.99
    assert ml.errors_[liar, 1, 0] > 0.99


def test_the_prior_matters_less_as_an_annotator_gives_more_labels() -> None:
    # One liar: with two, the data cannot tell "one truthful, two liars" from the mirror image (the
    # likelihood is symmetric under swapping the classes) and EM may land on either on larger sets.
    shrunk = []
    for n_items in (30, 300, 3000):
        df, truth = adversarial_set(n_items, liars=1)
        ds = DawidSkene().fit(df)
        assert float((ds.predicted_labels() == truth).mean()) == 1.0
        shrunk.append(1.0 - float(ds.errors_[list(ds.annotators_).index("liar1"), 0, 1]))
    assert shrunk[0] > shrunk[1] > shrunk[2]
    assert shrunk[2] < 0.01


def test_the_uniform_prior_pulls_towards_equal_rates_and_the_crowd_prior_towards_the_crowd() -> None:
    df, _ = adversarial_set()
    crowd = DawidSkene(prior="crowd", prior_strength=1000.0).fit(df)
    uniform = DawidSkene(prior="uniform", prior_strength=1000.0).fit(df)
    # overwhelmed by its prior, every annotator looks like a coin, or like every other annotator
    np.testing.assert_allclose(uniform.errors_, 0.5, atol=0.02)
    np.testing.assert_allclose(
        crowd.errors_, np.broadcast_to(crowd.errors_.mean(axis=0), crowd.errors_.shape), atol=0.01
    )
    ml = DawidSkene(prior_strength=0.0).fit(df)
    assert np.ptp(ml.errors_[:, 0, 0]) > 0.9  # without a prior the annotators differ: 1.0 to 0.0


def test_fitted_state_is_consistent() -> None:
    df, _ = adversarial_set()
    ds = DawidSkene(n_iter=50).fit(df)
    assert ds.probas_.shape == (30, 2)
    assert ds.errors_.shape == (5, 2, 2)
    np.testing.assert_allclose(ds.probas_.sum(axis=1), 1.0)
    np.testing.assert_allclose(ds.errors_.sum(axis=2), 1.0)
    np.testing.assert_allclose(ds.priors_.sum(), 1.0)
    assert 1 <= ds.n_iter_ <= 50
    assert len(ds.log_likelihood_) == ds.n_iter_
    # EM never decreases the (penalised) likelihood; allow rounding noise
    assert np.all(np.diff(ds.log_likelihood_) > -1e-9)
    assert ds.labels_.tolist() == np.argmax(ds.probas_, axis=1).tolist()
    proba = ds.predicted_probas()
    assert list(proba.columns) == ["neg", "pos"]
    assert list(proba.index) == list(range(30))


def test_fit_returns_self_and_keeps_hyperparameters() -> None:
    df, _ = adversarial_set()
    ds = DawidSkene(n_iter=3, tol=0.0, prior="uniform", prior_strength=0.5)
    assert ds.fit(df) is ds
    assert (ds.n_iter, ds.tol, ds.init, ds.prior, ds.prior_strength) == (
        3,
        0.0,
        "majority_vote",
        "uniform",
        0.5,
    )
    assert ds.n_iter_ == 3


def test_fast_path_equals_the_dataframe_layer() -> None:
    df, _ = adversarial_set()
    by_frame = DawidSkene().fit(df)
    codes = {c: pd.factorize(df[c], sort=c == "label")[0] for c in ("item", "annotator", "label")}
    by_codes = DawidSkene().fit_codes(codes["item"], codes["annotator"], codes["label"])
    np.testing.assert_allclose(by_codes.probas_, by_frame.probas_)
    np.testing.assert_allclose(by_codes.errors_, by_frame.errors_)


def test_item_without_labels_gets_the_prior() -> None:
    ds = DawidSkene().fit_codes(
        np.array([0, 0, 2, 2]), np.array([0, 1, 0, 1]), np.array([0, 0, 1, 1]), n_items=3
    )
    np.testing.assert_allclose(ds.probas_[1], ds.priors_)


@settings(max_examples=25, deadline=None)
@given(
    data=st.lists(
        st.tuples(st.integers(0, 7), st.integers(0, 4), st.integers(0, 2)), min_size=6, max_size=60
    ),
    permutation=st.permutations([0, 1, 2]),
)
def test_relabeling_the_labels_permutes_the_result(
    data: list[tuple[int, int, int]], permutation: list[int]
) -> None:
    item, annotator, label = (np.array(column) for column in zip(*data, strict=True))
    perm = np.array(permutation)
    base = DawidSkene().fit_codes(item, annotator, label, n_items=8, n_annotators=5, n_labels=3)
    moved = DawidSkene().fit_codes(item, annotator, perm[label], n_items=8, n_annotators=5, n_labels=3)
    # label k became perm[k]: column perm[k] of the new posterior is column k of the old one
    np.testing.assert_allclose(moved.probas_[:, perm], base.probas_, atol=1e-9)
    np.testing.assert_allclose(moved.priors_[perm], base.priors_, atol=1e-9)
    np.testing.assert_allclose(moved.errors_[:, perm][:, :, perm], base.errors_, atol=1e-9)


@settings(max_examples=25, deadline=None)
@given(
    data=st.lists(
        st.tuples(st.integers(0, 7), st.integers(0, 4), st.sampled_from(["a", "b", "c"])),
        min_size=6,
        max_size=60,
    )
)
def test_renaming_labels_in_a_dataframe_renames_the_majority_vote_shares(
    data: list[tuple[int, int, str]],
) -> None:
    df = pd.DataFrame(data, columns=["item", "annotator", "label"])
    renamed = df.assign(label=df["label"].map({"a": "z", "b": "y", "c": "x"}))
    base = MajorityVote().fit_predict_proba(df)
    moved = MajorityVote().fit_predict_proba(renamed).rename(columns={"z": "a", "y": "b", "x": "c"})
    pd.testing.assert_frame_equal(moved[base.columns], base, check_names=False, check_column_type=False)


def test_ds_relabel_on_a_dataframe_maps_predictions() -> None:
    df, truth = adversarial_set()
    renamed = df.assign(label=df["label"].map({"pos": 1, "neg": 0}))
    result = DawidSkene().fit_predict(renamed)
    assert result.map({1: "pos", 0: "neg"}).equals(DawidSkene().fit_predict(df).rename("label"))
    assert float((result.map({1: "pos", 0: "neg"}) == truth).mean()) == pytest.approx(1.0)


def test_a_handful_of_items_keeps_unanimous_items_and_classes_in_place() -> None:
    # Regression: with the crowd prior re-estimated at every EM step, this 5-item project came out with
    # the unanimous "positive" item labelled "negative" (confidence 0.88).
    rows = [
        (1, "A", "positive"), (1, "B", "positive"), (1, "C", "positive"),
        (2, "A", "negative"), (2, "B", "negative"), (2, "C", "positive"),
        (3, "A", "neutral"), (3, "B", "neutral"), (3, "C", "neutral"),
        (4, "A", "positive"), (4, "B", "negative"), (4, "C", "neutral"),
        (5, "A", "positive"),
    ]  # fmt: skip
    df = pd.DataFrame(rows, columns=["item", "annotator", "label"])
    labels = DawidSkene().fit_predict(df)
    assert labels[[1, 2, 3, 5]].tolist() == ["positive", "negative", "neutral", "positive"]


def test_blocks_and_threads_do_not_change_the_result(monkeypatch: pytest.MonkeyPatch) -> None:
    from consenso.core.aggregation import dawid_skene
    from consenso.core.simulate import simulate_labels

    sim = simulate_labels(2_500, 3, 40, 4, accuracy=(0.5, 0.9), seed=2)
    codes = (sim.item, sim.annotator, sim.label)
    one_block = DawidSkene().fit_codes(*codes)
    monkeypatch.setattr(dawid_skene, "_BLOCK_ITEMS", 600)  # 5 blocks
    serial = DawidSkene(n_jobs=1).fit_codes(*codes)
    threaded = DawidSkene(n_jobs=3).fit_codes(*codes)
    # the same blocks summed in the same order: the same bits, however many threads ran them
    np.testing.assert_array_equal(threaded.probas_, serial.probas_)
    np.testing.assert_array_equal(threaded.errors_, serial.errors_)
    assert threaded.log_likelihood_ == serial.log_likelihood_
    # other blocks only change the order of floating-point sums
    np.testing.assert_allclose(serial.probas_, one_block.probas_, atol=1e-9)
    assert serial.n_iter_ == one_block.n_iter_
    # and rows in any order give the same fit
    order = np.random.default_rng(0).permutation(sim.item.size)
    shuffled = DawidSkene(n_jobs=2).fit_codes(sim.item[order], sim.annotator[order], sim.label[order])
    np.testing.assert_allclose(shuffled.probas_, serial.probas_, atol=1e-9)
