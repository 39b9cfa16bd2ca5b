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
from collections.abc import Mapping
from typing import Final

from consenso.core.errors import ResultInvalid, SchemaInvalid
from consenso.core.schema.controls import (
    CONTROL_TYPES,
    ChoiceControl,
    Control,
    LabelledControl,
    MultiChoiceControl,
    RatingControl,
    SpansControl,
    TextControl,
    _parse_control,
)
from consenso.core.schema.issues import Issue, _echo, _is_int, _key_text, localize_details
from consenso.core.schema.parsing import (
    _MISSING,
    DEFAULT_TEXT_LENGTH,
    MAX_CONTROLS,
    MAX_FIELD_LENGTH,
    MAX_LABEL_VALUE_LENGTH,
    MAX_LABELS,
    MAX_RATING_SPAN,
    MAX_TEXT_LENGTH,
    PALETTE,
    SCHEMA_VERSION,
    Label,
    LocalizedText,
    _Parse,
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
    "DEFAULT_TEXT_LENGTH",
    "MAX_CONTROLS",
    "MAX_FIELD_LENGTH",
    "MAX_LABELS",
    "MAX_LABEL_VALUE_LENGTH",
    "MAX_RATING_SPAN",
    "MAX_TEXT_LENGTH",
    "PALETTE",
    "SCHEMA_VERSION",
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
