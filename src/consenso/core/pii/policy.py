"""A project's PII policy: whether detection is on, which entity types, and the masking strategy of each.

Stored as JSON (``to_json`` writes every field, so that a reader sees what is in force)::

    {"enabled": true,
     "entities": {"email": "tag", "phone": "tag", "card": "partial", "iban": "tag",
                  "us_ssn": "tag", "co_cedula": "tag", "co_nit": "tag"}}

- ``enabled`` [true]: detection and masking on. Card security codes and track data are refused at import
  whatever this says (:mod:`consenso.core.pii.forbidden`): PCI DSS forbids storing them at all.
- ``entities`` [every type, ``tag``; cards ``partial``]: the types to detect, each with its strategy
  (``remove``, ``tag``, ``partial``, ``pseudonym``); a type left out is not masked. Sending ``entities``
  replaces the whole mapping.

:meth:`PiiPolicy.parse` validates what a manager sends and raises ``InvalidInput`` with a message key of
``consenso.core.messages.pii`` naming what is wrong; nothing is half-applied.

>>> policy = PiiPolicy.parse({"entities": {"email": "pseudonym", "card": "partial"}})
>>> policy.to_json()
{'enabled': True, 'entities': {'email': 'pseudonym', 'card': 'partial'}}
>>> PiiPolicy.parse({"entities": {"email": "scramble"}})
Traceback (most recent call last):
...
consenso.core.errors.InvalidInput: 'scramble' is not a masking strategy for 'email'; use one of: remove, tag, partial, pseudonym.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Final

from consenso.core.errors import InvalidInput
from consenso.core.pii.entities import EntityType


class Strategy(StrEnum):
    """How a detected value is masked (see :mod:`consenso.core.pii.masking`)."""

    REMOVE = "remove"
    TAG = "tag"
    PARTIAL = "partial"
    PSEUDONYM = "pseudonym"


def default_entities() -> dict[EntityType, Strategy]:
    """Every type tagged, but cards shown as first 6 / last 4 (the truncation PCI DSS allows to display)."""
    return {e: (Strategy.PARTIAL if e is EntityType.CARD else Strategy.TAG) for e in EntityType}


_MAX_NAME: Final = 64  # how much of an unknown name an error message repeats
_ENTITY_NAMES: Final = frozenset(e.value for e in EntityType)
_STRATEGY_NAMES: Final = frozenset(s.value for s in Strategy)


@dataclass(frozen=True, slots=True)
class PiiPolicy:
    enabled: bool = True
    entities: Mapping[EntityType, Strategy] = field(default_factory=default_entities)

    def strategy(self, entity: EntityType) -> Strategy | None:
        """The strategy of ``entity``, or None when it is not masked (or detection is off)."""
        return self.entities.get(entity) if self.enabled else None

    def to_json(self) -> dict[str, Any]:
        return {"enabled": self.enabled, "entities": {e.value: s.value for e, s in self.entities.items()}}

    @classmethod
    def parse(cls, raw: Any, base: PiiPolicy | None = None) -> PiiPolicy:
        """A policy from JSON: the given fields over ``base`` (default: the defaults). Raises ``InvalidInput``
        (``pii_policy_invalid``, ``pii_policy_unknown``, ``pii_unknown_entity``, ``pii_unknown_strategy``)."""
        policy = base or cls()
        if raw is None:
            return policy
        if not isinstance(raw, Mapping):
            raise InvalidInput("pii_policy_invalid", field="pii")
        changes: dict[str, Any] = {}
        for key, value in raw.items():
            if key == "enabled":
                if not isinstance(value, bool):
                    raise InvalidInput("pii_policy_invalid", field="enabled")
                changes["enabled"] = value
            elif key == "entities":
                changes["entities"] = _entities(value)
            else:
                raise InvalidInput("pii_policy_unknown", field=str(key)[:_MAX_NAME])
        return replace(policy, **changes)


def _entities(value: Any) -> dict[EntityType, Strategy]:
    if not isinstance(value, Mapping):
        raise InvalidInput("pii_policy_invalid", field="entities")
    supported_entities = ", ".join(e.value for e in EntityType)
    supported_strategies = ", ".join(s.value for s in Strategy)
    out: dict[EntityType, Strategy] = {}
    for name, strategy in value.items():
        if not isinstance(name, str) or name not in _ENTITY_NAMES:
            raise InvalidInput(
                "pii_unknown_entity", entity=str(name)[:_MAX_NAME], supported=supported_entities
            )
        if not isinstance(strategy, str) or strategy not in _STRATEGY_NAMES:
            raise InvalidInput(
                "pii_unknown_strategy",
                entity=name,
                strategy=str(strategy)[:_MAX_NAME],
                supported=supported_strategies,
            )
        out[EntityType(name)] = Strategy(strategy)
    return out
