"""A project's QA settings: how many annotate each task, when a label is final, how gold is used.

Stored as JSON in ``project.qa`` (``{}`` means every default); :meth:`QaSettings.parse` validates what a
manager sends and :meth:`QaSettings.to_json` writes back only what differs from the defaults' shape (every
field, so that a reader sees the values in force). The overlap N itself stays ``project.overlap``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Final

from consenso.core.aggregation import AGGREGATORS
from consenso.core.errors import InvalidInput

#: The overlap of a gold task: every annotator of the project may answer it (its slots never run out).
GOLD_OVERLAP: Final = 1_000_000
#: CEFR levels, lowest first, then native command of the language.
LANGUAGE_LEVELS: Final = ("A1", "A2", "B1", "B2", "C1", "C2", "native")


@dataclass(frozen=True, slots=True)
class QaSettings:
    """Field by field (defaults in brackets):

    - ``method`` [``majority_vote``]: the aggregation method that proposes a task's final label (a key of
      ``AGGREGATORS``: ``majority_vote``, ``weighted_majority_vote``, ``dawid_skene``, ``mace``);
    - ``agreement_threshold`` [0.6]: a task is final when, for every measured control, the share of its
      annotations agreeing with the aggregate reaches this (see :mod:`consenso.core.qa.finalize`); 2 of 3
      agreeing is 0.67 and passes, three different answers (0.33) go to adjudication;
    - ``control_thresholds`` [{}]: the threshold of a named control, overriding ``agreement_threshold``;
    - ``min_confidence`` [0.5]: and the aggregate's posterior confidence of every control reaches this;
    - ``gold_rate`` [0.1]: the share of an annotator's tasks that are gold questions (while gold is left);
    - ``min_gold_accuracy`` [0.6]: an annotator is paused when the upper end of the 95 % Wilson interval of
      their gold accuracy falls below this (they are then very likely below it), once they answered
      ``min_gold_answers`` [3] gold questions;
    - ``gold_pass_score`` [0.8]: a gold answer counts as correct when its score reaches this (choices score 0
      or 1, spans their F1, ratings 1 within ``rating_tolerance`` [0] of the expected value);
    - ``show_annotator_names`` [false]: whether adjudicators see who gave each answer (blind by default);
    - ``min_language_level`` [``B2``]: the level a member needs in a task's language to be served it.
    """

    method: str = "majority_vote"
    agreement_threshold: float = 0.6
    control_thresholds: Mapping[str, float] = field(default_factory=dict)
    min_confidence: float = 0.5
    gold_rate: float = 0.1
    min_gold_accuracy: float = 0.6
    min_gold_answers: int = 3
    gold_pass_score: float = 0.8
    rating_tolerance: int = 0
    show_annotator_names: bool = False
    min_language_level: str = "B2"

    def threshold(self, control: str) -> float:
        """The agreement threshold of a control."""
        return self.control_thresholds.get(control, self.agreement_threshold)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["control_thresholds"] = dict(self.control_thresholds)
        return out

    @classmethod
    def parse(cls, raw: Mapping[str, Any] | None, base: QaSettings | None = None) -> QaSettings:
        """Settings from JSON: the given fields over ``base`` (default: every default). Raises
        ``InvalidInput`` (``qa_setting_invalid`` naming the field, ``qa_setting_unknown``) on bad input."""
        settings = base or cls()
        if not raw:
            return settings
        if not isinstance(raw, Mapping):
            raise InvalidInput("qa_setting_invalid", field="qa")
        changes: dict[str, Any] = {}
        for key, value in raw.items():
            parser = _PARSERS.get(key)
            if parser is None:
                raise InvalidInput("qa_setting_unknown", field=str(key)[:64])
            changes[key] = parser(key, value)
        return replace(settings, **changes)

    @classmethod
    def stored(cls, raw: Mapping[str, Any] | None) -> QaSettings:
        """Settings as stored in ``project.qa`` (validated when written; unknown keys of a later version are
        ignored rather than failing every read)."""
        known = {k: v for k, v in (raw or {}).items() if k in _PARSERS}
        return cls.parse(known)


def _fraction(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInput("qa_setting_invalid", field=key)
    if not 0.0 <= float(value) <= 1.0:
        raise InvalidInput("qa_setting_invalid", field=key)
    return float(value)


def _gold_rate(key: str, value: Any) -> float:
    rate = _fraction(key, value)
    if rate > 0.5:  # more gold than work would make annotators label gold all day
        raise InvalidInput("qa_setting_invalid", field=key)
    return rate


def _small_int(key: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput("qa_setting_invalid", field=key)
    return value


def _method(key: str, value: Any) -> str:
    if not isinstance(value, str) or value not in AGGREGATORS:
        raise InvalidInput(
            "unknown_aggregation_method", method=str(value)[:64], supported=", ".join(AGGREGATORS)
        )
    return value


def _thresholds(key: str, value: Any) -> dict[str, float]:
    if not isinstance(value, Mapping) or len(value) > 200:
        raise InvalidInput("qa_setting_invalid", field=key)
    out: dict[str, float] = {}
    for name, threshold in value.items():
        if not isinstance(name, str) or not 0 < len(name) <= 64:
            raise InvalidInput("qa_setting_invalid", field=key)
        out[name] = _fraction(f"{key}.{name}", threshold)
    return out


def _flag(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput("qa_setting_invalid", field=key)
    return value


def _level(key: str, value: Any) -> str:
    if value not in LANGUAGE_LEVELS:
        raise InvalidInput("qa_setting_invalid", field=key)
    return str(value)


_PARSERS: Final[dict[str, Any]] = {
    "method": _method,
    "agreement_threshold": _fraction,
    "control_thresholds": _thresholds,
    "min_confidence": _fraction,
    "gold_rate": _gold_rate,
    "min_gold_accuracy": _fraction,
    "min_gold_answers": lambda k, v: _small_int(k, v, 1, 1000),
    "gold_pass_score": _fraction,
    "rating_tolerance": lambda k, v: _small_int(k, v, 0, 1000),
    "show_annotator_names": _flag,
    "min_language_level": _level,
}
