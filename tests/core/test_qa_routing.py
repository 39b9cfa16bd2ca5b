"""Routing rules (consenso.core.qa.routing): parsing requirements and skills, and who qualifies for what."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consenso.core.errors import InvalidInput
from consenso.core.qa import (
    LANGUAGE_LEVELS,
    Requirements,
    parse_requirements,
    parse_skills,
    qualification,
    qualifies,
)


def test_requirements_parse_with_the_dialect_implying_its_language() -> None:
    assert parse_requirements({"dialect": "es-CO"}) == Requirements("es", "es-CO", None)
    assert parse_requirements({"language": "en", "domain": "legal"}) == Requirements("en", None, "legal")
    assert parse_requirements(None) == Requirements()
    assert parse_requirements({}) == Requirements()


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ([], "requirements"),
        ({"language": "Spanish"}, "requirements.language"),
        ({"language": "en", "dialect": "es-CO"}, "requirements.dialect"),  # contradicts the language
        ({"dialect": "es_CO"}, "requirements.dialect"),
        ({"domain": "Medical"}, "requirements.domain"),
        ({"domain": ""}, "requirements.domain"),
        ({"region": "x"}, "requirements.region"),
        ({"language": 7}, "requirements.language"),
    ],
)
def test_bad_requirements_are_refused_naming_the_field(raw: Any, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_requirements(raw)
    assert caught.value.message_key == "requirement_invalid"
    assert caught.value.params["field"] == field
    assert field in caught.value.message("es")


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"languages": [{"code": "es"}]}, "skills.languages[0].level"),
        ({"languages": [{"code": "es", "level": "fluent"}]}, "skills.languages[0].level"),
        ({"languages": [{"code": "es", "level": "C1", "dialect": "pt-BR"}]}, "skills.languages[0].dialect"),
        ({"languages": [{"code": "ES", "level": "C1"}]}, "skills.languages[0].code"),
        ({"languages": "es"}, "skills.languages"),
        ({"domains": ["medical", "Legal"]}, "skills.domains[1]"),
        ({"hobbies": []}, "skills"),
        ({"languages": [{"code": "es", "level": "C1"}] * 51}, "skills.languages"),
    ],
)
def test_bad_skills_are_refused_naming_the_field(raw: Any, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_skills(raw)
    assert caught.value.message_key == "skill_invalid"
    assert caught.value.params["field"] == field


def test_skills_round_trip_and_repeated_domains_collapse() -> None:
    raw = {
        "languages": [{"code": "es", "dialect": "es-CO", "level": "native"}],
        "domains": ["legal", "legal"],
    }
    skills = parse_skills(raw)
    assert skills.to_json() == {
        "languages": [{"code": "es", "dialect": "es-CO", "level": "native"}],
        "domains": ["legal"],
    }
    assert parse_skills(skills.to_json()) == skills


def test_the_minimum_level_decides_which_languages_count() -> None:
    skills = parse_skills({"languages": [{"code": "en", "level": "B2"}, {"code": "es", "level": "C2"}]})
    assert qualification(skills, "B2").languages == {"en", "es"}
    assert qualification(skills, "C1").languages == {"es"}
    assert qualification(skills, "native").languages == frozenset()


def test_a_plain_language_does_not_cover_a_dialect_requirement() -> None:
    q = qualification(parse_skills({"languages": [{"code": "es", "level": "native"}]}), "B2")
    assert qualifies(q, Requirements("es"))
    assert not qualifies(q, Requirements("es", "es-CO"))
    assert not qualifies(q, Requirements(domain="medical"))


_LEVELS = st.sampled_from(LANGUAGE_LEVELS)
_CODES = st.sampled_from(["en", "es", "pt"])
_DIALECTS = st.sampled_from([None, "CO", "MX"])
_DOMAINS = st.sampled_from([None, "medical", "legal"])


@given(
    languages=st.lists(st.tuples(_CODES, _DIALECTS, _LEVELS), max_size=4),
    domains=st.lists(st.sampled_from(["medical", "legal", "finance"]), max_size=3),
    minimum=_LEVELS,
    need=st.tuples(st.one_of(st.none(), _CODES), _DIALECTS, _DOMAINS),
)
def test_qualifies_agrees_with_a_direct_reading_of_the_rules(
    languages: list[tuple[str, str | None, str]],
    domains: list[str],
    minimum: str,
    need: tuple[str | None, str | None, str | None],
) -> None:
    skills = parse_skills(
        {
            "languages": [
                {"code": c, "level": lvl, "dialect": f"{c}-{d}" if d else None} for c, d, lvl in languages
            ],
            "domains": domains,
        }
    )
    code, dialect_suffix, domain = need
    dialect = f"{code}-{dialect_suffix}" if code and dialect_suffix else None
    task = Requirements(code, dialect, domain)
    floor = LANGUAGE_LEVELS.index(minimum)

    def strong(c: str, d: str | None = None) -> bool:
        return any(
            lc == c and LANGUAGE_LEVELS.index(lvl) >= floor and (d is None or (ld and f"{lc}-{ld}" == d))
            for lc, ld, lvl in languages
        )

    expected = (
        (code is None or strong(code))
        and (dialect is None or strong(code or "", dialect))
        and (domain is None or domain in domains)
    )
    assert qualifies(qualification(skills, minimum), task) == expected
