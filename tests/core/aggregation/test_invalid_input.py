from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from consenso.core.aggregation import (
    AGGREGATORS,
    MACE,
    Aggregator,
    DawidSkene,
    MajorityVote,
    WeightedMajorityVote,
)

ESTIMATORS: list[Aggregator] = [cls() for cls in AGGREGATORS.values()]


@pytest.mark.parametrize("estimator", ESTIMATORS)
@pytest.mark.parametrize(
    ("df", "message"),
    [
        (pd.DataFrame({"item": [1], "label": ["a"]}), "missing column"),
        (pd.DataFrame({"item": [], "annotator": [], "label": []}), "empty"),
        (
            pd.DataFrame({"item": [1, 2], "annotator": ["a", None], "label": ["x", "y"]}),
            "'annotator' holds missing",
        ),
        (
            pd.DataFrame({"item": [1, 2], "annotator": ["a", "b"], "label": ["x", np.nan]}),
            "'label' holds missing",
        ),
    ],
)
def test_bad_dataframes_raise(estimator: Aggregator, df: pd.DataFrame, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        estimator.fit(df)


def test_not_a_dataframe_raises() -> None:
    with pytest.raises(ValueError, match="must be a pandas DataFrame"):
        MajorityVote().fit([(1, "a", "x")])  # type: ignore[arg-type]


@pytest.mark.parametrize("estimator", ESTIMATORS)
@pytest.mark.parametrize(
    ("arrays", "counts", "message"),
    [
        (([0, 1], [0], [0, 1]), {}, "same length"),
        (([], [], []), {}, "empty"),
        (([0.0, 1.0], [0, 1], [0, 1]), {}, "integer codes"),
        (([[0, 1]], [[0, 1]], [[0, 1]]), {}, "1-D"),
        (([0, -1], [0, 1], [0, 1]), {}, r"item codes must lie in 0"),
        (([0, 1], [0, 1], [0, 3]), {"n_labels": 3}, r"label codes must lie in 0 … 2"),
        (([0, 1], [0, 1], [0, 1]), {"n_items": 0}, "n_items must be at least 1"),
        (([0, 1], [0, 1], [0, 1]), {"n_annotators": 2.5}, "n_annotators must be an integer"),
    ],
)
def test_bad_codes_raise(
    estimator: Aggregator, arrays: tuple[object, ...], counts: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        estimator.fit_codes(*arrays, **counts)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"tie_policy": "highest"}, "tie_policy must be one of"),
        ({"seed": "7"}, "seed must be an integer"),
    ],
)
def test_bad_majority_vote_hyperparameters_raise(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MajorityVote(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_iter": 0}, "n_iter must be an integer ≥ 1"),
        ({"n_iter": 2.0}, "n_iter must be an integer ≥ 1"),
        ({"tol": -1.0}, "tol must be a finite number ≥ 0"),
        ({"tol": float("nan")}, "tol must be a finite number ≥ 0"),
        ({"init": "random"}, "init must be one of"),
        ({"prior_strength": -0.1}, "prior_strength must be a finite number ≥ 0"),
        ({"prior_strength": True}, "prior_strength must be a finite number ≥ 0"),
        ({"prior_strength": float("nan")}, "prior_strength must be a finite number ≥ 0"),
        ({"prior": "dirichlet"}, "prior must be one of"),
        ({"n_jobs": 0}, "n_jobs must be an integer ≥ 1 or None"),
        ({"n_jobs": 1.5}, "n_jobs must be an integer ≥ 1 or None"),
    ],
)
def test_bad_dawid_skene_hyperparameters_raise(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DawidSkene(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_iter": 0}, "n_iter must be an integer ≥ 1"),
        ({"tol": float("inf")}, "tol must be a finite number ≥ 0"),
        ({"smoothing": -1}, "smoothing must be a finite number ≥ 0"),
        ({"smoothing": "0.1"}, "smoothing must be a finite number ≥ 0"),
    ],
)
def test_bad_mace_hyperparameters_raise(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MACE(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weights": [1.0, 2.0]}, "weights must be a mapping"),
        ({"weights": {"a": -1.0}}, "the weight of annotator 'a' must be a finite number ≥ 0"),
        ({"weights": {"a": float("nan")}}, "the weight of annotator 'a' must be"),
        ({"weighting": "accuracy"}, "weighting must be one of"),
        ({"default_weight": -0.5}, "default_weight must be a finite number ≥ 0"),
    ],
)
def test_bad_weighted_majority_vote_hyperparameters_raise(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        WeightedMajorityVote(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_predicting_before_fitting_raises(estimator: Aggregator) -> None:
    with pytest.raises(ValueError, match="not fitted yet"):
        estimator.predicted_labels()
