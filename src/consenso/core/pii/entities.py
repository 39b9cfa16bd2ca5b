"""What the PII detector finds: the entity types, their tags, and one detection (type + offsets, no value).

Offsets are Python string indices: Unicode code points, ``[start, end)``, the same convention as the span
labels of :mod:`consenso.core.schema` (an ``é`` or an emoji counts one).

A :class:`Detection` never carries the text it covers, so that a detection can be logged, stored or sent
to an audit trail without leaking the value it points at.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class EntityType(StrEnum):
    """A kind of personal or payment data the detector recognises (the value is its stable JSON name)."""

    EMAIL = "email"
    PHONE = "phone"
    CARD = "card"
    IBAN = "iban"
    US_SSN = "us_ssn"
    CO_CEDULA = "co_cedula"
    CO_NIT = "co_nit"


#: The word a type is masked with: ``[EMAIL]`` by the ``tag`` strategy, ``EMAIL_1`` by ``pseudonym``.
TAGS: Final[dict[EntityType, str]] = {
    EntityType.EMAIL: "EMAIL",
    EntityType.PHONE: "PHONE",
    EntityType.CARD: "CARD",
    EntityType.IBAN: "IBAN",
    EntityType.US_SSN: "SSN",
    EntityType.CO_CEDULA: "CEDULA",
    EntityType.CO_NIT: "NIT",
}

ALL_ENTITIES: Final[frozenset[EntityType]] = frozenset(EntityType)


@dataclass(frozen=True, slots=True, order=True)
class Detection:
    """One entity found in one string: ``text[start:end]`` is of type ``entity``."""

    start: int
    end: int
    entity: EntityType

    def to_json(self) -> dict[str, object]:
        return {"type": self.entity.value, "start": self.start, "end": self.end}
