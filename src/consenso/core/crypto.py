"""Encryption of sensitive fields at rest: AES-256-GCM under a keyring of named keys, one of them active.

A sealed value is ``VERSION || len(key id) || key id || nonce (12 bytes) || ciphertext || tag (16 bytes)``.
The key id travels with the value, so that after a rotation the rows still sealed under an older key stay
readable until they are re-sealed (:meth:`Keyring.reseal`), and the key can then be retired.

The keyring also holds a *fingerprint* key, never rotated: :meth:`Keyring.fingerprint` is an HMAC-SHA256
under it, for telling equal values apart without storing a plain hash of them (a SHA-256 of a text whose card
number shows its first 6 and last 4 digits is found back from a million guesses; an HMAC is not without the
key).

Every value is sealed for a *context* (for instance ``b"pii_original:task:42"``), passed to AES-GCM as
associated data: a sealed value copied onto another row does not open there (:class:`SealBroken`), so that
someone who can write to the database but holds no key cannot swap one task's originals for another's.

>>> ring = Keyring.generate()
>>> sealed = ring.seal(b"4111 1111 1111 1111", b"pii_original:task:1")
>>> ring.open(sealed, b"pii_original:task:1")
b'4111 1111 1111 1111'
>>> ring.open(sealed, b"pii_original:task:2")
Traceback (most recent call last):
...
consenso.core.crypto.SealBroken: the sealed value does not open under its key and context
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION: Final = b"\x01"
KEY_BYTES: Final = 32  # AES-256
NONCE_BYTES: Final = 12  # random per value: 2**32 values per key keep the collision chance below 2**-32
MAX_KEY_ID: Final = 64


class KeyringError(Exception):
    """A keyring that cannot be used: malformed, empty or without its active key."""


class KeyMissing(KeyringError):
    """A value was sealed under a key that is not in the keyring (retired, or another instance's)."""

    def __init__(self, key_id: str) -> None:
        super().__init__(f"the value was sealed under key {key_id!r}, which is not in the keyring")
        self.key_id = key_id


class SealBroken(Exception):
    """A sealed value is malformed, was altered, or belongs to another context."""

    def __init__(self) -> None:
        super().__init__("the sealed value does not open under its key and context")


def new_key_id(now: datetime | None = None) -> str:
    """A key id that sorts by creation and says when: ``20261127T031500-3f9a1c``."""
    at = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S")
    return f"{at}-{secrets.token_hex(3)}"


@dataclass(frozen=True, slots=True)
class Keyring:
    """Named AES-256 keys; new values are sealed under ``active``."""

    active: str
    keys: Mapping[str, bytes] = field(default_factory=dict)
    fingerprint_key: bytes = b""

    def __post_init__(self) -> None:
        if self.active not in self.keys:
            raise KeyringError(f"the active key {self.active!r} is not in the keyring")
        for key_id, key in self.keys.items():
            if not key_id or len(key_id) > MAX_KEY_ID or not key_id.isascii():
                raise KeyringError(f"bad key id {key_id[:MAX_KEY_ID]!r}")
            if len(key) != KEY_BYTES:
                raise KeyringError(f"key {key_id!r} is not {KEY_BYTES} bytes long")
        if len(self.fingerprint_key) != KEY_BYTES:
            raise KeyringError(f"the fingerprint key is not {KEY_BYTES} bytes long")
        object.__setattr__(self, "keys", MappingProxyType(dict(self.keys)))

    @classmethod
    def generate(cls, now: datetime | None = None) -> Keyring:
        key_id = new_key_id(now)
        return cls(
            active=key_id,
            keys={key_id: AESGCM.generate_key(bit_length=KEY_BYTES * 8)},
            fingerprint_key=secrets.token_bytes(KEY_BYTES),
        )

    def with_new_key(self, now: datetime | None = None) -> Keyring:
        """This keyring plus a fresh key, which becomes the active one; the old keys stay to open old values."""
        key_id = new_key_id(now)
        while key_id in self.keys:
            key_id = new_key_id(now)
        return Keyring(
            active=key_id,
            keys={**self.keys, key_id: AESGCM.generate_key(bit_length=KEY_BYTES * 8)},
            fingerprint_key=self.fingerprint_key,
        )

    def without(self, key_ids: set[str]) -> Keyring:
        """This keyring without ``key_ids`` (never the active key)."""
        if self.active in key_ids:
            raise KeyringError("the active key cannot be retired")
        return Keyring(
            active=self.active,
            keys={k: v for k, v in self.keys.items() if k not in key_ids},
            fingerprint_key=self.fingerprint_key,
        )

    def fingerprint(self, value: bytes) -> bytes:
        """HMAC-SHA256 of ``value`` under the fingerprint key (32 bytes)."""
        return hmac.new(self.fingerprint_key, value, hashlib.sha256).digest()

    def seal(self, plaintext: bytes, context: bytes) -> bytes:
        key_id = self.active.encode()
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = AESGCM(self.keys[self.active]).encrypt(nonce, plaintext, context)
        return VERSION + bytes([len(key_id)]) + key_id + nonce + sealed

    def open(self, sealed: bytes, context: bytes) -> bytes:
        key_id, nonce, body = _split(sealed)
        key = self.keys.get(key_id)
        if key is None:
            raise KeyMissing(key_id)
        try:
            return AESGCM(key).decrypt(nonce, body, context)
        except InvalidTag:
            raise SealBroken() from None

    def reseal(self, sealed: bytes, context: bytes) -> bytes:
        """``sealed`` under the active key (the same bytes when it already is)."""
        if key_id_of(sealed) == self.active:
            return sealed
        return self.seal(self.open(sealed, context), context)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "active": self.active,
            "keys": {k: base64.b64encode(v).decode() for k, v in sorted(self.keys.items())},
            "fingerprint_key": base64.b64encode(self.fingerprint_key).decode(),
        }

    @classmethod
    def from_json(cls, raw: Any) -> Keyring:
        if not isinstance(raw, Mapping) or raw.get("version") != 1:
            raise KeyringError("not a version 1 keyring")
        keys = raw.get("keys")
        active = raw.get("active")
        if not isinstance(keys, Mapping) or not keys or not isinstance(active, str):
            raise KeyringError("a keyring needs an active key and at least one key")
        decoded: dict[str, bytes] = {}
        for key_id, text in keys.items():
            if not isinstance(key_id, str) or not isinstance(text, str):
                raise KeyringError("bad key entry")
            try:
                decoded[key_id] = base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError):
                raise KeyringError(f"key {key_id[:MAX_KEY_ID]!r} is not base64") from None
        fingerprint = raw.get("fingerprint_key")
        if not isinstance(fingerprint, str):
            raise KeyringError("a keyring needs its fingerprint key")
        try:
            fingerprint_key = base64.b64decode(fingerprint, validate=True)
        except (binascii.Error, ValueError):
            raise KeyringError("the fingerprint key is not base64") from None
        return cls(active=active, keys=decoded, fingerprint_key=fingerprint_key)


def _split(sealed: bytes) -> tuple[str, bytes, bytes]:
    if len(sealed) < 2 or sealed[:1] != VERSION:
        raise SealBroken()
    size = sealed[1]
    head = 2 + size
    if size == 0 or len(sealed) < head + NONCE_BYTES + 16:
        raise SealBroken()
    try:
        key_id = sealed[2:head].decode("ascii")
    except UnicodeDecodeError:
        raise SealBroken() from None
    return key_id, sealed[head : head + NONCE_BYTES], sealed[head + NONCE_BYTES :]


def key_id_of(sealed: bytes) -> str:
    """The id of the key ``sealed`` was sealed under."""
    return _split(sealed)[0]


__all__ = [
    "KEY_BYTES",
    "KeyMissing",
    "Keyring",
    "KeyringError",
    "SealBroken",
    "key_id_of",
    "new_key_id",
]
