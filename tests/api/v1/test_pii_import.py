"""PII at import (consenso.services.pii): forbidden card data refused in every project, personal data masked
by a project's policy, the originals sealed and revealed to admins only, every reveal audited."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from consenso.core.crypto import key_id_of
from consenso.store.database import Database
from consenso.store.models import AuditEvent, PiiOriginal, Task
from tests.api.v1.assertions import assert_error
from tests.conftest import World

CARD = "4111 1111 1111 1111"
EMAIL = "ana.lopez@example.com"
SPANS_SCHEMA: dict[str, Any] = {
    "controls": [{"name": "who", "type": "spans", "field": "text", "labels": [{"value": "PER"}]}]
}


def _import(
    client: TestClient, world: World, project_id: int, records: list[Any], lang: str = "en"
) -> httpx.Response:
    body = b"".join(orjson.dumps(r) + b"\n" for r in records)
    r: httpx.Response = client.post(
        f"/api/v1/projects/{project_id}/tasks",
        content=body,
        headers={**world.manager.headers, "Content-Type": "application/x-ndjson", "Accept-Language": lang},
    )
    return r


def _mask_on(client: TestClient, world: World, policy: dict[str, Any] | None = None) -> None:
    r = client.patch(
        f"/api/v1/projects/{world.project_id}", json={"pii": policy or {}}, headers=world.manager.headers
    )
    assert r.status_code == 200, r.text


def _tasks(db: Database, project_id: int) -> list[Task]:
    with db.read() as session:
        return list(session.scalars(select(Task).where(Task.project_id == project_id).order_by(Task.id)))


def _masked_task(client: TestClient, world: World, db: Database) -> int:
    _mask_on(client, world)
    r = _import(client, world, world.project_id, [{"data": {"text": f"Soy Ana, {EMAIL}, tarjeta {CARD}"}}])
    assert r.status_code == 201, r.text
    return _tasks(db, world.project_id)[-1].id


def test_a_card_security_code_or_track_data_is_refused_in_any_project(
    app_client: TestClient, world: World, db: Database
) -> None:
    before = len(_tasks(db, world.project_id))
    records = [
        {"data": {"text": "fine"}},
        {"data": {"text": f"Tarjeta {CARD}, vence 12/27, CVV 123"}},
    ]
    error = assert_error(_import(app_client, world, world.project_id, records), 422, "import_invalid")
    assert error["details"]["line"] == 2
    assert error["details"]["field"] == "data/text"
    assert "Line 2" in error["message"] and "CVV" in error["message"]
    error = assert_error(
        _import(app_client, world, world.project_id, [{"data": {"text": "x", "cvv": "123"}}], lang="es"),
        422,
        "import_invalid",
    )
    assert error["details"]["field"] == "data/cvv" and "Línea 1" in error["message"]
    track = {"data": {"text": "swipe"}, "meta": {"raw": ";4111111111111111=27121010000000000000?"}}
    error = assert_error(_import(app_client, world, world.project_id, [track]), 422, "import_invalid")
    assert error["details"]["field"] == "meta/raw"
    assert len(_tasks(db, world.project_id)) == before  # nothing of any of them kept


def test_masking_hides_personal_data_from_everything_but_the_sealed_original(
    app_client: TestClient, world: World, db: Database
) -> None:
    task_id = _masked_task(app_client, world, db)
    with db.read() as session:
        task = session.get(Task, task_id)
        assert task is not None
        assert task.data == {"text": "Soy Ana, [EMAIL], tarjeta 4111 11** **** 1111"}
        original = session.get(PiiOriginal, task_id)
        assert original is not None
        assert [(f["in"], f["path"], f["type"]) for f in original.findings] == [
            ("data", "/text", "email"),
            ("data", "/text", "card"),
        ]
        assert EMAIL.encode() not in original.sealed and b"4111 1111" not in original.sealed
        # nowhere in the database in clear, whatever the column
        for table in ("task", "pii_original", "audit_event"):
            dump = " ".join(str(row) for row in session.execute(text(f"SELECT * FROM {table}")).all())
            assert EMAIL not in dump and "1111 1111 1111" not in dump, table
    # what annotators, reviewers and exports see
    served = app_client.get(f"/api/v1/projects/{world.project_id}/next", headers=world.annotator.headers)
    assert served.status_code == 200 and EMAIL not in served.text, served.text
    listed = app_client.get(f"/api/v1/projects/{world.project_id}/tasks", headers=world.reviewer.headers)
    assert "[EMAIL]" in listed.text and EMAIL not in listed.text
    exported = app_client.get(f"/api/v1/projects/{world.project_id}/export", headers=world.manager.headers)
    assert exported.status_code == 200 and "[EMAIL]" in exported.text and EMAIL not in exported.text


def test_an_admin_reveals_the_original_and_every_attempt_is_audited(
    app_client: TestClient, world: World, db: Database
) -> None:
    task_id = _masked_task(app_client, world, db)
    url = f"/api/v1/tasks/{task_id}/original"
    r = app_client.get(url, headers=world.admin.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["data"] == {"text": f"Soy Ana, {EMAIL}, tarjeta {CARD}"}
    assert body["meta"] == {} and body["task_id"] == task_id
    assert {f["type"] for f in body["findings"]} == {"email", "card"}
    assert_error(app_client.get(url, headers=world.manager.headers), 403, "permission_denied")
    assert_error(app_client.get(url, headers=world.reviewer.headers), 403, "permission_denied")
    assert_error(app_client.get(url, headers=world.annotator.headers), 404, "not_found")
    assert_error(app_client.get(url, headers=world.outsider.headers), 404, "not_found")
    plain = world.task_ids[0]  # imported before masking was on
    assert_error(
        app_client.get(f"/api/v1/tasks/{plain}/original", headers=world.admin.headers), 404, "pii_no_original"
    )
    with db.read() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "pii.reveal").order_by(AuditEvent.id)
        ).all()
    assert [(e.actor_id, e.outcome) for e in events] == [
        (world.admin.id, "success"),
        (world.manager.id, "denied"),
        (world.reviewer.id, "denied"),
    ]
    assert events[0].details["fields"] == ["data/text"]
    assert events[0].details["types"] == ["card", "email"]
    assert EMAIL not in orjson.dumps([e.details for e in events]).decode()


def test_a_sealed_original_moved_to_another_task_does_not_open(
    app_client: TestClient, world: World, db: Database
) -> None:
    first = _masked_task(app_client, world, db)
    r = _import(app_client, world, world.project_id, [{"data": {"text": "otro: pedro@example.com"}}])
    assert r.status_code == 201, r.text
    second = _tasks(db, world.project_id)[-1].id
    with db.write() as session:
        donor = session.get(PiiOriginal, first)
        victim = session.get(PiiOriginal, second)
        assert donor is not None and victim is not None
        victim.sealed = donor.sealed
    r = app_client.get(f"/api/v1/tasks/{second}/original", headers=world.admin.headers)
    assert_error(r, 409, "pii_seal_broken")


def test_duplicates_are_told_by_a_keyed_fingerprint_of_the_original(
    app_client: TestClient, world: World, db: Database
) -> None:
    _mask_on(app_client, world)
    records = [
        {"data": {"text": "card 4111 1111 1111 1111"}},
        {"data": {"text": "card 4111 1111 1111 1111"}},  # the same: a duplicate
        {"data": {"text": "card 4111 1100 0009 1111"}},  # masks the same, but another card: kept
    ]
    r = _import(app_client, world, world.project_id, records)
    assert r.status_code == 201, r.text
    assert (r.json()["created"], r.json()["duplicates"]) == (2, 1)
    again = _import(app_client, world, world.project_id, records[:1])
    assert (again.json()["created"], again.json()["duplicates"]) == (0, 1)
    tasks = _tasks(db, world.project_id)[-2:]
    assert [t.data["text"] for t in tasks] == ["card 4111 11** **** 1111"] * 2
    import hashlib

    for task in tasks:  # not the plain SHA-256 a card could be guessed back from
        canonical = orjson.dumps(task.data, option=orjson.OPT_SORT_KEYS)
        assert bytes(task.content_hash) != hashlib.sha256(canonical).digest()


def test_pseudonyms_are_consistent_within_a_task_across_data_and_meta(
    app_client: TestClient, world: World, db: Database
) -> None:
    _mask_on(app_client, world, {"entities": {"email": "pseudonym"}})
    record = {
        "data": {"text": "from a@x.co to b@y.co, cc a@x.co"},
        "meta": {"sender": "a@x.co", "phone": "+57 301 234 5678"},
    }
    r = _import(app_client, world, world.project_id, [record])
    assert r.status_code == 201, r.text
    task = _tasks(db, world.project_id)[-1]
    assert task.data == {"text": "from EMAIL_1 to EMAIL_2, cc EMAIL_1"}
    assert task.meta == {"sender": "EMAIL_1", "phone": "+57 301 234 5678"}  # phones are not in this policy
    revealed = app_client.get(f"/api/v1/tasks/{task.id}/original", headers=world.admin.headers).json()
    assert revealed["meta"] == record["meta"]


def test_a_spans_pre_label_on_a_masked_field_is_refused(
    app_client: TestClient, world: World, factory: Any, db: Database
) -> None:
    project = factory.project(world.admin, world.workspace_id, schema=SPANS_SCHEMA)
    r = app_client.patch(f"/api/v1/projects/{project}", json={"pii": {}}, headers=world.manager.headers)
    assert r.status_code == 200, r.text
    records = [
        {
            "data": {"text": "Ana writes from home"},
            "prediction": {"model": "m", "result": {"who": [{"start": 0, "end": 3, "label": "PER"}]}},
        },
        {
            "data": {"text": "Ana: ana@example.com"},
            "prediction": {"model": "m", "result": {"who": [{"start": 0, "end": 3, "label": "PER"}]}},
        },
    ]
    error = assert_error(_import(app_client, world, project, records), 422, "import_invalid")
    assert error["details"]["line"] == 2 and error["details"]["field"] == "data.text"
    assert _tasks(db, project) == []


def test_the_policy_is_validated_and_shown_to_staff_only(app_client: TestClient, world: World) -> None:
    url = f"/api/v1/projects/{world.project_id}"
    bad = app_client.patch(
        url, json={"pii": {"entities": {"email": "scramble"}}}, headers=world.manager.headers
    )
    error = assert_error(bad, 422, "pii_unknown_strategy")
    assert "scramble" in error["message"]
    assert_error(
        app_client.patch(url, json={"pii": {"colour": 1}}, headers=world.manager.headers),
        422,
        "pii_policy_unknown",
    )
    assert app_client.get(url, headers=world.manager.headers).json()["pii"] is None
    _mask_on(app_client, world, {"entities": {"card": "remove"}})
    shown = app_client.get(url, headers=world.manager.headers).json()["pii"]
    assert shown == {"enabled": True, "entities": {"card": "remove"}}
    assert app_client.get(url, headers=world.annotator.headers).json()["pii"] is None
    off = app_client.patch(url, json={"pii": {"enabled": False}}, headers=world.manager.headers)
    assert off.json()["pii"]["enabled"] is False
    r = _import(app_client, world, world.project_id, [{"data": {"text": f"card {CARD}"}}])
    assert r.status_code == 201
    assert_error(
        app_client.patch(url, json={"pii": {}}, headers=world.annotator.headers), 403, "permission_denied"
    )


def test_sealed_under_the_active_key(app_client: TestClient, world: World, db: Database) -> None:
    task_id = _masked_task(app_client, world, db)
    vault = app_client.app.state.vault  # type: ignore[attr-defined]
    with db.read() as session:
        original = session.get(PiiOriginal, task_id)
        assert original is not None
        assert original.key_id == key_id_of(original.sealed) == vault.keyring().active
