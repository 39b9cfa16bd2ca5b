"""Each recognizer and validator of consenso.core.pii: what it must find, what it must leave alone."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import iban as std_iban
from stdnum import luhn

from consenso.core.pii import EntityType, detect
from consenso.core.pii.validators import (
    card_brand,
    is_card_number,
    is_co_cedula,
    is_co_nit,
    is_iban,
    is_us_ssn,
    luhn_valid,
    nit_check_digit,
)

# the first six digits of public test PANs: every generated card stays inside them
TEST_BINS = ["411111", "401288", "424242", "555555", "510510", "222300", "601111", "353011", "620000"]
FILLER = st.text(alphabet="abcdefghij ñéü,;:!¿?()", max_size=30)


def found(text: str, entities: set[EntityType] | None = None) -> list[tuple[str, str]]:
    return [(d.entity.value, text[d.start : d.end]) for d in detect(text, entities)]


@st.composite
def sample_pans(draw: st.DrawFn) -> str:
    body = draw(st.sampled_from(TEST_BINS)) + draw(st.text(alphabet="0123456789", min_size=9, max_size=9))
    return body + luhn.calc_check_digit(body)


def grouped(pan: str, separator: str) -> str:
    return separator.join(pan[i : i + 4] for i in range(0, len(pan), 4))


# --- validators ----------------------------------------------------------------------------------------


def test_luhn_and_card_brands() -> None:
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert not luhn_valid("") and not luhn_valid("４１１１")  # fullwidth digits are not card digits
    assert card_brand("4111111111111111") == "visa"
    assert card_brand("378282246310005") == "amex"
    assert card_brand("5555555555554444") == "mastercard"
    assert card_brand("2223003122003222") == "mastercard"
    assert card_brand("30569309025904") == "diners"
    assert card_brand("3530111333300000") == "jcb"
    assert card_brand("6011111111111117") is not None
    # Luhn-valid but outside every issuer range, or of a length the scheme does not issue
    assert card_brand("1234567812345670") is None
    assert card_brand("37828224631000") is None  # Amex is 15 digits
    assert not is_card_number("9400 1111 2222 3333")


@pytest.mark.parametrize(
    ("candidate", "valid"),
    [
        ("123-45-6789", True),
        ("123456789", True),
        ("000-12-3456", False),
        ("666-12-3456", False),
        ("900-12-3456", False),
        ("123-00-4567", False),
        ("123-45-0000", False),
        ("078-05-1120", False),  # the Woolworth wallet card, published in 1938
        ("12-3456789", False),
    ],
)
def test_ssn_validity(candidate: str, valid: bool) -> None:
    assert is_us_ssn(candidate) is valid


def test_nit_check_digit_and_cedula_plausibility() -> None:
    assert nit_check_digit("900373115") == "3"
    assert is_co_nit("900373115-3") and not is_co_nit("900373115-4")
    assert is_co_cedula("79456123") and is_co_cedula("1.020.345.678") and is_co_cedula("1234567")
    assert not is_co_cedula("12345") and not is_co_cedula("2020345678") and not is_co_cedula("01234567")


def test_iban_validity_includes_the_country_structure() -> None:
    assert is_iban("GB82 WEST 1234 5698 7654 32")
    assert not is_iban("GB82 WEST 1234 5698 7654 33")  # checksum
    assert not is_iban("XX82 WEST 1234 5698 7654 32")  # no such country


# --- e-mail --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to ana.lopez@ejemplo.es.", "ana.lopez@ejemplo.es"),
        ("<John.Smith@Example.COM>", "John.Smith@Example.COM"),
        ("mailto:maria+facturas@correo.gov.co", "maria+facturas@correo.gov.co"),
        ("correo: josé.núñez@clínica.co, gracias", "josé.núñez@clínica.co"),
        ("x@mail.example.co.uk)", "x@mail.example.co.uk"),
    ],
)
def test_emails(text: str, expected: str) -> None:
    assert found(text) == [("email", expected)]


def test_not_emails() -> None:
    assert found("@usuario en redes, ana@localhost, ***@ejemplo.es y a@b.c") == []


# --- phones --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "(415) 555-2671",
        "415-555-2671",
        "+1 415 555 2671",
        "612 34 56 78",
        "612 345 678",
        "+34 612 345 678",
        "0034 612 345 678",
        "91 123 45 67",
        "300 123 4567",
        "3001234567",
        "+57 300 123 4567",
        "(601) 234 5678",
        "+44 20 7946 0958",
        "+52 55 1234 5678",
    ],
)
def test_phones_in_us_es_co_and_international_formats(phone: str) -> None:
    assert found(f"Llámame al {phone}, gracias.") == [("phone", phone)]


@pytest.mark.parametrize(
    "text",
    [
        "order number 3001234567",
        "pedido n.º 3001234567",
        "póliza 3001234567",
        "factura: 3001234567",
        "PED-2024-599297",
        "cuenta de ahorros 190-435062-84",
        "IP 192.168.10.24",
        "ISBN 978-3-16-148410-0",
        "the meeting on 2024-03-15 at 10:30",
        "tracking 1Z999AA10123456784",
    ],
)
def test_phone_shaped_numbers_that_are_not_phones(text: str) -> None:
    assert found(text, {EntityType.PHONE}) == []


def test_a_phone_after_an_unrelated_label_word_is_still_a_phone() -> None:
    assert found("About my order, call me at 415-555-2671") == [("phone", "415-555-2671")]


# --- cards ---------------------------------------------------------------------------------------------


@given(pan=sample_pans(), separator=st.sampled_from([" ", "-", ""]), before=FILLER, after=FILLER)
@settings(max_examples=150, deadline=None)
def test_every_luhn_valid_test_card_is_found_in_any_print_format(
    pan: str, separator: str, before: str, after: str
) -> None:
    card = grouped(pan, separator)
    text = f"{before} {card} {after}"
    start = len(before) + 1
    cards = [d for d in detect(text) if d.entity is EntityType.CARD]
    assert [(d.start, d.end) for d in cards] == [(start, start + len(card))]


@given(pan=sample_pans(), bump=st.integers(1, 9), separator=st.sampled_from([" ", "-", ""]))
@settings(max_examples=100, deadline=None)
def test_a_luhn_invalid_number_is_never_a_card(pan: str, bump: int, separator: str) -> None:
    bad = pan[:-1] + str((int(pan[-1]) + bump) % 10)
    assert found(f"número {grouped(bad, separator)}", {EntityType.CARD}) == []


def test_card_groupings_amex_diners_and_neighbours() -> None:
    assert found("Amex 3782 822463 10005 y Diners 3056 930902 5904") == [
        ("card", "3782 822463 10005"),
        ("card", "3056 930902 5904"),
    ]
    # the expiry and a code after the number do not join it
    assert found("4111 1111 1111 1111 12/26", {EntityType.CARD}) == [("card", "4111 1111 1111 1111")]
    # a parcel number grouped in fours is not a card, even if a window of it passes Luhn
    assert found("tracking 9400 5530 6412 0000 5170 24", {EntityType.CARD}) == []
    # the PAN inside track 1 data is still a card
    assert found("%B4111111111111111^DOE/JOHN^2612101?", {EntityType.CARD}) == [("card", "4111111111111111")]


# --- IBAN ----------------------------------------------------------------------------------------------


@given(
    country_bban=st.sampled_from(
        [("DE", 18, False), ("GB", 14, True), ("NL", 10, True), ("PT", 21, False), ("BE", 12, False)]
    ),
    digits=st.text(alphabet="0123456789", min_size=21, max_size=21),
    spaced=st.booleans(),
)
@settings(max_examples=100, deadline=None)
def test_valid_ibans_are_found_grouped_or_compact(
    country_bban: tuple[str, int, bool], digits: str, spaced: bool
) -> None:
    country, length, bank_code = country_bban
    bban = ("WEST" if country == "GB" else "ABNA") + digits[:length] if bank_code else digits[:length]
    number = country + std_iban.calc_check_digits(country + "00" + bban) + bban
    if not std_iban.is_valid(number):  # a national check (BE) can fail on random digits: not an IBAN then
        assert found(f"IBAN {number}", {EntityType.IBAN}) == []
        return
    shown = " ".join(number[i : i + 4] for i in range(0, len(number), 4)) if spaced else number
    assert found(f"Transfer to {shown} PARA EL PAGO", {EntityType.IBAN}) == [("iban", shown)]


def test_an_iban_with_wrong_check_digits_is_not_found() -> None:
    assert found("IBAN ES92 2100 0418 4502 0005 1332") == []


# --- SSN -----------------------------------------------------------------------------------------------


def test_ssns_dashed_alone_other_forms_with_context() -> None:
    assert found("Patient 123-45-6789 admitted") == [("us_ssn", "123-45-6789")]
    assert found("SSN 123 45 6789") == [("us_ssn", "123 45 6789")]
    assert found("social security number: 123456789") == [("us_ssn", "123456789")]
    assert found("número de seguro social 123456789") == [("us_ssn", "123456789")]
    assert found("ref 123 45 6789", {EntityType.US_SSN}) == []
    assert found("EIN 12-3456789") == []


@given(
    area=st.sampled_from(["000", "666", "900", "987", "999"]),
    group=st.integers(1, 99),
    serial=st.integers(1, 9999),
)
def test_ssns_in_ranges_never_issued_are_not_found(area: str, group: int, serial: int) -> None:
    assert found(f"SSN {area}-{group:02d}-{serial:04d}", {EntityType.US_SSN}) == []


# --- Colombian cédula and NIT --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "cédula 1.020.345.678",
        "C.C. 79456123 de Bogotá",
        "identificado con cédula de ciudadanía n.º 52.123.456",
        "CC 1020345678",
        "documento de identidad 79.456.123",
        "her cedula is 52123456",
    ],
)
def test_cedulas_need_a_context_word(text: str) -> None:
    number = text.split()[-1] if not text.endswith("Bogotá") else "79456123"
    assert found(text) == [("co_cedula", number)]


def test_a_bare_number_without_context_is_no_cedula() -> None:
    assert found("El radicado 79456123 y la factura 52123456", {EntityType.CO_CEDULA}) == []


def test_a_label_does_not_carry_over_to_the_next_number() -> None:
    assert found("cédula 79456123 y NIT 900373115-3") == [
        ("co_cedula", "79456123"),
        ("co_nit", "900373115-3"),
    ]


def test_nits() -> None:
    assert found("NIT 900.373.115-3") == [("co_nit", "900.373.115-3")]
    assert found("la empresa 900.373.115-3") == [("co_nit", "900.373.115-3")]  # the dotted form speaks
    assert found("Nit: 900373115") == [("co_nit", "900373115")]
    assert found("NIT 900.373.115-4") == []  # wrong check digit
    assert found("ref 900373115-3", {EntityType.CO_NIT}) == []  # neither the word nor the dotted form


def test_field_names_are_context() -> None:
    assert found_in_field("1020345678", "cedula") == [("co_cedula", "1020345678")]
    assert found_in_field("123456789", "ssn") == [("us_ssn", "123456789")]
    assert found_in_field("1020345678", "pedido") == []


def found_in_field(text: str, field: str) -> list[tuple[str, str]]:
    return [(d.entity.value, text[d.start : d.end]) for d in detect(text, field=field)]


# --- offsets -------------------------------------------------------------------------------------------


@given(prefix=st.text(alphabet="áéíóúñ😀🇨🇴 漢字 abc", max_size=20))
def test_offsets_are_code_points_with_non_ascii_text(prefix: str) -> None:
    text = f"{prefix} ✉ ana@correo.co ☎ +57 300 123 4567 💳 4111-1111-1111-1111"
    values = {text[d.start : d.end] for d in detect(text)}
    assert values == {"ana@correo.co", "+57 300 123 4567", "4111-1111-1111-1111"}


def test_requested_types_only_but_overlaps_settled_first() -> None:
    text = "NIT 900.373.115-3, tel 300 123 4567"
    assert found(text, {EntityType.PHONE}) == [("phone", "300 123 4567")]
    assert found("", None) == [] and found("text", set()) == []
