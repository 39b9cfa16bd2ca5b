from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from consenso.core.aggregation import MajorityVote


def frame(rows: list[tuple[object, object, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["item", "annotator", "label"])


# item "t" is a 1-1 tie where "dog" is voted first; item "u" a clear "cat"; item "v" a 2-2 tie, "bird" first
TIES = frame(
    [
        ("t", "a1", "dog"),
        ("t", "a2", "cat"),
        ("u", "a1", "cat"),
        ("u", "a2", "cat"),
        ("u", "a3", "dog"),
        ("v", "a1", "bird"),
        ("v", "a2", "dog"),
        ("v", "a3", "dog"),
        ("v", "a4", "bird"),
    ]
)


def test_lowest_policy_takes_the_smallest_tied_label() -> None:
    assert MajorityVote(tie_policy="lowest").fit_predict(TIES).to_dict() == {
        "t": "cat",
        "u": "cat",
        "v": "bird",
    }


def test_first_seen_policy_takes_the_tied_label_voted_first_on_the_item() -> None:
    result = MajorityVote(tie_policy="first_seen").fit_predict(TIES).to_dict()
    assert result == {"t": "dog", "u": "cat", "v": "bird"}


def test_first_seen_follows_row_order_within_each_item() -> None:
    reordered = TIES.iloc[[1, 0, 2, 3, 4, 6, 5, 7, 8]]
    result = MajorityVote(tie_policy="first_seen").fit_predict(reordered).to_dict()
    assert result == {"t": "cat", "u": "cat", "v": "dog"}


def test_random_policy_picks_a_tied_label_reproducibly_and_both_occur() -> None:
    rows = [(i, a, lab) for i in range(200) for a, lab in (("a", "x"), ("b", "y"))]
    rows += [(i, "c", "z") for i in range(200, 210)]
    df = frame(rows)
    first = MajorityVote(tie_policy="random", seed=7).fit_predict(df)
    second = MajorityVote(tie_policy="random", seed=7).fit_predict(df)
    pd.testing.assert_series_equal(first, second)
    tied = first.iloc[:200]
    assert set(tied) == {"x", "y"}
    assert 60 < int((tied == "x").sum()) < 140
    assert set(first.iloc[200:]) == {"z"}  # no tie: never random


def test_posterior_is_the_vote_share() -> None:
    proba = MajorityVote().fit_predict_proba(TIES)
    expected = pd.DataFrame(
        [[0.0, 0.5, 0.5], [0.0, 2 / 3, 1 / 3], [0.5, 0.0, 0.5]],
        index=pd.Index(["t", "u", "v"], name="item"),
        columns=pd.Index(["bird", "cat", "dog"], name="label"),
    )
    pd.testing.assert_frame_equal(proba, expected, check_index_type=False, check_column_type=False)


def test_skills_are_agreement_with_the_result() -> None:
    mv = MajorityVote().fit(TIES)  # result t=cat, u=cat, v=bird
    skills = dict(zip(mv.annotators_, mv.skills_, strict=True))
    assert skills == pytest.approx({"a1": 2 / 3, "a2": 2 / 3, "a3": 0.0, "a4": 1.0})


def test_fast_path_on_codes_and_an_item_without_labels() -> None:
    mv = MajorityVote().fit_codes(
        item=np.array([0, 0, 0, 2]),
        annotator=np.array([0, 1, 2, 0]),
        label=np.array([1, 1, 0, 2]),
        n_labels=3,
    )
    assert mv.labels_.tolist() == [1, 0, 2]  # item 1 has no label: uniform shares, lowest label
    np.testing.assert_allclose(mv.probas_, [[1 / 3, 2 / 3, 0], [1 / 3, 1 / 3, 1 / 3], [0, 0, 1]])
    assert mv.predicted_labels().to_dict() == {0: 1, 1: 0, 2: 2}
    np.testing.assert_allclose(mv.skills_, [1.0, 1.0, 0.0])


def test_fit_returns_self_and_keeps_hyperparameters() -> None:
    mv = MajorityVote(tie_policy="random", seed=3)
    assert mv.fit(TIES) is mv
    assert (mv.tie_policy, mv.seed) == ("random", 3)
