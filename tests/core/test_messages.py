"""Every user-facing string exists in English and Spanish, with the same placeholders."""

from __future__ import annotations

import pytest

from consenso.core import errors
from consenso.core.messages import CATALOG, negotiate_language, placeholders, translate


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_every_message_has_both_languages_with_the_same_placeholders(key: str) -> None:
    entry = CATALOG[key]
    assert set(entry) == {"en", "es"}, key
    assert entry["en"].strip() and entry["es"].strip(), key
    assert placeholders(entry["en"]) == placeholders(entry["es"]), key


def test_every_error_code_has_a_message() -> None:
    codes = {cls.code for cls in _subclasses(errors.ConsensoError)}
    assert codes - set(CATALOG) == set()


def _subclasses(cls: type) -> list[type]:
    out = [cls]
    for sub in cls.__subclasses__():
        out.extend(_subclasses(sub))
    return out


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "en"),
        ("", "en"),
        ("es", "es"),
        ("es-CO,es;q=0.9,en;q=0.8", "es"),
        ("en-US,en;q=0.9,es;q=0.8", "en"),
        ("fr-FR,es;q=0.5", "es"),
        ("fr, de", "en"),
        ("es;q=0, en;q=0.1", "en"),
        ("es;q=bogus, en", "en"),
    ],
)
def test_accept_language_negotiation(header: str | None, expected: str) -> None:
    assert negotiate_language(header) == expected


def test_translate_fills_parameters_and_localises_kinds() -> None:
    assert translate("already_annotated", "es", task_id=7) == "Usted ya anotó la tarea 7."
    err = errors.NotFound("not_found", kind_key="kind_project")
    assert err.message("en") == "Project not found."
    assert err.message("es") == "Proyecto: no se encontró."


def test_translate_survives_a_missing_parameter_and_an_unknown_language() -> None:
    assert translate("already_annotated", "fr") == "You have already annotated task {task_id}."
