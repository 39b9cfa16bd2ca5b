"""A project's PII policy: parsed from JSON, written back, and refused with a message key when wrong."""

from __future__ import annotations

from typing import Any

import pytest

from consenso.core.errors import InvalidInput
from consenso.core.messages import CATALOG
from consenso.core.pii import EntityType, PiiPolicy, Strategy
from consenso.core.pii.policy import default_entities


def test_defaults_tag_everything_and_show_cards_partially() -> None:
    policy = PiiPolicy()
    assert policy.enabled
    assert policy.to_json() == {
        "enabled": True,
        "entities": {
            "email": "tag",
            "phone": "tag",
            "card": "partial",
            "iban": "tag",
            "us_ssn": "tag",
            "co_cedula": "tag",
            "co_nit": "tag",
        },
    }
    assert PiiPolicy.parse(None) == policy and PiiPolicy.parse({}) == policy


def test_round_trip_and_partial_update_over_a_base() -> None:
    policy = PiiPolicy.parse({"enabled": True, "entities": {"email": "pseudonym", "card": "remove"}})
    assert policy.entities == {EntityType.EMAIL: Strategy.PSEUDONYM, EntityType.CARD: Strategy.REMOVE}
    assert PiiPolicy.parse(policy.to_json()) == policy
    off = PiiPolicy.parse({"enabled": False}, base=policy)
    assert off.entities == policy.entities and not off.enabled
    assert off.strategy(EntityType.EMAIL) is None and policy.strategy(EntityType.EMAIL) is Strategy.PSEUDONYM
    assert policy.strategy(EntityType.PHONE) is None  # left out: not masked
    assert default_entities() is not default_entities()  # no shared mutable default


@pytest.mark.parametrize(
    ("raw", "key", "params"),
    [
        (["email"], "pii_policy_invalid", {"field": "pii"}),
        ({"enabled": "yes"}, "pii_policy_invalid", {"field": "enabled"}),
        ({"entities": ["email"]}, "pii_policy_invalid", {"field": "entities"}),
        ({"strategy": "tag"}, "pii_policy_unknown", {"field": "strategy"}),
        (
            {"entities": {"passport": "tag"}},
            "pii_unknown_entity",
            {"entity": "passport", "supported": "email, phone, card, iban, us_ssn, co_cedula, co_nit"},
        ),
        (
            {"entities": {"email": ["tag"]}},
            "pii_unknown_strategy",
            {"entity": "email", "strategy": "['tag']", "supported": "remove, tag, partial, pseudonym"},
        ),
        ({"x" * 500: 1}, "pii_policy_unknown", {"field": "x" * 64}),
    ],
)
def test_invalid_policies_are_refused_with_a_message_key(raw: Any, key: str, params: dict[str, str]) -> None:
    with pytest.raises(InvalidInput) as caught:
        PiiPolicy.parse(raw)
    assert caught.value.message_key == key
    assert caught.value.params == params
    assert key in CATALOG
    assert caught.value.message("es") != caught.value.message("en")


def test_every_type_and_strategy_has_a_name_in_both_languages() -> None:
    for entity in EntityType:
        assert set(CATALOG[f"pii_entity_{entity.value}"]) == {"en", "es"}
    for strategy in Strategy:
        assert set(CATALOG[f"pii_strategy_{strategy.value}"]) == {"en", "es"}
