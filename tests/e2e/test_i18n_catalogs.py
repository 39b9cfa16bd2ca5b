"""The UI's catalogs: English and Spanish have the same keys and placeholders, and every key the source
names exists (``npm run check`` runs web/scripts/check-i18n.mjs, the same check, for the web build)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

WEB = Path(__file__).resolve().parents[2] / "web"
CATALOGS = WEB / "src" / "lib" / "i18n"
PLACEHOLDER = re.compile(r"\{\{\s*([\w.]+)[^}]*\}\}")


def _flatten(node: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in node.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            out.update(_flatten(value, path))
        else:
            out[path] = value
    return out


def _catalog(lang: str) -> dict[str, Any]:
    return _flatten(json.loads((CATALOGS / f"{lang}.json").read_text(encoding="utf-8")))


def test_english_and_spanish_have_the_same_keys_and_placeholders() -> None:
    en, es = _catalog("en"), _catalog("es")
    assert sorted(set(en) - set(es)) == [], "missing in es.json"
    assert sorted(set(es) - set(en)) == [], "missing in en.json"
    for key, text in en.items():
        assert isinstance(text, str) and text.strip(), f"en: {key}"
        assert isinstance(es[key], str) and es[key].strip(), f"es: {key}"
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(es[key])), key


def test_every_key_named_in_the_source_exists() -> None:
    en = _catalog("en")
    named: set[str] = set()
    for path in (WEB / "src").rglob("*"):
        if path.suffix in {".svelte", ".ts"} and path.name != "schema.d.ts":
            source = path.read_text(encoding="utf-8")
            named |= set(re.findall(r"""\bt\(\s*["']([a-z_]+(?:\.[a-z_]+)+)["']""", source))
            named |= set(re.findall(r"""key: ["']([a-z_]+(?:\.[a-z_]+)+)["']""", source))
            named |= set(re.findall(r""":\s*["']((?:roles|annotate\.errors)\.[a-z_]+)["']""", source))
    assert len(named) > 40, "the search for keys in the source found too few: is the pattern stale?"
    assert sorted(named - set(en)) == []
