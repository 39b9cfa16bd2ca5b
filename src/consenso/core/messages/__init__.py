"""Message catalogs: every user-facing string in English and Spanish.

A message is looked up by a stable key (usually an error code) and filled with named parameters:
``translate("not_found", "es", kind="proyecto")``. Catalogs are plain dicts split by concept
(``general``, ``schema``, ``imports``, ``cli``, ``quality``, ``review``, ``qa``, ``pii``, ``outbound``); a test
checks that every key has both languages and the same placeholders in each.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any, Final, Literal

from consenso.core.messages import audit as audit_messages
from consenso.core.messages import cli, general, imports, schema
from consenso.core.messages import keys as keys_messages
from consenso.core.messages import outbound as outbound_messages
from consenso.core.messages import pii as pii_messages
from consenso.core.messages import qa as qa_messages
from consenso.core.messages import quality as quality_messages
from consenso.core.messages import review as review_messages

Language = Literal["en", "es"]
LANGUAGES: Final[tuple[Language, ...]] = ("en", "es")
DEFAULT_LANGUAGE: Final[Language] = "en"

CATALOG: Final[Mapping[str, Mapping[str, str]]] = {
    **general.MESSAGES,
    **schema.MESSAGES,
    **imports.MESSAGES,
    **keys_messages.MESSAGES,
    **cli.MESSAGES,
    **quality_messages.MESSAGES,
    **review_messages.MESSAGES,
    **qa_messages.MESSAGES,
    **audit_messages.MESSAGES,
    **pii_messages.MESSAGES,
    **outbound_messages.MESSAGES,
}


class _Lenient(dict[str, Any]):
    """Leave an unknown placeholder visible rather than failing while reporting another error."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def translate(key: str, lang: str = DEFAULT_LANGUAGE, /, **params: Any) -> str:
    """The message for ``key`` in ``lang`` (English when the language is unknown), filled with ``params``."""
    entry = CATALOG.get(key)
    if entry is None:
        return key
    template = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    return string.Formatter().vformat(template, (), _Lenient(params))


def negotiate_language(accept_language: str | None) -> Language:
    """Pick English or Spanish from an ``Accept-Language`` header (RFC 9110 quality values honoured)."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    best: tuple[float, Language] | None = None
    for position, part in enumerate(accept_language.split(",")):
        piece = part.strip()
        if not piece:
            continue
        tag, _, q_part = piece.partition(";")
        quality = 1.0
        q_part = q_part.strip()
        if q_part.startswith("q="):
            try:
                quality = float(q_part[2:])
            except ValueError:
                continue
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            lang: Language = "es" if primary == "es" else "en"
            # earlier entries win ties, as clients list their preferences in order
            score = quality - position * 1e-6
            if best is None or score > best[0]:
                best = (score, lang)
    return best[1] if best else DEFAULT_LANGUAGE


def placeholders(template: str) -> set[str]:
    """Named fields used by a template (for the catalog consistency test)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


__all__ = [
    "CATALOG",
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "Language",
    "negotiate_language",
    "placeholders",
    "translate",
]
