"""``consenso keys status`` and ``consenso keys rotate [--keep-old]`` (consenso.services.keys), in English and
Spanish, and ``consenso import`` sealing into the CLI's keyring."""

from __future__ import annotations

from pathlib import Path

import orjson

from consenso.services import keys
from consenso.services.projects import update_project
from consenso.store.database import Database
from tests.cli.conftest import RunCli, assert_ok
from tests.conftest import World


def test_import_masks_then_rotate_reseals_and_status_tells(
    run_cli: RunCli, world: World, db: Database, tmp_path: Path, cli_env: dict[str, str | None]
) -> None:
    update_project(db, world.admin.principal, world.project_id, {"pii": {}})
    source = tmp_path / "tasks.jsonl"
    source.write_bytes(
        b"".join(orjson.dumps({"data": {"text": f"mail me at p{i}@example.com"}}) + b"\n" for i in range(3))
    )
    assert_ok(run_cli(["import", str(world.project_id), str(source)]))
    vault = keys.Vault(Path(str(cli_env["CONSENSO_DATA_DIR"])) / "encryption_keys.json")
    first = vault.keyring().active

    status = run_cli(["keys", "status"])
    assert_ok(status)
    assert status.stdout.splitlines()[1:] == [f"* {first}: 3 sealed value(s) (active)"]

    rotated = run_cli(["keys", "rotate", "--keep-old"])
    assert_ok(rotated)
    second = vault.keyring().active
    assert second != first
    assert rotated.stdout.strip() == (
        f"New active key {second}; 3 value(s) re-sealed; retired: -; kept: {first}."
    )
    lines = run_cli(["keys", "status"], CONSENSO_LANG="es").stdout.splitlines()[1:]
    assert sorted(lines) == sorted(
        [f"* {second}: 3 valor(es) sellado(s) (activa)", f"- {first}: 0 valor(es) sellado(s)"]
    )

    again = run_cli(["keys", "rotate"])
    assert_ok(again)
    assert set(vault.keyring().keys) == {vault.keyring().active}  # both old keys retired


def test_a_keyring_others_may_read_is_refused(
    run_cli: RunCli, world: World, cli_env: dict[str, str | None]
) -> None:
    path = Path(str(cli_env["CONSENSO_DATA_DIR"])) / "encryption_keys.json"
    keys.Vault(path).keyring()
    path.chmod(0o640)
    result = run_cli(["keys", "rotate"])
    assert result.exit_code == 1
    assert "chmod 600" in result.stderr and "cannot be used" in result.stderr
