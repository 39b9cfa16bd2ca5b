"""When to serve a gold question, and when gold answers pause an annotator (pure functions).

**Serving.** After an annotator has answered ``answered`` tasks of a project, ``gold`` of them gold, each
block of ``1 / gold_rate`` of their tasks holds one gold question at a random place (see
:func:`serve_gold_now`): gold arrives at the configured rate, from the first ``⌈1 / rate⌉`` tasks on, at
places nobody can predict.

**Pausing.** With ``n`` gold answers since the annotator was last resumed, ``c`` of them correct, the
annotator is paused when ``n ≥ min_gold_answers`` and the *upper* bound of the 95 % Wilson interval of
``c / n`` is below ``min_gold_accuracy``: they are paused only when the evidence says they are below the
bar, not on one unlucky answer. Someone who answers every gold question wrong is paused at
``min_gold_answers`` (3 by default: the Wilson upper bound of 0/3 is 0.56); a random clicker on a
three-label task (accuracy 1/3), at the default bar of 0.6, after a median of 8 gold questions (90 % within
27; ``tests/core/test_qa_policy.py`` measures it).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from consenso.core.agreement import wilson_interval

#: The coverage of the interval behind a pause.
PAUSE_CONFIDENCE = 0.95


def serve_gold_now(answered: int, gold: int, rate: float, rng: random.Random) -> bool:
    """Whether the next task should be a gold question (see the module docstring).

    The annotator's tasks fall in blocks of ``1 / rate`` (block ``b`` runs from ``⌈b / rate⌉`` to
    ``⌈(b + 1) / rate⌉``); each block holds one gold question at a uniformly random place: while the
    block's gold question is still due, it comes now with probability ``1 / tasks left in the block``. An
    annotator behind (a gold question skipped) gets one at once; one ahead gets none.

    Example:
        >>> rng = random.Random(7)
        >>> served, gold = [], 0
        >>> for answered in range(40):
        ...     now = serve_gold_now(answered, gold, 0.1, rng)
        ...     served.append(now)
        ...     gold += now
        >>> gold, [sum(served[b * 10:(b + 1) * 10]) for b in range(4)]  # one in every ten, anywhere
        (4, [1, 1, 1, 1])
    """
    if rate <= 0:
        return False
    block = math.floor(answered * rate + 1e-9)
    if gold < block:
        return True
    if gold > block:
        return False
    end = math.ceil((block + 1) / rate - 1e-9)
    left = max(1, end - answered)
    return rng.random() < 1.0 / left


@dataclass(frozen=True, slots=True)
class PauseDecision:
    pause: bool
    answers: int
    correct: int
    accuracy: float | None
    upper_bound: float | None


def decide_pause(answers: int, correct: int, *, min_accuracy: float, min_answers: int) -> PauseDecision:
    """Whether ``correct`` correct gold answers out of ``answers`` pause the annotator.

    Example:
        >>> decide_pause(3, 0, min_accuracy=0.6, min_answers=3).pause
        True
        >>> decide_pause(2, 0, min_accuracy=0.6, min_answers=3).pause  # too early to judge
        False
        >>> d = decide_pause(10, 5, min_accuracy=0.6, min_answers=3)
        >>> d.pause, round(d.upper_bound, 3)  # 50 % on 10 questions: may still be 60 %
        (False, 0.763)
    """
    if answers <= 0:
        return PauseDecision(False, 0, 0, None, None)
    _, upper = wilson_interval(correct, answers, PAUSE_CONFIDENCE)
    pause = answers >= min_answers and upper < min_accuracy
    return PauseDecision(pause, answers, correct, correct / answers, upper)
