"""GET /api/v1/audit, /audit/export and /audit/verify: who reads which events, the filters and the cursor, an
export every line of which re-verifies offline, the verification naming a tampered event in the caller's
language, and the security-relevant actions that are always logged."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from consenso.core.audit import GENESIS_HASH, canonical_json, chain_key
from consenso.store.database import Database
from consenso.store.models import AuditEvent
from consenso.store.repositories import audit as audit_repo
from tests.api.v1.assertions import When, assert_error
from tests.conftest import Actor, Factory, World
from tests.store import audit_tamper

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def _read(row: AuditEvent) -> dict[str, Any]:
    return {
        "id": row.id,
        "chain": row.chain,
        "seq": row.seq,
        "prev_hash": row.prev_hash,
        "hash": row.hash,
        "workspace_id": row.workspace_id,
        "actor_id": row.actor_id,
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "outcome": row.outcome,
        "origin": row.origin,
        "created_at": When(row.created_at),
        "details": row.details,
    }


def _stored(db: Database, **where: Any) -> list[AuditEvent]:
    with db.read() as session:
        stmt = select(AuditEvent).order_by(AuditEvent.id.desc())
        for column, value in where.items():
            stmt = stmt.where(getattr(AuditEvent, column) == value)
        return list(session.scalars(stmt))


def _ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def _walk(client: TestClient, who: Actor, **params: Any) -> list[int]:
    """Every page, following the cursor."""
    found: list[int] = []
    cursor = None
    while True:
        r = client.get(
            "/api/v1/audit", params={**params, **({"cursor": cursor} if cursor else {})}, headers=who.headers
        )
        found += _ids(r)
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return found


@pytest.fixture
def timed(world: World, db: Database) -> list[datetime]:
    """Three events of the world's workspace at known times (an hour apart), two by the manager."""
    times = [T0, T0 + timedelta(hours=1), T0 + timedelta(hours=2)]
    with db.write() as session:
        for at, actor, outcome in zip(
            times, (world.manager, world.admin, world.manager), ("success", "failure", "success"), strict=True
        ):
            audit_repo.record(
                session,
                workspace_id=world.workspace_id,
                actor_id=actor.id,
                action="gold.set",
                object_type="task",
                object_id=str(world.task_ids[0]),
                outcome=outcome,
                created_at=at,
            )
    return times


def test_an_instance_admin_lists_every_event_newest_first(
    app_client: TestClient, world: World, db: Database
) -> None:
    r = app_client.get("/api/v1/audit", params={"limit": 1000}, headers=world.admin.headers)

    assert r.status_code == 200, r.text
    stored = _stored(db)
    assert r.json() == {"items": [_read(e) for e in stored], "next_cursor": None}
    chains = {e.chain for e in stored}
    assert chains == {"instance", chain_key(world.workspace_id), chain_key(world.workspace_id + 1)}


def test_the_cursor_walks_every_page_once(app_client: TestClient, world: World, db: Database) -> None:
    assert _walk(app_client, world.admin, limit=3) == [e.id for e in _stored(db)]

    r = app_client.get("/api/v1/audit", params={"cursor": "not-a-cursor"}, headers=world.admin.headers)
    assert_error(r, 400, "invalid_cursor")


def test_filters_combine(app_client: TestClient, world: World, db: Database, timed: list[datetime]) -> None:
    admin = world.admin
    gold = [e.id for e in _stored(db, action="gold.set")]

    assert _ids(app_client.get("/api/v1/audit", params={"action": "gold.set"}, headers=admin.headers)) == gold
    by_manager = app_client.get(
        "/api/v1/audit", params={"action": "gold.set", "actor_id": world.manager.id}, headers=admin.headers
    )
    assert _ids(by_manager) == [gold[0], gold[2]]
    failures = app_client.get("/api/v1/audit", params={"outcome": "failure"}, headers=admin.headers)
    assert _ids(failures) == [gold[1]]
    window = {
        "since": timed[1].isoformat(),
        "until": timed[2].isoformat(),
    }  # since inclusive, until exclusive
    assert _ids(app_client.get("/api/v1/audit", params=window, headers=admin.headers)) == [gold[1]]
    naive = {"since": "2026-11-20T09:00:00", "until": "2026-11-20T10:00:00"}  # UTC when no offset
    assert _ids(app_client.get("/api/v1/audit", params=naive, headers=admin.headers)) == [gold[1]]
    task = {"object_type": "task", "object_id": str(world.task_ids[0]), "action": "gold.*"}
    assert _ids(app_client.get("/api/v1/audit", params=task, headers=admin.headers)) == gold
    members = app_client.get("/api/v1/audit", params={"action": "membership.*"}, headers=admin.headers)
    assert _ids(members) == [e.id for e in _stored(db) if e.action.startswith("membership.")]
    assert len(_ids(members)) == 6  # five members of the world's workspace, one of the other
    literal = app_client.get("/api/v1/audit", params={"action": "membership_*"}, headers=admin.headers)
    assert _ids(literal) == []  # "_" is a character here, not a wildcard
    scoped = app_client.get(
        "/api/v1/audit", params={"workspace_id": world.workspace_id + 1}, headers=admin.headers
    )
    assert _ids(scoped) == [e.id for e in _stored(db, workspace_id=world.workspace_id + 1)]


def test_an_empty_time_range_is_refused(app_client: TestClient, world: World, db: Database) -> None:
    params = {"since": "2026-11-20T10:00:00Z", "until": "2026-11-20T09:00:00Z"}
    for path in ("/api/v1/audit", "/api/v1/audit/export"):
        r = app_client.get(path, params=params, headers={**world.admin.headers, "Accept-Language": "es"})

        error = assert_error(r, 400, "invalid_time_range")
        assert error["message"].startswith("El intervalo de tiempo está vacío")
    assert _stored(db, action="audit.export") == []


def test_a_workspace_admin_reads_only_their_workspace(
    app_client: TestClient, world: World, factory: Factory, db: Database
) -> None:
    boss = factory.member(world.admin, world.workspace_id, "admin")
    mine = [e.id for e in _stored(db, workspace_id=world.workspace_id)]

    assert _walk(app_client, boss) == mine
    assert _walk(app_client, boss, workspace_id=world.workspace_id) == mine
    # the outsider is an admin of the other workspace: they see that one's events and nothing of this one
    assert _walk(app_client, world.outsider) == [
        e.id for e in _stored(db, workspace_id=world.workspace_id + 1)
    ]
    assert not set(_walk(app_client, world.outsider)) & set(mine)


@pytest.mark.parametrize("path", ["/api/v1/audit", "/api/v1/audit/export", "/api/v1/audit/verify"])
def test_who_may_not_read_the_log(app_client: TestClient, world: World, db: Database, path: str) -> None:
    ws = {"workspace_id": world.workspace_id}

    assert_error(app_client.get(path, params=ws, headers=world.outsider.headers), 404, "not_found")
    for member in (world.manager, world.reviewer, world.annotator, world.viewer):
        assert_error(app_client.get(path, params=ws, headers=member.headers), 403, "permission_denied")
        error = assert_error(app_client.get(path, headers=member.headers), 403, "audit_forbidden")
        assert error["message"] == "Only instance admins and workspace admins may read the audit log."
    assert_error(app_client.get(path), 401, "not_authenticated")
    assert _stored(db, action="audit.export") == []  # a refused export is not one
    assert_error(
        app_client.get(path, params={"workspace_id": 2**63}, headers=world.admin.headers),
        422,
        "validation_error",
    )


def _offline_hash(line: dict[str, Any]) -> str:
    """What a client computes from an export line alone: SHA-256 of the canonical form of its hashed fields."""
    hashed = {k: v for k, v in line.items() if k not in ("id", "hash")} | {"v": 1}
    return hashlib.sha256(canonical_json(hashed)).hexdigest()


def test_the_export_streams_every_event_in_chain_order_and_verifies_offline(
    app_client: TestClient, world: World, db: Database
) -> None:
    r = app_client.get("/api/v1/audit/export", headers=world.admin.headers)

    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/x-ndjson")
    assert r.headers["content-disposition"] == 'attachment; filename="audit.jsonl"'
    lines = [orjson.loads(raw) for raw in r.content.splitlines()]
    stored = sorted(_stored(db), key=lambda e: (e.chain, e.seq))
    assert [line["id"] for line in lines] == [e.id for e in stored]
    assert lines[0] == _read(stored[0]) | {
        "created_at": stored[0].created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    }
    # the export itself is logged, in the instance's chain (it covered every chain), and is in the export
    export = next(line for line in lines if line["action"] == "audit.export")
    assert (export["chain"], export["actor_id"], export["details"]) == (
        "instance",
        world.admin.id,
        {"format": "jsonl", "filters": {}},
    )
    for line in lines:
        assert _offline_hash(line) == line["hash"]
    for chain in {line["chain"] for line in lines}:
        links = [line for line in lines if line["chain"] == chain]
        assert [line["seq"] for line in links] == list(range(1, len(links) + 1))
        assert [line["prev_hash"] for line in links] == [GENESIS_HASH] + [line["hash"] for line in links[:-1]]


def test_a_workspace_admin_exports_their_workspace_and_it_is_logged_there(
    app_client: TestClient, world: World, factory: Factory, db: Database
) -> None:
    boss = factory.member(world.admin, world.workspace_id, "admin")

    r = app_client.get("/api/v1/audit/export", params={"action": "membership.*"}, headers=boss.headers)

    assert r.status_code == 200, r.text
    lines = [orjson.loads(raw) for raw in r.content.splitlines()]
    assert {line["workspace_id"] for line in lines} == {world.workspace_id}
    assert {line["action"] for line in lines} == {"membership.create"}
    assert all(_offline_hash(line) == line["hash"] for line in lines)  # each line alone still verifies
    [logged] = _stored(db, action="audit.export")
    assert (logged.chain, logged.actor_id, logged.details) == (
        chain_key(world.workspace_id),
        boss.id,
        {"format": "jsonl", "filters": {"action": "membership.*"}},
    )


def test_verify_reports_every_chain_and_names_a_tampered_event(
    app_client: TestClient, world: World, db: Database
) -> None:
    ok = app_client.get("/api/v1/audit/verify", headers=world.admin.headers)

    assert ok.status_code == 200, ok.text
    body = ok.json()
    newest: dict[str, AuditEvent] = {}  # the head of each chain: the first seen, newest first
    for event in _stored(db):
        newest.setdefault(event.chain, event)
    assert body == {
        "ok": True,
        "events": len(_stored(db)),
        "chains": [
            {
                "chain": chain,
                "workspace_id": newest[chain].workspace_id,
                "events": newest[chain].seq,
                "ok": True,
                "head": {"seq": newest[chain].seq, "hash": newest[chain].hash, "event_id": newest[chain].id},
                "broken": None,
            }
            for chain in ("instance", chain_key(world.workspace_id), chain_key(world.workspace_id + 1))
        ],
    }

    target = _stored(db, chain=chain_key(world.workspace_id))[-3]  # the chain's third event
    audit_tamper.edit(db, target.id, actor_id=world.outsider.id)
    broken = app_client.get(
        "/api/v1/audit/verify",
        params={"workspace_id": world.workspace_id},
        headers={**world.admin.headers, "Accept-Language": "es"},
    )

    assert broken.status_code == 200, broken.text
    report = broken.json()
    assert report["ok"] is False
    [chain] = report["chains"]
    assert chain["broken"] == {
        "kind": "edited",
        "event_id": target.id,
        "seq": 3,
        "missing": 0,
        "first_missing": None,
        "related_event_id": chain["broken"]["related_event_id"],
        "related_seq": 2,
        "expected": chain["broken"]["expected"],
        "found": target.hash,
        "message": f"El evento {target.id} (n.º 3 de {chain_key(world.workspace_id)}) fue modificado: su "
        "contenido ya no coincide con su hash.",
    }
    assert chain["broken"]["expected"] != target.hash


def test_a_workspace_admin_verifies_their_chain_only(
    app_client: TestClient, world: World, factory: Factory
) -> None:
    boss = factory.member(world.admin, world.workspace_id, "admin")

    r = app_client.get("/api/v1/audit/verify", headers=boss.headers)

    assert r.status_code == 200, r.text
    assert [c["chain"] for c in r.json()["chains"]] == [chain_key(world.workspace_id)]


def test_security_relevant_actions_are_always_logged(
    app_client: TestClient, world: World, factory: Factory, db: Database
) -> None:
    person = factory.user(email="rosa@example.test", password="right-password-1")
    wrong = "wrong-password-XYZ"

    failed = app_client.post("/api/v1/auth/login", json={"email": "Rosa@example.test", "password": wrong})
    unknown = app_client.post("/api/v1/auth/login", json={"email": "nobody@example.test", "password": wrong})
    login = app_client.post(
        "/api/v1/auth/login", json={"email": "rosa@example.test", "password": "right-password-1"}
    )
    logout = app_client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": login.json()["csrf_token"]})
    app_client.cookies.clear()
    role = app_client.patch(
        f"/api/v1/workspaces/{world.workspace_id}/members/{world.annotator.id}",
        json={"role": "reviewer"},
        headers=world.manager.headers,
    )
    settings = app_client.patch(
        f"/api/v1/projects/{world.project_id}", json={"qa": {"gold_rate": 0.2}}, headers=world.manager.headers
    )
    export = app_client.get(f"/api/v1/projects/{world.project_id}/export", headers=world.manager.headers)
    token = app_client.post("/api/v1/tokens", json={"name": "ci"}, headers=world.manager.headers)
    assert [r.status_code for r in (failed, unknown, login, logout, role, settings, export, token)] == [
        401,
        401,
        200,
        204,
        200,
        200,
        200,
        201,
    ]

    def logged(action: str, **params: Any) -> list[dict[str, Any]]:
        r = app_client.get("/api/v1/audit", params={"action": action, **params}, headers=world.admin.headers)
        assert r.status_code == 200, r.text
        items: list[dict[str, Any]] = r.json()["items"]
        return items

    failures = logged("auth.login_failed")
    assert [(e["actor_id"], e["outcome"], e["details"]) for e in failures] == [
        (None, "failure", {"email": "nobody@example.test"}),
        (person.id, "failure", {"email": "rosa@example.test"}),
    ]
    assert [e["actor_id"] for e in logged("auth.login")] == [person.id]
    assert [e["actor_id"] for e in logged("auth.logout")] == [person.id]
    [changed] = logged("membership.update")
    assert changed["details"]["from"] == "annotator" and changed["details"]["to"] == "reviewer"
    [updated] = logged("project.update")
    assert set(updated["details"]["digest"]) == {"before", "after"}
    assert [e["object_id"] for e in logged("project.export")] == [str(world.project_id)]
    [created] = logged("token.create", object_id=str(token.json()["id"]))
    assert (created["actor_id"], created["details"]) == (world.manager.id, {"for_user": world.manager.id})
    # the password tried is nowhere in the log
    with db.read() as session:
        rows = session.scalars(select(AuditEvent)).all()
        stored = orjson.dumps([[r.action, r.object_id, r.origin, r.details] for r in rows])
    assert wrong.encode() not in stored and b"right-password-1" not in stored
