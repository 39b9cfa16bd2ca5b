import orjson

from consenso.core.text import contains_nul, json_text_may_hold_nul


def test_finds_nul_in_nested_values_and_keys() -> None:
    assert contains_nul({"a": [1, {"b": "x\x00y"}]})
    assert contains_nul({"k\x00": 1})
    assert not contains_nul({"a": [1, {"b": "plain"}], "c": None})


def test_precheck_is_a_filter_not_the_verdict() -> None:
    literal = {"text": "a backslash then u0000: \\u0000"}  # no NUL, but its JSON holds the escape text
    assert json_text_may_hold_nul(orjson.dumps(literal))
    assert not contains_nul(literal)
    assert not json_text_may_hold_nul(orjson.dumps({"text": "clean"}))
    assert json_text_may_hold_nul(orjson.dumps({"text": "\x00"}).decode())
