"""Sealing sensitive fields at rest: AES-256-GCM bound to a context, under a keyring that rotates."""

from __future__ import annotations

import pytest

from consenso.core.crypto import KeyMissing, Keyring, KeyringError, SealBroken, key_id_of

CONTEXT = b"pii_original:task:7"


def test_a_sealed_value_opens_under_its_context_and_holds_no_plaintext() -> None:
    ring = Keyring.generate()
    sealed = ring.seal(b"ana@example.com 4111111111111111", CONTEXT)
    assert b"ana@example.com" not in sealed and b"4111" not in sealed
    assert ring.open(sealed, CONTEXT) == b"ana@example.com 4111111111111111"
    assert key_id_of(sealed) == ring.active
    # random nonces: the same value sealed twice differs
    assert ring.seal(b"x", CONTEXT) != ring.seal(b"x", CONTEXT)


def test_another_context_or_an_altered_byte_does_not_open() -> None:
    ring = Keyring.generate()
    sealed = ring.seal(b"secret", CONTEXT)
    with pytest.raises(SealBroken):
        ring.open(sealed, b"pii_original:task:8")  # copied onto another task's row
    for index in range(2 + len(ring.active), len(sealed)):
        altered = bytearray(sealed)
        altered[index] ^= 0x01
        with pytest.raises(SealBroken):
            ring.open(bytes(altered), CONTEXT)
    for broken in (b"", b"\x01", b"\x02" + sealed[1:], sealed[:20]):
        with pytest.raises(SealBroken):
            ring.open(broken, CONTEXT)


def test_rotation_keeps_old_values_readable_until_resealed_and_the_old_key_retired() -> None:
    old = Keyring.generate()
    sealed = old.seal(b"value", CONTEXT)
    new = old.with_new_key()
    assert new.active != old.active and set(new.keys) == {old.active, new.active}
    assert new.open(sealed, CONTEXT) == b"value"
    resealed = new.reseal(sealed, CONTEXT)
    assert key_id_of(resealed) == new.active
    assert new.reseal(resealed, CONTEXT) is resealed  # already under the active key
    retired = new.without({old.active})
    assert retired.open(resealed, CONTEXT) == b"value"
    with pytest.raises(KeyMissing) as missing:
        retired.open(sealed, CONTEXT)
    assert missing.value.key_id == old.active
    with pytest.raises(KeyringError):
        new.without({new.active})


def test_the_fingerprint_is_keyed_and_survives_rotation() -> None:
    ring = Keyring.generate()
    other = Keyring.generate()
    assert ring.fingerprint(b"data") == ring.fingerprint(b"data")
    assert ring.fingerprint(b"data") != ring.fingerprint(b"date")
    assert ring.fingerprint(b"data") != other.fingerprint(b"data")
    assert ring.with_new_key().fingerprint(b"data") == ring.fingerprint(b"data")
    assert len(ring.fingerprint(b"data")) == 32


def test_the_keyring_round_trips_through_json_and_refuses_bad_files() -> None:
    ring = Keyring.generate().with_new_key()
    again = Keyring.from_json(ring.to_json())
    assert again == ring
    sealed = ring.seal(b"v", CONTEXT)
    assert again.open(sealed, CONTEXT) == b"v"
    good = ring.to_json()
    bad_files = [
        None,
        [],
        {**good, "version": 2},
        {**good, "keys": {}},
        {**good, "active": "nope"},
        {**good, "keys": {ring.active: "not base64!"}},
        {**good, "keys": {ring.active: "c2hvcnQ="}},  # 5 bytes
        {k: v for k, v in good.items() if k != "fingerprint_key"},
        {**good, "fingerprint_key": "c2hvcnQ="},
    ]
    for raw in bad_files:
        with pytest.raises(KeyringError):
            Keyring.from_json(raw)
