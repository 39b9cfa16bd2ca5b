"""Masking strategies, pseudonyms within a task, the walk over a task's JSON, idempotence."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import luhn

from consenso.core.pii import (
    EntityType,
    PiiPolicy,
    Pseudonyms,
    Strategy,
    detect,
    mask_data,
    mask_text,
    partial,
)

ALL = list(EntityType)
SAMPLES = {
    EntityType.EMAIL: "Ana.Lopez@ejemplo.es",
    EntityType.PHONE: "+34 612 345 678",
    EntityType.CARD: "4111 1111 1111 1111",
    EntityType.IBAN: "ES91 2100 0418 4502 0005 1332",
    EntityType.US_SSN: "123-45-6789",
    EntityType.CO_CEDULA: "1.020.345.678",
    EntityType.CO_NIT: "900.373.115-3",
}
CONTEXT = {EntityType.US_SSN: "SSN ", EntityType.CO_CEDULA: "cédula ", EntityType.CO_NIT: "NIT "}


def policy(strategy: Strategy) -> PiiPolicy:
    return PiiPolicy(entities=dict.fromkeys(EntityType, strategy))


def sentence(entity: EntityType) -> str:
    return f"Dato: {CONTEXT.get(entity, '')}{SAMPLES[entity]} fin"


@pytest.mark.parametrize(
    ("strategy", "expected"),
    [
        (
            Strategy.TAG,
            ["[EMAIL]", "[PHONE]", "[CARD]", "[IBAN]", "[SSN]", "[CEDULA]", "[NIT]"],
        ),
        (Strategy.REMOVE, [""] * 7),
        (
            Strategy.PARTIAL,
            [
                "***@ejemplo.es",
                "+** *** **5 678",
                "4111 11** **** 1111",
                "ES** **** **** **** **** 1332",
                "***-**-6789",
                "*.***.***.678",
                "***.***.*15-3",
            ],
        ),
        (
            Strategy.PSEUDONYM,
            ["EMAIL_1", "PHONE_1", "CARD_1", "IBAN_1", "SSN_1", "CEDULA_1", "NIT_1"],
        ),
    ],
)
def test_each_strategy_on_each_type(strategy: Strategy, expected: list[str]) -> None:
    for entity, replacement in zip(ALL, expected, strict=True):
        text = sentence(entity)
        masked = mask_text(text, policy(strategy))
        assert masked.text == f"Dato: {CONTEXT.get(entity, '')}{replacement} fin", entity
        assert [d.entity for d in masked.detections] == [entity]


def test_a_type_left_out_of_the_policy_or_a_disabled_policy_masks_nothing() -> None:
    text = "ana@x.com, 4111 1111 1111 1111"
    only_cards = PiiPolicy(entities={EntityType.CARD: Strategy.TAG})
    assert mask_text(text, only_cards).text == "ana@x.com, [CARD]"
    assert mask_text(text, PiiPolicy(enabled=False)) == (text, [])
    assert mask_data({"t": text}, PiiPolicy(enabled=False)).findings == []


@st.composite
def cards(draw: st.DrawFn) -> str:
    length = draw(st.sampled_from([13, 15, 16, 19]))
    prefix = {13: "4", 15: "37", 16: draw(st.sampled_from(["4", "51", "6011"])), 19: "4"}[length]
    body = prefix + draw(
        st.text(alphabet="0123456789", min_size=length - len(prefix) - 1, max_size=length - len(prefix) - 1)
    )
    pan = body + luhn.calc_check_digit(body)
    separator = draw(st.sampled_from(["", " ", "-"]))
    return separator.join(pan[i : i + 4] for i in range(0, len(pan), 4))


@given(card=cards())
def test_partial_card_never_shows_more_than_the_first_6_and_last_4_digits(card: str) -> None:
    shown = partial(EntityType.CARD, card)
    digits = re.sub(r"\D", "", card)
    visible = re.sub(r"[^0-9]", "", shown)
    assert len(visible) <= 10
    assert visible == digits[:6] + digits[-4:]
    assert len(shown) == len(card)  # separators kept in place
    masked = mask_text(f"pago con {card}", policy(Strategy.PARTIAL)).text
    assert masked == f"pago con {shown}"


def test_partial_phone_keeps_exactly_the_last_4_digits() -> None:
    assert partial(EntityType.PHONE, "(415) 555-2671") == "(***) ***-2671"
    assert partial(EntityType.PHONE, "3001234567") == "******4567"


def test_pseudonyms_are_consistent_within_a_task_across_fields_and_spellings() -> None:
    data = {
        "from": "ana@x.com",
        "messages": [
            {"text": "Soy ANA@x.com, mi celular es +57 300 123 4567"},
            {"text": "Repito: 3001234567, o escríbame a ana@x.com; mi jefe es jefe@x.com"},
        ],
        "card": "4111111111111111",
        "note": "tarjeta 4111 1111 1111 1111",
    }
    masked = mask_data(data, policy(Strategy.PSEUDONYM)).data
    assert masked == {
        "from": "EMAIL_1",
        "messages": [
            {"text": "Soy EMAIL_1, mi celular es PHONE_1"},
            {"text": "Repito: PHONE_1, o escríbame a EMAIL_1; mi jefe es EMAIL_2"},
        ],
        "card": "CARD_1",
        "note": "tarjeta CARD_1",
    }
    # a new task starts numbering again: pseudonyms do not link tasks
    assert mask_data({"x": "jefe@x.com"}, policy(Strategy.PSEUDONYM)).data == {"x": "EMAIL_1"}


@given(
    values=st.lists(st.sampled_from(["a@x.com", "b@x.com", "c@y.org", "A@X.COM"]), min_size=1, max_size=12)
)
def test_pseudonyms_one_name_per_value_and_one_value_per_name(values: list[str]) -> None:
    names = Pseudonyms()
    given_names = [names(EntityType.EMAIL, v) for v in values]
    canonical = [v.lower() for v in values]
    for i in range(len(values)):
        for j in range(len(values)):
            assert (given_names[i] == given_names[j]) == (canonical[i] == canonical[j])
    assert sorted(set(given_names), key=lambda n: int(n.split("_")[1])) == [
        f"EMAIL_{k}" for k in range(1, len(set(canonical)) + 1)
    ]


def test_mask_data_walks_every_depth_keeps_keys_and_shape_and_reports_findings_without_values() -> None:
    data = {
        "ana@x.com": "key untouched",
        "nested": [[{"deep": ["x", "tel 612 345 678"]}]],
        "count": 3,
        "flag": True,
        "none": None,
        "score": 0.5,
        "phone_as_number": 3001234567,
    }
    original = json.loads(json.dumps(data))
    result = mask_data(data, PiiPolicy())
    assert data == original  # not modified in place
    assert result.data == {
        "ana@x.com": "key untouched",
        "nested": [[{"deep": ["x", "tel [PHONE]"]}]],
        "count": 3,
        "flag": True,
        "none": None,
        "score": 0.5,
        "phone_as_number": "[PHONE]",
    }
    findings = [f.to_json() for f in result.findings]
    assert findings == [
        {"path": "/nested/0/0/deep/1", "type": "phone", "start": 4, "end": 15, "strategy": "tag"},
        {"path": "/phone_as_number", "type": "phone", "start": 0, "end": 10, "strategy": "tag"},
    ]
    assert "612" not in repr(result.findings) and "612" not in json.dumps(findings)


def test_mask_data_survives_deep_nesting() -> None:
    data: object = "ana@x.com"
    for _ in range(5000):
        data = {"a": [data]}
    masked = mask_data(data, PiiPolicy()).data
    for _ in range(5000):
        masked = masked["a"][0]
    assert masked == "[EMAIL]"


PIECES = [
    "ana.lopez@ejemplo.es",
    "+34 612 345 678",
    "300 123 4567",
    "(415) 555-2671",
    "4111 1111 1111 1111",
    "378282246310005",
    "ES91 2100 0418 4502 0005 1332",
    "SSN 123-45-6789",
    "cédula 1.020.345.678",
    "NIT 900.373.115-3",
    "pedido 3001234567",
    "2024-03-15",
    "$1,299.00",
    "hola",
    "¿qué tal?",
    "😀",
    ",",
]


@given(
    pieces=st.lists(st.sampled_from(PIECES), min_size=1, max_size=8),
    strategy=st.sampled_from(list(Strategy)),
)
@settings(max_examples=200, deadline=None)
def test_masking_is_idempotent(pieces: list[str], strategy: Strategy) -> None:
    text = ", ".join(pieces)  # two numbers with only a space between may read as one: a detection matter
    once = mask_text(text, policy(strategy)).text
    twice = mask_text(once, policy(strategy))
    assert twice.text == once
    assert twice.detections == []


@given(prefix=st.text(alphabet="áéíóúñ😀🇨🇴漢 ", max_size=12))
def test_findings_point_into_the_original_string_with_non_ascii_text(prefix: str) -> None:
    text = f"{prefix}✉ ana@correo.co y 💳 4111-1111-1111-1111"
    result = mask_data({"t": text}, policy(Strategy.TAG))
    assert [text[f.start : f.end] for f in result.findings] == ["ana@correo.co", "4111-1111-1111-1111"]
    assert result.data == {"t": f"{prefix}✉ [EMAIL] y 💳 [CARD]"}
    assert [(d.start, d.end) for d in detect(text)] == [(f.start, f.end) for f in result.findings]
