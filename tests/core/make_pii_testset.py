"""Build ``tests/core/pii_testset.jsonl``: a labelled English + Spanish PII test set, correct by construction.

    .venv/bin/python tests/core/make_pii_testset.py          # rewrites tests/core/pii_testset.jsonl

Sentences come from templates of four kinds of text (support tickets, medical intake notes, bank chats,
legal letters) in each language. Each ``{slot}`` is filled by a generator that knows what it writes, so
the gold spans are exact: an entity slot records ``(start, end, type)``, a forbidden slot (card security
code, track data) its kind, and a hard-negative slot (order numbers, dates, prices, tracking codes, ISBNs,
invalid-Luhn 16-digit numbers, invalid SSNs and IBANs, policy, case and account numbers ...) its kind, so
that the benchmark can say which negatives were flagged. Person names are written but not labelled: the
detector does not cover them (docs/security.md).

Values, all fictional: card numbers are public test PANs (4111 1111 1111 1111 ...) or Luhn-valid numbers
generated inside the issuer ranges (BINs) of those test PANs, never real cards; phone numbers are random
digits in each country's numbering plan, kept only when libphonenumber calls them valid; IBANs carry
random account numbers with correct national and ISO check digits; SSNs are random in the issuable
ranges; NITs get their DIAN check digit; cédulas are random numbers in the issued series.

A record: ``{"id", "lang", "domain", "text", "entities": [{"start", "end", "type"}], "forbidden": [{"start",
"end", "kind"}], "negatives": [{"start", "end", "kind"}]}``; offsets are code points, ``[start, end)``.
The output is a function of the seed: running this twice writes the same file.
"""

from __future__ import annotations

import json
import random
import re
import string
import sys
from collections.abc import Callable
from pathlib import Path

import phonenumbers as pn
from stdnum import iban as std_iban
from stdnum import luhn
from stdnum.co import nit as std_nit
from stdnum.es import ccc as std_ccc

OUT = Path(__file__).with_name("pii_testset.jsonl")
SEED = 6
PER_TEMPLATE = 4

Label = tuple[int, int, str, str]  # (start, end, category: entity | forbidden | negative, type or kind)
Filled = tuple[str, list[Label]]

# --- people, places, companies (never labelled) ----------------------------------------------------------

FIRST_EN = [
    "John",
    "Mary",
    "Priya",
    "Michael",
    "Sarah",
    "David",
    "Emily",
    "James",
    "Linda",
    "Robert",
    "Aisha",
]
LAST_EN = ["Smith", "Johnson", "Patel", "Brown", "Garcia", "Miller", "Davis", "Wilson", "Nguyen", "O'Brien"]
FIRST_ES = [
    "María",
    "José",
    "Andrés",
    "Valentina",
    "Camila",
    "Santiago",
    "Lucía",
    "Alejandro",
    "Sofía",
    "Nuria",
]
LAST_ES = [
    "García",
    "Rodríguez",
    "López",
    "Martínez",
    "Gómez",
    "Hernández",
    "Pérez",
    "Muñoz",
    "Castaño",
    "Núñez",
]
COMPANIES = ["Andes Logística", "Café Montaña", "Textiles del Valle", "Northwind Traders", "Contoso Health"]
CITIES = ["Bogotá", "Medellín", "Cali", "Barranquilla", "Madrid", "Sevilla", "Valencia"]
EPS = ["Sura", "Sanitas", "Compensar", "Nueva EPS"]
MAIL_DOMAINS = [
    "gmail.com",
    "outlook.com",
    "yahoo.es",
    "hotmail.com",
    "empresa.com.co",
    "clinica-santafe.org",
    "example.org",
    "correo.gov.co",
    "uni.edu",
    "bancoandino.com.co",
    "mail.example.co.uk",
    "despacho-legal.es",
]
MONTHS_EN = ["January", "March", "April", "June", "August", "October", "December"]
MONTHS_ES = ["enero", "marzo", "abril", "junio", "agosto", "octubre", "diciembre"]

# Public test PANs (payment processors' documentation); the generated cards reuse their first 6 digits.
TEST_PANS = [
    "4111111111111111",
    "4012888888881881",
    "4242424242424242",
    "4000056655665556",
    "4222222222222",
    "5555555555554444",
    "5105105105105100",
    "2223003122003222",
    "5200828282828210",
    "378282246310005",
    "371449635398431",
    "6011111111111117",
    "6011000990139424",
    "30569309025904",
    "38520000023237",
    "3530111333300000",
    "3566002020360505",
    "6200000000000005",
]
PUBLIC_IBANS = [
    "ES9121000418450200051332",
    "GB82WEST12345698765432",
    "DE89370400440532013000",
    "FR1420041010050500013M02606",
    "NL91ABNA0417164300",
    "IT60X0542811101000000123456",
]


def _strip_accents(text: str) -> str:
    table = str.maketrans("áéíóúñüÁÉÍÓÚÑ", "aeiounuAEIOUN")
    return text.translate(table)


class Values:
    """Every generator of slot values, sharing one seeded random source."""

    def __init__(self, rng: random.Random, lang: str) -> None:
        self.rng = rng
        self.lang = lang

    def pick(self, items: list[str]) -> str:
        return self.rng.choice(items)

    def digits(self, n: int, first: str = "0123456789") -> str:
        return self.rng.choice(first) + "".join(self.rng.choice(string.digits) for _ in range(n - 1))

    # --- plain text ---
    def name(self) -> str:
        first, last = (FIRST_EN, LAST_EN) if self.lang == "en" else (FIRST_ES, LAST_ES)
        return f"{self.pick(first)} {self.pick(last)}"

    def surname(self) -> str:
        return self.pick(LAST_EN if self.lang == "en" else LAST_ES)

    # --- entities ---
    def email(self) -> str:
        first, last = (FIRST_EN, LAST_EN) if self.lang == "en" else (FIRST_ES, LAST_ES)
        f, la = self.pick(first).lower(), self.pick(last).lower().replace("'", "")
        tag = "orders" if self.lang == "en" else "pedidos"
        keep_accents = self.lang == "es" and self.rng.random() < 0.12
        if not keep_accents:
            f, la = _strip_accents(f), _strip_accents(la)
        local = self.rng.choice(
            [f"{f}.{la}", f"{f[0]}{la}", f"{f}_{la}", f"{f}.{la}{self.rng.randint(1, 99)}", f"{f}+{tag}", la]
        )
        address = f"{local}@{self.pick(MAIL_DOMAINS)}"
        if self.rng.random() < 0.1:
            address = address[0].upper() + address[1:]
        return address

    def _valid_phone(self, region: str, national: Callable[[], str]) -> str:
        while True:
            number = national()
            parsed = pn.parse(number, region)
            if pn.is_valid_number(parsed):
                return number

    def phone_us(self) -> str:
        area = self.pick(["201", "212", "213", "305", "312", "404", "415", "503", "512", "617", "646", "702"])
        digits = self._valid_phone("US", lambda: area + self.digits(7, "23456789"))
        a, e, line = digits[:3], digits[3:6], digits[6:]
        return self.pick(
            [
                f"({a}) {e}-{line}",
                f"{a}-{e}-{line}",
                f"{a}.{e}.{line}",
                f"+1 {a} {e} {line}",
                f"+1-{a}-{e}-{line}",
                f"1-{a}-{e}-{line}",
                f"({a}) {e}-{line}",
                f"{a}{e}{line}",
            ]
        )

    def phone_es(self) -> str:
        if self.rng.random() < 0.7:
            d = self._valid_phone("ES", lambda: self.pick(["6", "7"]) + self.digits(8))
            return self.pick(
                [
                    f"{d[:3]} {d[3:6]} {d[6:]}",
                    f"{d[:3]} {d[3:5]} {d[5:7]} {d[7:]}",
                    d,
                    f"+34 {d[:3]} {d[3:6]} {d[6:]}",
                    f"+34 {d}",
                    f"0034 {d[:3]} {d[3:6]} {d[6:]}",
                    f"(+34) {d[:3]} {d[3:6]} {d[6:]}",
                ]
            )
        d = self._valid_phone("ES", lambda: self.pick(["91", "93", "95", "96"]) + self.digits(7))
        return self.pick([f"{d[:2]} {d[2:5]} {d[5:7]} {d[7:]}", f"{d[:3]} {d[3:6]} {d[6:]}", f"+34 {d}"])

    def phone_co(self) -> str:
        if self.rng.random() < 0.7:
            d = self._valid_phone("CO", lambda: "3" + self.pick(["0", "1", "2"]) + self.digits(8))
            return self.pick(
                [
                    f"{d[:3]} {d[3:6]} {d[6:]}",
                    d,
                    f"+57 {d[:3]} {d[3:6]} {d[6:]}",
                    f"+57 {d}",
                    f"{d[:3]} {d[3:]}",
                ]
            )
        d = self._valid_phone(
            "CO", lambda: "60" + self.pick(["1", "2", "4", "5"]) + self.digits(7, "2345678")
        )
        return self.pick(
            [f"({d[:3]}) {d[3:6]} {d[6:]}", f"{d[:3]} {d[3:6]} {d[6:]}", f"+57 {d[:3]} {d[3:6]} {d[6:]}"]
        )

    def phone_intl(self) -> str:
        region = self.pick(["GB", "MX", "FR", "DE", "AR", "BR", "PE", "CL", "CA", "IT"])
        kind = self.pick([pn.PhoneNumberType.MOBILE, pn.PhoneNumberType.FIXED_LINE])
        example = pn.example_number_for_type(region, kind)
        national = str(example.national_number)
        for _ in range(200):
            candidate = national[:-4] + self.digits(4)
            parsed = pn.parse("+" + str(example.country_code) + candidate)
            if pn.is_valid_number(parsed):
                break
        else:  # this plan leaves few of those numbers valid: another country
            return self.phone_intl()
        form = self.pick(
            [
                pn.PhoneNumberFormat.INTERNATIONAL,
                pn.PhoneNumberFormat.INTERNATIONAL,
                pn.PhoneNumberFormat.E164,
            ]
        )
        return pn.format_number(parsed, form)

    def phone(self) -> str:
        if self.lang == "en":
            return self.phone_us() if self.rng.random() < 0.8 else self.phone_intl()
        roll = self.rng.random()
        return self.phone_es() if roll < 0.45 else self.phone_co() if roll < 0.9 else self.phone_intl()

    def pan(self) -> str:
        if self.rng.random() < 0.4:
            return self.pick(TEST_PANS)
        base = self.pick(TEST_PANS)
        body = base[:6] + self.digits(len(base) - 7)
        return body + luhn.calc_check_digit(body)

    def format_pan(self, pan: str) -> str:
        if len(pan) == 16:
            groups = [pan[i : i + 4] for i in range(0, 16, 4)]
            return self.pick([" ".join(groups), " ".join(groups), "-".join(groups), pan])
        if len(pan) == 15:
            return self.pick([f"{pan[:4]} {pan[4:10]} {pan[10:]}", pan])
        if len(pan) == 14:
            return self.pick([f"{pan[:4]} {pan[4:10]} {pan[10:]}", pan])
        return pan

    def card(self) -> str:
        return self.format_pan(self.pan())

    def card_bad(self) -> str:
        pan = self.pan()
        while len(pan) != 16:
            pan = self.pan()
        bad = pan[:-1] + str((int(pan[-1]) + self.rng.randint(1, 9)) % 10)
        assert not luhn.is_valid(bad)
        return self.format_pan(bad)

    def _iban(self) -> str:
        country = self.pick(["ES", "ES", "DE", "FR", "GB", "NL", "IT", "PT", "public"])
        if country == "public":
            return self.pick(PUBLIC_IBANS)
        while True:
            if country == "ES":
                ccc = self.digits(4) + self.digits(4) + "00" + self.digits(10)
                bban = ccc[:8] + std_ccc.calc_check_digits(ccc) + ccc[10:]
            elif country == "DE":
                bban = self.digits(18)
            elif country == "FR":
                bban = self.digits(10) + self.digits(11) + "00"
            elif country == "GB":
                bban = self.pick(["NWBK", "BARC", "MIDL", "LOYD"]) + self.digits(14)
            elif country == "NL":
                bban = self.pick(["ABNA", "INGB", "RABO"]) + self.digits(10)
            elif country == "IT":
                bban = self.pick(string.ascii_uppercase) + self.digits(22)
            else:  # PT
                bban = self.digits(21)
            number = country + "00" + bban
            number = country + std_iban.calc_check_digits(number) + bban
            if std_iban.is_valid(number):
                return number

    def _format_iban(self, number: str) -> str:
        if self.rng.random() < 0.7:
            return " ".join(number[i : i + 4] for i in range(0, len(number), 4))
        return number

    def iban(self) -> str:
        return self._format_iban(self._iban())

    def iban_bad(self) -> str:
        number = self._iban()
        check = f"{(int(number[2:4]) + self.rng.randint(1, 90)) % 97 + 2:02d}"
        bad = number[:2] + check + number[4:]
        if std_iban.is_valid(bad):
            return self.iban_bad()
        return self._format_iban(bad)

    def _ssn_digits(self) -> str:
        while True:
            area = self.rng.randint(1, 899)
            if area == 666:
                continue
            digits = f"{area:03d}{self.rng.randint(1, 99):02d}{self.rng.randint(1, 9999):04d}"
            if digits not in ("078051120", "219099999", "457555462"):
                return digits

    def ssn(self) -> str:
        d = self._ssn_digits()
        return f"{d[:3]}-{d[3:5]}-{d[5:]}"

    def ssn_any(self) -> str:
        d = self._ssn_digits()
        return self.pick([f"{d[:3]}-{d[3:5]}-{d[5:]}", f"{d[:3]} {d[3:5]} {d[5:]}", d])

    def ssn_bad(self) -> str:
        area = self.pick(["000", "666", f"9{self.digits(2)}"])
        return f"{area}-{self.rng.randint(10, 99)}-{self.rng.randint(1000, 9999)}"

    def cedula(self) -> str:
        roll = self.rng.random()
        if roll < 0.45:
            n = self.rng.randint(10_000_000, 99_999_999)
        elif roll < 0.9:
            n = self.rng.randint(1_000_000_000, 1_129_999_999)
        else:
            n = self.rng.randint(1_000_000, 9_999_999)
        return f"{n:,}".replace(",", ".") if self.rng.random() < 0.5 else str(n)

    def _nit_base(self) -> str:
        return self.digits(9, "89")

    def nit(self) -> str:
        base = self._nit_base()
        dv = std_nit.calc_check_digit(base)
        dotted = f"{base[:3]}.{base[3:6]}.{base[6:]}"
        return self.pick([f"{dotted}-{dv}", f"{base}-{dv}", f"{dotted}-{dv}"])

    def nit_any(self) -> str:
        return self.nit() if self.rng.random() < 0.6 else self._nit_base()

    # --- forbidden ---
    def cvv(self) -> str:
        return self.digits(3) if self.rng.random() < 0.85 else self.digits(4)

    def expiry(self) -> str:
        return f"{self.rng.randint(1, 12):02d}/{self.rng.randint(26, 31)}"

    # --- hard negatives ---
    def order(self) -> str:
        if self.lang == "en":
            return self.pick(
                [
                    f"#{self.digits(6, '123456789')}",
                    f"{self.digits(3, '1')}-{self.digits(7)}-{self.digits(7)}",
                    f"ORD-{self.digits(6)}",
                    f"#{self.digits(9, '123456789')}",
                ]
            )
        return self.pick(
            [f"PED-2024-{self.digits(6)}", f"n.º {self.digits(7, '123456789')}", f"#{self.digits(8, '1')}"]
        )

    def date(self) -> str:
        y, m, d = self.rng.randint(2019, 2026), self.rng.randint(1, 12), self.rng.randint(1, 28)
        if self.lang == "en":
            return self.pick(
                [f"{m:02d}/{d:02d}/{y}", f"{y}-{m:02d}-{d:02d}", f"{self.pick(MONTHS_EN)} {d}, {y}"]
            )
        return self.pick(
            [f"{d:02d}/{m:02d}/{y}", f"{d} de {self.pick(MONTHS_ES)} de {y}", f"{y}-{m:02d}-{d:02d}"]
        )

    def time(self) -> str:
        h, m = self.rng.randint(7, 19), self.rng.choice([0, 15, 30, 45])
        if self.lang == "en":
            return f"{(h - 1) % 12 + 1}:{m:02d} {'am' if h < 12 else 'pm'}"
        return f"{h}:{m:02d}"

    def price(self) -> str:
        if self.lang == "en":
            n = self.rng.randint(5, 4000)
            return self.pick([f"${n:,}.{self.rng.randint(0, 99):02d}", f"USD {n:,}", f"${n}.99"])
        n = self.rng.randint(20, 9000) * 1000
        euros = self.rng.randint(5, 2000)
        return self.pick(
            [
                f"${n:,}".replace(",", "."),
                f"COP {n:,}".replace(",", "."),
                f"{euros},{self.rng.randint(0, 99):02d} €",
            ]
        )

    def tracking(self) -> str:
        ups = "1Z" + "".join(self.rng.choice(string.ascii_uppercase + string.digits) for _ in range(6))
        usps = "9400 " + " ".join(self.digits(4) for _ in range(4)) + " " + self.digits(2)
        return self.pick(
            [
                ups + self.digits(10),
                usps,
                self.digits(12, "7"),
                f"{self.digits(4)} {self.digits(4)} {self.digits(4)}",
            ]
        )

    def isbn(self) -> str:
        body = self.pick(["978", "979"]) + self.digits(9)
        total = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(body))
        full = body + str((10 - total % 10) % 10)
        if self.rng.random() < 0.3:
            return full
        group, publisher = full[3:5], full[5:9]
        return f"{full[:3]}-{group}-{publisher}-{full[9:12]}-{full[12]}"

    def mrn(self) -> str:
        return self.digits(self.rng.randint(7, 9))

    def member_id(self) -> str:
        return self.pick(["XYZ", "W", "MBR"]) + self.digits(9)

    def group_no(self) -> str:
        return self.digits(6)

    def last4(self) -> str:
        return self.digits(4)

    def otp(self) -> str:
        return self.digits(6)

    def txn(self) -> str:
        return self.pick([f"TX{self.digits(10)}", self.digits(12, "123456789")])

    def ref(self) -> str:
        return self.pick([f"INV-2024-{self.digits(4)}", f"FAC{self.digits(6)}", self.digits(10, "123456789")])

    def invoice(self) -> str:
        return self.pick([f"INV-{self.digits(5)}", f"FE-{self.digits(6)}", self.digits(8, "123456789")])

    def ein(self) -> str:
        return f"{self.digits(2, '123456789')}-{self.digits(7)}"

    def case_no(self) -> str:
        return f"{self.rng.randint(1, 9)}:{self.rng.randint(19, 25)}-cv-{self.digits(5)}"

    def case_es(self) -> str:
        return self.pick(
            [f"{self.digits(5, '1')}-{self.digits(4)}", f"CAS-{self.digits(7)}", self.digits(10, "123456789")]
        )

    def radicado(self) -> str:
        year = self.rng.randint(2015, 2025)
        return f"11001-31-03-{self.digits(3)}-{year}-{self.digits(5)}-00"

    def check_no(self) -> str:
        return self.digits(6)

    def claim_no(self) -> str:
        return self.pick([f"CLM-{self.digits(8)}", self.digits(10, "123456789")])

    def policy_no(self) -> str:
        return self.digits(10, "123456789")

    def account_no(self) -> str:
        return self.pick([f"{self.digits(3)}-{self.digits(6)}-{self.digits(2)}", self.digits(11)])

    def auth_no(self) -> str:
        return self.digits(self.rng.randint(8, 10), "123456789")

    def contract(self) -> str:
        return f"CT-{self.rng.randint(2018, 2025)}-{self.digits(3)}"

    def rx(self) -> str:
        return self.digits(7, "123456789")

    def errcode(self) -> str:
        return f"E-{self.digits(5)}"

    def zip(self) -> str:
        if self.lang == "en":
            return self.pick([self.digits(5, "123456789"), f"{self.digits(5, '123456789')}-{self.digits(4)}"])
        return self.pick([f"11{self.digits(4)}", f"280{self.digits(2)}", f"050{self.digits(3)}"])

    def file_no(self) -> str:
        return f"{self.rng.randint(2019, 2025)}/{self.digits(4)}"

    def version(self) -> str:
        return f"{self.rng.randint(1, 9)}.{self.rng.randint(0, 20)}.{self.rng.randint(0, 9)}"

    def build(self) -> str:
        return self.digits(8, "123456789")

    def qty(self) -> str:
        return str(self.rng.randint(2, 250))

    # --- formats of the held-out templates (written after the detector was frozen) ---
    def phone_alt(self) -> str:
        if self.lang == "en":
            d = self._valid_phone(
                "US", lambda: self.pick(["212", "305", "415", "617"]) + self.digits(7, "23456789")
            )
            a, e, line = d[:3], d[3:6], d[6:]
            return self.pick(
                [f"{a} {e} {line}", f"+1 ({a}) {e}-{line}", f"+1.{a}.{e}.{line}", f"1 ({a}) {e}-{line}"]
            )
        if self.rng.random() < 0.5:
            d = self._valid_phone(
                "ES", lambda: (lambda p: p + self.digits(9 - len(p)))(self.pick(["6", "91", "93"]))
            )
            return self.pick(
                [
                    f"{d[:2]}-{d[2:5]}-{d[5:7]}-{d[7:]}",
                    f"+34 {d[:2]} {d[2:5]} {d[5:7]} {d[7:]}",
                    f"{d[:3]}.{d[3:5]}.{d[5:7]}.{d[7:]}",
                    f"+34-{d[:3]}-{d[3:6]}-{d[6:]}",
                ]
            )
        d = self._valid_phone("CO", lambda: "3" + self.pick(["0", "1", "2"]) + self.digits(8))
        return self.pick(
            [
                f"{d[:3]}-{d[3:6]}-{d[6:]}",
                f"(+57) {d[:3]} {d[3:6]} {d[6:]}",
                f"+57{d}",
                f"{d[:3]} {d[3:]}",
                f"+57 {d[:3]}-{d[3:6]}-{d[6:]}",
            ]
        )

    def card_alt(self) -> str:
        pan = self.pan()
        if len(pan) == 15:
            return self.pick([f"{pan[:4]}-{pan[4:10]}-{pan[10:]}", pan])
        return self.format_pan(pan)

    def email_alt(self) -> str:
        address = self.email()
        local, _, domain = address.partition("@")
        return self.pick(
            [
                f"{local}@{domain.upper()}",
                f"{local}@mail.{domain}",
                f"soporte-ventas@{domain}",
                f"{local.upper()}@{domain}",
                address,
            ]
        )

    def nit_alt(self) -> str:
        base = self._nit_base()
        dv = std_nit.calc_check_digit(base)
        return self.pick(
            [
                f"{base[:3]}.{base[3:6]}.{base[6:]} - {dv}",
                f"{base}-{dv}",
                f"{base[:3]}.{base[3:6]}.{base[6:]}-{dv}",
            ]
        )

    def ip(self) -> str:
        return f"{self.pick(['10', '172', '192'])}.{self.rng.randint(0, 255)}.{self.rng.randint(0, 255)}.{self.rng.randint(1, 254)}"

    def coords(self) -> str:
        return f"{self.rng.uniform(-5, 12):.4f}, {self.rng.uniform(-80, -70):.4f}"

    def sku(self) -> str:
        return f"{self.digits(3, '1')}-{self.digits(4)}-{self.digits(2)}"

    def serial(self) -> str:
        return (
            self.digits(3, "5")
            + "".join(self.rng.choice(string.ascii_uppercase) for _ in range(3))
            + self.digits(4)
        )

    def weight(self) -> str:
        return f"{self.rng.randint(90, 240)} lbs" if self.lang == "en" else f"{self.rng.randint(45, 110)} kg"

    def percent(self) -> str:
        return (
            f"{self.rng.randint(1, 99)},{self.rng.randint(0, 9)} %"
            if self.lang == "es"
            else f"{self.rng.randint(1, 99)}.{self.rng.randint(0, 9)}%"
        )

    def bare10(self) -> str:
        return self.digits(10, "3")

    def company(self) -> str:
        return self.pick(COMPANIES)

    def city(self) -> str:
        return self.pick(CITIES)

    def eps(self) -> str:
        return self.pick(EPS)


ENTITY_SLOTS = {
    "email": "email",
    "phone": "phone",
    "phone_us": "phone",
    "phone_es": "phone",
    "phone_co": "phone",
    "phone_intl": "phone",
    "card": "card",
    "iban": "iban",
    "ssn": "us_ssn",
    "ssn_any": "us_ssn",
    "cedula": "co_cedula",
    "nit": "co_nit",
    "nit_any": "co_nit",
    "phone_alt": "phone",
    "card_alt": "card",
    "email_alt": "email",
    "nit_alt": "co_nit",
}
FORBIDDEN_SLOTS = {"cvv": "card_security_code"}
NEGATIVE_SLOTS = {
    "order": "order_number",
    "date": "date",
    "time": "time",
    "price": "price",
    "tracking": "tracking_code",
    "isbn": "isbn",
    "card_bad": "invalid_luhn_16_digits",
    "ssn_bad": "invalid_ssn",
    "iban_bad": "invalid_iban",
    "mrn": "record_number",
    "member_id": "member_id",
    "group_no": "group_number",
    "last4": "card_last_4",
    "otp": "one_time_code",
    "txn": "transaction_id",
    "ref": "reference",
    "invoice": "invoice_number",
    "ein": "us_ein",
    "case_no": "case_number",
    "case_es": "case_number",
    "radicado": "case_number",
    "check_no": "check_number",
    "claim_no": "claim_number",
    "policy_no": "policy_number",
    "account_no": "account_number",
    "auth_no": "authorization_number",
    "contract": "contract_number",
    "rx": "prescription_number",
    "errcode": "error_code",
    "zip": "postal_code",
    "file_no": "file_number",
    "version": "version",
    "build": "build_number",
    "qty": "quantity",
    "expiry": "card_expiry",
    "ip": "ip_address",
    "coords": "coordinates",
    "sku": "sku",
    "serial": "serial_number",
    "weight": "measurement",
    "percent": "percentage",
    "bare10": "loyalty_number",
}
PLAIN_SLOTS = {"name", "surname", "company", "city", "eps"}


def fill_track(values: Values) -> Filled:
    """Magnetic-stripe track 1 or 2 data around a test PAN: the whole is forbidden, the PAN is a card."""
    pan = values.pan()
    yymm = f"{values.rng.randint(26, 31)}{values.rng.randint(1, 12):02d}"
    service = values.pick(["101", "201", "121"])
    discretionary = values.digits(values.rng.randint(8, 14))
    if values.rng.random() < 0.5:
        surname, first = (
            _strip_accents(values.surname()).upper(),
            _strip_accents(values.name().split()[0]).upper(),
        )
        head = "%B"
        tail = f"^{surname}/{first}^{yymm}{service}{discretionary}?"
    else:
        head = ";"
        tail = f"={yymm}{service}{discretionary}?"
    text = head + pan + tail
    return text, [
        (0, len(text), "forbidden", "track_data"),
        (len(head), len(head) + len(pan), "entity", "card"),
    ]


def fill(slot: str, values: Values) -> Filled:
    base = slot if hasattr(values, slot) else slot.rstrip("0123456789")  # {phone2}: a second phone
    if base == "track":
        return fill_track(values)
    text = getattr(values, base)()
    if base in ENTITY_SLOTS:
        return text, [(0, len(text), "entity", ENTITY_SLOTS[base])]
    if base in FORBIDDEN_SLOTS:
        return text, [(0, len(text), "forbidden", FORBIDDEN_SLOTS[base])]
    if base in NEGATIVE_SLOTS:
        return text, [(0, len(text), "negative", NEGATIVE_SLOTS[base])]
    if base in PLAIN_SLOTS:
        return text, []
    raise KeyError(slot)


TEMPLATES: dict[tuple[str, str], list[str]] = {
    ("en", "support"): [
        "Hi, this is {name}. I can't log in to my account; please reset the password and send the link to {email}.",
        "Ticket {order}: customer {name} reports the package never arrived. Tracking {tracking}. Call back at {phone}.",
        "Please update my contact details: new e-mail {email}, new phone {phone}.",
        "I was charged twice on {date} for order {order} ({price} each). The card used was {card}.",
        "Your refund of {price} for order {order} was issued on {date}; it may take 5-10 business days.",
        "The ISBN on the invoice ({isbn}) does not match the book I received. Reach me at {email} or {phone}.",
        "Customer typed the card number wrong: {card_bad}. Asked them to re-enter it.",
        "Escalated to tier 2 at {time}. Contact: {name}, {phone}, <{email}>.",
        "Please don't call {phone} after 6 pm 🙏 I prefer e-mail (mailto:{email}).",
        "The app shows error {errcode} when I pay with my card ending in {last4}; version {version}, build {build}.",
        "Order {order} shipped via UPS, tracking number {tracking}, estimated delivery {date}.",
        "Could you send the receipt for {price} to my work address {email}? Thanks!",
    ],
    ("en", "medical"): [
        "Patient {name}, DOB {date}, MRN {mrn}. Emergency contact: {name2}, {phone}.",
        "Insurance subscriber SSN {ssn}; member ID {member_id}; group number {group_no}.",
        "New patient intake: phone {phone}, e-mail {email}, preferred pharmacy on file.",
        "Patient reports chest pain since {date} at {time}; BP 140/90, HR 88, weight 72 kg.",
        "Social Security number: {ssn_any}. Medicare card pending.",
        "Copay of {price} charged to card {card} on {date}.",
        "Please fax records to {phone} (attn. Dr. {surname}); call {phone2} with questions.",
        "Lab order {order} for patient MRN {mrn}; send results to {email}.",
        "The SSN on the referral ({ssn_bad}) looks wrong; verify at next visit.",
        "Patient is visiting from Colombia; cédula {cedula}, mobile {phone_co}.",
        "Prescription Rx {rx} refilled on {date}; pharmacy phone {phone}.",
        "Allergies: penicillin. Height 168 cm. Next appointment {date} at {time}, room {qty}.",
    ],
    ("en", "bank"): [
        "Agent: Can you confirm the last four digits of your card? Customer: it's {last4}.",
        "Customer: My card {card} was declined at the store on {date}.",
        "Please wire {price} to IBAN {iban}, reference {ref}.",
        "Customer: my card is {card}, expires {expiry}, CVV {cvv}. Agent: please never share the security code.",
        "Agent: we sent a verification code to {phone}. Customer: got it, the code is {otp}.",
        "Customer: I want to close the account linked to {email} and move the balance to {iban}.",
        "Agent: the transaction {txn} of {price} has been reversed.",
        "Customer: the card reader printed {track} on the slip, is that normal?",
        "Customer: the number on my statement, {card_bad}, isn't my card.",
        "Customer: my SSN is {ssn}, do you need it for the loan application?",
        "Customer: I'm calling from abroad, {phone_intl}; my wife's number is {phone}.",
        "Agent: read me the card number and the security code. Customer: {card}, security code {cvv}.",
    ],
    ("en", "legal"): [
        "Dear {name}: we represent {company} (EIN {ein}) in the matter of case no. {case_no}.",
        "Please direct all correspondence to {email} or call our office at {phone}.",
        "Our client, {name} (SSN {ssn}), disputes the charge of {price} dated {date}.",
        "Payment of {price} shall be made by wire transfer to IBAN {iban} no later than {date}.",
        "Pursuant to the agreement dated {date}, invoice {invoice} remains unpaid; see claim {claim_no}.",
        "The defendant may be reached at {phone} or {email}; service was attempted on {date}.",
        "Colombian counterparty {company} S.A.S., NIT {nit}, signed the addendum on {date}.",
        "Enclosed please find settlement check no. {check_no} for {price}.",
        "Re: Claim {claim_no}. Our records show the card {card} was used without authorization.",
        "Witness {name}, cédula de ciudadanía {cedula}, testified on {date}.",
        "Kindly reference file {file_no} and ISBN {isbn} of the cited treatise; policy number {policy_no}.",
        "The parties' phone numbers on file, {phone} and {phone2}, are to be kept confidential.",
    ],
    ("es", "support"): [
        "Hola, soy {name}. No puedo entrar a mi cuenta; envíen el enlace a {email}, por favor.",
        "Mi pedido {order} no ha llegado. Número de guía {tracking}. Mi celular es {phone}.",
        "Actualicen mis datos: correo {email}, teléfono {phone}. ¡Gracias!",
        "Me cobraron dos veces el {date} el pedido {order} ({price}). La tarjeta es {card}.",
        "El reembolso de {price} del pedido {order} se hizo el {date}; tarda de 5 a 10 días hábiles.",
        "Llámenme al {phone} después de las {time}, o escríbanme a {email}.",
        "El número de tarjeta que puse, {card_bad}, está mal; ¿cómo lo corrijo?",
        "Caso {case_es} escalado. Cliente: {name}, tel. {phone}, correo <{email}>.",
        "La factura {invoice} trae el ISBN {isbn} equivocado 😕",
        "Soy de {city}, cédula {cedula}, y quiero cambiar el titular del servicio.",
        "No me llamen al fijo {phone}; prefiero WhatsApp al {phone2}.",
        "Código de error {errcode} al pagar con la tarjeta terminada en {last4}; versión {version}.",
    ],
    ("es", "medical"): [
        "Paciente {name}, fecha de nacimiento {date}, historia clínica {mrn}. Acompañante: {name2}, {phone}.",
        "Documento de identidad: C.C. {cedula}. EPS {eps}. Teléfono de contacto {phone}.",
        "Ingreso: dolor abdominal desde el {date} a las {time}; TA 120/80, FC 76, peso 64 kg.",
        "Se envían los resultados al correo {email} del paciente.",
        "Paciente con cédula {cedula} solicita copia de su historia clínica.",
        "Pago de la cuota moderadora ({price}) con tarjeta {card}.",
        "Remitido por el Dr. {surname}; consultorio {phone}, correo {email}.",
        "Orden de laboratorio {order} del {date}; autorización {auth_no}.",
        "Paciente estadounidense, SSN {ssn}, con seguro internacional.",
        "Próxima cita el {date} a las {time}; recordatorio al {phone}.",
        "Número de afiliado {member_id}; la póliza {policy_no} vence el {date}.",
        "Fórmula médica {rx} entregada; farmacia: {phone}. Código postal {zip}.",
    ],
    ("es", "bank"): [
        "Cliente: mi tarjeta {card} fue rechazada ayer en el supermercado.",
        "Asesor: ¿me confirma los últimos cuatro dígitos? Cliente: {last4}.",
        "Transfiera {price} a la cuenta IBAN {iban}, concepto {ref}.",
        "Cliente: la tarjeta es {card}, vence {expiry}, el código de seguridad es {cvv}.",
        "Asesor: enviamos un código de verificación al {phone}. Cliente: es el {otp}.",
        "Cliente: quiero cerrar la cuenta asociada a {email} y pasar el saldo a {iban}.",
        "Asesor: la transacción {txn} por {price} fue reversada.",
        "Cliente: el datáfono imprimió {track} en el recibo, ¿es normal?",
        "Cliente: en el extracto aparece {card_bad} y no es mi tarjeta.",
        "Empresa {company} S.A.S., NIT {nit}, solicita un crédito de {price}.",
        "Cliente: estoy en el exterior, mi número es {phone_intl}.",
        "Cliente: mi cuenta de ahorros es la {account_no} y mi cédula {cedula}.",
    ],
    ("es", "legal"): [
        "Señor {name}: en representación de {company} S.A.S., NIT {nit}, le informamos del proceso {radicado}.",
        "Toda comunicación debe dirigirse a {email} o al teléfono {phone}.",
        "Nuestro cliente, {name}, identificado con cédula de ciudadanía n.º {cedula}, rechaza el cobro de {price}.",
        "El pago de {price} deberá hacerse a la cuenta IBAN {iban} antes del {date}.",
        "Conforme al contrato {contract} del {date}, la factura {invoice} sigue sin pagar.",
        "La parte demandada puede ser notificada en {email} o en el {phone}.",
        "Radicado {radicado}; audiencia fijada para el {date} a las {time}.",
        "Se adjunta el cheque n.º {check_no} por {price}.",
        "Ref.: reclamación {claim_no}. La tarjeta {card} fue usada sin autorización.",
        "El testigo {name}, C.C. {cedula} de {city}, declaró el {date}.",
        "Los números de contacto de las partes, {phone} y {phone2}, son confidenciales.",
        "Datos del arrendatario: {name}, NIT {nit_any}, correo {email}.",
    ],
}

# Written after the detector was frozen, and never used to tune it: bench/pii.py reports them apart.
HOLDOUT: dict[tuple[str, str], list[str]] = {
    ("en", "support"): [
        "Hello! My number changed to {phone_alt}; the old one was {phone_alt2}. Login e-mail: {email_alt}.",
        "Order {order}, SKU {sku}, qty {qty}: the serial {serial} on the box differs from the receipt.",
        "Pls refund to the card I used ({card_alt}), I already sent the receipt to {email_alt} 😊",
        "Our server at {ip} logged the failed payment at {time} on {date}.",
    ],
    ("en", "medical"): [
        "Pt. {name}, {weight}, SSN# {ssn}, reachable at {phone_alt} (cell).",
        "Guardian: {name2}. Phone: {phone_alt}. Alt. phone: {phone_intl}. E-mail on file: {email_alt}.",
        "Her cedula is {cedula}; she lives in Medellín and her loyalty card number is {bare10}.",
        "Billing: balance {price}, card on file {card_alt}, statement sent {date}. Adherence {percent}.",
    ],
    ("en", "bank"): [
        "Customer: can you send the wire to {iban}? My e-mail for the confirmation is {email_alt}.",
        "Customer: my card number is {card_alt} and the 3 digits on the back are {cvv}.",
        "Agent: your dispute {claim_no} for {price} is open; we will text {phone_alt}.",
        "Customer: the ATM at {coords} kept my card. Account {account_no}.",
    ],
    ("en", "legal"): [
        "Counsel for the plaintiff: {name}, {email_alt}, tel. {phone_alt}.",
        "The lessee, {company} S.A.S. (NIT {nit_alt}), agrees to pay {price} monthly.",
        "Exhibit B lists the SSNs of both claimants: {ssn} and {ssn2}.",
        "Funds shall be remitted to {iban} by {date}; docket {case_no}.",
    ],
    ("es", "support"): [
        "Buenas, cambié de número: ahora es {phone_alt}. Mi correo sigue siendo {email_alt}.",
        "El producto {sku}, serie {serial}, llegó dañado; pedido {order}, {qty} unidades.",
        "Devuélvanme el dinero a la tarjeta {card_alt}, por favor 🙏",
        "Desde la IP {ip} intenté pagar el {date} a las {time} y salió error {errcode}.",
    ],
    ("es", "medical"): [
        "Paciente identificada con CC. {cedula}, peso {weight}, tel. {phone_alt}.",
        "Acudiente: {name2}, c.c {cedula}, celular {phone_alt}, correo {email_alt}.",
        "Tarjeta de puntos {bare10}; adherencia al tratamiento {percent}.",
        "Se cobró {price} a la tarjeta {card_alt}; la factura {invoice} se envió a {email_alt}.",
    ],
    ("es", "bank"): [
        "Cliente: ¿me pueden transferir a {iban}? Mi correo es {email_alt}.",
        "Cliente: el número es {card_alt} y el código CVV es {cvv}.",
        "Asesor: su reclamo {claim_no} por {price} quedó radicado; le escribiremos al {phone_alt}.",
        "Cliente: el cajero de las coordenadas {coords} se tragó mi tarjeta. Cuenta {account_no}.",
    ],
    ("es", "legal"): [
        "Apoderado: {name}, identificado con cédula No. {cedula}, correo {email_alt}, tel. {phone_alt}.",
        "La sociedad arrendataria, {company} S.A.S. (Nit. {nit_alt}), pagará {price} mensuales.",
        "Consígnese a la cuenta {iban} antes del {date}; proceso {radicado}.",
        "Notifíquese al demandado en {email_alt} o al {phone_alt}, y a su empresa, NIT {nit_alt}.",
    ],
}

_SLOT = re.compile(r"\{([a-z_0-9]+)\}")


def render(template: str, values: Values) -> tuple[str, list[Label]]:
    """The sentence and its labels, offsets in code points of the finished sentence."""
    out: list[str] = []
    labels: list[Label] = []
    position = 0
    length = 0
    for match in _SLOT.finditer(template):
        literal = template[position : match.start()]
        out.append(literal)
        length += len(literal)
        text, slot_labels = fill(match.group(1), values)
        labels.extend((length + s, length + e, category, kind) for s, e, category, kind in slot_labels)
        out.append(text)
        length += len(text)
        position = match.end()
    out.append(template[position:])
    return "".join(out), labels


def build(seed: int = SEED) -> list[dict[str, object]]:
    rng = random.Random(seed)
    records: list[dict[str, object]] = []
    for lang in ("en", "es"):
        values = Values(rng, lang)
        count = 0
        for split, sets in (("tuning", TEMPLATES), ("holdout", HOLDOUT)):
            for _ in range(PER_TEMPLATE):
                for (template_lang, domain), templates in sets.items():
                    if template_lang != lang:
                        continue
                    for template in templates:
                        text, labels = render(template, values)
                        count += 1
                        records.append(
                            {
                                "id": f"{lang}-{count:04d}",
                                "lang": lang,
                                "split": split,
                                "domain": domain,
                                "text": text,
                                "entities": _spans(labels, "entity", "type"),
                                "forbidden": _spans(labels, "forbidden", "kind"),
                                "negatives": _spans(labels, "negative", "kind"),
                            }
                        )
    return records


def _spans(labels: list[Label], category: str, key: str) -> list[dict[str, object]]:
    return [{"start": s, "end": e, key: kind} for s, e, c, kind in sorted(labels) if c == category]


def dumps(records: list[dict[str, object]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def main() -> None:
    records = build()
    OUT.write_text(dumps(records), encoding="utf-8")
    print(f"{len(records)} sentences written to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
