from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from consenso.core.aggregation import MACE, MajorityVote


def spammer_set(n_items: int = 60, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    """Three classes; two careful annotators right 90% of the time, three spammers who always say "a"."""
    rng = np.random.default_rng(seed)
    classes = np.array(["a", "b", "c"])
    truth = pd.Series(classes[rng.integers(0, 3, n_items)], index=range(n_items))
    rows = []
    for i, t in truth.items():
        for name in ("careful1", "careful2"):
            rows.append((i, name, t if rng.random() < 0.9 else rng.choice(classes[classes != t])))
        rows.extend((i, f"spammer{n}", "a") for n in range(3))
    return pd.DataFrame(rows, columns=["item", "annotator", "label"]), truth


def test_mace_sees_through_spammers_where_majority_vote_follows_them() -> None:
    df, truth = spammer_set()
    mv_accuracy = float((MajorityVote().fit_predict(df) == truth).mean())
    mace = MACE().fit(df)
    mace_accuracy = float((mace.predicted_labels() == truth).mean())
    assert mv_accuracy < 0.5  # the three spammers outvote the careful two on every "b" and "c" item
    # the careful two disagree on about a fifth of the items, so even knowing who is careful leaves
    # some "b"/"c" items to chance: 0.85 on this draw
    assert mace_accuracy > mv_accuracy + 0.4
    assert mace_accuracy >= 0.85
    competence = dict(zip(mace.annotators_, mace.competence_, strict=True))
    # right on 90% of the items: theta + (1 - theta) * xi = 0.9 would give theta ≈ 0.85; the items
    # where the two careful annotators disagree stay uncertain, so theta is learnt lower
    assert min(competence["careful1"], competence["careful2"]) > 0.6
    assert max(competence[f"spammer{n}"] for n in range(3)) < 0.1
    # the spammers' strategy is learnt: they guess "a"
    spammer = list(mace.annotators_).index("spammer0")
    assert mace.strategy_[spammer, list(mace.classes_).index("a")] > 0.9


def test_fitted_state_is_consistent() -> None:
    df, _ = spammer_set()
    mace = MACE(n_iter=200, tol=0.0).fit(df)
    assert mace.probas_.shape == (60, 3)
    assert mace.strategy_.shape == (5, 3)
    np.testing.assert_allclose(mace.probas_.sum(axis=1), 1.0)
    np.testing.assert_allclose(mace.strategy_.sum(axis=1), 1.0)
    assert mace.n_iter_ == 200 == len(mace.log_likelihood_)
    # EM never decreases the likelihood by more than the smoothing's pull
    assert np.all(np.diff(mace.log_likelihood_) > -1e-6)
    np.testing.assert_array_equal(mace.skills_, mace.competence_)
    assert mace.labels_.tolist() == np.argmax(mace.probas_, axis=1).tolist()


def test_fast_path_equals_the_dataframe_layer() -> None:
    df, _ = spammer_set()
    by_frame = MACE().fit(df)
    codes = {c: pd.factorize(df[c], sort=c == "label")[0] for c in ("item", "annotator", "label")}
    by_codes = MACE().fit_codes(codes["item"], codes["annotator"], codes["label"])
    np.testing.assert_allclose(by_codes.probas_, by_frame.probas_)
    np.testing.assert_allclose(by_codes.competence_, by_frame.competence_)


def test_an_annotator_without_labels_on_the_fast_path_has_no_competence() -> None:
    mace = MACE().fit_codes([0, 0, 1, 1], [0, 1, 0, 1], [0, 0, 1, 1], n_annotators=3)
    assert np.isnan(mace.competence_[2])
    assert not np.isnan(mace.competence_[:2]).any()


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), data=st.data())
def test_renaming_labels_and_reordering_annotators_changes_nothing(seed: int, data: st.DataObject) -> None:
    df, _ = spammer_set(n_items=30, seed=seed)
    mace = MACE().fit(df)
    base = mace.predicted_labels()
    renamed = {"a": "z", "b": "y", "c": "x"}  # reverses the sorted order of the labels
    relabelled = df.assign(label=df["label"].map(renamed))
    order = data.draw(st.permutations(list(range(len(df)))))
    again = MACE().fit(relabelled.iloc[list(order)])
    # Posteriors are the same, relabelled; only exact ties (the careful two split between "b" and "c")
    # may be broken differently, towards the lowest label.
    proba = mace.predicted_probas().rename(columns=renamed)
    proba_again = again.predicted_probas().reindex(index=proba.index, columns=proba.columns)
    np.testing.assert_allclose(proba_again.to_numpy(), proba.to_numpy(), atol=1e-9)
    top = np.sort(proba.to_numpy(), axis=1)
    clear = top[:, -1] - top[:, -2] > 1e-9
    assert (again.predicted_labels().reindex(base.index)[clear] == base.map(renamed)[clear]).all()
