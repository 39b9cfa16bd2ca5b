"""Text rules shared by every entry point."""

from __future__ import annotations

from typing import Any

# How JSON spells U+0000. PostgreSQL cannot store it in text or jsonb, so Consenso refuses it everywhere.
NUL_ESCAPE = "\\u0000"


def contains_nul(value: Any) -> bool:
    """True when a string anywhere in ``value`` (keys included) holds U+0000. Iterative: input may nest deep."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def json_text_may_hold_nul(text: str | bytes) -> bool:
    """Cheap pre-check on serialised JSON: False means certainly no U+0000 (then skip ``contains_nul``)."""
    needle: str | bytes = NUL_ESCAPE if isinstance(text, str) else NUL_ESCAPE.encode()
    return needle in text  # type: ignore[operator]
