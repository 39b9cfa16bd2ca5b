"""The QA workflow's rules, as pure functions: settings, routing, gold scoring, gold serving and pausing,
and the finalization of a task (see each module). The services apply them inside transactions."""

from consenso.core.qa.finalize import (
    ControlDecision,
    Outcome,
    TaskDecision,
    agreement_with_result,
    decide_task,
)
from consenso.core.qa.gold import GoldScore, score_answer
from consenso.core.qa.policy import PauseDecision, decide_pause, serve_gold_now
from consenso.core.qa.routing import (
    Qualification,
    Requirements,
    Skills,
    parse_requirements,
    parse_skills,
    qualification,
    qualifies,
)
from consenso.core.qa.settings import GOLD_OVERLAP, LANGUAGE_LEVELS, QaSettings

__all__ = [
    "GOLD_OVERLAP",
    "LANGUAGE_LEVELS",
    "ControlDecision",
    "GoldScore",
    "Outcome",
    "PauseDecision",
    "QaSettings",
    "Qualification",
    "Requirements",
    "Skills",
    "TaskDecision",
    "agreement_with_result",
    "decide_pause",
    "decide_task",
    "parse_requirements",
    "parse_skills",
    "qualification",
    "qualifies",
    "score_answer",
    "serve_gold_now",
]
