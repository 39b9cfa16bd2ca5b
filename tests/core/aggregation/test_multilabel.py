"""Multi-label aggregation: per-label majority and per-label binary Dawid-Skene."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consenso.core.aggregation import multilabel
from consenso.core.aggregation.multilabel import MultiLabelAggregator


def frame(rows: list[tuple[object, object, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["item", "annotator", "labels"])


# "p": cat 2/3, dog 1/3, bird 0; "q": an even 1-1 split on bird, dog unanimous; "r": nobody ticks anything
HAND = frame(
    [
        ("p", "x", ["cat", "dog"]),
        ("p", "y", ("cat",)),
        ("p", "z", []),
        ("q", "x", {"dog"}),
        ("q", "y", ["bird", "dog"]),
        ("r", "x", []),
        ("r", "z", []),
    ]
)


def test_majority_by_hand() -> None:
    agg = MultiLabelAggregator().fit(HAND)
    assert list(agg.classes_) == ["bird", "cat", "dog"]
    np.testing.assert_allclose(agg.probas_, [[0.0, 2 / 3, 1 / 3], [0.5, 0.0, 1.0], [0.0, 0.0, 0.0]])
    assert agg.labels_.tolist() == [[False, True, False], [True, False, True], [False, False, False]]
    assert MultiLabelAggregator().fit_predict(HAND).to_dict() == {
        "p": ("cat",),
        "q": ("bird", "dog"),
        "r": (),
    }


def test_exact_half_is_kept_and_a_higher_threshold_drops_it() -> None:
    # threshold is inclusive: 1 of 2 annotators on "bird" keeps it at 0.5, not at 0.51
    assert MultiLabelAggregator(threshold=0.5).fit_predict(HAND)["q"] == ("bird", "dog")
    assert MultiLabelAggregator(threshold=0.51).fit_predict(HAND)["q"] == ("dog",)
    # 2 of 4 is exactly 0.5 in floating point too
    rows = [("i", a, ["x"] if a < 2 else []) for a in range(4)]
    assert MultiLabelAggregator().fit_predict(frame(rows))["i"] == ("x",)
    # 1/3 compared with the threshold 1/3
    rows = [("i", a, ["x"] if a == 0 else []) for a in range(3)]
    assert MultiLabelAggregator(threshold=1 / 3).fit_predict(frame(rows))["i"] == ("x",)
    assert MultiLabelAggregator(threshold=0.34).fit_predict(frame(rows))["i"] == ()


def test_probabilities_frame_has_items_and_labels() -> None:
    proba = MultiLabelAggregator().fit_predict_proba(HAND)
    expected = pd.DataFrame(
        [[0.0, 2 / 3, 1 / 3], [0.5, 0.0, 1.0], [0.0, 0.0, 0.0]],
        index=pd.Index(["p", "q", "r"], name="item"),
        columns=pd.Index(["bird", "cat", "dog"], name="label"),
    )
    pd.testing.assert_frame_equal(proba, expected, check_index_type=False, check_column_type=False)


def test_unsortable_labels_keep_order_of_appearance() -> None:
    df = frame([("i", "a", [2, "two"]), ("i", "b", ["two"])])
    agg = MultiLabelAggregator().fit(df)
    assert list(agg.classes_) == [2, "two"]
    assert agg.fit_predict(df)["i"] == (2, "two")


def test_fast_path_over_codes() -> None:
    agg = MultiLabelAggregator().fit_codes(
        item=[0, 0, 0, 2],
        annotator=[0, 1, 2, 0],
        indicators=np.array([[1, 0], [1, 1], [0, 0], [0, 1]]),
        n_items=4,
    )
    np.testing.assert_allclose(agg.probas_, [[2 / 3, 1 / 3], [0, 0], [0, 1], [0, 0]])
    assert agg.labels_.tolist() == [[True, False], [False, False], [False, True], [False, False]]
    assert list(agg.items_) == [0, 1, 2, 3]
    assert list(agg.classes_) == [0, 1]
    assert agg.predicted_labels().tolist() == [(0,), (), (1,), ()]


def test_fast_path_matches_the_dataframe_layer() -> None:
    via_frame = MultiLabelAggregator(method="dawid_skene").fit(HAND)
    indicators = np.array([[False, True, True], [False, True, False], [False] * 3, [False, False, True]])
    indicators = np.vstack([indicators, [[True, False, True], [False] * 3, [False] * 3]])
    via_codes = MultiLabelAggregator(method="dawid_skene").fit_codes(
        [0, 0, 0, 1, 1, 2, 2], [0, 1, 2, 0, 1, 0, 2], indicators
    )
    np.testing.assert_allclose(via_codes.probas_, via_frame.probas_)


def test_no_label_ticked_at_all() -> None:
    agg = MultiLabelAggregator().fit(frame([("i", "a", []), ("j", "b", [])]))
    assert agg.probas_.shape == (2, 0)
    assert agg.predicted_labels().to_dict() == {"i": (), "j": ()}


def simulate(seed: int, n_items: int = 60, n_labels: int = 4) -> tuple[pd.DataFrame, np.ndarray]:
    """Three honest annotators (right on 85%, 85%, 75% of the yes/no questions), one adversary (10%)."""
    rng = np.random.default_rng(seed)
    truth = rng.random((n_items, n_labels)) < 0.35
    rows = []
    for i in range(n_items):
        for a, accuracy in enumerate((0.85, 0.85, 0.75, 0.10)):
            answer = np.where(rng.random(n_labels) < accuracy, truth[i], ~truth[i])
            rows.append((f"i{i}", f"a{a}", [f"L{k}" for k in np.flatnonzero(answer)]))
    return frame(rows), truth


def test_dawid_skene_beats_majority_with_an_adversarial_annotator() -> None:
    df, truth = simulate(seed=0)
    majority = MultiLabelAggregator(method="majority").fit(df)
    ds = MultiLabelAggregator(method="dawid_skene").fit(df)
    assert list(ds.classes_) == ["L0", "L1", "L2", "L3"]
    majority_accuracy = float((majority.labels_ == truth).mean())
    ds_accuracy = float((ds.labels_ == truth).mean())
    # with 2-2 splits kept, majority adds most labels the adversary ticks; Dawid-Skene turns them around
    assert majority_accuracy < 0.8
    assert ds_accuracy > 0.9
    assert ds_accuracy - majority_accuracy > 0.15
    adversary = list(ds.annotators_).index("a3")
    assert ds.errors_.shape == (4, 4, 2, 2)
    # errors_[label, annotator, true, observed]: the adversary misses present labels, ticks absent ones
    assert np.all(ds.errors_[:, adversary, 1, 0] > 0.5)
    assert np.all(ds.errors_[:, adversary, 0, 1] > 0.5)
    np.testing.assert_allclose(ds.errors_.sum(axis=3), 1.0)


def test_unanimous_answers_are_returned() -> None:
    sets = {"a": ("x", "y"), "b": (), "c": ("z",)}
    rows = [(item, annotator, list(labels)) for item, labels in sets.items() for annotator in range(3)]
    for method in ("majority", "dawid_skene"):
        assert MultiLabelAggregator(method=method).fit_predict(frame(rows)).to_dict() == sets


label_sets = st.lists(
    st.lists(st.sets(st.sampled_from(["a", "b", "c", "d"]), max_size=4), min_size=1, max_size=4),
    min_size=1,
    max_size=6,
)


@settings(max_examples=40, deadline=None)
@given(answers=label_sets, method=st.sampled_from(["majority", "dawid_skene"]), data=st.data())
def test_invariant_to_the_order_of_rows_and_to_renaming(
    answers: list[list[set[str]]], method: str, data: st.DataObject
) -> None:
    rows = [(f"i{i}", f"a{a}", sorted(s)) for i, item in enumerate(answers) for a, s in enumerate(item)]
    df = frame(rows)
    reference = MultiLabelAggregator(method=method).fit(df)  # type: ignore[arg-type]
    expected = reference.predicted_probas()

    order = data.draw(st.permutations(range(len(rows))))
    shuffled = MultiLabelAggregator(method=method).fit(df.iloc[list(order)])  # type: ignore[arg-type]
    # Dawid-Skene sums in another order and may stop one EM step apart: close, not bit-equal
    tolerance = {"rtol": 1e-9} if method == "majority" else {"atol": 1e-4}
    pd.testing.assert_frame_equal(
        shuffled.predicted_probas().loc[expected.index, expected.columns], expected, **tolerance
    )
    if method == "majority":  # exact shares: the sets are the same, not just close
        assert shuffled.predicted_labels().to_dict() == reference.predicted_labels().to_dict()

    rename = {"a": "zz", "b": "yy", "c": "xx", "d": "ww"}  # reverses the sorted order of the labels
    renamed = df.assign(labels=[[rename[x] for x in s] for s in df["labels"]])
    relabelled = MultiLabelAggregator(method=method).fit(renamed).predicted_probas()  # type: ignore[arg-type]
    relabelled = relabelled.rename(columns={v: k for k, v in rename.items()})
    pd.testing.assert_frame_equal(relabelled[expected.columns], expected, rtol=1e-9, check_names=False)


@settings(max_examples=40, deadline=None)
@given(answers=label_sets)
def test_majority_matches_a_direct_count(answers: list[list[set[str]]]) -> None:
    rows = [(i, a, sorted(s)) for i, item in enumerate(answers) for a, s in enumerate(item)]
    result = MultiLabelAggregator().fit_predict(frame(rows))
    for i, item in enumerate(answers):
        expected = tuple(x for x in "abcd" if sum(x in s for s in item) * 2 >= len(item))
        assert result[i] == expected


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "mode"}, "method must be one of"),
        ({"threshold": 0.0}, r"threshold must be a number in \(0, 1\]"),
        ({"threshold": 1.5}, "threshold must be"),
        ({"threshold": float("nan")}, "threshold must be"),
        ({"threshold": True}, "threshold must be"),
        ({"threshold": "0.5"}, "threshold must be"),
    ],
)
def test_bad_hyperparameters_raise(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MultiLabelAggregator(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("df", "message"),
    [
        (pd.DataFrame({"item": [1], "annotator": ["a"]}), "missing column"),
        (frame([]), "empty"),
        (frame([(1, "a", ["x"]), (None, "b", ["x"])]), "'item' holds missing"),
        (frame([(1, "a", ["x"]), (1, np.nan, ["x"])]), "'annotator' holds missing"),
        (frame([(1, "a", ["x"]), (2, "a", None)]), "row 1 is missing"),
        (frame([(1, "a", ["x"]), (2, "a", np.nan)]), "row 1 is missing"),
        (frame([(1, "a", "cat")]), "got the string 'cat'"),
        (frame([(1, "a", 3)]), "must be an iterable"),
        (frame([(1, "a", ["x", None])]), "missing label"),
        (frame([(1, "a", [float("nan")])]), "missing label"),
        (frame([(1, "a", [["x"]])]), "must be hashable"),
        (frame([(1, "a", ["x"]), (1, "a", ["y"])]), "annotator 'a' answered item 1 in more than one row"),
    ],
)
def test_bad_dataframes_raise(df: pd.DataFrame, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MultiLabelAggregator().fit(df)


def test_not_a_dataframe_raises() -> None:
    with pytest.raises(ValueError, match="must be a pandas DataFrame"):
        MultiLabelAggregator().fit([(1, "a", ["x"])])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("arrays", "counts", "message"),
    [
        (([0], [0], [True, False]), {}, "2-D"),
        (([], [], np.zeros((0, 2), dtype=bool)), {}, "empty"),
        (([0, 1], [0], [[True], [False]]), {}, "one entry per row"),
        (([0, 1], [0, 1], [[0.5], [1.0]]), {}, "booleans"),
        (([0, 1], [0, 1], [[np.nan], [1.0]]), {}, "no NaN"),
        (([0, 1], [0, 1], [["y"], ["n"]]), {}, "booleans"),
        (([0.0, 1.0], [0, 1], [[True], [False]]), {}, "integer codes"),
        (([0, -1], [0, 1], [[True], [False]]), {}, "item codes must lie in 0"),
        (([0, 1], [0, 3], [[True], [False]]), {"n_annotators": 2}, r"annotator codes must lie in 0 … 1"),
        (([0, 1], [0, 1], [[True], [False]]), {"n_items": 0}, "n_items must be at least 1"),
        (([0, 0], [1, 1], [[True], [False]]), {}, "annotator 1 answered item 0 in more than one row"),
    ],
)
def test_bad_codes_raise(arrays: tuple[object, ...], counts: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MultiLabelAggregator().fit_codes(*arrays, **counts)  # type: ignore[arg-type]


def test_unfitted_raises() -> None:
    with pytest.raises(ValueError, match="not fitted yet"):
        MultiLabelAggregator().predicted_labels()


def test_fit_does_not_change_hyperparameters_and_returns_self() -> None:
    agg = MultiLabelAggregator(method="dawid_skene", threshold=0.7)
    assert agg.fit(HAND) is agg
    assert (agg.method, agg.threshold) == ("dawid_skene", 0.7)


def test_doctests() -> None:
    assert doctest.testmod(multilabel, raise_on_error=False).failed == 0
