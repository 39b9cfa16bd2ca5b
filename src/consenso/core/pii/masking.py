"""Masking: each detected span replaced according to its type's strategy.

| strategy | what replaces the value | example |
| --- | --- | --- |
| ``remove`` | nothing (the empty string) | ``Call .`` |
| ``tag`` | the type's tag in brackets | ``[EMAIL]``, ``[PHONE]``, ``[CARD]``, ``[IBAN]``, ``[SSN]``, ``[CEDULA]``, ``[NIT]`` |
| ``partial`` | the value with most characters as ``*``, separators kept (below) | ``411111******1111`` |
| ``pseudonym`` | ``TAG_n``, the same for the same value throughout one task | ``EMAIL_1``, ``PHONE_2`` |

``partial`` keeps exactly: e-mail, the domain (``***@ejemplo.es``); card, the first 6 and last 4 digits
(what PCI DSS 3.4.1 allows to display; a 13-digit PAN thus shows 10); phone, the last 4 digits
(``+** *** **5 678``: every other digit a ``*``; ``+``, spaces, hyphens and brackets kept); IBAN, the country
code and the last 4 characters; US SSN, the last 4 digits (``***-**-6789``); cédula and NIT, the last 3
digits. A pseudonym or tag that happens to be written literally in the task already is not told apart.

Pseudonyms compare values in a canonical form, so ``+34 612 345 678`` and ``612345678`` are one
``PHONE_1``, ``Ana@X.com`` and ``ana@x.com`` one ``EMAIL_1``, and a card with or without spaces one card.
Pass one :class:`Pseudonyms` through every field of a task (:func:`mask_data` does) and a new one per task.

Every replacement is free of anything a recognizer finds again, so masking masked text changes nothing.

>>> policy = PiiPolicy(entities={EntityType.EMAIL: Strategy.PSEUDONYM, EntityType.CARD: Strategy.PARTIAL})
>>> mask_text("ana@x.com paid with 4111 1111 1111 1111; write to ANA@x.com", policy).text
'EMAIL_1 paid with 4111 11** **** 1111; write to EMAIL_1'
>>> result = mask_data({"chat": [{"from": "ana@x.com", "text": "soy ana@x.com, tel 612 345 678"}]}, PiiPolicy())
>>> result.data
{'chat': [{'from': '[EMAIL]', 'text': 'soy [EMAIL], tel [PHONE]'}]}
>>> [f.to_json() for f in result.findings][1]
{'path': '/chat/0/text', 'type': 'email', 'start': 4, 'end': 13, 'strategy': 'tag'}
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

import phonenumbers

from consenso.core.pii.data import JsonPath, map_strings, pointer
from consenso.core.pii.detector import detect
from consenso.core.pii.entities import TAGS, Detection, EntityType
from consenso.core.pii.policy import PiiPolicy, Strategy
from consenso.core.pii.recognizers import PHONE_REGIONS
from consenso.core.pii.validators import digits_of

MASK: Final = "*"


# --- partial ---------------------------------------------------------------------------------------------


def _keep(value: str, first: int, last: int, *, letters: bool = False) -> str:
    """``value`` with its digits (and letters when ``letters``) masked but the first ``first`` and last
    ``last`` of them; every other character kept."""
    maskable = [
        i for i, ch in enumerate(value) if ch.isascii() and (ch.isdigit() or (letters and ch.isalpha()))
    ]
    shown = set(maskable[:first]) | set(maskable[len(maskable) - last :] if last else ())
    hidden = set(maskable) - shown
    return "".join(MASK if i in hidden else ch for i, ch in enumerate(value))


def _partial_email(value: str) -> str:
    _, _, domain = value.rpartition("@")
    return f"{MASK * 3}@{domain}"


_PARTIAL: Final[dict[EntityType, Callable[[str], str]]] = {
    EntityType.EMAIL: _partial_email,
    EntityType.CARD: lambda v: _keep(v, 6, 4),
    EntityType.PHONE: lambda v: _keep(v, 0, 4),
    EntityType.IBAN: lambda v: _keep(v, 2, 4, letters=True),
    EntityType.US_SSN: lambda v: _keep(v, 0, 4),
    EntityType.CO_CEDULA: lambda v: _keep(v, 0, 3),
    EntityType.CO_NIT: lambda v: _keep(v, 0, 3),
}


def partial(entity: EntityType, value: str) -> str:
    """The ``partial`` mask of ``value`` (see the module's table)."""
    return _PARTIAL[entity](value)


# --- pseudonyms ----------------------------------------------------------------------------------------


def canonical(entity: EntityType, value: str) -> str:
    """The form in which two spellings of one value compare equal (for pseudonyms)."""
    if entity is EntityType.EMAIL:
        return value.casefold()
    if entity is EntityType.IBAN:
        return "".join(ch for ch in value if ch.isalnum()).upper()
    if entity is EntityType.PHONE:
        for region in (None, *PHONE_REGIONS):
            try:
                number = phonenumbers.parse(value, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        return digits_of(value)
    if entity is EntityType.CO_NIT:
        return digits_of(value.split("-")[0])  # with or without its check digit
    return digits_of(value)


class Pseudonyms:
    """The pseudonyms of one task: the n-th distinct value of a type is ``TAG_n``, wherever it appears.

    >>> names = Pseudonyms()
    >>> names(EntityType.PHONE, "+34 612 345 678"), names(EntityType.PHONE, "612345678")
    ('PHONE_1', 'PHONE_1')
    >>> names(EntityType.EMAIL, "b@x.com"), names(EntityType.PHONE, "91 123 45 67")
    ('EMAIL_1', 'PHONE_2')
    """

    def __init__(self) -> None:
        self._names: dict[tuple[EntityType, str], str] = {}
        self._counts: dict[EntityType, int] = {}

    def __call__(self, entity: EntityType, value: str) -> str:
        key = (entity, canonical(entity, value))
        name = self._names.get(key)
        if name is None:
            self._counts[entity] = self._counts.get(entity, 0) + 1
            name = f"{TAGS[entity]}_{self._counts[entity]}"
            self._names[key] = name
        return name

    def __len__(self) -> int:
        return len(self._names)


# --- masking -------------------------------------------------------------------------------------------


def replacement(entity: EntityType, value: str, strategy: Strategy, pseudonyms: Pseudonyms) -> str:
    """What replaces ``value`` (of type ``entity``) under ``strategy``."""
    if strategy is Strategy.REMOVE:
        return ""
    if strategy is Strategy.TAG:
        return f"[{TAGS[entity]}]"
    if strategy is Strategy.PARTIAL:
        return partial(entity, value)
    return pseudonyms(entity, value)


class MaskedText(NamedTuple):
    text: str
    detections: list[Detection]


def mask_text(
    text: str, policy: PiiPolicy, *, pseudonyms: Pseudonyms | None = None, field: str = ""
) -> MaskedText:
    """``text`` with the policy's entities masked, and what was found (offsets in the original ``text``)."""
    if not policy.enabled or not policy.entities:
        return MaskedText(text, [])
    names = pseudonyms if pseudonyms is not None else Pseudonyms()
    detections = detect(text, policy.entities, field=field)
    pieces: list[str] = []
    position = 0
    for d in detections:
        pieces.append(text[position : d.start])
        pieces.append(replacement(d.entity, text[d.start : d.end], policy.entities[d.entity], names))
        position = d.end
    pieces.append(text[position:])
    return MaskedText("".join(pieces), detections)


@dataclass(frozen=True, slots=True)
class Finding:
    """An entity masked in a task's data: the field, the type, the offsets in the original string and the
    strategy applied. Never the value: findings are safe to log and to audit."""

    path: JsonPath
    start: int
    end: int
    entity: EntityType
    strategy: Strategy

    @property
    def pointer(self) -> str:
        return pointer(self.path)

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.pointer,
            "type": self.entity.value,
            "start": self.start,
            "end": self.end,
            "strategy": self.strategy.value,
        }


class MaskedData(NamedTuple):
    data: Any
    findings: list[Finding]


def mask_data(data: Any, policy: PiiPolicy, *, pseudonyms: Pseudonyms | None = None) -> MaskedData:
    """A task's ``data`` with every string (at any depth; integers of 6+ digits too) masked by ``policy``,
    and the findings in document order. Keys are left as they are; ``data`` itself is not modified.
    One :class:`Pseudonyms` serves the whole task, so a value has one pseudonym across its fields."""
    if not policy.enabled or not policy.entities:
        return MaskedData(data, [])
    names = pseudonyms if pseudonyms is not None else Pseudonyms()
    findings: list[Finding] = []

    def replace(path: JsonPath, field: str, text: str) -> str | None:
        masked, detections = mask_text(text, policy, pseudonyms=names, field=field)
        if not detections:
            return None
        findings.extend(
            Finding(path, d.start, d.end, d.entity, policy.entities[d.entity]) for d in detections
        )
        return masked

    return MaskedData(map_strings(data, replace), findings)
