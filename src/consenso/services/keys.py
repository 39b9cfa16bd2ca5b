"""The instance's encryption keys: a keyring file beside the secret key, and its rotation.

``<data_dir>/encryption_keys.json`` (mode 600, or ``CONSENSO_KEYS_FILE``) holds the AES-256 keys that seal
sensitive fields at rest (consenso.core.crypto); it is created with one key on first use. It is never stored
in the database: a copy of the database alone (a backup, a replica, a stolen disk) holds nothing readable.
Every server process of an instance must read the same file (mount it from a secret store); a process
notices a rotation by the file's modification time and re-reads it.

Outside development the file must not be readable by the group or by others: :class:`Vault` refuses it
(``KeyFileUnsafe``) rather than use keys that another account on the machine could have copied.

Rotation (``consenso keys rotate``, :func:`rotate`): a new key is added and made active; every sealed value
is re-sealed under it, in batches of their own transactions (a crash half-way leaves every value readable:
the old key is still in the file); then, unless asked to keep them, the old keys no value uses any more are
retired from the file, and the rotation is recorded in the instance's audit chain (``key.rotated``).
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

import orjson

from consenso.core.crypto import Keyring, KeyringError
from consenso.services.clock import utcnow
from consenso.settings import Settings
from consenso.store.database import Database
from consenso.store.repositories import audit as audit_repo
from consenso.store.repositories import pii as pii_repo

RESEAL_BATCH: Final = 500


class KeyFileUnsafe(RuntimeError):
    """The keyring file is unreadable, malformed, or open to other accounts."""


def keys_path(settings: Settings) -> Path:
    return settings.keys_file or settings.data_dir / "encryption_keys.json"


def _write(path: Path, keyring: Keyring) -> None:
    """Replace the file atomically (a reader sees the old keyring or the new one, never half of one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(orjson.dumps(keyring.to_json(), option=orjson.OPT_INDENT_2))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


class Vault:
    """The keyring of an instance, read from its file and re-read when the file changes."""

    def __init__(self, path: Path, *, strict: bool = True) -> None:
        self.path = path
        self.strict = strict  # refuse a file others may read (off in development)
        self._lock = threading.Lock()
        self._seen: tuple[int, int] | None = None
        self._keyring: Keyring | None = None

    @classmethod
    def of(cls, settings: Settings) -> Vault:
        return cls(keys_path(settings), strict=settings.environment != "development")

    def keyring(self) -> Keyring:
        """The keyring as the file holds it now; created with one fresh key when there is no file."""
        with self._lock:
            try:
                info = self.path.stat()
            except FileNotFoundError:
                self._create()
                info = self.path.stat()
            seen = (info.st_mtime_ns, info.st_size)
            if self._keyring is None or seen != self._seen:
                if self.strict and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
                    raise KeyFileUnsafe(
                        f"{self.path} may be read by other accounts (mode {stat.S_IMODE(info.st_mode):o}); "
                        f"run: chmod 600 {self.path}"
                    )
                try:
                    self._keyring = Keyring.from_json(orjson.loads(self.path.read_bytes()))
                except (OSError, orjson.JSONDecodeError, KeyringError) as exc:
                    raise KeyFileUnsafe(f"{self.path} cannot be used: {exc}") from None
                self._seen = seen
            return self._keyring

    def _create(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keyring = Keyring.generate()
        try:
            # O_EXCL: when two processes start together, exactly one writes the first key
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return
        with os.fdopen(fd, "wb") as fh:
            fh.write(orjson.dumps(keyring.to_json(), option=orjson.OPT_INDENT_2))

    def replace(self, keyring: Keyring) -> None:
        with self._lock:
            _write(self.path, keyring)
            self._keyring = None  # re-read (and re-checked) on next use


@dataclass(frozen=True, slots=True)
class RotationResult:
    old_keys: list[str]
    new_key: str
    resealed: int
    retired: list[str]
    kept: list[str]


def rotate(
    db: Database,
    vault: Vault,
    *,
    retire: bool = True,
    progress: Callable[[int, int], None] | None = None,
    origin: str = "cli",
    now: datetime | None = None,
) -> RotationResult:
    """Make a new key active, re-seal every sealed value under it, retire the old keys no value still uses."""
    before = vault.keyring()
    after = before.with_new_key(now)
    vault.replace(after)
    with db.read() as session:
        total = pii_repo.count_not_sealed_under(session, after.active)
    resealed = 0
    while True:
        with db.write() as session:
            keyring = vault.keyring()
            batch = pii_repo.not_sealed_under(session, keyring.active, limit=RESEAL_BATCH)
            if not batch:
                break
            at = now or utcnow()
            for row in batch:
                sealed = keyring.reseal(row.sealed, pii_repo.context(row.task_id))
                pii_repo.touch_sealed(row, key_id=keyring.active, sealed=sealed, at=at)
            resealed += len(batch)
        if progress is not None:
            progress(resealed, total)
    old = sorted(set(before.keys))
    retired: list[str] = []
    kept = old
    at = now or utcnow()
    with db.write() as session:
        still_used = pii_repo.key_ids_in_use(session)
        if retire:
            retired = [k for k in old if k not in still_used]
            kept = [k for k in old if k in still_used]
            if retired:
                vault.replace(vault.keyring().without(set(retired)))
        audit_repo.record(
            session,
            actor_id=None,
            action="key.rotated",
            object_type="keyring",
            object_id=after.active,
            origin=origin,
            details={"old_keys": old, "new_key": after.active, "resealed": resealed, "retired": retired},
            created_at=at,
        )
    return RotationResult(old, after.active, resealed, retired, kept)


@dataclass(frozen=True, slots=True)
class KeyStatus:
    path: Path
    active: str
    keys: dict[str, int]  # key id -> sealed values under it


def status(db: Database, vault: Vault) -> KeyStatus:
    keyring = vault.keyring()
    with db.read() as session:
        used = pii_repo.values_per_key(session)
    keys = {k: used.get(k, 0) for k in sorted(keyring.keys)}
    for key_id, count in used.items():  # sealed under a key the file no longer holds: unreadable
        keys.setdefault(key_id, count)
    return KeyStatus(vault.path, keyring.active, keys)
