"""Parsing helpers: limits, bilingual texts, labels and the collector of issues found while parsing."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Any, Final

from consenso.core.messages import LANGUAGES
from consenso.core.schema.issues import Issue, _is_int, _join, _key_text, _shown

SCHEMA_VERSION: Final = 1
MAX_CONTROLS: Final = 100
MAX_LABELS: Final = 500
MAX_LABEL_VALUE_LENGTH: Final = 200
MAX_FIELD_LENGTH: Final = 128
MAX_TEXT_LENGTH: Final = 100_000
DEFAULT_TEXT_LENGTH: Final = 10_000
# the rating widget draws one button per value, so a range wider than this is a mistake
MAX_RATING_SPAN: Final = 100
# neighbours differ in hue so that adjacent labels stay distinguishable
PALETTE: Final[tuple[str, ...]] = (
    "#3b82f6", "#f97316", "#22c55e", "#ef4444", "#a855f7", "#eab308",
    "#06b6d4", "#ec4899", "#84cc16", "#6366f1", "#14b8a6", "#64748b",
)  # fmt: skip

_NAME_RE: Final = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
_COLOR_RE: Final = re.compile(r"#[0-9A-Fa-f]{6}")
_MISSING: Final = object()


@dataclasses.dataclass(frozen=True, slots=True)
class LocalizedText:
    """A display text in every UI language."""

    en: str
    es: str

    def get(self, lang: str) -> str:
        """The text in ``lang``, English for an unknown language."""
        return self.es if lang == "es" else self.en

    def to_json(self) -> dict[str, str]:
        """Both languages, as stored in a normalised schema."""
        return {"en": self.en, "es": self.es}


@dataclasses.dataclass(frozen=True, slots=True)
class Label:
    """One option of a labelled control: the stored ``value`` and how the UI shows it."""

    value: str
    names: LocalizedText
    color: str
    hotkey: str | None = None

    def to_json(self) -> dict[str, object]:
        """The normalised label (``hotkey`` only when one is bound)."""
        out: dict[str, object] = {"value": self.value, "names": self.names.to_json()}
        if self.hotkey is not None:
            out["hotkey"] = self.hotkey
        out["color"] = self.color
        return out


class _Parse:
    """What a schema parse has found so far: the issues, and the names and hotkeys already taken."""

    __slots__ = ("hotkeys", "issues", "names")

    def __init__(self) -> None:
        self.issues: list[Issue] = []
        self.names: dict[str, int] = {}
        self.hotkeys: dict[str, tuple[str, str]] = {}

    def add(self, code: str, path: str, **params: object) -> None:
        self.issues.append(Issue(code, path, params))

    def check_keys(
        self,
        raw: dict[Any, object],
        allowed: frozenset[str],
        required: Sequence[str],
        path: str,
        **ctx: object,
    ) -> None:
        """Report keys outside ``allowed`` and the ``required`` ones that are absent."""
        for key in raw:
            if key not in allowed:
                self.add("unknown_key", _join(path, key), key=_key_text(key), **ctx)
        for key in required:
            if key not in raw:
                self.add("missing_key", _join(path, key), key=key, **ctx)

    def string(self, raw: dict[Any, object], key: str, path: str, **ctx: object) -> str | None:
        value = raw.get(key)
        if key in raw and not isinstance(value, str):
            self.add("not_a_string", _join(path, key), **ctx)
            return None
        return value if isinstance(value, str) else None

    def boolean(self, raw: dict[Any, object], key: str, default: bool, path: str, **ctx: object) -> bool:
        value = raw.get(key, default)
        if not isinstance(value, bool):
            self.add("not_a_boolean", _join(path, key), **ctx)
            return default
        return value

    def integer(
        self, raw: dict[Any, object], key: str, default: int | None, path: str, **ctx: object
    ) -> int | None:
        value = raw.get(key, default)
        if value is None:
            return None
        if _is_int(value):
            return value
        self.add("not_an_integer", _join(path, key), **ctx)
        return None

    def texts(
        self, raw: dict[Any, object], key: str, path: str, **ctx: object
    ) -> tuple[str | None, str | None]:
        """A bilingual text: the (en, es) given, each None when absent or wrong."""
        if key not in raw:
            return None, None
        value = raw[key]
        where = _join(path, key)
        if not isinstance(value, dict):
            self.add("not_an_object", where, **ctx)
            return None, None
        found: dict[str, str] = {}
        for lang, text in value.items():
            if lang not in LANGUAGES:
                self.add(
                    "unknown_language", _join(where, lang), key=_key_text(lang), languages="en, es", **ctx
                )
            elif not isinstance(text, str):
                self.add("not_a_string", _join(where, lang), **ctx)
            elif not text.strip():
                self.add("empty_text", _join(where, lang), **ctx)
            else:
                found[lang] = text
        return found.get("en"), found.get("es")


def _localized(pair: tuple[str | None, str | None], fallback: str) -> LocalizedText:
    """Fill a missing language from the other one, then from ``fallback``."""
    en, es = pair
    return LocalizedText(en or es or fallback, es or en or fallback)


def _parse_labels(raw: dict[Any, object], path: str, control: str, ctx: _Parse) -> tuple[Label, ...] | None:
    """The ``labels`` key of a labelled control."""
    if "labels" not in raw:
        ctx.add("missing_key", _join(path, "labels"), key="labels", control=control)
        return None
    items = raw["labels"]
    path = _join(path, "labels")
    if not isinstance(items, list):
        ctx.add("not_a_list", path, control=control)
        return None
    if not items:
        ctx.add("no_labels", path, control=control)
        return None
    if len(items) > MAX_LABELS:
        ctx.add("too_many_labels", path, control=control, count=len(items), limit=MAX_LABELS)
        return None
    start = len(ctx.issues)
    seen: dict[str, int] = {}
    labels = [
        _parse_label(item, index, f"{path}[{index}]", control, seen, ctx) for index, item in enumerate(items)
    ]
    if len(ctx.issues) > start:
        return None
    return tuple(label for label in labels if label is not None)


_LABEL_KEYS: Final = frozenset({"value", "names", "hotkey", "color"})


def _parse_label(
    raw: object, index: int, path: str, control: str, seen: dict[str, int], ctx: _Parse
) -> Label | None:
    if not isinstance(raw, dict):
        ctx.add("not_an_object", path, control=control)
        return None
    value = raw.get("value")
    label = _shown(value) if isinstance(value, str) and value else f"labels[{index}]"
    ctx.check_keys(raw, _LABEL_KEYS, ("value",), path, control=control, label=label)
    value = ctx.string(raw, "value", path, control=control, label=label)
    if value is not None:
        if not value.strip() or len(value) > MAX_LABEL_VALUE_LENGTH:  # a blank value would show as nothing
            ctx.add(
                "invalid_label_value", _join(path, "value"), control=control, limit=MAX_LABEL_VALUE_LENGTH
            )
        elif value in seen:
            ctx.add(
                "duplicate_label", _join(path, "value"), control=control, label=label, first_index=seen[value]
            )
        else:
            seen[value] = index
    names = ctx.texts(raw, "names", path, control=control, label=label)
    hotkey = ctx.string(raw, "hotkey", path, control=control, label=label)
    if hotkey is not None:
        if len(hotkey) != 1 or not hotkey.isprintable() or hotkey.isspace():
            ctx.add(
                "invalid_hotkey", _join(path, "hotkey"), control=control, label=label, hotkey=_shown(hotkey)
            )
        else:
            other = ctx.hotkeys.get(hotkey.casefold())
            if other is not None:
                ctx.add(
                    "duplicate_hotkey", _join(path, "hotkey"), control=control, label=label,
                    hotkey=hotkey, other_control=other[0], other_label=other[1],
                )  # fmt: skip
            else:
                ctx.hotkeys[hotkey.casefold()] = (control, label)
    color = ctx.string(raw, "color", path, control=control, label=label)
    if color is None:
        color = PALETTE[index % len(PALETTE)]
    elif not _COLOR_RE.fullmatch(color):
        ctx.add("invalid_color", _join(path, "color"), control=control, label=label, color=_shown(color))
    if value is None:
        return None
    return Label(value=value, names=_localized(names, value), color=color.lower(), hotkey=hotkey)
