"""Label schema v1: the controls annotators fill in for a task, and the check of every submitted result.

A schema is a JSON object::

    {
      "version": 1,                              optional; 1 is the only version
      "controls": [                              1..100 controls, shown in this order
        {
          "name": "sentiment",                   key of the answer in a result: a letter, then up to
                                                 63 letters, digits or "_"; unique in the schema
          "type": "choice",                      choice | multi_choice | spans | rating | text
          "field": "text",                       the key of task.data shown with the control (a string)
          "required": true,                      optional, see below
          "title": {"en": "Sentiment", "es": "Sentimiento"},        optional, defaults to the name
          "instructions": {"en": "...", "es": "..."},                optional
          "labels": [                            choice, multi_choice and spans only: 1..500 labels
            {"value": "positive",                the stored answer: 1..200 characters, not blank, unique
             "names": {"en": "Positive", "es": "Positivo"},          optional display names
             "hotkey": "1",                      optional; one printable character, unique in the whole
                                                 schema ignoring case, because the UI binds it globally
             "color": "#22c55e"}                 optional #RRGGBB; default from a fixed palette by position
          ]
        }
      ]
    }

Options per type, and the answer each type stores in a result (``{control name: answer}``):

============  ==========================================  =============================================
type          options (defaults)                          answer
============  ==========================================  =============================================
choice        labels; required (true)                     one label value: ``"positive"``
multi_choice  labels; required (false); min (0),          a list of distinct label values:
              max (number of labels)                      ``["a", "b"]``, min <= count <= max
spans         labels; required (false);                   ``[{"start": 0, "end": 5, "label": "PER"}]``
              allow_overlap (false)                       character offsets into task.data[field],
                                                          end exclusive (Python ``str`` indexing);
                                                          an optional ``"text"`` must equal the slice
rating        required (true); min (1), max (5)           an integer, min <= value <= max
text          required (false); max_length (10000)        a string of at most max_length characters
============  ==========================================  =============================================

A bilingual text (``names``, ``title``, ``instructions``) is an object with the keys ``en`` and/or ``es``;
a missing language takes the text of the other one. When neither is given, a label shows its value,
a control its name, and instructions are left out.

A *required* control must be answered, and answered with something: a non-empty list for multi_choice
and spans, a non-blank string for text. An optional control may be left out of the result.

Unknown keys anywhere are errors (they are usually typos). ``LabelSchema.parse`` reports every problem
at once as an ``Issue`` (a stable ``code``, a ``path`` such as ``controls[0].labels[2].hotkey`` and the
``params`` of its message) inside ``SchemaInvalid``; ``LabelSchema.validate_result`` does the same for
results with ``ResultInvalid``. A new control type is one ``Control`` subclass plus its entry in
``CONTROL_TYPES``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Final, TypeGuard

from consenso.core.errors import ResultInvalid, SchemaInvalid
from consenso.core.messages import DEFAULT_LANGUAGE, LANGUAGES, translate

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
_SHOWN_CHARS: Final = 80  # user text echoed in a message is cut here, so a huge value stays a short error
_MISSING: Final = object()


@dataclasses.dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in a schema or a result.

    ``code`` is a stable snake_case key of ``consenso.core.messages``; ``path`` locates the offending
    value (``controls[0].labels[2].hotkey``, ``entities[1].end``); ``params`` fill the message and are
    returned to clients as they are, so they hold only JSON scalars.
    """

    code: str
    path: str
    params: Mapping[str, object] = dataclasses.field(default_factory=dict, hash=False)

    def message(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """The human message; ``path`` is offered to the template besides ``params``."""
        return translate(self.code, lang, path=self.path, **self.params)

    def to_dict(self, lang: str = DEFAULT_LANGUAGE) -> dict[str, object]:
        """``{"code", "path", "message", **params}``: the shape of one entry of an error's ``details``."""
        return {"code": self.code, "path": self.path, "message": self.message(lang), **self.params}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Issue:
        """Rebuild an issue from ``to_dict`` output (to render it again in another language)."""
        params = {k: v for k, v in data.items() if k not in ("code", "path", "message")}
        return cls(str(data.get("code", "")), str(data.get("path", "")), params)


def localize_details(details: Sequence[Mapping[str, object]], lang: str) -> list[dict[str, object]]:
    """Re-render the ``details`` of ``SchemaInvalid``/``ResultInvalid`` (built in English) in ``lang``."""
    return [Issue.from_dict(entry).to_dict(lang) for entry in details]


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


# ---------------------------------------------------------------------------------------------------
# Helpers shared by the parsers and the result checks


def _shown(text: str) -> str:
    """User text cut to a length that fits in a message."""
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


def _key_text(key: object) -> str:
    """A key as it appears in a path (JSON keys are strings; anything else is named by its type)."""
    return _shown(key) if isinstance(key, str) else f"<{type(key).__name__}>"


def _int_param(value: int) -> int | str:
    """An integer echoed in a message; beyond 64 bits neither JSON encoders nor ``str`` cope well."""
    return value if -(2**63) <= value < 2**63 else "<too large>"


def _echo(value: object) -> object:
    """A user value repeated in a message, kept short and JSON-encodable."""
    if isinstance(value, str):
        return _shown(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return _int_param(value)
    return f"<{type(value).__name__}>"


def _join(path: str, key: object) -> str:
    text = _key_text(key)
    return f"{path}.{text}" if path else text


def _is_int(value: object) -> TypeGuard[int]:
    """JSON integers only: ``True`` is an ``int`` in Python but never a valid count or offset."""
    return isinstance(value, int) and not isinstance(value, bool)


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


# ---------------------------------------------------------------------------------------------------
# Controls


@dataclasses.dataclass(frozen=True)
class Control:
    """A question of the schema bound to one field of the task data.

    Subclasses set ``type_name``, ``default_required`` and ``option_keys``, and implement
    ``parse_options`` (their own keys, as constructor arguments) and ``check_result``.
    """

    type_name: ClassVar[str] = ""
    default_required: ClassVar[bool] = False
    option_keys: ClassVar[frozenset[str]] = frozenset()
    # the bound field is displayed as text (later media controls will set this to False)
    reads_text: ClassVar[bool] = True

    name: str
    field: str
    required: bool
    title: LocalizedText
    instructions: LocalizedText | None

    @classmethod
    def parse_options(cls, raw: dict[Any, object], path: str, control: str, ctx: _Parse) -> dict[str, Any]:
        """Read the type-specific keys of ``raw``, recording problems in ``ctx``."""
        return {}

    def options_json(self) -> dict[str, object]:
        """The type-specific keys of the normalised control."""
        return {}

    def to_json(self) -> dict[str, object]:
        """The normalised control, every default filled in."""
        out: dict[str, object] = {
            "name": self.name,
            "type": self.type_name,
            "field": self.field,
            "required": self.required,
            "title": self.title.to_json(),
        }
        if self.instructions is not None:
            out["instructions"] = self.instructions.to_json()
        out.update(self.options_json())
        return out

    def check_result(self, value: object, task_data: Mapping[str, object], issues: list[Issue]) -> None:
        """Append to ``issues`` what is wrong with this control's answer ``value``."""
        raise NotImplementedError


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


@dataclasses.dataclass(frozen=True)
class LabelledControl(Control):
    """A control whose answers are values of its ``labels``."""

    labels: tuple[Label, ...]
    values: frozenset[str] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # looked up on every submission, so built once
        object.__setattr__(self, "values", frozenset(label.value for label in self.labels))

    @classmethod
    def parse_options(cls, raw: dict[Any, object], path: str, control: str, ctx: _Parse) -> dict[str, Any]:
        return {"labels": _parse_labels(raw, path, control, ctx)}

    def options_json(self) -> dict[str, object]:
        return {"labels": [label.to_json() for label in self.labels]}


@dataclasses.dataclass(frozen=True)
class ChoiceControl(LabelledControl):
    """Exactly one label."""

    type_name = "choice"
    default_required = True
    option_keys = frozenset({"labels"})

    def check_result(self, value: object, task_data: Mapping[str, object], issues: list[Issue]) -> None:
        if not isinstance(value, str):
            issues.append(Issue("not_a_string", self.name, {"control": self.name}))
        elif value not in self.values:
            issues.append(Issue("unknown_label", self.name, {"control": self.name, "label": _shown(value)}))


@dataclasses.dataclass(frozen=True)
class MultiChoiceControl(LabelledControl):
    """Any number of distinct labels between ``minimum`` and ``maximum`` (JSON ``min``/``max``)."""

    type_name = "multi_choice"
    option_keys = frozenset({"labels", "min", "max"})

    minimum: int
    maximum: int

    @classmethod
    def parse_options(cls, raw: dict[Any, object], path: str, control: str, ctx: _Parse) -> dict[str, Any]:
        labels = _parse_labels(raw, path, control, ctx)
        count = len(labels) if labels is not None else None
        minimum = ctx.integer(raw, "min", 0, path, control=control)
        maximum = ctx.integer(raw, "max", count, path, control=control)
        high = count if count is not None else MAX_LABELS
        if minimum is not None and not 0 <= minimum <= high:
            ctx.add(
                "out_of_range",
                _join(path, "min"),
                control=control,
                value=_int_param(minimum),
                low=0,
                high=high,
            )
        elif minimum is not None and maximum is not None and maximum < minimum:
            ctx.add(
                "max_below_min", _join(path, "max"), control=control, min=minimum, max=_int_param(maximum)
            )
        return {"labels": labels, "minimum": minimum, "maximum": maximum}

    def options_json(self) -> dict[str, object]:
        return {"min": self.minimum, "max": self.maximum, **super().options_json()}

    def check_result(self, value: object, task_data: Mapping[str, object], issues: list[Issue]) -> None:
        name = self.name
        if not isinstance(value, list):
            issues.append(Issue("not_a_list", name, {"control": name}))
            return
        seen: dict[str, int] = {}
        before = len(issues)
        for index, item in enumerate(value):
            if not isinstance(item, str):
                issues.append(Issue("not_a_string", f"{name}[{index}]", {"control": name, "index": index}))
            elif item not in self.values:
                params = {"control": name, "label": _shown(item), "index": index}
                issues.append(Issue("unknown_label", f"{name}[{index}]", params))
            elif item in seen:
                params = {"control": name, "label": item, "index": index, "first_index": seen[item]}
                issues.append(Issue("duplicate_choice", f"{name}[{index}]", params))
            else:
                seen[item] = index
        count = len(value)
        if len(issues) > before:
            return  # the count of a list with wrong items would only add noise
        if count == 0 and self.required:
            issues.append(Issue("empty_answer", name, {"control": name}))
        elif count < self.minimum:
            issues.append(
                Issue("too_few_choices", name, {"control": name, "count": count, "min": self.minimum})
            )
        elif count > self.maximum:
            issues.append(
                Issue("too_many_choices", name, {"control": name, "count": count, "max": self.maximum})
            )


def _task_text(control: Control, task_data: Mapping[str, object], issues: list[Issue]) -> str | None:
    """The task's text for ``control``; an issue, not an exception, when it is absent or not a string."""
    text = task_data.get(control.field, _MISSING)
    if isinstance(text, str):
        return text
    code = "missing_task_field" if text is _MISSING else "task_field_not_text"
    issues.append(Issue(code, control.name, {"control": control.name, "field": f"data.{control.field}"}))
    return None


_SPAN_KEYS: Final = frozenset({"start", "end", "label", "text"})
_SPAN_REQUIRED: Final = ("start", "end", "label")


@dataclasses.dataclass(frozen=True)
class SpansControl(LabelledControl):
    """Labelled character ranges ``[start, end)`` of the task's text; overlaps only if ``allow_overlap``."""

    type_name = "spans"
    option_keys = frozenset({"labels", "allow_overlap"})

    allow_overlap: bool

    @classmethod
    def parse_options(cls, raw: dict[Any, object], path: str, control: str, ctx: _Parse) -> dict[str, Any]:
        labels = _parse_labels(raw, path, control, ctx)
        return {
            "labels": labels,
            "allow_overlap": ctx.boolean(raw, "allow_overlap", False, path, control=control),
        }

    def options_json(self) -> dict[str, object]:
        return {"allow_overlap": self.allow_overlap, **super().options_json()}

    def check_result(self, value: object, task_data: Mapping[str, object], issues: list[Issue]) -> None:
        name = self.name
        if not isinstance(value, list):
            issues.append(Issue("not_a_list", name, {"control": name}))
            return
        text = _task_text(self, task_data, issues)
        length = len(text) if text is not None else None
        first_of: dict[tuple[int, int, str], int] = {}
        placed: list[tuple[int, int, int]] = []  # (start, end, index) of well-formed, distinct spans
        for index, span in enumerate(value):
            path = f"{name}[{index}]"
            ctx: dict[str, object] = {"control": name, "index": index}
            if not isinstance(span, dict):
                issues.append(Issue("not_an_object", path, ctx))
                continue
            for key in span:
                if key not in _SPAN_KEYS:
                    issues.append(Issue("unknown_key", _join(path, key), {"key": _key_text(key), **ctx}))
            for key in _SPAN_REQUIRED:
                if key not in span:
                    issues.append(Issue("missing_key", f"{path}.{key}", {"key": key, **ctx}))
            start, end, label = span.get("start"), span.get("end"), span.get("label")
            for key, offset in (("start", start), ("end", end)):
                if key in span and not _is_int(offset):
                    issues.append(Issue("not_an_integer", f"{path}.{key}", ctx))
            if "label" in span:
                if not isinstance(label, str):
                    issues.append(Issue("not_a_string", f"{path}.label", ctx))
                elif label not in self.values:
                    issues.append(Issue("unknown_label", f"{path}.label", {**ctx, "label": _shown(label)}))
            if not (_is_int(start) and _is_int(end)):
                continue
            bounds_ok = True
            where = {**ctx, "start": _int_param(start), "end": _int_param(end), "length": length}
            if start < 0:
                issues.append(
                    Issue("offset_out_of_range", f"{path}.start", {**where, "offset": _int_param(start)})
                )
                bounds_ok = False
            if length is not None and end > length:
                issues.append(
                    Issue("offset_out_of_range", f"{path}.end", {**where, "offset": _int_param(end)})
                )
                bounds_ok = False
            if end <= start:
                params = {**ctx, "start": _int_param(start), "end": _int_param(end)}
                issues.append(Issue("span_end_not_after_start", f"{path}.end", params))
                bounds_ok = False
            if not bounds_ok:
                continue
            quoted = span.get("text", _MISSING)
            if quoted is not _MISSING:
                if not isinstance(quoted, str):
                    issues.append(Issue("not_a_string", f"{path}.text", ctx))
                elif text is not None and quoted != text[start:end]:
                    params = {**ctx, "start": start, "end": end, "expected": _shown(text[start:end])}
                    issues.append(
                        Issue("span_text_mismatch", f"{path}.text", {**params, "text": _shown(quoted)})
                    )
            if isinstance(label, str):
                first = first_of.setdefault((start, end, label), index)
                if first != index:
                    params = {**ctx, "first_index": first, "start": start, "end": end, "label": _shown(label)}
                    issues.append(Issue("duplicate_span", path, params))
                    continue
            placed.append((start, end, index))
        if not value and self.required:
            issues.append(Issue("empty_answer", name, {"control": name}))
        if not self.allow_overlap and len(placed) > 1:
            issues.extend(_overlaps(name, placed))


def _overlaps(name: str, placed: list[tuple[int, int, int]]) -> list[Issue]:
    """One issue per span that starts before an earlier-starting span ends (a sweep over sorted spans)."""
    found: list[tuple[int, Issue]] = []
    reach_end, reach_start, reach_index = -1, -1, -1
    for start, end, index in sorted(placed):
        if start < reach_end:
            params = {
                "control": name, "index": index, "other_index": reach_index, "start": start, "end": end,
                "other_start": reach_start, "other_end": reach_end,
            }  # fmt: skip
            found.append((index, Issue("overlapping_spans", f"{name}[{index}]", params)))
        if end > reach_end:
            reach_end, reach_start, reach_index = end, start, index
    found.sort(key=lambda pair: pair[0])
    return [issue for _, issue in found]


@dataclasses.dataclass(frozen=True)
class RatingControl(Control):
    """An integer from ``minimum`` to ``maximum`` inclusive (JSON ``min``/``max``)."""

    type_name = "rating"
    default_required = True
    option_keys = frozenset({"min", "max"})

    minimum: int
    maximum: int

    @classmethod
    def parse_options(cls, raw: dict[Any, object], path: str, control: str, ctx: _Parse) -> dict[str, Any]:
        minimum = ctx.integer(raw, "min", 1, path, control=control)
        maximum = ctx.integer(raw, "max", 5, path, control=control)
        if minimum is not None and maximum is not None:
            low, high = _int_param(minimum), _int_param(maximum)
            if maximum <= minimum:
                ctx.add("max_not_above_min", _join(path, "max"), control=control, min=low, max=high)
            elif maximum - minimum > MAX_RATING_SPAN:
                ctx.add(
                    "rating_range_too_large", path, control=control, min=low, max=high, limit=MAX_RATING_SPAN
                )
        return {"minimum": minimum, "maximum": maximum}

    def options_json(self) -> dict[str, object]:
        return {"min": self.minimum, "max": self.maximum}

    def check_result(self, value: object, task_data: Mapping[str, object], issues: list[Issue]) -> None:
        if not _is_int(value):
            issues.append(Issue("not_an_integer", self.name, {"control": self.name}))
        elif not self.minimum <= value <= self.maximum:
            params = {
                "control": self.name,
                "value": _int_param(value),
                "min": self.minimum,
                "max": self.maximum,
            }
            issues.append(Issue("rating_out_of_range", self.name, params))


@dataclasses.dataclass(frozen=True)
class TextControl(Control):
    """A free-text answer of at most ``max_length`` characters."""

    type_name = "text"
    option_keys = frozenset({"max_length"})

    max_length: int

    @classmethod
    def parse_options(cls, raw: dict[Any, object], path: str, control: str, ctx: _Parse) -> dict[str, Any]:
        max_length = ctx.integer(raw, "max_length", DEFAULT_TEXT_LENGTH, path, control=control)
        if max_length is not None and not 1 <= max_length <= MAX_TEXT_LENGTH:
            params = {"control": control, "value": _int_param(max_length), "low": 1, "high": MAX_TEXT_LENGTH}
            ctx.add("out_of_range", _join(path, "max_length"), **params)
        return {"max_length": max_length}

    def options_json(self) -> dict[str, object]:
        return {"max_length": self.max_length}

    def check_result(self, value: object, task_data: Mapping[str, object], issues: list[Issue]) -> None:
        name = self.name
        if not isinstance(value, str):
            issues.append(Issue("not_a_string", name, {"control": name}))
        elif len(value) > self.max_length:
            params = {"control": name, "length": len(value), "max_length": self.max_length}
            issues.append(Issue("text_too_long", name, params))
        elif self.required and not value.strip():
            issues.append(Issue("empty_answer", name, {"control": name}))


CONTROL_TYPES: Final[dict[str, type[Control]]] = {
    cls.type_name: cls
    for cls in (ChoiceControl, MultiChoiceControl, SpansControl, RatingControl, TextControl)
}

_COMMON_KEYS: Final = frozenset({"name", "type", "field", "required", "title", "instructions"})


def _parse_control(raw: object, index: int, ctx: _Parse) -> Control | None:
    path = f"controls[{index}]"
    if not isinstance(raw, dict):
        ctx.add("not_an_object", path)
        return None
    start = len(ctx.issues)
    raw_name = raw.get("name")
    # how issues name this control, even when its name is itself wrong
    control = _shown(raw_name) if isinstance(raw_name, str) and raw_name else path
    kind = raw.get("type")
    cls: type[Control] | None = None
    if isinstance(kind, str):
        cls = CONTROL_TYPES.get(kind)
        if cls is None:
            known = ", ".join(CONTROL_TYPES)
            ctx.add(
                "unknown_control_type", _join(path, "type"), control=control, type=_shown(kind), known=known
            )
    elif "type" in raw:
        ctx.add("not_a_string", _join(path, "type"), control=control)
    if cls is not None:
        ctx.check_keys(raw, _COMMON_KEYS | cls.option_keys, ("name", "type", "field"), path, control=control)
    else:  # the keys a type allows are unknown when the type is: check only that the common ones are there
        ctx.check_keys(raw, frozenset(raw), ("name", "type", "field"), path, control=control)
    name = ctx.string(raw, "name", path, control=control)
    if name is not None:
        if not _NAME_RE.fullmatch(name):
            ctx.add("invalid_control_name", _join(path, "name"), control=control)
        elif name in ctx.names:
            ctx.add("duplicate_control", _join(path, "name"), control=name, first_index=ctx.names[name])
        else:
            ctx.names[name] = index
    field = ctx.string(raw, "field", path, control=control)
    if field is not None and not 0 < len(field) <= MAX_FIELD_LENGTH:
        ctx.add("invalid_field", _join(path, "field"), control=control, limit=MAX_FIELD_LENGTH)
    required = ctx.boolean(raw, "required", cls.default_required if cls else False, path, control=control)
    title = ctx.texts(raw, "title", path, control=control)
    instructions = ctx.texts(raw, "instructions", path, control=control)
    if cls is None:
        return None
    options = cls.parse_options(raw, path, control, ctx)
    if len(ctx.issues) > start or name is None or field is None:
        return None
    return cls(
        name=name,
        field=field,
        required=required,
        title=_localized(title, name),
        instructions=_localized(instructions, "") if any(instructions) else None,
        **options,
    )


# ---------------------------------------------------------------------------------------------------
# The schema


@dataclasses.dataclass(frozen=True)
class LabelSchema:
    """A validated label schema. Build it with ``LabelSchema.parse``; the constructor does not check."""

    controls: tuple[Control, ...]
    _by_name: Mapping[str, Control] = dataclasses.field(init=False, repr=False, compare=False)
    _text_fields: Mapping[str, str] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {control.name: control for control in self.controls})
        text_fields: dict[str, str] = {}
        for control in self.controls:
            if control.reads_text:
                text_fields.setdefault(control.field, control.name)
        object.__setattr__(self, "_text_fields", text_fields)

    @classmethod
    def parse(cls, raw: object) -> LabelSchema:
        """Validate a schema as decoded from JSON; raise ``SchemaInvalid`` listing every issue."""
        ctx = _Parse()
        controls = _parse_schema(raw, ctx)
        if ctx.issues or controls is None:
            details = [issue.to_dict() for issue in ctx.issues]
            raise SchemaInvalid("schema_invalid", details=details, count=len(details))
        return cls(controls)

    def to_json(self) -> dict[str, object]:
        """The normalised schema: every default filled in; ``parse`` turns it back into an equal schema."""
        return {"version": SCHEMA_VERSION, "controls": [control.to_json() for control in self.controls]}

    def control(self, name: str) -> Control | None:
        """The control called ``name``, if any."""
        return self._by_name.get(name)

    def text_fields(self) -> dict[str, str]:
        """Task-data fields that must hold text → the first control that shows it."""
        return dict(self._text_fields)

    def check_task_data(self, data: Mapping[str, object]) -> Issue | None:
        """The first reason why a task's ``data`` cannot be shown with this schema, or None."""
        for field, control in self._text_fields.items():
            value = data.get(field, _MISSING)
            if value is _MISSING:
                return Issue(
                    "import_missing_field", f"data.{field}", {"field": f"data.{field}", "control": control}
                )
            if not isinstance(value, str):
                return Issue(
                    "import_field_not_text", f"data.{field}", {"field": f"data.{field}", "control": control}
                )
        return None

    def result_issues(self, result: object, task_data: Mapping[str, object]) -> list[Issue]:
        """Everything wrong with an annotation ``result`` (``{control name: answer}``) for this task."""
        if not isinstance(result, dict):
            return [Issue("result_not_object", "", {})]
        issues: list[Issue] = []
        for control in self.controls:
            value = result.get(control.name, _MISSING)
            if value is not _MISSING:
                control.check_result(value, task_data, issues)
            elif control.required:
                issues.append(Issue("missing_answer", control.name, {"control": control.name}))
        by_name = self._by_name
        for key in result:
            if key not in by_name:
                issues.append(Issue("unknown_control", _key_text(key), {"control": _key_text(key)}))
        return issues

    def validate_result(self, result: object, task_data: Mapping[str, object]) -> None:
        """Raise ``ResultInvalid`` with every issue of ``result`` unless it fits the schema."""
        issues = self.result_issues(result, task_data)
        if issues:
            details = [issue.to_dict() for issue in issues]
            raise ResultInvalid("result_invalid", details=details, count=len(details))


_TOP_KEYS: Final = frozenset({"version", "controls"})


def _parse_schema(raw: object, ctx: _Parse) -> tuple[Control, ...] | None:
    if not isinstance(raw, dict):
        ctx.add("schema_not_object", "")
        return None
    ctx.check_keys(raw, _TOP_KEYS, ("controls",), "")
    version = raw.get("version", SCHEMA_VERSION)
    if not _is_int(version) or version != SCHEMA_VERSION:
        ctx.add("unsupported_version", "version", version=_echo(version), supported=SCHEMA_VERSION)
    items = raw.get("controls")
    if items is None and "controls" not in raw:
        return None
    if not isinstance(items, list):
        ctx.add("not_a_list", "controls")
        return None
    if not items:
        ctx.add("no_controls", "controls")
        return None
    if len(items) > MAX_CONTROLS:
        ctx.add("too_many_controls", "controls", count=len(items), limit=MAX_CONTROLS)
        return None
    controls = [_parse_control(item, index, ctx) for index, item in enumerate(items)]
    if ctx.issues:
        return None
    return tuple(control for control in controls if control is not None)


__all__ = [
    "CONTROL_TYPES",
    "ChoiceControl",
    "Control",
    "Issue",
    "Label",
    "LabelSchema",
    "LabelledControl",
    "LocalizedText",
    "MultiChoiceControl",
    "RatingControl",
    "SpansControl",
    "TextControl",
    "localize_details",
]
