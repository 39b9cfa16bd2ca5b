"""The labelled PII test set is what it claims to be, and the detector keeps its measured quality on it.

Floors: the figures measured by ``bench/pii.py`` (docs/security.md) minus a margin of 0.03, rounded down;
card numbers and e-mail addresses must keep recall 1.0 in both languages (the issue's requirement), and so
must card security codes and track data, which the import refuses.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import phonenumbers
import pytest
from stdnum import iban, luhn
from stdnum.co import nit

from consenso.core.pii import detect, find_forbidden
from consenso.core.pii.evaluation import Counts, Span, score
from tests.core.make_pii_testset import TEST_PANS, build, dumps

TESTSET = Path(__file__).with_name("pii_testset.jsonl")
RECORDS: list[dict[str, Any]] = [
    json.loads(line) for line in TESTSET.read_text(encoding="utf-8").splitlines()
]

#: (type, language) -> (precision floor, recall floor), exact span match. Measured: every type 1.000/1.000
#: but phone, P 0.971 (en) and 0.968 (es) with R 1.000.
FLOORS: dict[tuple[str, str], tuple[float, float]] = {
    **{(t, lang): (0.97, 0.97) for t in ("iban", "us_ssn", "co_cedula", "co_nit") for lang in ("en", "es")},
    **{(t, lang): (0.97, 1.0) for t in ("email", "card") for lang in ("en", "es")},
    ("phone", "en"): (0.94, 0.97),
    ("phone", "es"): (0.93, 0.97),
    **{(t, lang): (0.97, 1.0) for t in ("card_security_code", "track_data") for lang in ("en", "es")},
}


def gold(record: dict[str, Any]) -> list[Span]:
    return [Span(e["start"], e["end"], e["type"]) for e in record["entities"]] + [
        Span(f["start"], f["end"], f["kind"]) for f in record["forbidden"]
    ]


def predicted(record: dict[str, Any]) -> list[Span]:
    text = record["text"]
    return [Span(d.start, d.end, d.entity.value) for d in detect(text)] + [
        Span(f.start, f.end, f.kind.value) for f in find_forbidden(text)
    ]


@pytest.fixture(scope="module")
def by_language() -> dict[str, tuple[dict[str, Counts], dict[str, Counts]]]:
    out = {}
    for lang in ("en", "es"):
        chosen = [r for r in RECORDS if r["lang"] == lang]
        g, p = [gold(r) for r in chosen], [predicted(r) for r in chosen]
        out[lang] = (score(g, p, "exact"), score(g, p, "overlap"))
    return out


@pytest.mark.parametrize(("kind", "lang"), sorted(FLOORS))
def test_precision_and_recall_stay_above_their_floors(
    kind: str, lang: str, by_language: dict[str, tuple[dict[str, Counts], dict[str, Counts]]]
) -> None:
    exact, overlap = by_language[lang]
    counts = exact[kind]
    assert counts.support >= 4, "too few gold spans of this type to measure it"
    precision_floor, recall_floor = FLOORS[(kind, lang)]
    assert counts.precision >= precision_floor, (kind, lang, counts)
    assert counts.recall >= recall_floor, (kind, lang, counts)
    assert overlap[kind].tp >= counts.tp  # an exact match is an overlapping one


def test_the_set_is_big_enough_balanced_and_varied() -> None:
    langs = Counter(r["lang"] for r in RECORDS)
    assert len(RECORDS) >= 300 and abs(langs["en"] - langs["es"]) <= 0.1 * len(RECORDS)
    assert {r["domain"] for r in RECORDS} == {"support", "medical", "bank", "legal"}
    assert len({r["id"] for r in RECORDS}) == len(RECORDS)
    types = Counter(e["type"] for r in RECORDS for e in r["entities"])
    assert set(types) == {"email", "phone", "card", "iban", "us_ssn", "co_cedula", "co_nit"}
    negatives = Counter(n["kind"] for r in RECORDS for n in r["negatives"])
    for kind in ("order_number", "date", "price", "tracking_code", "isbn", "invalid_luhn_16_digits"):
        assert negatives[kind] >= 8, kind
    assert sum(1 for r in RECORDS if not r["entities"] and not r["forbidden"]) >= 20  # sentences with none
    assert any(not r["text"].isascii() for r in RECORDS)


def test_every_gold_span_is_what_its_label_says() -> None:
    for record in RECORDS:
        text = record["text"]
        for entity in record["entities"]:
            value = text[entity["start"] : entity["end"]]
            assert value == value.strip() and value, record["id"]
            digits = re.sub(r"\D", "", value)
            kind = entity["type"]
            if kind == "card":
                assert luhn.is_valid(digits) and 13 <= len(digits) <= 19, value
                assert any(digits[:6] == pan[:6] for pan in TEST_PANS), f"{value} is outside the test BINs"
            elif kind == "iban":
                assert iban.is_valid(value), value
            elif kind == "email":
                assert value.count("@") == 1, value
            elif kind == "phone":
                assert any(
                    phonenumbers.is_valid_number(phonenumbers.parse(value, region))
                    for region in ("US", "ES", "CO")
                ), value
            elif kind == "us_ssn":
                assert len(digits) == 9 and digits[:3] not in ("000", "666") and digits[0] != "9", value
            elif kind == "co_nit" and "-" in value:
                assert nit.is_valid(digits), value
            elif kind == "co_cedula":
                assert 7 <= len(digits) <= 10 and digits[0] != "0", value
        for negative in record["negatives"]:
            if negative["kind"] == "invalid_luhn_16_digits":
                assert not luhn.is_valid(re.sub(r"\D", "", text[negative["start"] : negative["end"]]))


def test_the_generator_is_deterministic() -> None:
    assert dumps(build()) == dumps(build())
