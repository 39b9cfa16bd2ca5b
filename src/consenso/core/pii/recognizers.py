"""One recognizer per entity type: a pattern finds candidates, a validator or a context word confirms them.

| type | candidates | confirmed by |
| --- | --- | --- |
| ``email`` | ``local@domain.tld``, Unicode letters allowed | the shape alone |
| ``phone`` | libphonenumber's matcher, national formats of US, ES and CO and any ``+``/``00`` international | a number valid in its numbering plan, not labelled as an order, case, account ... |
| ``card`` | 13-19 digits, whole or grouped by one space or hyphen as cards are printed (4-4-4-4[-3], 4-6-5, 4-6-4) | an issuer range of its length and the Luhn check |
| ``iban`` | country code, check digits, up to 30 letters/digits, whole or in groups | the country's length and structure, mod 97-10 |
| ``us_ssn`` | ``AAA-GG-SSSS``; ``AAA GG SSSS`` or 9 bare digits | issuable ranges; the last two forms also need a context word |
| ``co_nit`` | 6-10 digits (thousands dots allowed), optional ``-D`` | with ``-D``: the check digit, plus the word NIT or the dotted ``ddd.ddd.ddd-d`` form; without: the word NIT |
| ``co_cedula`` | 6-10 digits (thousands dots allowed) | a context word (cédula, C.C., documento de identidad ...) and plausibility |

Each recognizer yields :class:`Candidate` objects with a priority; :func:`consenso.core.pii.detect` keeps
the higher-priority one where candidates overlap (a NIT is not also a phone; an e-mail's digits are not).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Final

import phonenumbers

from consenso.core.pii import context
from consenso.core.pii.entities import EntityType
from consenso.core.pii.validators import (
    digits_of,
    is_card_number,
    is_co_cedula,
    is_co_nit,
    is_iban,
    is_us_ssn,
)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A confirmed finding before overlaps are resolved."""

    start: int
    end: int
    entity: EntityType
    priority: int


#: ``(text, field) -> candidates``; ``field`` is the JSON key holding the text ("" when none).
Recognizer = Callable[[str, str], Iterator[Candidate]]

# Who wins an overlap: a checksum or a structure beats a context word, which beats a phone's shape.
PRIORITY: Final[dict[EntityType, int]] = {
    EntityType.EMAIL: 100,
    EntityType.CARD: 90,
    EntityType.IBAN: 90,
    EntityType.US_SSN: 80,
    EntityType.CO_NIT: 75,
    EntityType.CO_CEDULA: 60,
    EntityType.PHONE: 50,
}

# --- e-mail --------------------------------------------------------------------------------------------

# Linear-time shape: the domain's labels are split by dots that its character class excludes.
_EMAIL = re.compile(r"(?<![\w.%+\-])\w[\w.%+\-]*@\w[\w\-]*(?:\.[\w\-]+)*\.[^\W\d_]{2,}(?![\w\-])")


def emails(text: str, field: str = "") -> Iterator[Candidate]:
    if "@" not in text:
        return
    for match in _EMAIL.finditer(text):
        yield Candidate(match.start(), match.end(), EntityType.EMAIL, PRIORITY[EntityType.EMAIL])


# --- payment cards -------------------------------------------------------------------------------------

# A run of digit groups joined by single spaces or hyphens; "%B" opens track 1 data, whose PAN counts too.
_DIGIT_RUN = re.compile(r"(?:(?<![0-9A-Za-z])|(?<=%B))[0-9]+(?:[ \-][0-9]+)*(?![0-9A-Za-z])")
_GROUP = re.compile(r"[0-9]+")
_MAX_CARD_GROUPS: Final = 5


def _card_grouping(lengths: list[int]) -> bool:
    """Groups as cards are printed: one block, 4-6-5 (Amex), 4-6-4 (Diners), or fours with a shorter tail."""
    if len(lengths) == 1 or lengths in ([4, 6, 5], [4, 6, 4]):
        return True
    return all(n == 4 for n in lengths[:-1]) and 1 <= lengths[-1] <= 4


def cards(text: str, field: str = "") -> Iterator[Candidate]:
    for run in _DIGIT_RUN.finditer(text):
        groups = [(g.start() + run.start(), g.end() + run.start()) for g in _GROUP.finditer(run.group())]
        i = 0
        while i < len(groups):
            best: int | None = None
            for j in range(i, min(i + _MAX_CARD_GROUPS, len(groups))):
                lengths = [end - start for start, end in groups[i : j + 1]]
                if sum(lengths) > 19:
                    break
                if (
                    sum(lengths) >= 13
                    and _card_grouping(lengths)
                    and is_card_number(text[groups[i][0] : groups[j][1]])
                ):
                    best = j  # keep looking: the longest valid grouping wins
            if best is None or _inside_longer_grouping(groups, i, best):
                i += 1
                continue
            yield Candidate(groups[i][0], groups[best][1], EntityType.CARD, PRIORITY[EntityType.CARD])
            i = best + 1


def _inside_longer_grouping(groups: list[tuple[int, int]], first: int, last: int) -> bool:
    """Fours go on before or after the candidate in the same run ("9400 5530 6412 0000 5170 24", a parcel
    tracking number): the candidate is a piece of a longer number, not a card."""
    if last == first:
        return False
    before = first > 0 and groups[first - 1][1] - groups[first - 1][0] == 4
    after = last + 1 < len(groups) and groups[last + 1][1] - groups[last + 1][0] == 4
    return before or after


# --- IBAN ----------------------------------------------------------------------------------------------

_IBAN_START = re.compile(r"(?<![0-9A-Za-z])[A-Za-z]{2}[0-9]{2}[ ]?[0-9A-Za-z]")


def ibans(text: str, field: str = "") -> Iterator[Candidate]:
    position = 0
    while True:
        anchor = _IBAN_START.search(text, position)
        if anchor is None:
            return
        start = anchor.start()
        # every end at a word boundary up to 34 letters and digits, longest first
        ends: list[int] = []
        count, k = 0, start
        while k < len(text) and count < 34:
            ch = text[k]
            if ch.isascii() and ch.isalnum():
                count += 1
                k += 1
                if count >= 15 and (k == len(text) or not (text[k].isascii() and text[k].isalnum())):
                    ends.append(k)
            elif ch == " " and k + 1 < len(text) and text[k + 1].isascii() and text[k + 1].isalnum():
                k += 1
            else:
                break
        found = next((end for end in reversed(ends) if is_iban(text[start:end])), None)
        if found is not None:
            yield Candidate(start, found, EntityType.IBAN, PRIORITY[EntityType.IBAN])
            position = found
        else:
            position = anchor.start() + 1


# --- US SSN --------------------------------------------------------------------------------------------

_SSN = re.compile(r"(?<![0-9\-])(?<![0-9] )[0-9]{3}([- ]?)[0-9]{2}\1[0-9]{4}(?![0-9\-])(?! [0-9])")


def us_ssns(text: str, field: str = "") -> Iterator[Candidate]:
    for match in _SSN.finditer(text):
        if not is_us_ssn(match.group()):
            continue
        if match.group(1) == "-" or context.labelled(context.SSN, text, match.start(), field):
            yield Candidate(match.start(), match.end(), EntityType.US_SSN, PRIORITY[EntityType.US_SSN])


# --- Colombian NIT and cédula --------------------------------------------------------------------------

_CO_NUMBER = re.compile(
    r"(?<![0-9.,])(?P<base>[0-9]{1,3}(?:\.[0-9]{3}){1,3}|[0-9]{6,10})"
    r"(?:[ ]?-[ ]?(?P<dv>[0-9]))?(?![0-9]|[.,][0-9])"
)
_DOTTED_NIT = re.compile(r"[0-9]{3}\.[0-9]{3}\.[0-9]{3}[ ]?-[ ]?[0-9]")


def co_numbers(text: str, field: str = "") -> Iterator[Candidate]:
    """NITs and cédulas in one pass (they share their candidates; the context decides which)."""
    for match in _CO_NUMBER.finditer(text):
        start, base, dv = match.start(), match.group("base"), match.group("dv")
        if not 6 <= len(digits_of(base)) <= 10:
            continue
        nit_label = context.labelled(context.NIT, text, start, field)
        if dv is not None:
            if is_co_nit(base + dv) and (nit_label or _DOTTED_NIT.fullmatch(match.group())):
                yield Candidate(start, match.end(), EntityType.CO_NIT, PRIORITY[EntityType.CO_NIT])
            continue
        end = match.end("base")
        if nit_label:
            yield Candidate(start, end, EntityType.CO_NIT, PRIORITY[EntityType.CO_NIT])
        elif is_co_cedula(base) and context.labelled(context.CEDULA, text, start, field):
            yield Candidate(start, end, EntityType.CO_CEDULA, PRIORITY[EntityType.CO_CEDULA])


# --- phones --------------------------------------------------------------------------------------------

#: National formats understood without a country code; any number written with ``+`` or ``00`` is found
#: whatever its country.
PHONE_REGIONS: Final = ("US", "ES", "CO")
_MIN_PHONE_DIGITS: Final = 7


def phones(text: str, field: str = "") -> Iterator[Candidate]:
    if sum(1 for ch in text if "0" <= ch <= "9") < _MIN_PHONE_DIGITS:
        return
    seen: set[tuple[int, int]] = set()
    for region in PHONE_REGIONS:
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
            span = (match.start, match.end)
            if span in seen:
                continue
            seen.add(span)
            if context.labelled_not_a_phone(text, match.start, field) or not _phone_shaped(text, match):
                continue
            yield Candidate(match.start, match.end, EntityType.PHONE, PRIORITY[EntityType.PHONE])


#: Every recognizer, each run once per string (``co_numbers`` yields both NITs and cédulas).
_SSN_SHAPE = re.compile(r"\(?[0-9]{3}-[0-9]{2}-[0-9]{4}")
_IPV4 = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}")
_GLUE = frozenset("-/._")


def _phone_shaped(text: str, match: phonenumbers.PhoneNumberMatch) -> bool:
    """Reject what libphonenumber accepts but people do not write as a phone: a piece of a longer code
    ("PED-2024-599297"), the SSN shape ``ddd-dd-dddd``, an IPv4 address, three hyphenated groups with one
    of one or two digits after the first ("190-435062-84", an account number)."""
    raw, start, end = match.raw_string, match.start, match.end
    if start >= 2 and text[start - 1] in _GLUE and text[start - 2].isalnum():
        return False
    if end + 1 < len(text) and text[end] in _GLUE and text[end + 1].isalnum():
        return False
    if _SSN_SHAPE.fullmatch(raw):
        return False
    if _IPV4.fullmatch(raw) and all(int(octet) <= 255 for octet in raw.split(".")):
        return False
    if "-" in raw and not any(ch in raw for ch in " .()"):
        groups = raw.lstrip("+").split("-")
        # "91-123-45-67" is a Spanish landline; three groups with a short one after the first are not a phone
        if len(groups) <= 3 and any(len(g) < 3 for g in groups[1:]):
            return False
    return True


RECOGNIZERS: Final[tuple[Recognizer, ...]] = (emails, cards, ibans, us_ssns, co_numbers, phones)
