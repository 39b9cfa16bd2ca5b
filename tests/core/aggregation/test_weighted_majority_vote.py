from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from consenso.core.aggregation import MajorityVote, WeightedMajorityVote


def frame(rows: list[tuple[object, object, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["item", "annotator", "label"])


EXPERT_OUTVOTED = frame(
    [(1, "expert", "tumour"), (1, "x", "clear"), (1, "y", "clear"), (2, "expert", "clear"), (2, "x", "clear")]
)


def test_given_weights_let_an_expert_outvote_two_annotators() -> None:
    wmv = WeightedMajorityVote(weights={"expert": 3.0}).fit(EXPERT_OUTVOTED)
    assert wmv.predicted_labels().to_dict() == {1: "tumour", 2: "clear"}
    np.testing.assert_allclose(wmv.weights_, [3.0, 1.0, 1.0])
    # item 1: tumour 3, clear 1 + 1
    np.testing.assert_allclose(wmv.predicted_probas().loc[1].to_numpy(), [2 / 5, 3 / 5])


def test_missing_annotators_get_the_default_weight() -> None:
    wmv = WeightedMajorityVote(weights={"expert": 1.5}, default_weight=0.5).fit(EXPERT_OUTVOTED)
    np.testing.assert_allclose(wmv.weights_, [1.5, 0.5, 0.5])
    assert wmv.predicted_labels()[1] == "tumour"


def test_weights_are_keyed_by_code_on_the_fast_path() -> None:
    wmv = WeightedMajorityVote(weights={0: 3.0}).fit_codes([0, 0, 0], [0, 1, 2], [1, 0, 0])
    assert wmv.labels_.tolist() == [1]


def test_learnt_agreement_weights_are_each_annotators_agreement_with_the_plain_vote() -> None:
    rows = [(i, a, "p") for i in range(4) for a in ("a", "b")]
    rows += [(i, "c", "p" if i < 2 else "n") for i in range(4)]
    df = frame(rows)
    wmv = WeightedMajorityVote().fit(df)
    np.testing.assert_allclose(wmv.weights_, [1.0, 1.0, 0.5])


def test_log_odds_weights_follow_the_one_coin_formula_and_drop_annotators_at_chance() -> None:
    # Agreement with the plain vote (always "p"): a 1.0, b 0.75, c 0.5 (chance for two labels), d and e 1.0.
    rows = [(i, "a", "p") for i in range(4)]
    rows += [(i, "b", "p" if i < 3 else "n") for i in range(4)]
    rows += [(i, "c", "p" if i < 2 else "n") for i in range(4)]
    rows += [(i, a, "p") for i in range(4) for a in ("d", "e")]
    wmv = WeightedMajorityVote(weighting="log_odds").fit(frame(rows))
    perfect = np.log(0.999 / 0.001)  # agreement 1 is clipped to 0.999
    expected = [perfect, np.log(0.75 / 0.25), 0.0, perfect, perfect]
    np.testing.assert_allclose(wmv.weights_, expected)


def test_equal_weights_give_the_plain_majority_vote() -> None:
    rng = np.random.default_rng(3)
    df = frame([(i, a, str(rng.integers(0, 3))) for i in range(50) for a in range(5)])
    weights = dict.fromkeys(range(5), 2.0)
    assert WeightedMajorityVote(weights=weights).fit_predict(df).equals(MajorityVote().fit_predict(df))


def test_zero_weight_everywhere_gives_uniform_shares() -> None:
    wmv = WeightedMajorityVote(weights={}, default_weight=0.0).fit(EXPERT_OUTVOTED)
    np.testing.assert_allclose(wmv.probas_, 0.5)


@pytest.mark.parametrize("weighting", ["agreement", "log_odds"])
def test_learnt_weights_beat_the_plain_vote_when_some_annotators_are_noise(weighting: str) -> None:
    rng = np.random.default_rng(11)
    truth = rng.integers(0, 4, 300)
    rows = []
    for i, t in enumerate(truth):
        rows.extend(
            (i, f"good{n}", int(t) if rng.random() < 0.85 else int(rng.integers(0, 4))) for n in range(3)
        )
        rows.extend((i, f"noise{n}", int(rng.integers(0, 4))) for n in range(4))
    df = frame(rows)
    plain = float((MajorityVote().fit_predict(df).to_numpy() == truth).mean())
    weighted = float((WeightedMajorityVote(weighting=weighting).fit_predict(df).to_numpy() == truth).mean())  # type: ignore[arg-type]
    assert weighted > plain + 0.03
