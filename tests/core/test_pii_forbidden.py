"""Card security codes and magnetic-stripe track data: found (to refuse the import), with where they are."""

from __future__ import annotations

import pytest

from consenso.core.messages import translate
from consenso.core.pii import (
    REFUSAL_MESSAGES,
    ForbiddenKind,
    find_forbidden,
    find_forbidden_in_data,
    holds_forbidden,
)

CODE = ForbiddenKind.CARD_SECURITY_CODE
TRACK = ForbiddenKind.TRACK_DATA


def spans(text: str, field: str = "") -> list[tuple[str, str]]:
    return [(f.kind.value, text[f.start : f.end]) for f in find_forbidden(text, field=field)]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("my card is 4111 1111 1111 1111, expires 09/27, CVV 123", "123"),
        ("cvv2: 0456", "0456"),
        ("CVC=789", "789"),
        ("the security code is 321", "321"),
        ("el código de seguridad es el 654", "654"),
        ("Cód. seguridad 111", "111"),
        ("los 3 dígitos de atrás son 808", "808"),
        ("the three digits on the back: 909", "909"),
        ("card verification value 4321", "4321"),
    ],
)
def test_security_codes_after_their_context_word(text: str, code: str) -> None:
    assert spans(text) == [("card_security_code", code)]
    assert holds_forbidden(text)


@pytest.mark.parametrize(
    "text",
    [
        "Your verification code is 1234",
        "código de verificación 482913",
        "security code. Customer: 3782 822463 10005",  # a card number, not a code
        "CVV policy updated in 2024-03",  # the year is part of a date
        "ZIP 10001, CVV not provided",
        "security code 12345",  # too long
    ],
)
def test_not_security_codes(text: str) -> None:
    assert find_forbidden(text) == []
    assert not holds_forbidden(text)


def test_track_1_and_track_2() -> None:
    track1 = "%B4111111111111111^GOMEZ/ANA^27091010000000000000?"
    track2 = ";4111111111111111=27091010000000000?"
    assert spans(f"leído: {track1} ok") == [("track_data", track1)]
    assert spans(f"leído: {track2} ok") == [("track_data", track2)]
    # without sentinels, and EMV tag 57's "D" separator
    assert spans("4111111111111111=2709101123456") == [("track_data", "4111111111111111=2709101123456")]
    assert spans("57: 4111111111111111D27091010000") == [("track_data", "4111111111111111D27091010000")]
    assert find_forbidden("4111111111111111 = 2709") == []


def test_data_walk_names_the_field_and_uses_field_names_as_context() -> None:
    data = {
        "payment": {"cvv": "123", "card": "4111 1111 1111 1111"},
        "chat": ["hola", "el CVC es 999"],
        "zip": "123",
        "notes": {"security_code": 4567},
    }
    findings = find_forbidden_in_data(data)
    assert [(f.pointer, f.kind, f.start, f.end) for f in findings] == [
        ("/payment/cvv", CODE, 0, 3),
        ("/chat/1", CODE, 10, 13),
        ("/notes/security_code", CODE, 0, 4),  # a JSON number, found by its field name
    ]
    assert findings[0].to_json() == {
        "path": "/payment/cvv",
        "kind": "card_security_code",
        "start": 0,
        "end": 3,
    }
    assert find_forbidden_in_data({"zip": 123, "n": [1, 2, 3], "cvv_policy": "none"}) == []


def test_refusal_messages_exist_in_both_languages_and_hold_no_value() -> None:
    for kind, key in REFUSAL_MESSAGES.items():
        en = translate(key, "en", field="/payment/cvv", start=0)
        es = translate(key, "es", field="/payment/cvv", start=0)
        assert "/payment/cvv" in en and "/payment/cvv" in es, kind
        assert en != es


def test_the_quick_test_never_skips_a_document_that_holds_forbidden_data() -> None:
    """``may_hold_forbidden`` lets an import skip the full search: it must say True for everything the full
    search finds, in any case, as text or as a JSON document with its field names."""
    import itertools
    import pathlib

    import orjson

    from consenso.core.pii import may_hold_forbidden

    found = [
        "my card is 4111 1111 1111 1111, expires 09/27, CVV 123",
        "cvv2: 0456",
        "CVC=789",
        "the security code is 321",
        "el código de seguridad es el 654",
        "Cód. seguridad 111",
        "CÓDIGO DE SEGURIDAD 111",
        "los 3 dígitos de atrás son 808",
        "los 3 DIGITOS de atras son 808",
        "the three digits on the back: 909",
        "card verification value 4321",
        "CSC 123",
        "cvn 123",
        "cav2 123",
        "cvd 123",
        "%B4111111111111111^GOMEZ/ANA^27091010000000000000?",
        ";4111111111111111=27091010000000000?",
        "57: 4111111111111111D27091010000",
    ]
    documents = [{"text": t} for t in found] + [
        {"cvv": "123"},
        {"CVC2": 456},
        {"security_code": "789"},
        {"codigo_seguridad": "0123"},
    ]
    testset = pathlib.Path(__file__).with_name("pii_testset.jsonl").read_bytes().splitlines()
    sentences = [orjson.loads(line)["text"] for line in testset if line.strip()]
    assert all(find_forbidden(text) for text in found)  # the cases are real
    for text in itertools.chain(found, sentences):
        if find_forbidden(text):
            assert may_hold_forbidden(text), text
    for document in documents:
        assert find_forbidden_in_data(document), document  # the cases are real
        assert may_hold_forbidden(orjson.dumps(document).decode()), document
    assert not may_hold_forbidden('{"text": "order 1234 of 2024-03-05 at table 56"}')
