"""The keyring file (consenso.services.keys.Vault) and key rotation (``keys.rotate``, ``consenso keys``)."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import orjson
import pytest
from sqlalchemy import select

from consenso.core.crypto import KeyMissing, Keyring
from consenso.services import keys, pii, task_import
from consenso.services.projects import update_project
from consenso.store.database import Database
from consenso.store.models import AuditEvent, PiiOriginal
from consenso.store.repositories import pii as pii_repo
from tests.conftest import Factory, World


def test_the_keyring_is_created_once_with_mode_600_and_reread_when_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "data" / "encryption_keys.json"
    vault = keys.Vault(path)
    first = vault.keyring()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert keys.Vault(path).keyring() == first  # a second process reads the same keys
    rotated = first.with_new_key()
    keys.Vault(path).replace(rotated)  # another process rotates
    assert vault.keyring().active == rotated.active
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_keyring_others_may_read_or_a_broken_one_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "encryption_keys.json"
    keys.Vault(path).keyring()
    os.chmod(path, 0o644)
    with pytest.raises(keys.KeyFileUnsafe, match="chmod 600"):
        keys.Vault(path).keyring()
    assert keys.Vault(path, strict=False).keyring()  # development
    os.chmod(path, 0o600)
    path.write_text("{not json")
    with pytest.raises(keys.KeyFileUnsafe):
        keys.Vault(path).keyring()


def _masked_tasks(db: Database, factory: Factory, world: World, vault: keys.Vault, count: int) -> list[int]:
    update_project(db, world.admin.principal, world.project_id, {"pii": {}})
    body = b"".join(
        orjson.dumps({"data": {"text": f"write to person{i}@example.com"}}) + b"\n" for i in range(count)
    )
    task_import.import_tasks(
        db, world.admin.principal, world.project_id, io.BytesIO(body), "application/x-ndjson", vault=vault
    )
    with db.read() as session:
        return list(session.scalars(select(PiiOriginal.task_id).order_by(PiiOriginal.task_id)))


def test_rotation_reseals_every_value_retires_the_old_key_and_is_audited(
    db: Database, factory: Factory, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keys, "RESEAL_BATCH", 7)  # several batches
    vault = keys.Vault(tmp_path / "encryption_keys.json")
    old = vault.keyring()
    task_ids = _masked_tasks(db, factory, world, vault, 20)
    assert len(task_ids) == 20
    seen: list[tuple[int, int]] = []
    result = keys.rotate(db, vault, progress=lambda done, total: seen.append((done, total)))
    assert result.resealed == 20 and result.old_keys == [old.active] and result.retired == [old.active]
    assert seen[-1] == (20, 20) and len(seen) == 3
    ring = vault.keyring()
    assert ring.active == result.new_key and set(ring.keys) == {result.new_key}
    with db.read() as session:
        rows = session.scalars(select(PiiOriginal)).all()
        assert {r.key_id for r in rows} == {result.new_key}
        for row in rows:  # every value opens under the new keyring only
            assert b"@example.com" in ring.open(row.sealed, pii_repo.context(row.task_id))
            with pytest.raises(KeyMissing):
                old.open(row.sealed, pii_repo.context(row.task_id))
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "key.rotated")).one()
    assert event.details == {
        "old_keys": [old.active],
        "new_key": result.new_key,
        "resealed": 20,
        "retired": [old.active],
    }
    assert event.workspace_id is None  # the instance's chain
    revealed = pii.reveal(db, world.admin.principal, vault, task_ids[0])
    assert revealed.data == {"text": "write to person0@example.com"} and revealed.key_id == result.new_key
    status = keys.status(db, vault)
    assert status.keys == {result.new_key: 20}


def test_keep_old_keeps_the_old_key_and_a_retired_key_makes_its_values_unreadable(
    db: Database, factory: Factory, world: World, tmp_path: Path
) -> None:
    vault = keys.Vault(tmp_path / "encryption_keys.json")
    old = vault.keyring()
    task_ids = _masked_tasks(db, factory, world, vault, 3)
    kept = keys.rotate(db, vault, retire=False)
    assert kept.retired == [] and kept.kept == [old.active]
    assert set(vault.keyring().keys) == {old.active, kept.new_key}
    # a value still sealed under a key the file lost (restored from an old backup, say) is reported, not lost
    with db.write() as session:
        row = session.get(PiiOriginal, task_ids[0])
        assert row is not None
        row.sealed = old.seal(b'{"data": {}, "meta": {}}', pii_repo.context(task_ids[0]))
        row.key_id = old.active
    vault.replace(vault.keyring().without({old.active}))
    assert keys.status(db, vault).keys == {kept.new_key: 2, old.active: 1}
    with pytest.raises(Exception) as refused:
        pii.reveal(db, world.admin.principal, vault, task_ids[0])
    assert getattr(refused.value, "message_key", None) == "pii_key_missing"


def test_a_second_instance_keyring_opens_nothing(
    db: Database, factory: Factory, world: World, tmp_path: Path
) -> None:
    vault = keys.Vault(tmp_path / "a.json")
    task_ids = _masked_tasks(db, factory, world, vault, 1)
    stranger = keys.Vault(tmp_path / "b.json")
    stranger.replace(Keyring.generate())
    with pytest.raises(Exception) as refused:
        pii.reveal(db, world.admin.principal, stranger, task_ids[0])
    assert getattr(refused.value, "message_key", None) == "pii_key_missing"
