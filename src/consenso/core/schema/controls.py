"""Control types: one class each, registered in ``CONTROL_TYPES`` (a new type is one class more)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar, Final

from consenso.core.schema.issues import Issue, _int_param, _is_int, _join, _key_text, _shown
from consenso.core.schema.parsing import (
    _MISSING,
    _NAME_RE,
    DEFAULT_TEXT_LENGTH,
    MAX_FIELD_LENGTH,
    MAX_LABELS,
    MAX_RATING_SPAN,
    MAX_TEXT_LENGTH,
    Label,
    LocalizedText,
    _localized,
    _Parse,
    _parse_labels,
)


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
