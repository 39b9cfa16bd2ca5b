"""The pure QA rules behind gold: when a gold question is served (``serve_gold_now``), when gold answers pause
an annotator (``decide_pause``), how an answer is scored (``score_answer``) and the settings (``QaSettings``)."""

from __future__ import annotations

import math
import random
import statistics
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consenso.core.agreement import wilson_interval
from consenso.core.errors import InvalidInput
from consenso.core.qa import QaSettings, decide_pause, score_answer, serve_gold_now
from consenso.core.schema import LabelSchema

RATES = st.sampled_from([0.05, 0.1, 0.125, 0.2, 0.25, 1 / 3, 0.4, 0.5])


def _block_start(block: int, rate: float) -> int:
    return math.ceil(block / rate - 1e-9)


def _serve(n: int, rate: float, rng: random.Random) -> list[bool]:
    """An annotator answering ``n`` tasks with gold always at hand: which of them were gold."""
    served: list[bool] = []
    gold = 0
    for answered in range(n):
        now = serve_gold_now(answered, gold, rate, rng)
        served.append(now)
        gold += now
    return served


# --- serving ------------------------------------------------------------------------------------------


@given(rate=RATES, seed=st.integers(0, 2**32 - 1), n=st.integers(0, 300))
def test_every_block_of_one_over_rate_tasks_holds_exactly_one_gold_question(
    rate: float, seed: int, n: int
) -> None:
    served = _serve(n, rate, random.Random(seed))

    block = 0
    while _block_start(block + 1, rate) <= n:
        start, end = _block_start(block, rate), _block_start(block + 1, rate)
        assert sum(served[start:end]) == 1, (block, start, end)
        block += 1
    # and the unfinished last block holds at most one
    assert sum(served[_block_start(block, rate) :]) <= 1
    assert math.floor(n * rate + 1e-9) <= sum(served) <= math.floor(n * rate + 1e-9) + 1


@given(rate=RATES, answered=st.integers(0, 500), seed=st.integers(0, 1000))
def test_an_annotator_behind_gets_gold_at_once_and_one_ahead_none(
    rate: float, answered: int, seed: int
) -> None:
    due = math.floor(answered * rate + 1e-9)
    rng = random.Random(seed)

    if due > 0:
        assert serve_gold_now(answered, due - 1, rate, rng) is True  # a gold question was skipped or missing
    assert serve_gold_now(answered, due + 1, rate, rng) is False


@given(answered=st.integers(0, 500), gold=st.integers(0, 50))
def test_a_zero_rate_serves_no_gold(answered: int, gold: int) -> None:
    assert serve_gold_now(answered, gold, 0.0, random.Random(0)) is False


def test_the_place_of_gold_in_a_block_is_uniform() -> None:
    rng = random.Random(11)
    places = [_serve(10, 0.1, rng).index(True) for _ in range(3000)]
    counts = [places.count(i) for i in range(10)]

    assert all(230 <= c <= 370 for c in counts), counts  # 300 expected each


def test_gold_that_ran_out_is_caught_up_when_it_comes_back() -> None:
    rng = random.Random(3)
    # 25 tasks answered, no gold served (none was left): two gold questions are owed at a rate of 0.1
    assert serve_gold_now(25, 0, 0.1, rng) and serve_gold_now(26, 1, 0.1, rng)
    assert not serve_gold_now(27, 3, 0.1, rng)


# --- pausing ------------------------------------------------------------------------------------------

ACCURACIES = st.floats(0.05, 1.0)


@given(answers=st.integers(0, 60), data=st.data(), min_accuracy=ACCURACIES, min_answers=st.integers(1, 20))
def test_a_pause_needs_min_answers_and_an_upper_bound_below_the_bar(
    answers: int, data: Any, min_accuracy: float, min_answers: int
) -> None:
    correct = data.draw(st.integers(0, answers))

    d = decide_pause(answers, correct, min_accuracy=min_accuracy, min_answers=min_answers)

    if answers == 0:
        assert (d.pause, d.accuracy, d.upper_bound) == (False, None, None)
        return
    _, high = wilson_interval(correct, answers, 0.95)
    assert d.accuracy == pytest.approx(correct / answers)
    assert d.upper_bound == pytest.approx(high)
    assert (d.answers, d.correct) == (answers, correct)
    assert d.pause == (answers >= min_answers and high < min_accuracy)
    if answers < min_answers or correct == answers:
        assert not d.pause


@given(answers=st.integers(1, 60), data=st.data(), min_accuracy=ACCURACIES)
def test_fewer_correct_answers_never_pause_less(answers: int, data: Any, min_accuracy: float) -> None:
    correct = data.draw(st.integers(1, answers))

    more = decide_pause(answers, correct, min_accuracy=min_accuracy, min_answers=1)
    fewer = decide_pause(answers, correct - 1, min_accuracy=min_accuracy, min_answers=1)

    assert fewer.pause or not more.pause


def test_always_wrong_is_paused_at_the_minimum_and_a_random_clicker_soon_after() -> None:
    assert [decide_pause(n, 0, min_accuracy=0.6, min_answers=3).pause for n in (1, 2, 3)] == [
        False,
        False,
        True,
    ]
    # clicking at random among three labels (accuracy 1/3): paused after how many gold questions?
    needed = []
    for seed in range(300):
        rng, n, correct = random.Random(seed), 0, 0
        while not decide_pause(n, correct, min_accuracy=0.6, min_answers=3).pause:
            n += 1
            correct += rng.random() < 1 / 3
        needed.append(n)
    assert 3 <= statistics.median(needed) <= 15
    assert sorted(needed)[int(0.9 * len(needed))] <= 40


def test_an_annotator_at_the_bar_is_rarely_paused() -> None:
    paused = 0
    for seed in range(300):
        rng = random.Random(seed)
        correct = sum(rng.random() < 0.8 for _ in range(30))
        paused += decide_pause(30, correct, min_accuracy=0.6, min_answers=3).pause
    assert paused <= 3  # an 80 % annotator against a 60 % bar


# --- scoring ------------------------------------------------------------------------------------------

SCHEMA = LabelSchema.parse(
    {
        "controls": [
            {"name": "s", "type": "choice", "field": "text", "labels": [{"value": v} for v in "abc"]},
            {"name": "r", "type": "rating", "field": "text", "min": 1, "max": 5},
            {"name": "m", "type": "multi_choice", "field": "text", "labels": [{"value": v} for v in "xyz"]},
            {"name": "e", "type": "spans", "field": "text", "labels": [{"value": "PER"}, {"value": "ORG"}]},
            {"name": "t", "type": "text", "field": "text", "required": False},
        ]
    }
)
TEXT = "Ana Lopez works at Acme Inc in Bogota"

SPANS = st.lists(
    st.tuples(st.integers(0, len(TEXT) - 1), st.integers(1, 6), st.sampled_from(["PER", "ORG"])), max_size=3
).map(
    lambda items: sorted(
        {(s, min(s + w, len(TEXT)), label) for s, w, label in items}, key=lambda x: (x[0], x[1], x[2])
    )
)
RESULTS = st.fixed_dictionaries(
    {
        "s": st.sampled_from("abc"),
        "r": st.integers(1, 5),
        "m": st.sets(st.sampled_from("xyz")).map(sorted),
        "e": SPANS.map(lambda spans: [{"start": s, "end": e, "label": label} for s, e, label in spans]),
        "t": st.text(max_size=10),
    }
)


@settings(max_examples=150)
@given(expected=RESULTS, answer=RESULTS, tolerance=st.integers(0, 4))
def test_scores_are_within_zero_and_one_and_an_exact_answer_scores_one(
    expected: dict[str, Any], answer: dict[str, Any], tolerance: int
) -> None:
    got = score_answer(SCHEMA, expected, answer, rating_tolerance=tolerance)
    perfect = score_answer(SCHEMA, expected, expected, rating_tolerance=tolerance)

    assert got.score is not None and 0.0 <= got.score <= 1.0
    assert set(got.controls) == {"s", "r", "m", "e"}  # free text is not scored
    assert got.score == pytest.approx(sum(got.controls.values()) / 4)
    assert got.controls["s"] == (1.0 if answer["s"] == expected["s"] else 0.0)
    assert got.controls["r"] == (1.0 if abs(answer["r"] - expected["r"]) <= tolerance else 0.0)
    assert got.controls["m"] == (1.0 if set(answer["m"]) == set(expected["m"]) else 0.0)
    assert perfect.score == 1.0


def test_scores_worked_by_hand() -> None:
    per = {"start": 0, "end": 3, "label": "PER"}
    org = {"start": 19, "end": 23, "label": "ORG"}
    expected = {"s": "a", "r": 4, "m": ["x", "y"], "e": [per, org], "t": "anything"}

    got = score_answer(SCHEMA, expected, {"s": "a", "r": 5, "m": ["x"], "e": [per], "t": "else"})

    # choice right (1), rating off by one (0), label set differs (0), one of two spans (F1 = 2/3)
    assert dict(got.controls) == pytest.approx({"s": 1.0, "r": 0.0, "m": 0.0, "e": 2 / 3})
    assert got.score == pytest.approx((1 + 2 / 3) / 4)
    assert score_answer(SCHEMA, expected, {"s": "a", "r": 5}, rating_tolerance=1).controls == pytest.approx(
        {"s": 1.0, "r": 1.0, "m": 0.0, "e": 0.0}  # controls left out score 0
    )
    assert score_answer(SCHEMA, {"e": []}, {"e": []}).score == 1.0  # "no span" agreed
    assert score_answer(SCHEMA, {"t": "free text"}, {"t": "free text"}).score is None  # nothing scorable
    assert score_answer(SCHEMA, {"s": "a"}, {"s": "b", "r": 3}).controls == {
        "s": 0.0
    }  # only expected controls


# --- settings -----------------------------------------------------------------------------------------

FRACTIONS = st.floats(0.0, 1.0, allow_nan=False)
CHANGES = st.fixed_dictionaries(
    {},
    optional={
        "method": st.sampled_from(["majority_vote", "weighted_majority_vote", "dawid_skene", "mace"]),
        "agreement_threshold": FRACTIONS,
        "control_thresholds": st.dictionaries(st.text(min_size=1, max_size=8), FRACTIONS, max_size=3),
        "min_confidence": FRACTIONS,
        "gold_rate": st.floats(0.0, 0.5),
        "min_gold_accuracy": FRACTIONS,
        "min_gold_answers": st.integers(1, 1000),
        "gold_pass_score": FRACTIONS,
        "rating_tolerance": st.integers(0, 1000),
        "show_annotator_names": st.booleans(),
        "min_language_level": st.sampled_from(["A1", "A2", "B1", "B2", "C1", "C2", "native"]),
    },
)


@given(first=CHANGES, second=CHANGES)
def test_settings_round_trip_and_partial_changes_keep_the_rest(
    first: dict[str, Any], second: dict[str, Any]
) -> None:
    base = QaSettings.parse(first)
    changed = QaSettings.parse(second, base=base)

    assert QaSettings.stored(base.to_json()) == base
    assert QaSettings.stored(changed.to_json()) == changed
    for key, value in changed.to_json().items():
        assert value == (second[key] if key in second else base.to_json()[key]), key


def test_stored_settings_ignore_keys_of_a_later_version() -> None:
    assert QaSettings.stored({"gold_rate": 0.2, "future_setting": 1}) == QaSettings(gold_rate=0.2)
    assert QaSettings.stored({}) == QaSettings.stored(None) == QaSettings()


@pytest.mark.parametrize(
    ("raw", "code", "field"),
    [
        ({"gold_rate": 0.51}, "qa_setting_invalid", "gold_rate"),
        ({"gold_rate": float("nan")}, "qa_setting_invalid", "gold_rate"),
        ({"min_gold_accuracy": 1.01}, "qa_setting_invalid", "min_gold_accuracy"),
        ({"agreement_threshold": "0.5"}, "qa_setting_invalid", "agreement_threshold"),
        ({"min_confidence": True}, "qa_setting_invalid", "min_confidence"),
        ({"min_gold_answers": 0}, "qa_setting_invalid", "min_gold_answers"),
        ({"min_gold_answers": 2.0}, "qa_setting_invalid", "min_gold_answers"),
        ({"rating_tolerance": -1}, "qa_setting_invalid", "rating_tolerance"),
        ({"show_annotator_names": 1}, "qa_setting_invalid", "show_annotator_names"),
        ({"min_language_level": "b2"}, "qa_setting_invalid", "min_language_level"),
        ({"control_thresholds": {"s": -0.1}}, "qa_setting_invalid", "control_thresholds.s"),
        ({"control_thresholds": [0.5]}, "qa_setting_invalid", "control_thresholds"),
        ({"golden": 0.1}, "qa_setting_unknown", "golden"),
    ],
)
def test_bad_settings_name_their_field(raw: dict[str, Any], code: str, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        QaSettings.parse(raw)

    assert caught.value.message_key == code
    assert caught.value.params["field"] == field


def test_an_unknown_method_lists_the_supported_ones() -> None:
    with pytest.raises(InvalidInput) as caught:
        QaSettings.parse({"method": "coin_flip"})

    assert caught.value.message_key == "unknown_aggregation_method"
    assert "dawid_skene" in caught.value.params["supported"]
