"""Sensitive authentication data that must never be stored: card security codes and magnetic-stripe tracks.

PCI DSS (requirement 3.3) forbids keeping the card verification code (CVV2, CVC2, CID ...) or the full track
data after authorisation, even encrypted, so an import holding any of it is refused instead of masked.
:func:`find_forbidden` says whether a text holds such data and where; :func:`find_forbidden_in_data` walks a
task's JSON. Like detections, the findings carry offsets and never the value.

- **Card security code**: 3 or 4 digits after a context word (CVV, CVV2, CVC, CVC2, CSC, CVN, CAV2, "security
  code", "card verification", "código de seguridad", "los 3 dígitos de atrás" ...) within a few words, or the
  whole value of a JSON field so named (``{"cvv": "123"}``).
- **Track 1**: ``%B`` + PAN + ``^`` + name + ``^`` + YYMM + service code (the sentinels ``%``, ``?`` optional).
- **Track 2**: ``;`` + PAN + ``=`` (or ``D`` as in EMV tag 57) + YYMM + service code + discretionary data.

>>> [f.kind.value for f in find_forbidden("Tarjeta 4111 1111 1111 1111, vence 12/27, CVV 123")]
['card_security_code']
>>> find_forbidden(";4111111111111111=27121010000000000000?")
[ForbiddenSpan(start=0, end=39, kind=<ForbiddenKind.TRACK_DATA: 'track_data'>)]
>>> find_forbidden("Your verification code is 1234")  # a one-time code, not a card's
[]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from consenso.core.pii.data import JsonPath, pointer, walk_strings


class ForbiddenKind(StrEnum):
    CARD_SECURITY_CODE = "card_security_code"
    TRACK_DATA = "track_data"


#: The message key that refuses each kind (``consenso.core.messages.pii``).
REFUSAL_MESSAGES: Final[dict[ForbiddenKind, str]] = {
    ForbiddenKind.CARD_SECURITY_CODE: "pii_card_security_code_refused",
    ForbiddenKind.TRACK_DATA: "pii_track_data_refused",
}


@dataclass(frozen=True, slots=True, order=True)
class ForbiddenSpan:
    start: int
    end: int
    kind: ForbiddenKind


@dataclass(frozen=True, slots=True)
class ForbiddenFinding:
    """Forbidden data in a task: the field (a path of keys and list indices), the kind and the offsets."""

    path: JsonPath
    start: int
    end: int
    kind: ForbiddenKind

    @property
    def pointer(self) -> str:
        return pointer(self.path)

    def to_json(self) -> dict[str, object]:
        return {"path": self.pointer, "kind": self.kind.value, "start": self.start, "end": self.end}


_CODE_WORDS = (
    r"cvv2?|cvc2?|csc|cvn|cav2|cvd|"
    r"security\s+code|card\s+verification(?:\s+(?:value|code|number))?|"
    r"c[óo]d(?:igo|\.)\s+(?:de\s+)?seguridad|c[óo]d(?:igo|\.)\s+(?:cvv|cvc)|"
    r"(?:tres|3|cuatro|4)\s+d[íi]gitos\s+(?:de\s+(?:atr[áa]s|seguridad)|del\s+(?:reverso|respaldo))|"
    r"(?:three|3|four|4)\s+digits\s+(?:on|at)\s+the\s+back"
)
# the code follows its word within a few words ("CVV: 123", "el código de seguridad es el 456")
_SECURITY_CODE = re.compile(
    rf"\b(?:{_CODE_WORDS})\b[^0-9\n]{{0,24}}?(?<![0-9])(?P<code>[0-9]{{3,4}})(?![0-9]|[ \-][0-9])",
    re.IGNORECASE,
)
_FIELD_NAME = re.compile(rf"^(?:{_CODE_WORDS})$|^(?:cvv|cvc|csc|security_?code|codigo_?seguridad)\w*$", re.I)
_BARE_CODE = re.compile(r"\s*[0-9]{3,4}\s*")

_TRACK_1 = re.compile(r"%?B[0-9]{12,19}\^[^^\n]{2,26}\^[0-9]{4}[0-9]{3}[^?\n\s]*\??")
_TRACK_2 = re.compile(r"(?<![0-9A-Za-z]);?[0-9]{12,19}[=D][0-9]{4}[0-9]{3}[0-9]*\??(?![0-9A-Za-z])")


# The quick test of an import (:func:`may_hold_forbidden`), run on every record's JSON text: every finding
# needs a code word (the text's, or a field name) followed by 3-4 digits, or a track: a 12+ digit card number
# followed by ``=`` or ``D`` (track 2) or ``^`` (track 1). It is written with ``in`` on strings, which runs
# at memory speed, rather than regular expressions: ``re`` tries an alternation, or even ``[0-9]{12}``, at
# every position, and measured ten and five times slower. ``cv`` covers cvv, cvc, cvn, cvd; ``git`` covers
# dígitos, digitos and digits.
_QUICK_WORDS: Final = ("cv", "csc", "cav2", "secur", "verifica", "seguridad", "git")
_CARD_RUN: Final = re.compile(r"[0-9]{12}")


def may_hold_forbidden(text: str) -> bool:
    """False when ``text`` (a value, or a whole JSON document with its keys) surely holds no forbidden data.

    >>> may_hold_forbidden('{"text": "order 1234, table 56"}'), may_hold_forbidden('{"cvv": "123"}')
    (False, True)
    """
    lowered = text.lower()
    for word in _QUICK_WORDS:
        if word in lowered:
            return True
    if "=" in text or "^" in text or "D" in text:
        return _CARD_RUN.search(text) is not None
    return False


def find_forbidden(text: str, *, field: str = "") -> list[ForbiddenSpan]:
    """Card security codes and track data in ``text`` (``field``: the JSON key holding it, if any)."""
    found: list[ForbiddenSpan] = []
    if field and _FIELD_NAME.match(field.replace(" ", "_")) and _BARE_CODE.fullmatch(text):
        digits = re.search(r"[0-9]{3,4}", text)
        if digits:
            found.append(ForbiddenSpan(digits.start(), digits.end(), ForbiddenKind.CARD_SECURITY_CODE))
    for match in _SECURITY_CODE.finditer(text):
        found.append(ForbiddenSpan(match.start("code"), match.end("code"), ForbiddenKind.CARD_SECURITY_CODE))
    for pattern in (_TRACK_1, _TRACK_2):
        found.extend(
            ForbiddenSpan(m.start(), m.end(), ForbiddenKind.TRACK_DATA) for m in pattern.finditer(text)
        )
    return sorted(set(found))


def holds_forbidden(text: str, *, field: str = "") -> bool:
    """Whether ``text`` holds a card security code or track data."""
    return bool(find_forbidden(text, field=field))


def find_forbidden_in_data(data: Any) -> list[ForbiddenFinding]:
    """Forbidden data in every string and integer of a task's JSON, keys excepted, in document order (an
    integer under a field named ``cvv`` is a security code however small)."""
    findings: list[ForbiddenFinding] = []
    for path, field, text in walk_strings(data, smallest_number=0):
        findings.extend(
            ForbiddenFinding(path, s.start, s.end, s.kind) for s in find_forbidden(text, field=field)
        )
    return findings
