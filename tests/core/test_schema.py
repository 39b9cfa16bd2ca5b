"""Label schema v1: parsing, normalisation, issue reporting and the validation of annotation results."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consenso.core.errors import ResultInvalid, SchemaInvalid
from consenso.core.messages import CATALOG, cli, general, imports, placeholders, translate
from consenso.core.messages import schema as schema_messages
from consenso.core.schema import (
    CONTROL_TYPES,
    PALETTE,
    ChoiceControl,
    Issue,
    Label,
    LabelSchema,
    LocalizedText,
    MultiChoiceControl,
    RatingControl,
    SpansControl,
    TextControl,
    localize_details,
)

TEXT = "Ana vive en Lima."  # 17 characters; "Ana" = [0, 3), "Lima" = [12, 16)
DATA: dict[str, object] = {"text": TEXT}


def example() -> dict[str, Any]:
    """The public example shape, one control of each type."""
    return {
        "controls": [
            {
                "name": "sentiment",
                "type": "choice",
                "field": "text",
                "labels": [
                    {
                        "value": "positive",
                        "names": {"en": "Positive", "es": "Positivo"},
                        "hotkey": "1",
                        "color": "#22c55e",
                    },
                    {
                        "value": "negative",
                        "names": {"en": "Negative", "es": "Negativo"},
                        "hotkey": "2",
                        "color": "#ef4444",
                    },
                ],
            },
            {
                "name": "topics",
                "type": "multi_choice",
                "field": "text",
                "labels": [{"value": "a"}, {"value": "b"}, {"value": "c"}],
            },
            {
                "name": "entities",
                "type": "spans",
                "field": "text",
                "labels": [{"value": "PER", "hotkey": "p"}, {"value": "LOC", "hotkey": "l"}],
            },
            {"name": "stars", "type": "rating", "field": "text"},
            {"name": "comment", "type": "text", "field": "text"},
        ]
    }


SCHEMA = LabelSchema.parse(example())


def valid_result() -> dict[str, Any]:
    return {
        "sentiment": "positive",
        "topics": ["a", "b"],
        "entities": [{"start": 0, "end": 3, "label": "PER"}, {"start": 12, "end": 16, "label": "LOC"}],
        "stars": 4,
        "comment": "Fine.",
    }


def strip(details: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Details without the rendered message (messages are checked separately)."""
    return [{k: v for k, v in entry.items() if k != "message"} for entry in details]


def schema_issues(raw: object) -> list[dict[str, Any]]:
    with pytest.raises(SchemaInvalid) as info:
        LabelSchema.parse(raw)
    error = info.value
    assert error.message_key == "schema_invalid"
    assert error.params == {"count": len(error.details)}
    return strip(error.details)


def one(control: dict[str, Any]) -> dict[str, Any]:
    return {"controls": [control]}


def choice(**overrides: Any) -> dict[str, Any]:
    control: dict[str, Any] = {"name": "c", "type": "choice", "field": "text", "labels": [{"value": "x"}]}
    control.update(overrides)
    return control


def result_issues(schema: LabelSchema, result: object, data: dict[str, object] | None = None) -> list[dict]:
    issues = schema.result_issues(result, DATA if data is None else data)
    return strip([issue.to_dict() for issue in issues])


def single(control: dict[str, Any]) -> LabelSchema:
    return LabelSchema.parse(one(control))


# --------------------------------------------------------------------------------------------------
# Parsing valid schemas


def test_public_example_parses_with_defaults_filled_in() -> None:
    sentiment, topics, entities, stars, comment = SCHEMA.controls
    assert isinstance(sentiment, ChoiceControl)
    assert sentiment.required is True
    assert sentiment.title == LocalizedText("sentiment", "sentiment")
    assert sentiment.instructions is None
    assert sentiment.labels[0] == Label("positive", LocalizedText("Positive", "Positivo"), "#22c55e", "1")
    assert isinstance(topics, MultiChoiceControl)
    assert (topics.required, topics.minimum, topics.maximum) == (False, 0, 3)
    assert [label.color for label in topics.labels] == list(PALETTE[:3])
    assert topics.labels[0].names == LocalizedText("a", "a")
    assert topics.labels[0].hotkey is None
    assert isinstance(entities, SpansControl)
    assert (entities.required, entities.allow_overlap) == (False, False)
    assert isinstance(stars, RatingControl)
    assert (stars.required, stars.minimum, stars.maximum) == (True, 1, 5)
    assert isinstance(comment, TextControl)
    assert (comment.required, comment.max_length) == (False, 10_000)


def test_missing_language_takes_the_other_one_then_the_value() -> None:
    schema = single(
        choice(
            title={"es": "Opinión"},
            instructions={"en": "Read it all."},
            labels=[{"value": "x", "names": {"es": "Equis"}}, {"value": "y", "names": {}}, {"value": "z"}],
        )
    )
    control = schema.controls[0]
    assert isinstance(control, ChoiceControl)
    assert control.title == LocalizedText("Opinión", "Opinión")
    assert control.instructions == LocalizedText("Read it all.", "Read it all.")
    assert [label.names for label in control.labels] == [
        LocalizedText("Equis", "Equis"),
        LocalizedText("y", "y"),
        LocalizedText("z", "z"),
    ]


def test_to_json_is_the_full_normalised_schema() -> None:
    raw = one(
        {
            "name": "c",
            "type": "multi_choice",
            "field": "body",
            "required": True,
            "min": 1,
            "labels": [
                {"value": "x", "hotkey": "X", "color": "#AABBCC"},
                {"value": "y", "names": {"es": "Ye"}},
            ],
        }
    )
    assert LabelSchema.parse(raw).to_json() == {
        "version": 1,
        "controls": [
            {
                "name": "c",
                "type": "multi_choice",
                "field": "body",
                "required": True,
                "title": {"en": "c", "es": "c"},
                "min": 1,
                "max": 2,
                "labels": [
                    {"value": "x", "names": {"en": "x", "es": "x"}, "hotkey": "X", "color": "#aabbcc"},
                    {"value": "y", "names": {"en": "Ye", "es": "Ye"}, "color": PALETTE[1]},
                ],
            }
        ],
    }


def test_to_json_of_the_other_types() -> None:
    raw = {
        "version": 1,
        "controls": [
            {"name": "s", "type": "spans", "field": "t", "allow_overlap": True, "labels": [{"value": "P"}]},
            {"name": "r", "type": "rating", "field": "t", "min": 0, "max": 10, "required": False},
            {"name": "x", "type": "text", "field": "t", "max_length": 5, "instructions": {"es": "Breve"}},
        ],
    }
    controls = LabelSchema.parse(raw).to_json()["controls"]
    assert controls == [
        {
            "name": "s",
            "type": "spans",
            "field": "t",
            "required": False,
            "title": {"en": "s", "es": "s"},
            "allow_overlap": True,
            "labels": [{"value": "P", "names": {"en": "P", "es": "P"}, "color": PALETTE[0]}],
        },
        {
            "name": "r",
            "type": "rating",
            "field": "t",
            "required": False,
            "title": {"en": "r", "es": "r"},
            "min": 0,
            "max": 10,
        },
        {
            "name": "x",
            "type": "text",
            "field": "t",
            "required": False,
            "title": {"en": "x", "es": "x"},
            "instructions": {"en": "Breve", "es": "Breve"},
            "max_length": 5,
        },
    ]


def test_boundaries_that_are_still_valid() -> None:
    labels = [{"value": f"v{i}"} for i in range(500)]
    labels[0]["value"] = "v" * 200
    raw = {
        "controls": [
            choice(name="a" + "b" * 63, field="f" * 128, labels=labels),
            {"name": "r", "type": "rating", "field": "t", "min": -50, "max": 50},
            {"name": "t", "type": "text", "field": "t", "max_length": 100_000},
            {"name": "m", "type": "multi_choice", "field": "t", "min": 2, "max": 2, "labels": labels[:2]},
        ]
        + [{"name": f"x{i}", "type": "text", "field": "t"} for i in range(96)]
    }
    schema = LabelSchema.parse(raw)
    assert len(schema.controls) == 100
    assert PALETTE[499 % len(PALETTE)] == schema.controls[0].labels[499].color  # type: ignore[attr-defined]


def test_control_lookup() -> None:
    assert SCHEMA.control("stars") is SCHEMA.controls[3]
    assert SCHEMA.control("nope") is None


def test_registry_has_one_class_per_type() -> None:
    assert {name: cls.type_name for name, cls in CONTROL_TYPES.items()} == {
        "choice": "choice",
        "multi_choice": "multi_choice",
        "spans": "spans",
        "rating": "rating",
        "text": "text",
    }


# --------------------------------------------------------------------------------------------------
# Schema issues: code, path and params


@pytest.mark.parametrize("raw", [None, [], "controls", 3, True, ["controls"]])
def test_non_object_schema(raw: object) -> None:
    assert schema_issues(raw) == [{"code": "schema_not_object", "path": ""}]


def test_top_level_problems() -> None:
    assert schema_issues({"control": []}) == [
        {"code": "unknown_key", "path": "control", "key": "control"},
        {"code": "missing_key", "path": "controls", "key": "controls"},
    ]
    assert schema_issues({"controls": {}}) == [{"code": "not_a_list", "path": "controls"}]
    assert schema_issues({"controls": None}) == [{"code": "not_a_list", "path": "controls"}]
    assert schema_issues({"controls": []}) == [{"code": "no_controls", "path": "controls"}]
    too_many = {"controls": [choice(name=f"c{i}") for i in range(101)]}
    assert schema_issues(too_many) == [
        {"code": "too_many_controls", "path": "controls", "count": 101, "limit": 100}
    ]


@pytest.mark.parametrize("version", [2, 0, "1", True, None, 1.0])
def test_unsupported_version(version: object) -> None:
    issues = schema_issues({"version": version, "controls": [choice()]})
    shown = version if not isinstance(version, float) else "<float>"
    assert issues == [{"code": "unsupported_version", "path": "version", "version": shown, "supported": 1}]


def test_control_must_be_an_object_and_have_name_type_field() -> None:
    assert schema_issues({"controls": ["x"]}) == [{"code": "not_an_object", "path": "controls[0]"}]
    assert schema_issues(one({"labels": []})) == [
        {"code": "missing_key", "path": "controls[0].name", "key": "name", "control": "controls[0]"},
        {"code": "missing_key", "path": "controls[0].type", "key": "type", "control": "controls[0]"},
        {"code": "missing_key", "path": "controls[0].field", "key": "field", "control": "controls[0]"},
    ]


@pytest.mark.parametrize("name", ["1abc", "_a", "a-b", "a b", "ab\n", "a" * 65, "", "ñandú"])
def test_invalid_control_name(name: str) -> None:
    control = name[:79] + "…" if len(name) > 80 else (name or "controls[0]")
    assert schema_issues(one(choice(name=name))) == [
        {"code": "invalid_control_name", "path": "controls[0].name", "control": control}
    ]


def test_name_type_field_of_the_wrong_type() -> None:
    assert schema_issues(one(choice(name=1, type=["choice"], field=None))) == [
        {"code": "not_a_string", "path": "controls[0].type", "control": "controls[0]"},
        {"code": "not_a_string", "path": "controls[0].name", "control": "controls[0]"},
        {"code": "not_a_string", "path": "controls[0].field", "control": "controls[0]"},
    ]


def test_duplicate_control() -> None:
    raw = {"controls": [choice(name="c"), choice(name="d"), choice(name="c", labels=[{"value": "y"}])]}
    assert schema_issues(raw) == [
        {"code": "duplicate_control", "path": "controls[2].name", "control": "c", "first_index": 0}
    ]


def test_unknown_control_type() -> None:
    assert schema_issues(one(choice(type="box", extra=1))) == [
        {
            "code": "unknown_control_type",
            "path": "controls[0].type",
            "control": "c",
            "type": "box",
            "known": "choice, multi_choice, spans, rating, text",
        }
    ]


@pytest.mark.parametrize("field", ["", "f" * 129])
def test_invalid_field(field: str) -> None:
    assert schema_issues(one(choice(field=field))) == [
        {"code": "invalid_field", "path": "controls[0].field", "control": "c", "limit": 128}
    ]


def test_unknown_control_keys_are_named() -> None:
    assert schema_issues(one(choice(lables=[], required="yes"))) == [
        {"code": "unknown_key", "path": "controls[0].lables", "key": "lables", "control": "c"},
        {"code": "not_a_boolean", "path": "controls[0].required", "control": "c"},
    ]
    rating = {"name": "r", "type": "rating", "field": "t", "labels": [{"value": "x"}], "max_length": 3}
    assert schema_issues(one(rating)) == [
        {"code": "unknown_key", "path": "controls[0].labels", "key": "labels", "control": "r"},
        {"code": "unknown_key", "path": "controls[0].max_length", "key": "max_length", "control": "r"},
    ]


def test_bilingual_texts() -> None:
    raw = one(choice(title={"en": "", "fr": "Titre", "es": 3}, instructions="Read"))
    assert schema_issues(raw) == [
        {"code": "empty_text", "path": "controls[0].title.en", "control": "c"},
        {
            "code": "unknown_language",
            "path": "controls[0].title.fr",
            "key": "fr",
            "languages": "en, es",
            "control": "c",
        },
        {"code": "not_a_string", "path": "controls[0].title.es", "control": "c"},
        {"code": "not_an_object", "path": "controls[0].instructions", "control": "c"},
    ]


def test_label_list() -> None:
    assert schema_issues(one(choice(labels=[]))) == [
        {"code": "no_labels", "path": "controls[0].labels", "control": "c"}
    ]
    assert schema_issues(one(choice(labels={"value": "x"}))) == [
        {"code": "not_a_list", "path": "controls[0].labels", "control": "c"}
    ]
    assert schema_issues(one({"name": "c", "type": "spans", "field": "t"})) == [
        {"code": "missing_key", "path": "controls[0].labels", "key": "labels", "control": "c"}
    ]
    many = [{"value": str(i)} for i in range(501)]
    assert schema_issues(one(choice(labels=many))) == [
        {"code": "too_many_labels", "path": "controls[0].labels", "control": "c", "count": 501, "limit": 500}
    ]


def test_label_problems() -> None:
    labels = [
        "x",
        {"names": {"en": "No value"}},
        {"value": " \t"},
        {"value": "v" * 201},
        {"value": "a", "colour": "#000000", "names": {"de": "A"}},
        {"value": "a"},
    ]
    assert schema_issues(one(choice(labels=labels))) == [
        {"code": "not_an_object", "path": "controls[0].labels[0]", "control": "c"},
        {
            "code": "missing_key",
            "path": "controls[0].labels[1].value",
            "key": "value",
            "control": "c",
            "label": "labels[1]",
        },
        {"code": "invalid_label_value", "path": "controls[0].labels[2].value", "control": "c", "limit": 200},
        {"code": "invalid_label_value", "path": "controls[0].labels[3].value", "control": "c", "limit": 200},
        {
            "code": "unknown_key",
            "path": "controls[0].labels[4].colour",
            "key": "colour",
            "control": "c",
            "label": "a",
        },
        {
            "code": "unknown_language",
            "path": "controls[0].labels[4].names.de",
            "key": "de",
            "languages": "en, es",
            "control": "c",
            "label": "a",
        },
        {
            "code": "duplicate_label",
            "path": "controls[0].labels[5].value",
            "control": "c",
            "label": "a",
            "first_index": 4,
        },
    ]


@pytest.mark.parametrize("hotkey", ["ab", " ", "\n", "", "\t", "\x00"])
def test_invalid_hotkey(hotkey: str) -> None:
    assert schema_issues(one(choice(labels=[{"value": "x", "hotkey": hotkey}]))) == [
        {
            "code": "invalid_hotkey",
            "path": "controls[0].labels[0].hotkey",
            "control": "c",
            "label": "x",
            "hotkey": hotkey,
        }
    ]


def test_hotkeys_are_unique_across_the_schema_ignoring_case() -> None:
    raw = {
        "controls": [
            choice(name="a", labels=[{"value": "x", "hotkey": "k"}, {"value": "y", "hotkey": "1"}]),
            choice(name="b", labels=[{"value": "z", "hotkey": "K"}, {"value": "w", "hotkey": "ñ"}]),
        ]
    }
    assert schema_issues(raw) == [
        {
            "code": "duplicate_hotkey",
            "path": "controls[1].labels[0].hotkey",
            "control": "b",
            "label": "z",
            "hotkey": "K",
            "other_control": "a",
            "other_label": "x",
        }
    ]


@pytest.mark.parametrize("color", ["red", "#fff", "#GGGGGG", "#22c55e\n", "22c55e", "#22c55e0"])
def test_invalid_color(color: str) -> None:
    assert schema_issues(one(choice(labels=[{"value": "x", "color": color}]))) == [
        {
            "code": "invalid_color",
            "path": "controls[0].labels[0].color",
            "control": "c",
            "label": "x",
            "color": color,
        }
    ]


def test_multi_choice_bounds() -> None:
    def multi(**options: Any) -> dict[str, Any]:
        return one({"name": "m", "type": "multi_choice", "field": "t", "labels": [{"value": "a"}], **options})

    assert schema_issues(multi(min=-1)) == [
        {"code": "out_of_range", "path": "controls[0].min", "control": "m", "value": -1, "low": 0, "high": 1}
    ]
    assert schema_issues(multi(min=2, max=2)) == [
        {"code": "out_of_range", "path": "controls[0].min", "control": "m", "value": 2, "low": 0, "high": 1}
    ]
    assert schema_issues(multi(min=1, max=0)) == [
        {"code": "max_below_min", "path": "controls[0].max", "control": "m", "min": 1, "max": 0}
    ]
    assert schema_issues(multi(min=True, max="3")) == [
        {"code": "not_an_integer", "path": "controls[0].min", "control": "m"},
        {"code": "not_an_integer", "path": "controls[0].max", "control": "m"},
    ]


def test_spans_allow_overlap_must_be_boolean() -> None:
    raw = one({"name": "s", "type": "spans", "field": "t", "labels": [{"value": "a"}], "allow_overlap": 1})
    assert schema_issues(raw) == [
        {"code": "not_a_boolean", "path": "controls[0].allow_overlap", "control": "s"}
    ]


def test_rating_bounds() -> None:
    def rating(**options: Any) -> dict[str, Any]:
        return one({"name": "r", "type": "rating", "field": "t", **options})

    assert schema_issues(rating(min=5)) == [
        {"code": "max_not_above_min", "path": "controls[0].max", "control": "r", "min": 5, "max": 5}
    ]
    assert schema_issues(rating(min=0, max=101)) == [
        {
            "code": "rating_range_too_large",
            "path": "controls[0]",
            "control": "r",
            "min": 0,
            "max": 101,
            "limit": 100,
        }
    ]
    assert schema_issues(rating(max=5.0)) == [
        {"code": "not_an_integer", "path": "controls[0].max", "control": "r"}
    ]


@pytest.mark.parametrize("max_length", [0, 100_001, -5])
def test_text_max_length(max_length: int) -> None:
    raw = one({"name": "t", "type": "text", "field": "t", "max_length": max_length})
    assert schema_issues(raw) == [
        {
            "code": "out_of_range",
            "path": "controls[0].max_length",
            "control": "t",
            "value": max_length,
            "low": 1,
            "high": 100_000,
        }
    ]


def test_every_issue_is_collected_at_once() -> None:
    raw = example()
    raw["controls"][0]["labels"][1]["hotkey"] = "P"  # taken later by entities/PER: reported there
    raw["controls"][1]["labels"].append({"value": "a"})
    raw["controls"][3]["max"] = 0
    raw["controls"][4]["type"] = "essay"
    raw["colour"] = "red"
    issues = schema_issues(raw)
    assert [(issue["code"], issue["path"]) for issue in issues] == [
        ("unknown_key", "colour"),
        ("duplicate_label", "controls[1].labels[3].value"),
        ("duplicate_hotkey", "controls[2].labels[0].hotkey"),
        ("max_not_above_min", "controls[3].max"),
        ("unknown_control_type", "controls[4].type"),
    ]


def test_messages_render_in_spanish() -> None:
    with pytest.raises(SchemaInvalid) as info:
        LabelSchema.parse(one(choice(labels=[{"value": "x", "color": "rojo"}])))
    assert info.value.message("es") == "El esquema de etiquetas no es válido: 1 problema(s)."
    (entry,) = localize_details(info.value.details, "es")
    assert entry == {
        "code": "invalid_color",
        "path": "controls[0].labels[0].color",
        "message": "El color 'rojo' de la etiqueta 'x' del control 'c' debe ser #RRGGBB.",
        "control": "c",
        "label": "x",
        "color": "rojo",
    }
    assert (
        info.value.details[0]["message"] == "Color 'rojo' of label 'x' in control 'c' must look like #RRGGBB."
    )


def test_issue_round_trips_through_its_dict() -> None:
    issue = Issue("unknown_key", "controls[0].x", {"key": "x", "control": "c"})
    assert Issue.from_dict(issue.to_dict("es")) == issue
    assert issue.to_dict()["message"] == "Unknown key 'controls[0].x' (is it misspelled?)."


def test_long_user_values_are_cut_in_issues() -> None:
    (issue,) = schema_issues(one(choice(type="x" * 1000)))
    assert issue["type"] == "x" * 79 + "…"


# --------------------------------------------------------------------------------------------------
# Task data


def test_text_fields_name_the_first_control_of_each_field() -> None:
    raw = {
        "controls": [
            choice(name="a", field="body"),
            choice(name="b", field="title", labels=[{"value": "y"}]),
            {"name": "r", "type": "rating", "field": "body"},
        ]
    }
    schema = LabelSchema.parse(raw)
    assert schema.text_fields() == {"body": "a", "title": "b"}
    assert schema.check_task_data({"body": "x", "title": ""}) is None
    assert schema.check_task_data({"body": "x"}) == Issue(
        "import_missing_field", "data.title", {"field": "data.title", "control": "b"}
    )
    assert schema.check_task_data({"body": 3, "title": "t"}) == Issue(
        "import_field_not_text", "data.body", {"field": "data.body", "control": "a"}
    )
    assert schema.check_task_data({"body": None}) == Issue(
        "import_field_not_text", "data.body", {"field": "data.body", "control": "a"}
    )


def test_text_fields_is_a_copy() -> None:
    SCHEMA.text_fields()["other"] = "x"
    assert SCHEMA.text_fields() == {"text": "sentiment"}


# --------------------------------------------------------------------------------------------------
# Results


def test_valid_result_passes() -> None:
    assert SCHEMA.result_issues(valid_result(), DATA) == []
    SCHEMA.validate_result(valid_result(), DATA)
    SCHEMA.validate_result({"sentiment": "negative", "stars": 1}, DATA)  # optional controls left out


@pytest.mark.parametrize("result", [None, [], "positive", 1])
def test_result_must_be_an_object(result: object) -> None:
    assert result_issues(SCHEMA, result) == [{"code": "result_not_object", "path": ""}]


def test_validate_result_raises_with_every_issue() -> None:
    with pytest.raises(ResultInvalid) as info:
        SCHEMA.validate_result({"sentimnet": "positive"}, DATA)
    error = info.value
    assert error.message_key == "result_invalid"
    assert error.params == {"count": 3}
    assert str(error) == "The annotation does not fit the label schema: 3 problem(s)."
    assert error.details == [
        {
            "code": "missing_answer",
            "path": "sentiment",
            "message": "Control 'sentiment' is required but has no answer.",
            "control": "sentiment",
        },
        {
            "code": "missing_answer",
            "path": "stars",
            "message": "Control 'stars' is required but has no answer.",
            "control": "stars",
        },
        {
            "code": "unknown_control",
            "path": "sentimnet",
            "message": "The schema has no control named 'sentimnet'.",
            "control": "sentimnet",
        },
    ]


def test_choice_answers() -> None:
    base = valid_result()
    assert result_issues(SCHEMA, {**base, "sentiment": "neutral"}) == [
        {"code": "unknown_label", "path": "sentiment", "control": "sentiment", "label": "neutral"}
    ]
    assert result_issues(SCHEMA, {**base, "sentiment": ["positive"]}) == [
        {"code": "not_a_string", "path": "sentiment", "control": "sentiment"}
    ]
    assert result_issues(SCHEMA, {**base, "sentiment": "Positive"}) == [  # display names are not values
        {"code": "unknown_label", "path": "sentiment", "control": "sentiment", "label": "Positive"}
    ]


def test_multi_choice_answers() -> None:
    base = valid_result()
    assert result_issues(SCHEMA, {**base, "topics": []}) == []  # optional, min 0
    assert result_issues(SCHEMA, {**base, "topics": ["a", "b", "c"]}) == []  # max defaults to 3 labels
    assert result_issues(SCHEMA, {**base, "topics": "a"}) == [
        {"code": "not_a_list", "path": "topics", "control": "topics"}
    ]
    assert result_issues(SCHEMA, {**base, "topics": ["a", "z", "a", 1]}) == [
        {"code": "unknown_label", "path": "topics[1]", "control": "topics", "label": "z", "index": 1},
        {
            "code": "duplicate_choice",
            "path": "topics[2]",
            "control": "topics",
            "label": "a",
            "index": 2,
            "first_index": 0,
        },
        {"code": "not_a_string", "path": "topics[3]", "control": "topics", "index": 3},
    ]


def test_multi_choice_count_bounds() -> None:
    labels = [{"value": v} for v in "abcd"]
    schema = single({"name": "m", "type": "multi_choice", "field": "t", "min": 2, "max": 3, "labels": labels})
    assert result_issues(schema, {"m": ["a", "b"]}) == []
    assert result_issues(schema, {"m": ["a", "b", "c"]}) == []
    assert result_issues(schema, {"m": ["a"]}) == [
        {"code": "too_few_choices", "path": "m", "control": "m", "count": 1, "min": 2}
    ]
    assert result_issues(schema, {"m": ["a", "b", "c", "d"]}) == [
        {"code": "too_many_choices", "path": "m", "control": "m", "count": 4, "max": 3}
    ]
    assert result_issues(schema, {}) == []  # not required: may be left out


def test_required_means_a_non_empty_answer() -> None:
    labels = [{"value": "a"}]
    raw = {
        "controls": [
            {"name": "m", "type": "multi_choice", "field": "t", "required": True, "labels": labels},
            {"name": "s", "type": "spans", "field": "t", "required": True, "labels": labels},
            {"name": "x", "type": "text", "field": "t", "required": True},
        ]
    }
    schema = LabelSchema.parse(raw)
    assert result_issues(schema, {"m": [], "s": [], "x": " \n"}, {"t": "abc"}) == [
        {"code": "empty_answer", "path": "m", "control": "m"},
        {"code": "empty_answer", "path": "s", "control": "s"},
        {"code": "empty_answer", "path": "x", "control": "x"},
    ]
    assert result_issues(schema, {}, {"t": "abc"}) == [
        {"code": "missing_answer", "path": "m", "control": "m"},
        {"code": "missing_answer", "path": "s", "control": "s"},
        {"code": "missing_answer", "path": "x", "control": "x"},
    ]
    assert (
        result_issues(
            schema, {"m": ["a"], "s": [{"start": 0, "end": 1, "label": "a"}], "x": "ok"}, {"t": "a"}
        )
        == []
    )


def spans(*items: dict[str, Any]) -> dict[str, Any]:
    return {"sentiment": "positive", "stars": 3, "entities": list(items)}


def test_span_up_to_the_end_of_the_text() -> None:
    whole = {"start": 0, "end": len(TEXT), "label": "LOC", "text": TEXT}
    assert result_issues(SCHEMA, spans(whole)) == []
    assert result_issues(SCHEMA, spans({"start": 0, "end": len(TEXT) + 1, "label": "LOC"})) == [
        {
            "code": "offset_out_of_range",
            "path": "entities[0].end",
            "control": "entities",
            "index": 0,
            "start": 0,
            "end": 18,
            "length": 17,
            "offset": 18,
        }
    ]


def test_span_offsets() -> None:
    assert result_issues(SCHEMA, spans({"start": -1, "end": 3, "label": "PER"})) == [
        {
            "code": "offset_out_of_range",
            "path": "entities[0].start",
            "control": "entities",
            "index": 0,
            "start": -1,
            "end": 3,
            "length": 17,
            "offset": -1,
        }
    ]
    assert result_issues(SCHEMA, spans({"start": 3, "end": 3, "label": "PER"})) == [
        {
            "code": "span_end_not_after_start",
            "path": "entities[0].end",
            "control": "entities",
            "index": 0,
            "start": 3,
            "end": 3,
        }
    ]
    assert result_issues(SCHEMA, spans({"start": 5, "end": 2, "label": "PER"})) == [
        {
            "code": "span_end_not_after_start",
            "path": "entities[0].end",
            "control": "entities",
            "index": 0,
            "start": 5,
            "end": 2,
        }
    ]


@pytest.mark.parametrize("offset", [True, False, 1.0, "1", None])
def test_span_offsets_must_be_integers(offset: object) -> None:
    assert result_issues(SCHEMA, spans({"start": offset, "end": 3, "label": "PER"})) == [
        {"code": "not_an_integer", "path": "entities[0].start", "control": "entities", "index": 0}
    ]


def test_span_shape() -> None:
    assert result_issues(SCHEMA, spans("Ana", {"begin": 0, "end": 3, "label": "PER"})) == [
        {"code": "not_an_object", "path": "entities[0]", "control": "entities", "index": 0},
        {
            "code": "unknown_key",
            "path": "entities[1].begin",
            "key": "begin",
            "control": "entities",
            "index": 1,
        },
        {
            "code": "missing_key",
            "path": "entities[1].start",
            "key": "start",
            "control": "entities",
            "index": 1,
        },
    ]
    assert result_issues(
        SCHEMA, spans({"start": 0, "end": 3, "label": "ORG"}, {"start": 4, "end": 8, "label": 1})
    ) == [
        {
            "code": "unknown_label",
            "path": "entities[0].label",
            "control": "entities",
            "index": 0,
            "label": "ORG",
        },
        {"code": "not_a_string", "path": "entities[1].label", "control": "entities", "index": 1},
    ]
    assert result_issues(SCHEMA, {**spans(), "entities": {"start": 0}}) == [
        {"code": "not_a_list", "path": "entities", "control": "entities"}
    ]


def test_span_text_must_match_the_task() -> None:
    assert result_issues(SCHEMA, spans({"start": 0, "end": 3, "label": "PER", "text": "Ana"})) == []
    assert result_issues(SCHEMA, spans({"start": 0, "end": 3, "label": "PER", "text": "Ann"})) == [
        {
            "code": "span_text_mismatch",
            "path": "entities[0].text",
            "control": "entities",
            "index": 0,
            "start": 0,
            "end": 3,
            "expected": "Ana",
            "text": "Ann",
        }
    ]
    assert result_issues(SCHEMA, spans({"start": 0, "end": 3, "label": "PER", "text": None})) == [
        {"code": "not_a_string", "path": "entities[0].text", "control": "entities", "index": 0}
    ]


def test_span_offsets_are_python_string_indices() -> None:
    text = "😀 Zoë"  # one code point per character, whatever its UTF-8 or UTF-16 length
    good = spans({"start": 2, "end": 5, "label": "PER", "text": "Zoë"})
    assert result_issues(SCHEMA, good, {"text": text}) == []


def test_identical_spans_are_rejected_even_when_overlaps_are_allowed() -> None:
    span = {"start": 0, "end": 3, "label": "PER"}
    duplicate = {
        "code": "duplicate_span",
        "path": "entities[1]",
        "control": "entities",
        "index": 1,
        "first_index": 0,
        "start": 0,
        "end": 3,
        "label": "PER",
    }
    assert result_issues(SCHEMA, spans(span, dict(span))) == [duplicate]
    labels = [{"value": "PER"}, {"value": "LOC"}]
    overlapping = single(
        {"name": "entities", "type": "spans", "field": "text", "allow_overlap": True, "labels": labels}
    )
    assert result_issues(overlapping, {"entities": [span, dict(span)]}) == [duplicate]


def test_overlapping_spans() -> None:
    per, loc = {"start": 0, "end": 3, "label": "PER"}, {"start": 2, "end": 8, "label": "LOC"}
    adjacent = {"start": 3, "end": 8, "label": "LOC"}
    assert result_issues(SCHEMA, spans(per, adjacent)) == []  # end is exclusive: touching is not overlapping
    expected = {
        "code": "overlapping_spans",
        "path": "entities[1]",
        "control": "entities",
        "index": 1,
        "other_index": 0,
        "start": 2,
        "end": 8,
        "other_start": 0,
        "other_end": 3,
    }
    assert result_issues(SCHEMA, spans(per, loc)) == [expected]
    same_label = {**loc, "label": "PER"}
    assert result_issues(SCHEMA, spans(per, same_label)) == [expected]
    nested = {"start": 1, "end": 2, "label": "PER"}
    assert result_issues(SCHEMA, spans(nested, {"start": 0, "end": 10, "label": "LOC"})) == [
        {
            "code": "overlapping_spans",
            "path": "entities[0]",
            "control": "entities",
            "index": 0,
            "other_index": 1,
            "start": 1,
            "end": 2,
            "other_start": 0,
            "other_end": 10,
        }
    ]
    allowed = single(
        {
            "name": "entities",
            "type": "spans",
            "field": "text",
            "allow_overlap": True,
            "labels": [{"value": "PER"}, {"value": "LOC"}],
        }
    )
    assert result_issues(allowed, {"entities": [per, loc, {**per, "label": "LOC"}]}) == []


def test_overlap_issues_come_in_index_order() -> None:
    items = [{"start": i, "end": 17, "label": "PER"} for i in range(12)]
    paths = [issue["path"] for issue in result_issues(SCHEMA, spans(*items))]
    assert paths == [f"entities[{i}]" for i in range(1, 12)]


@pytest.mark.parametrize(("data", "code"), [({}, "missing_task_field"), ({"text": 3}, "task_field_not_text")])
def test_spans_without_the_task_text(data: dict[str, object], code: str) -> None:
    result = spans({"start": 0, "end": 99, "label": "PER", "text": "x"})
    assert result_issues(SCHEMA, result, data) == [
        {"code": code, "path": "entities", "control": "entities", "field": "data.text"}
    ]
    assert result_issues(SCHEMA, {"sentiment": "positive", "stars": 3}, data) == []  # nothing reads it


def test_rating_answers() -> None:
    base = valid_result()
    assert result_issues(SCHEMA, {**base, "stars": 1}) == []
    assert result_issues(SCHEMA, {**base, "stars": 5}) == []
    for value in (0, 6):
        assert result_issues(SCHEMA, {**base, "stars": value}) == [
            {
                "code": "rating_out_of_range",
                "path": "stars",
                "control": "stars",
                "value": value,
                "min": 1,
                "max": 5,
            }
        ]
    for value in (True, 4.0, "4", None):
        assert result_issues(SCHEMA, {**base, "stars": value}) == [
            {"code": "not_an_integer", "path": "stars", "control": "stars"}
        ]


def test_text_answers() -> None:
    schema = single({"name": "t", "type": "text", "field": "body", "max_length": 5})
    assert result_issues(schema, {"t": ""}) == []  # optional: empty is fine
    assert result_issues(schema, {"t": "12345"}) == []
    assert result_issues(schema, {"t": "123456"}) == [
        {"code": "text_too_long", "path": "t", "control": "t", "length": 6, "max_length": 5}
    ]
    assert result_issues(schema, {"t": 5}) == [{"code": "not_a_string", "path": "t", "control": "t"}]


def test_result_messages_render_in_both_languages() -> None:
    (issue,) = SCHEMA.result_issues(spans({"start": 0, "end": 3, "label": "PER", "text": "Ann"}), DATA)
    assert issue.message() == (
        "Control 'entities': span [0, 3) says its text is 'Ann', but the task has 'Ana' there."
    )
    assert issue.message("es") == (
        "Control 'entities': el fragmento [0, 3) dice que su texto es 'Ann', pero la tarea tiene 'Ana' ahí."
    )


# --------------------------------------------------------------------------------------------------
# Message catalog


def test_schema_messages_have_both_languages_with_the_same_placeholders() -> None:
    assert schema_messages.MESSAGES
    for key, entry in schema_messages.MESSAGES.items():
        assert set(entry) == {"en", "es"}, key
        assert entry["en"].strip(), key
        assert entry["es"].strip(), key
        assert placeholders(entry["en"]) == placeholders(entry["es"]), key


def test_schema_messages_do_not_shadow_other_catalogs() -> None:
    others = set(general.MESSAGES) | set(imports.MESSAGES) | set(cli.MESSAGES)
    assert not set(schema_messages.MESSAGES) & others


def test_top_level_error_keys_exist() -> None:
    assert translate("schema_invalid", "en", count=2) == "The label schema is not valid: 2 problem(s)."
    assert translate("result_invalid", "es", count=1) == (
        "La anotación no se ajusta al esquema de etiquetas: 1 problema(s)."
    )


# --------------------------------------------------------------------------------------------------
# Properties

hotkey_pool = st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!?ñÑ")
label_values = st.text(min_size=1, max_size=12).filter(lambda s: s.strip() != "")
texts = st.text(min_size=1, max_size=10).filter(lambda s: s.strip() != "")
names = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,10}", fullmatch=True)


@st.composite
def bilingual(draw: st.DrawFn) -> dict[str, str]:
    return draw(st.dictionaries(st.sampled_from(["en", "es"]), texts, max_size=2))


@st.composite
def raw_labels(draw: st.DrawFn, taken: set[str]) -> list[dict[str, Any]]:
    values = draw(st.lists(label_values, min_size=1, max_size=6, unique=True))
    labels: list[dict[str, Any]] = []
    for value in values:
        label: dict[str, Any] = {"value": value}
        if draw(st.booleans()):
            label["names"] = draw(bilingual())
        hotkey = draw(st.none() | hotkey_pool)
        if hotkey is not None and hotkey.casefold() not in taken:
            taken.add(hotkey.casefold())
            label["hotkey"] = hotkey
        if draw(st.booleans()):
            label["color"] = draw(st.from_regex(r"#[0-9a-fA-F]{6}", fullmatch=True))
        labels.append(label)
    return labels


@st.composite
def raw_schemas(draw: st.DrawFn) -> dict[str, Any]:
    """Valid schemas in every optional form: keys left out, partial translations, any case of colours."""
    taken: set[str] = set()
    control_names = draw(st.lists(names, min_size=1, max_size=5, unique=True))
    controls = []
    for name in control_names:
        kind = draw(st.sampled_from(sorted(CONTROL_TYPES)))
        control: dict[str, Any] = {
            "name": name,
            "type": kind,
            "field": draw(st.sampled_from(["text", "body"])),
        }
        for key in ("title", "instructions"):
            if draw(st.booleans()):
                control[key] = draw(bilingual())
        if draw(st.booleans()):
            control["required"] = draw(st.booleans())
        if kind in ("choice", "multi_choice", "spans"):
            control["labels"] = draw(raw_labels(taken))
        if kind == "multi_choice":
            count = len(control["labels"])
            low = draw(st.integers(0, count))
            if draw(st.booleans()):
                control["min"] = low
            if draw(st.booleans()):
                control["max"] = draw(st.integers(low, count + 3))
        elif kind == "spans" and draw(st.booleans()):
            control["allow_overlap"] = draw(st.booleans())
        elif kind == "rating":
            low = draw(st.integers(-10, 10))
            control["min"] = low
            control["max"] = draw(st.integers(max(low + 1, 2), low + 100))
        elif kind == "text" and draw(st.booleans()):
            control["max_length"] = draw(st.integers(1, 100_000))
        controls.append(control)
    raw: dict[str, Any] = {"controls": controls}
    if draw(st.booleans()):
        raw["version"] = 1
    return raw


@given(raw_schemas())
def test_to_json_round_trips(raw: dict[str, Any]) -> None:
    schema = LabelSchema.parse(raw)
    normalised = schema.to_json()
    assert json.loads(json.dumps(normalised)) == normalised
    again = LabelSchema.parse(normalised)
    assert again == schema
    assert again.to_json() == normalised
    assert hash(again) == hash(schema)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


def check_details(details: list[dict[str, Any]]) -> None:
    """Details can be sent as JSON and every code has a message in both languages."""
    json.dumps(details, allow_nan=True)
    for entry in details:
        assert entry["code"] in CATALOG
        for lang in ("en", "es"):  # every placeholder is filled
            assert placeholders(CATALOG[entry["code"]][lang]) <= set(entry), entry
        localize_details([entry], "es")


def parse_never_crashes(raw: object) -> None:
    try:
        LabelSchema.parse(raw)
    except SchemaInvalid as error:
        details = error.details
    else:
        return
    assert details
    check_details(details)


@given(json_values | st.from_type(object))
def test_parse_of_junk_raises_only_schema_invalid(raw: object) -> None:
    parse_never_crashes(raw)


def paths_of(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths_of(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += paths_of(child, (*prefix, index))
    return found


@given(st.data())
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_parse_of_damaged_schemas_raises_only_schema_invalid(data: st.DataObject) -> None:
    raw = data.draw(raw_schemas())
    for _ in range(data.draw(st.integers(1, 3))):
        paths = paths_of(raw)[1:]
        if not paths:
            break
        path = data.draw(st.sampled_from(paths))
        parent = raw
        for step in path[:-1]:
            parent = parent[step]
        if data.draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = data.draw(json_values)
    parse_never_crashes(raw)


span_like = st.fixed_dictionaries(
    {
        "start": st.integers(-3, 20),
        "end": st.integers(-3, 20),
        "label": st.sampled_from(["PER", "LOC", "ORG"]),
    },
    optional={"text": st.text(max_size=4), "x": json_values},
)
answers = json_values | st.lists(span_like, max_size=5) | st.lists(st.sampled_from(["a", "b", "c", "z"]))


@given(
    st.dictionaries(
        st.sampled_from(["sentiment", "topics", "entities", "stars", "comment"]) | st.text(), answers
    ),
    st.dictionaries(st.sampled_from(["text", "other"]), json_values | st.text()),
)
def test_validate_result_of_junk_raises_only_result_invalid(
    result: dict[str, Any], data: dict[str, Any]
) -> None:
    before = copy.deepcopy(result)
    try:
        SCHEMA.validate_result(result, data)
    except ResultInvalid as error:
        count, details = error.params["count"], error.details
    else:
        count, details = 0, []
    assert count == len(details)
    check_details(details)
    assert result == before  # validation never changes the result


@given(json_values | st.from_type(object))
def test_validate_result_of_any_value_raises_only_result_invalid(result: object) -> None:
    try:
        SCHEMA.validate_result(result, DATA)
    except ResultInvalid as error:
        details = error.details
    else:
        details = []
    check_details(details)


@given(
    st.lists(st.tuples(st.integers(0, 16), st.integers(1, 17), st.sampled_from(["PER", "LOC"])), max_size=6)
)
def test_overlap_is_reported_exactly_when_two_spans_share_a_character(
    items: list[tuple[int, int, str]],
) -> None:
    distinct = list(dict.fromkeys((start, end, label) for start, end, label in items if start < end))
    result = spans(*({"start": s, "end": e, "label": label} for s, e, label in distinct))
    codes = {issue.code for issue in SCHEMA.result_issues(result, DATA)}
    overlapping = any(a[0] < b[1] and b[0] < a[1] for i, a in enumerate(distinct) for b in distinct[i + 1 :])
    assert codes == ({"overlapping_spans"} if overlapping else set())


def test_localized_text_picks_the_language() -> None:
    text = LocalizedText("Yes", "Sí")
    assert (text.get("en"), text.get("es"), text.get("fr")) == ("Yes", "Sí", "Yes")


def test_huge_numbers_are_echoed_safely() -> None:
    (issue,) = SCHEMA.result_issues({**valid_result(), "stars": 10**5000}, DATA)
    assert issue.to_dict()["value"] == "<too large>"
    assert issue.message() == "Control 'stars': rating <too large> is outside 1..5."
