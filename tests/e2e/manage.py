"""Helpers of the manager's browser tests: API sessions of other users, their annotations, task files."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PASSWORD, Server


@contextmanager
def api_session(server: Server, email: str, lang: str = "en") -> Iterator[httpx.Client]:
    """An API client logged in as ``email`` the way the browser is (session cookie, CSRF token)."""
    with httpx.Client(base_url=server.url, timeout=30, headers={"Accept-Language": lang}) as client:
        login = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        assert login.status_code == 200, login.text
        client.headers["X-CSRF-Token"] = login.json()["csrf_token"]
        yield client


def annotate(
    server: Server, email: str, project_id: int, results: list[dict[str, Any]], lead_ms: int = 2500
) -> None:
    """``email`` takes the next tasks of the project and submits ``results``, one per task."""
    with api_session(server, email) as client:
        for result in results:
            task = client.get(f"/api/v1/projects/{project_id}/next")
            assert task.status_code == 200, task.text
            answer = client.post(
                f"/api/v1/tasks/{task.json()['id']}/annotations",
                json={"result": result, "lead_time_ms": lead_ms},
                headers={"Idempotency-Key": uuid.uuid4().hex},
            )
            assert answer.status_code == 201, answer.text


def jsonl(records: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()


def upload(page: Page, name: str, content: bytes, mime: str = "application/octet-stream") -> None:
    """Pick ``content`` as the file ``name`` on the import page and import it."""
    page.locator("#import-file").set_input_files({"name": name, "mimeType": mime, "buffer": content})
    page.get_by_role("button", name="Import", exact=True).or_(
        page.get_by_role("button", name="Importar", exact=True)
    ).click()


def switch_language(page: Page, lang: str) -> None:
    page.locator("#language-select").select_option(lang)
    expect(page.locator("html")).to_have_attribute("lang", lang)
