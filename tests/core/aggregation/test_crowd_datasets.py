"""Accuracy against ground truth on real crowdsourced sets, compared with crowd-kit 1.4.2.

The crowd-kit figures are those of ``shared/data/README.md`` (measured on the same machine and data).
"""

from __future__ import annotations

import pytest

from consenso.core.aggregation import MACE, DawidSkene, MajorityVote, WeightedMajorityVote

from .conftest import accuracy, load_crowd_set

# set: (crowd-kit MajorityVote, crowd-kit DawidSkene)
CROWD_KIT = {
    "bluebirds": (0.7593, 0.8889),
    "snow_rte": (0.8750, 0.9275),
    "snow_temp": (0.9329, 0.9416),
    "sp": (0.8822, 0.9152),
    "s5_adult": (0.7658, 0.7658),
    "cf": (0.8800, 0.8300),
}

# Our accuracy, pinned to 4 decimals so that any change in behaviour shows up:
# (MV, DS default (crowd prior, strength 10), DS maximum likelihood (prior_strength=0))
OURS = {
    "bluebirds": (0.7593, 0.8889, 0.8981),
    "snow_rte": (0.9187, 0.9237, 0.9275),
    "snow_temp": (0.9394, 0.9416, 0.9416),
    "sp": (0.8896, 0.9144, 0.9152),
    "s5_adult": (0.7628, 0.7688, 0.7628),
    "cf": (0.9000, 0.8833, 0.7867),
}
SETS = list(CROWD_KIT)


@pytest.mark.parametrize("name", SETS)
def test_dawid_skene_is_within_half_a_point_of_crowd_kit_or_better(name: str) -> None:
    answers, truth = load_crowd_set(name)
    ours = accuracy(DawidSkene().fit_predict(answers), truth)
    assert ours == pytest.approx(OURS[name][1], abs=5e-5)
    assert ours >= CROWD_KIT[name][1] - 0.005


@pytest.mark.parametrize("name", SETS)
def test_maximum_likelihood_dawid_skene_matches_the_pinned_accuracy(name: str) -> None:
    # prior_strength=0 is crowd-kit's update run to convergence; crowd-kit itself stops after 2-5 steps
    # on bluebirds, s5_adult and cf, which is why it scores 0.830 on cf where this scores 0.787.
    answers, truth = load_crowd_set(name)
    ours = accuracy(DawidSkene(prior_strength=0.0).fit_predict(answers), truth)
    assert ours == pytest.approx(OURS[name][2], abs=5e-5)


@pytest.mark.parametrize("name", SETS)
def test_majority_vote_is_within_two_points_of_crowd_kit_or_better(name: str) -> None:
    # On snow_rte (10 binary votes per item, many 5-5 ties) "lowest" is 4.4 points above crowd-kit's
    # tie order; elsewhere the two are within 2 points either way.
    answers, truth = load_crowd_set(name)
    ours = accuracy(MajorityVote().fit_predict(answers), truth)
    assert ours == pytest.approx(OURS[name][0], abs=5e-5)
    assert ours >= CROWD_KIT[name][0] - 0.02


# set: (crowd-kit Wawa, crowd-kit MACE), from shared/data/README.md
CROWD_KIT_MORE = {
    "bluebirds": (0.7593, 0.7500),
    "snow_rte": (0.9187, 0.9275),
    "snow_temp": (0.9459, 0.9394),
    "sp": (0.8948, 0.9148),
    "s5_adult": (0.7688, 0.7628),
    "cf": (0.8800, 0.8900),
}

# ours: (weighted MV "agreement" = Wawa, weighted MV "log_odds", MACE), pinned to 4 decimals
OURS_MORE = {
    "bluebirds": (0.7593, 0.7870, 0.8981),
    "snow_rte": (0.9213, 0.9237, 0.9275),
    "snow_temp": (0.9437, 0.9437, 0.9416),
    "sp": (0.8950, 0.9090, 0.9146),
    "s5_adult": (0.7658, 0.7658, 0.7928),
    "cf": (0.8933, 0.8933, 0.8833),
}


@pytest.mark.parametrize("name", SETS)
def test_weighted_majority_vote_and_mace_match_the_pinned_accuracy(name: str) -> None:
    answers, truth = load_crowd_set(name)
    agreement = accuracy(WeightedMajorityVote().fit_predict(answers), truth)
    log_odds = accuracy(WeightedMajorityVote(weighting="log_odds").fit_predict(answers), truth)
    mace = accuracy(MACE().fit_predict(answers), truth)
    assert (agreement, log_odds, mace) == pytest.approx(OURS_MORE[name], abs=5e-5)
    # Wawa is a one-step method: ours differs from crowd-kit's only in how the plain vote breaks ties
    assert agreement >= CROWD_KIT_MORE[name][0] - 0.005
    # MACE: within a point of crowd-kit's (random restarts, variational M step) or well above it
    assert mace >= CROWD_KIT_MORE[name][1] - 0.01
