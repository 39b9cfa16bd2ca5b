"""Detection: every recognizer over one string, overlaps resolved, the requested types kept.

All recognizers run even when a policy asks for fewer types, so that a number that is really a NIT or a
card is not reported as a phone because NITs or cards were not asked for: overlaps are settled first (higher
priority, then longer, then earlier wins), the filter by type comes after.

>>> detect("Escríbame a ana.lopez@ejemplo.es o al +34 612 345 678.")
[Detection(start=12, end=32, entity=<EntityType.EMAIL: 'email'>), Detection(start=38, end=53, entity=<EntityType.PHONE: 'phone'>)]
>>> detect("NIT 900.373.115-3", {EntityType.PHONE})  # a NIT, so no phone, and NITs were not asked for
[]
"""

from __future__ import annotations

from collections.abc import Iterable

from consenso.core.pii.entities import ALL_ENTITIES, Detection, EntityType
from consenso.core.pii.recognizers import RECOGNIZERS, Candidate


def detect(text: str, entities: Iterable[EntityType] | None = None, *, field: str = "") -> list[Detection]:
    """The entities of ``text`` (of the types in ``entities``, default all), in order of position.

    ``field`` is the name of the JSON key that holds ``text``, if any: it serves as a context word for the
    number that opens the string (a column ``cedula`` or ``ssn``)."""
    wanted = ALL_ENTITIES if entities is None else frozenset(entities)
    if not wanted or not text:
        return []
    candidates = [c for recognizer in RECOGNIZERS for c in recognizer(text, field)]
    return [Detection(c.start, c.end, c.entity) for c in resolve_overlaps(candidates) if c.entity in wanted]


def resolve_overlaps(candidates: list[Candidate]) -> list[Candidate]:
    """Non-overlapping candidates, sorted by start: higher priority first, then longer, then earlier."""
    ranked = sorted(candidates, key=lambda c: (-c.priority, c.start - c.end, c.start))
    kept: list[Candidate] = []
    for candidate in ranked:
        if all(candidate.end <= k.start or k.end <= candidate.start for k in kept):
            kept.append(candidate)
    return sorted(kept, key=lambda c: c.start)
