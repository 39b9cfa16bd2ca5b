"""Context words, English and Spanish: what makes a bare number a cédula, a NIT or an SSN, and what makes a
phone-shaped number something else (an order, a case, a policy ...).

A number's context is the text just before it, back to the previous digit (so that the label of an earlier
number does not carry over: in "cédula 79456123 y NIT 900373115-3" the NIT's context is " y NIT "), at most
:data:`WINDOW` characters; when the number opens its string, the name of the JSON field holding it counts too
(a column ``cedula`` labels its values).
"""

from __future__ import annotations

import re
from typing import Final

#: How far back (in characters) a context word may stand from the number it labels.
WINDOW: Final = 40

_I = re.IGNORECASE

#: A Colombian cédula de ciudadanía ("C.C.", "CC", "cédula", "documento de identidad", "Colombian ID" ...).
CEDULA: Final = re.compile(
    r"(?:\bc[ée]dula\b|\bc\.\s?c\.?(?!\w)|\bcc\b|\bdocumento(?:\s+de\s+identidad)?\b|"
    r"\bidentificaci[óo]n\b|\bcitizenship\s+card\b|\bnational\s+id\b|\bcolombian\s+id\b|\bid\s+card\b|"
    r"\bdoc\.|\bc[ée]d\.)",
    _I,
)

#: A Colombian NIT (tax identification number).
NIT: Final = re.compile(
    r"(?:\bnit\b|\bn\.\s?i\.\s?t\.?|identificaci[óo]n\s+tributaria|\bcolombian\s+tax\s+id\b|\brut\b)", _I
)

#: A US Social Security number.
SSN: Final = re.compile(
    r"(?:\bssn\b|\bs\.s\.n\.?|social\s+security|seguro\s+social|\bsocial\s+sec\.|\bss#|\bssa\b)", _I
)

#: A label that names a number as something other than a phone: an order, an invoice, a case, a policy,
#: a tracking or account number, a record ... It only counts right before the number, with at most a
#: "number", "no.", "#" or ":" between them ("order #3001234567", "pedido n.º 3001234567").
_NOT_A_PHONE_LABEL = (
    r"order|orden|pedido|invoice|factura|ref|reference|referencia|ticket|case|caso|tracking|"
    r"gu[ií]a|seguimiento|isbn|issn|account|cuenta|p[óo]liza|policy|radicado|expediente|proceso|"
    r"serial|serie|lote|lot|batch|sku|mrn|historia\s+cl[íi]nica|contrato|contract|transacci[óo]n|"
    r"transaction|confirmaci[óo]n|confirmation|autorizaci[óo]n|authori[sz]ation|recibo|receipt|"
    r"comprobante|reservation|reserva|booking|member|afiliado|patient|paciente|claim|reclamo|"
    r"nit|c[ée]dula|c\.\s?c\.?|cc|ssn|id|code|c[óo]digo|pin|otp|ext|extension|extensi[óo]n|"
    r"amount|monto|total|valor|precio|price|concepto|reclamaci[óo]n|build|versi[óo]n|version|ein|tin|"
    r"tax\s+id"
)
_FILLER = r"(?:\s|[:#.\-–º°]|\bn\b|\bn[º°]|\bno\b|\bnro\b|\bnum\b|\bnúm\b|\bnumber\b|\bn[úu]mero\b|\bde\b|\bdel\b|\bid\b)*"
NOT_A_PHONE: Final = re.compile(rf"\b(?:{_NOT_A_PHONE_LABEL})(?!\w){_FILLER}$", _I)
_OTHER_LABEL: Final = re.compile(rf"\b(?:{_NOT_A_PHONE_LABEL})(?!\w)", _I)


def window_before(text: str, start: int, field: str = "") -> str:
    """The context of the number at ``start``: the text before it, back to the previous digit, at most
    :data:`WINDOW` characters; preceded by ``field`` (a JSON key) when nothing but letters stands before."""
    begin = max(0, start - WINDOW)
    before = text[begin:start]
    last_digit = max((i for i, ch in enumerate(before) if "0" <= ch <= "9"), default=-1)
    if last_digit >= 0:
        return before[last_digit + 1 :]
    if begin == 0 and field:
        return field.replace("_", " ") + " " + before
    return before


def labelled(pattern: re.Pattern[str], text: str, start: int, field: str = "") -> bool:
    """A context word of ``pattern`` stands in the window before ``start``, and no other label (order,
    invoice, case ...) between it and the number: in "NIT, pedido 3001234567" the number is the order's."""
    window = window_before(text, start, field)
    labels = list(pattern.finditer(window))
    return bool(labels) and _OTHER_LABEL.search(window[labels[-1].end() :]) is None


def labelled_not_a_phone(text: str, start: int, field: str = "") -> bool:
    """The number at ``start`` is labelled as something that is not a phone (an order, a case ...)."""
    return NOT_A_PHONE.search(window_before(text, start, field)) is not None
