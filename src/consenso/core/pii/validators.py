"""Validators: is this candidate string really a card number, an IBAN, an SSN, a NIT, a cédula?

Each takes the candidate as written (separators allowed) and answers True or False; none raises. The
checksums come from python-stdnum (Luhn, ISO 13616 IBAN mod 97-10 with each country's length and BBAN
structure, the US SSN rules, the Colombian NIT check digit); the card issuer ranges and the cédula
plausibility rules are ours, documented below.

>>> is_card_number("4111 1111 1111 1111"), is_card_number("4111 1111 1111 1112")
(True, False)
>>> is_iban("ES91 2100 0418 4502 0005 1332"), is_iban("ES91 2100 0418 4502 0005 1333")
(True, False)
>>> is_us_ssn("123-45-6789"), is_us_ssn("666-45-6789"), is_us_ssn("078-05-1120")
(True, False, False)
>>> is_co_nit("900.373.115-3"), is_co_nit("900.373.115-4")
(True, False)
>>> is_co_cedula("1.020.345.678"), is_co_cedula("0123456")
(True, False)
"""

from __future__ import annotations

from stdnum import iban as _iban
from stdnum import luhn as _luhn
from stdnum.co import nit as _nit
from stdnum.exceptions import ValidationError
from stdnum.us import ssn as _ssn


def digits_of(text: str) -> str:
    """The ASCII digits of ``text``, in order."""
    return "".join(ch for ch in text if "0" <= ch <= "9")


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) checksum of a digit string holds."""
    return bool(digits) and digits.isascii() and digits.isdigit() and _luhn.is_valid(digits)


def card_brand(digits: str) -> str | None:
    """The card scheme whose issuer ranges and lengths fit ``digits`` (13-19 digits), or None.

    Ranges (ISO/IEC 7812 IINs as the schemes publish them): Visa 4 (13, 16, 19 digits); Mastercard 51-55
    and 2221-2720 (16); American Express 34, 37 (15); Diners Club 300-305, 3095, 36, 38, 39 (14-19); JCB
    3528-3589 (16-19); Discover, UnionPay and Maestro 6 and Maestro 50, 56-58 (13-19, the shortest Maestro
    length of 12 is left out: too many 12-digit references would pass).
    """
    n = len(digits)
    if not 13 <= n <= 19 or not digits.isdigit():
        return None
    two, four = int(digits[:2]), int(digits[:4])
    if digits[0] == "4":
        return "visa" if n in (13, 16, 19) else None
    if 51 <= two <= 55 or 2221 <= four <= 2720:
        return "mastercard" if n == 16 else None
    if two in (34, 37):
        return "amex" if n == 15 else None
    if 300 <= int(digits[:3]) <= 305 or four == 3095 or two in (36, 38, 39):
        return "diners" if n >= 14 else None
    if 3528 <= four <= 3589:
        return "jcb" if n >= 16 else None
    if digits[0] == "6":
        return "discover/unionpay/maestro"
    if two == 50 or 56 <= two <= 58:
        return "maestro"
    return None


def is_card_number(candidate: str) -> bool:
    """A payment card number (PAN): 13-19 digits in a scheme's range that pass the Luhn check."""
    digits = digits_of(candidate)
    return card_brand(digits) is not None and luhn_valid(digits)


def is_iban(candidate: str) -> bool:
    """An IBAN: the country's length and BBAN structure and the ISO 7064 mod 97-10 check digits."""
    try:
        _iban.validate(candidate)
    except ValidationError:
        return False
    return True


def is_us_ssn(candidate: str) -> bool:
    """A US Social Security number that can have been issued: area not 000, 666 or 900-999, group not 00,
    serial not 0000, and not one of the numbers known from advertising (078-05-1120, 219-09-9999, ...)."""
    if len(digits_of(candidate)) != 9:
        return False
    try:
        _ssn.validate(candidate.strip().replace(" ", "-"))  # dashes, if any, as AAA-GG-SSSS
    except ValidationError:
        return False
    return True


def is_co_nit(candidate: str) -> bool:
    """A Colombian NIT whose last digit is the DIAN check digit (weights 3, 7, 13, ... mod 11)."""
    digits = digits_of(candidate)
    if not 7 <= len(digits) <= 16:
        return False
    try:
        _nit.validate(digits)
    except ValidationError:
        return False
    return True


def nit_check_digit(base: str) -> str:
    """The NIT check digit of ``base`` (digits, no check digit)."""
    return str(_nit.calc_check_digit(base))


def is_co_cedula(candidate: str) -> bool:
    """A plausible Colombian cédula de ciudadanía number. It has no check digit, so this only rules out
    what the Registraduría never issued: 6 to 10 digits, no leading zero, and the 10-digit series starts
    with 1 (1.000.000.000 onwards, issued since 2004); hence the recognizer also needs a context word."""
    digits = digits_of(candidate)
    if not 6 <= len(digits) <= 10 or digits[0] == "0":
        return False
    return len(digits) < 10 or digits[0] == "1"
