"""PII detection and masking for English and Spanish text: pure Python, offline, usable as a library.

What it finds (:mod:`~consenso.core.pii.recognizers`): e-mail addresses, phone numbers (US, ES and CO
national formats, any international ``+``/``00`` number), payment card numbers (issuer range + Luhn), IBANs
(mod 97-10 + the country's structure), US SSNs (issuable ranges only), Colombian cédulas (with a context
word: they are bare numbers) and NITs (check digit). What it refuses (:mod:`~consenso.core.pii.forbidden`):
card security codes and magnetic-stripe track data. Names and places are not detected (they need a
language model; see docs/security.md).

How it masks (:mod:`~consenso.core.pii.masking`): ``remove``, ``tag``, ``partial``, ``pseudonym``, chosen
per type by a project's :class:`PiiPolicy`; :func:`mask_data` walks a task's JSON and returns the masked
copy with findings that hold the field, type and offsets, never the value.

Why our own recognizers rather than presidio's: presidio-analyzer's pattern recognizers are regular
expressions plus the same checksums, but it needs spaCy installed (~350 MB with its models' machinery), an
NLP engine stubbed out to run offline, tldextract kept from fetching the public-suffix list at import, and its
recognizers re-registered for Spanish; it measured ~25-30k characters/s here. Here the checks come from
small well-kept libraries, python-stdnum (Luhn, IBAN, US SSN, Colombian NIT) and Google's libphonenumber
port ``phonenumbers`` (phone numbers, matched in text with its own matcher), and only the context words
and the card issuer ranges are ours. A model-based recognizer for names can be added later as one more
function in ``RECOGNIZERS``.

>>> mask_text("Mi cédula es 1.020.345.678 y mi correo, ana@correo.co", PiiPolicy()).text
'Mi cédula es [CEDULA] y mi correo, [EMAIL]'
"""

from __future__ import annotations

from consenso.core.pii.data import JsonPath, pointer
from consenso.core.pii.detector import detect
from consenso.core.pii.entities import ALL_ENTITIES, TAGS, Detection, EntityType
from consenso.core.pii.forbidden import (
    REFUSAL_MESSAGES,
    ForbiddenFinding,
    ForbiddenKind,
    ForbiddenSpan,
    find_forbidden,
    find_forbidden_in_data,
    holds_forbidden,
    may_hold_forbidden,
)
from consenso.core.pii.masking import (
    Finding,
    MaskedData,
    MaskedText,
    Pseudonyms,
    mask_data,
    mask_text,
    partial,
)
from consenso.core.pii.policy import PiiPolicy, Strategy

__all__ = [
    "ALL_ENTITIES",
    "REFUSAL_MESSAGES",
    "TAGS",
    "Detection",
    "EntityType",
    "Finding",
    "ForbiddenFinding",
    "ForbiddenKind",
    "ForbiddenSpan",
    "JsonPath",
    "MaskedData",
    "MaskedText",
    "PiiPolicy",
    "Pseudonyms",
    "Strategy",
    "detect",
    "find_forbidden",
    "find_forbidden_in_data",
    "holds_forbidden",
    "mask_data",
    "mask_text",
    "may_hold_forbidden",
    "partial",
    "pointer",
]
