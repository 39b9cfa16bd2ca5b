"""``consenso audit verify [--workspace ID] [--anchors FILE]`` and ``consenso audit head [--json]``: exit codes and
messages in English and Spanish, a tampered event named, a truncated chain caught against saved heads."""

from __future__ import annotations

from pathlib import Path

import orjson

from consenso.core.audit import chain_key
from consenso.services import audit
from consenso.store.database import Database
from tests.cli.conftest import RunCli, assert_ok, last_line
from tests.conftest import World
from tests.store import audit_tamper


def _heads(db: Database) -> dict[str, tuple[int, str]]:
    return {h.chain: (h.seq, h.hash) for h in audit.chain_heads(db)}


def test_verify_says_every_chain_holds(run_cli: RunCli, world: World, db: Database) -> None:
    heads = _heads(db)
    ws, other = world.workspace_id, world.workspace_id + 1

    result = run_cli(["audit", "verify"])

    assert_ok(result)
    total = sum(seq for seq, _ in heads.values())
    assert result.stdout.splitlines() == [
        f"OK  instance: {heads['instance'][0]} events, unbroken; head #{heads['instance'][0]} {heads['instance'][1]}",
        f"OK  workspace:{ws}: {heads[chain_key(ws)][0]} events, unbroken; head #{heads[chain_key(ws)][0]} "
        f"{heads[chain_key(ws)][1]}",
        f"OK  workspace:{other}: {heads[chain_key(other)][0]} events, unbroken; head #{heads[chain_key(other)][0]} "
        f"{heads[chain_key(other)][1]}",
        f"Audit log verified: 3 chain(s), {total} event(s), no break.",
    ]

    spanish = run_cli(["audit", "verify", "--workspace", str(ws)], CONSENSO_LANG="es")

    assert_ok(spanish)
    seq, digest = heads[chain_key(ws)]
    assert spanish.stdout.splitlines() == [
        f"OK  workspace:{ws}: {seq} eventos, sin rupturas; cabeza n.º {seq} {digest}",
        f"Registro de auditoría verificado: 1 cadena(s), {seq} evento(s), sin rupturas.",
    ]


def test_verify_names_a_deleted_event_and_exits_1(run_cli: RunCli, world: World, db: Database) -> None:
    chain = chain_key(world.workspace_id)
    rows = audit_tamper.rows(db, chain)
    audit_tamper.delete(db, rows[1]["id"])

    result = run_cli(["audit", "verify"])

    assert result.exit_code == 1, (result.stdout, result.stderr)
    broken = [line for line in result.stdout.splitlines() if line.startswith("BROKEN")]
    assert broken == [
        f"BROKEN  {chain}: 1 event(s) of {chain} were deleted before event {rows[2]['id']} (#3): numbers #2 to #2 "
        "are missing and its link points at no stored event."
    ]
    assert last_line(result.stderr) == "Error: The audit log is broken in 1 of 3 chain(s)."

    spanish = run_cli(["audit", "verify", "--workspace", str(world.workspace_id)], CONSENSO_LANG="es")

    assert spanish.exit_code == 1
    assert spanish.stdout.splitlines() == [
        f"ROTA  {chain}: Se borraron 1 evento(s) de {chain} antes del evento {rows[2]['id']} (n.º 3): faltan los "
        "números 2 a 2 y su enlace apunta a un evento que no está guardado."
    ]
    assert last_line(spanish.stderr) == "Error: El registro de auditoría está roto en 1 de 1 cadena(s)."
    # the other chains are untouched
    assert_ok(run_cli(["audit", "verify", "--workspace", str(world.workspace_id + 1)]))


def test_verify_names_an_edited_event(run_cli: RunCli, world: World, db: Database) -> None:
    rows = audit_tamper.rows(db, "instance")
    audit_tamper.edit(db, rows[0]["id"], origin="10.6.6.6")

    result = run_cli(["audit", "verify"])

    assert result.exit_code == 1
    assert (
        f"BROKEN  instance: Event {rows[0]['id']} (#1 of instance) was edited: its content no longer matches its "
        "hash." in result.stdout.splitlines()
    )


def test_head_prints_the_heads_and_verify_checks_them_later(
    run_cli: RunCli, world: World, db: Database, tmp_path: Path
) -> None:
    heads = audit.chain_heads(db)

    text = run_cli(["audit", "head"])
    as_json = run_cli(["audit", "head", "--json"])

    assert_ok(text)
    assert text.stdout.splitlines() == [
        f"{h.chain}: #{h.seq} {h.hash} (event {h.event_id}, {h.to_json()['created_at']})" for h in heads
    ]
    assert text.stderr.strip().startswith("Keep these heads outside this server")
    assert_ok(as_json)
    assert orjson.loads(as_json.stdout) == [h.to_json() for h in heads]
    saved = tmp_path / "heads.json"
    saved.write_text(as_json.stdout)
    assert_ok(run_cli(["audit", "verify", "--anchors", str(saved)]))

    # someone deletes the newest two events of a workspace chain: the chain alone still holds, the heads do not
    chain = chain_key(world.workspace_id)
    rows = audit_tamper.rows(db, chain)
    audit_tamper.delete(db, rows[-1]["id"], rows[-2]["id"])
    assert_ok(run_cli(["audit", "verify"]))

    result = run_cli(["audit", "verify", "--anchors", str(saved)])

    assert result.exit_code == 1
    count = len(rows)
    assert (
        f"BROKEN  {chain}: 2 event(s) were deleted from the end of {chain}: numbers #{count - 1} to #{count} are gone "
        f"although the anchor recorded #{count}." in result.stdout.splitlines()
    )


def test_an_unreadable_anchors_file_is_refused(run_cli: RunCli, world: World, tmp_path: Path) -> None:
    bad = tmp_path / "heads.json"
    bad.write_text('[{"chain": "instance", "seq": 0, "hash": "x"}]')

    result = run_cli(["audit", "verify", "--anchors", str(bad)], CONSENSO_LANG="es")

    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"Error: {bad} no es una lista de cabezas de cadena como la que escribe `consenso audit head --json`: "
        "item 1 has no positive seq"
    )
    assert result.stdout == ""
    missing = run_cli(["audit", "verify", "--anchors", str(tmp_path / "nope.json")])
    assert missing.exit_code == 1 and "No such file or directory" in missing.stderr


def test_an_empty_log_says_so(run_cli: RunCli, db: Database) -> None:
    for args in (["audit", "verify"], ["audit", "head"]):
        result = run_cli(args)

        assert_ok(result)
        assert result.stdout.strip() == "The audit log holds no events yet."
    assert run_cli(["audit", "head", "--json"]).stdout.strip() == "[]"
