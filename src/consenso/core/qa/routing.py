"""Routing: which members may be served which tasks, by language, dialect and domain.

A task may carry **requirements** (each optional): a ``language`` (an ISO 639 code such as ``es``), a
``dialect`` (a tag of that language such as ``es-CO``) and a ``domain`` (``medical``, ``legal``,
``finance``, or any lowercase word). A member carries **skills**, vouched for by the workspace's managers:
languages with a CEFR level (``A1`` … ``C2``) or ``native``, optionally a dialect, and domains.

A member **qualifies** for a task when every requirement the task has is met:

- language: they have the language at the project's ``min_language_level`` or above;
- dialect: they have that dialect at that level (``es-CO``; a plain ``es`` does not cover it);
- domain: it is one of their domains.

A task without requirements is open to everyone. :func:`qualification` reduces skills to three sets that
the store turns into one SQL filter (``IN`` lists), so routing costs no per-task Python.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from consenso.core.errors import InvalidInput
from consenso.core.qa.settings import LANGUAGE_LEVELS

_LANGUAGE: Final = re.compile(r"[a-z]{2,3}")
_DIALECT: Final = re.compile(r"([a-z]{2,3})-[A-Za-z0-9]{2,8}")
_DOMAIN: Final = re.compile(r"[a-z][a-z0-9_-]{0,63}")
#: At most this many languages and domains per member.
MAX_SKILLS: Final = 50


@dataclass(frozen=True, slots=True)
class Requirements:
    language: str | None = None
    dialect: str | None = None
    domain: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {"language": self.language, "dialect": self.dialect, "domain": self.domain}


@dataclass(frozen=True, slots=True)
class LanguageSkill:
    code: str
    level: str
    dialect: str | None = None


@dataclass(frozen=True, slots=True)
class Skills:
    languages: tuple[LanguageSkill, ...] = ()
    domains: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "languages": [{"code": s.code, "dialect": s.dialect, "level": s.level} for s in self.languages],
            "domains": list(self.domains),
        }


@dataclass(frozen=True, slots=True)
class Qualification:
    """What a member may be served: language codes, dialect tags and domains (see :func:`qualifies`)."""

    languages: frozenset[str]
    dialects: frozenset[str]
    domains: frozenset[str]


def _text(value: Any, pattern: re.Pattern[str], field: str, problem: str) -> str:
    if not isinstance(value, str) or pattern.fullmatch(value) is None:
        raise InvalidInput(problem, field=field)
    return value


def parse_requirements(raw: Any, field: str = "requirements") -> Requirements:
    """Requirements from JSON (``{"language": "es", "dialect": "es-CO", "domain": "medical"}``, each
    optional). A dialect implies its language, which may be left out; a language that contradicts it is
    refused. Raises ``InvalidInput`` (``requirement_invalid``) naming the field."""
    if raw is None:
        return Requirements()
    if not isinstance(raw, Mapping):
        raise InvalidInput("requirement_invalid", field=field)
    for key in raw:
        if key not in ("language", "dialect", "domain"):
            raise InvalidInput("requirement_invalid", field=f"{field}.{str(key)[:64]}")
    language = raw.get("language")
    dialect = raw.get("dialect")
    domain = raw.get("domain")
    if language is not None:
        language = _text(language, _LANGUAGE, f"{field}.language", "requirement_invalid")
    if dialect is not None:
        dialect = _text(dialect, _DIALECT, f"{field}.dialect", "requirement_invalid")
        base = dialect.split("-", 1)[0]
        if language is not None and language != base:
            raise InvalidInput("requirement_invalid", field=f"{field}.dialect")
        language = base
    if domain is not None:
        domain = _text(domain, _DOMAIN, f"{field}.domain", "requirement_invalid")
    return Requirements(language, dialect, domain)


def parse_skills(raw: Any) -> Skills:
    """Skills from JSON (``{"languages": [{"code", "dialect"?, "level"}], "domains": [...]}``). Raises
    ``InvalidInput`` (``skill_invalid``) naming the field."""
    if raw is None:
        return Skills()
    if not isinstance(raw, Mapping) or not set(raw) <= {"languages", "domains"}:
        raise InvalidInput("skill_invalid", field="skills")
    languages_raw = raw.get("languages", [])
    domains_raw = raw.get("domains", [])
    if not isinstance(languages_raw, list) or len(languages_raw) > MAX_SKILLS:
        raise InvalidInput("skill_invalid", field="skills.languages")
    if not isinstance(domains_raw, list) or len(domains_raw) > MAX_SKILLS:
        raise InvalidInput("skill_invalid", field="skills.domains")
    languages: list[LanguageSkill] = []
    for i, entry in enumerate(languages_raw):
        where = f"skills.languages[{i}]"
        if not isinstance(entry, Mapping) or not set(entry) <= {"code", "dialect", "level"}:
            raise InvalidInput("skill_invalid", field=where)
        code = _text(entry.get("code"), _LANGUAGE, f"{where}.code", "skill_invalid")
        dialect = entry.get("dialect")
        if dialect is not None:
            dialect = _text(dialect, _DIALECT, f"{where}.dialect", "skill_invalid")
            if dialect.split("-", 1)[0] != code:
                raise InvalidInput("skill_invalid", field=f"{where}.dialect")
        level = entry.get("level")
        if level not in LANGUAGE_LEVELS:
            raise InvalidInput("skill_invalid", field=f"{where}.level")
        languages.append(LanguageSkill(code, str(level), dialect))
    domains = tuple(
        dict.fromkeys(
            _text(d, _DOMAIN, f"skills.domains[{i}]", "skill_invalid") for i, d in enumerate(domains_raw)
        )
    )
    return Skills(tuple(languages), domains)


def qualification(skills: Skills, min_level: str) -> Qualification:
    """The languages, dialects and domains a member qualifies for at the project's minimum level."""
    floor = LANGUAGE_LEVELS.index(min_level)
    strong = [s for s in skills.languages if LANGUAGE_LEVELS.index(s.level) >= floor]
    return Qualification(
        languages=frozenset(s.code for s in strong),
        dialects=frozenset(s.dialect for s in strong if s.dialect is not None),
        domains=frozenset(skills.domains),
    )


def qualifies(q: Qualification, task: Requirements) -> bool:
    """Whether a member with qualification ``q`` may be served a task with these requirements.

    Example:
        >>> skills = parse_skills({"languages": [{"code": "es", "dialect": "es-CO", "level": "native"},
        ...                                      {"code": "en", "level": "B1"}], "domains": ["medical"]})
        >>> q = qualification(skills, "B2")
        >>> qualifies(q, Requirements("es", "es-CO", "medical")), qualifies(q, Requirements("en"))
        (True, False)
        >>> qualifies(q, Requirements("es", "es-MX")), qualifies(q, Requirements())
        (False, True)
    """
    return (
        (task.language is None or task.language in q.languages)
        and (task.dialect is None or task.dialect in q.dialects)
        and (task.domain is None or task.domain in q.domains)
    )
