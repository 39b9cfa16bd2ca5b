"""consenso.core.json_limits: the JSON values storage cannot hold (integers beyond 64 bits, lone surrogates)
are found wherever they sit, and everything else passes."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from consenso.core.json_limits import INT64_MAX, INT64_MIN, first_unfit


@pytest.mark.parametrize(
    "value", [INT64_MAX, INT64_MIN, 0, -1, True, False, None, 1.5, 1e308, "", "ñandú 😍"]
)
def test_values_orjson_can_hold_fit(value: object) -> None:
    assert first_unfit(value) is None
    orjson.dumps(value)  # the reason for the rule: what fits, orjson writes


@pytest.mark.parametrize("value", [2**64, INT64_MIN - 1, 2**70, -(10**40)])
def test_an_integer_beyond_64_bits_does_not_fit(value: int) -> None:
    assert first_unfit(value) == ("", "int64_range")
    with pytest.raises(orjson.JSONEncodeError):
        orjson.dumps(value)


def test_the_range_is_the_signed_one_on_both_sides() -> None:
    # orjson would write up to 2**64 - 1; one symmetric rule is simpler to state and to meet
    assert first_unfit(INT64_MAX + 1) == ("", "int64_range")
    assert first_unfit(2**64 - 1) == ("", "int64_range")


def test_the_path_names_keys_and_list_indexes() -> None:
    body = {"result": {"ok": [1, 2], "spans": [{"start": 0}, {"start": 2**64}]}, "n": 3}

    assert first_unfit(body) == ("result.spans[1].start", "int64_range")


def test_a_lone_surrogate_in_a_value_or_a_key_does_not_fit() -> None:
    assert first_unfit({"a": ["fine", "bad \ud800"]}) == ("a[1]", "lone_surrogate")
    # the path is printable even when the bad key is in it
    assert first_unfit({"a": {"k\udc00": 1}}) == ("a.k\\udc00", "lone_surrogate")
    with pytest.raises(orjson.JSONEncodeError):
        orjson.dumps({"k\udc00": 1})


def test_a_surrogate_pair_read_from_json_is_a_normal_character() -> None:
    value = orjson.loads('{"e": "\\ud83d\\ude0d"}')
    assert first_unfit(value) is None


def test_deep_nesting_is_walked_without_recursion() -> None:
    value: object = 2**64
    for _ in range(100_000):
        value = [value]
    path = first_unfit(value)
    assert path is not None
    assert path[1] == "int64_range"
    assert path[0] == "[0]" * 100_000


# text with lone surrogates (category Cs) among other characters; integers around both 64-bit edges
texts = st.text(st.characters(categories=["Cs", "Ll", "Lo", "Nd", "So"]), max_size=5)
integers = st.integers() | st.sampled_from([INT64_MIN - 1, INT64_MIN, INT64_MAX, INT64_MAX + 1, 2**64])
json_values = st.recursive(
    st.none() | st.booleans() | integers | st.floats(allow_nan=False) | texts,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(texts, children, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_what_fits_orjson_can_write_and_what_it_cannot_does_not_fit(value: object) -> None:
    try:
        orjson.dumps(value)
        writable = True
    except orjson.JSONEncodeError:
        writable = False
    if first_unfit(value) is None:
        assert writable
    if not writable:
        assert first_unfit(value) is not None
