"""PII masking in the web app: a manager turns masking on in the project editor; the next import is masked,
so the annotator reads ``[EMAIL]`` and never the address; a workspace admin (Spanish UI) reveals the
original on the adjudication screen after confirming, sees the address as text with what was masked, and
the audit log holds the reveal. A manager sees no reveal button there; a task with nothing masked says so.

Also: the editor's static examples (web/src/lib/privacy/examples.json) are what the masking produces.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from consenso.core.pii import EntityType, PiiPolicy, Strategy, mask_text
from tests.e2e.app import (
    assert_every_control_labelled,
    assert_no_csp_violation,
    log_in,
    next_task,
    start_labeling,
)
from tests.e2e.conftest import Server, Tab
from tests.e2e.manage import jsonl
from tests.e2e.schemas import SENTIMENT

EXAMPLES = Path(__file__).resolve().parents[2] / "web" / "src" / "lib" / "privacy" / "examples.json"
# the cédula and the NIT are bare numbers: they are found next to a word that names them
CONTEXT = {"co_cedula": "cédula ", "co_nit": "NIT "}

ADDRESS = "ana.garcia@ejemplo.es"
PHONE = "+34 612 345 678"
TEXT = f"Escríbeme a {ADDRESS} o al {PHONE}. <b>Urgente</b>"
MASKED = "Escríbeme a [EMAIL] o al PHONE_1. <b>Urgente</b>"
POLICY = {
    "enabled": True,
    "entities": {
        "email": "tag",
        "phone": "pseudonym",
        "card": "partial",
        "us_ssn": "tag",
        "co_cedula": "tag",
        "co_nit": "tag",
    },
}


def _import(server: Server, project: int, text: str) -> int:
    """Import one task with ``text`` through the API; its id."""
    before = {t["id"] for t in server.api("GET", f"/api/v1/projects/{project}/tasks")["items"]}
    server.api(
        "POST",
        f"/api/v1/projects/{project}/tasks",
        content=jsonl([{"data": {"text": text}}]),
        headers={"Content-Type": "application/x-ndjson"},
    )
    items = server.api("GET", f"/api/v1/projects/{project}/tasks")["items"]
    (task,) = [t for t in items if t["id"] not in before]
    return int(task["id"])


def _reveals(server: Server, task: int) -> list[dict[str, Any]]:
    page = server.api("GET", "/api/v1/audit", params={"action": "pii.reveal", "object_id": str(task)})
    return list(page["items"])


def _save(page: Page) -> None:
    page.locator("form.project-editor button[type=submit]").click()


def _reveal(page: Page) -> None:
    page.get_by_test_id("pii-show-original").click()
    expect(page.get_by_test_id("pii-confirm")).to_contain_text(
        "Este acceso queda en el registro de auditoría"
    )
    expect(page.get_by_test_id("pii-confirm-show")).to_be_focused()
    page.get_by_test_id("pii-confirm-show").click()


def test_masking_set_in_the_editor_hides_the_address_until_an_admin_reveals_it(
    server: Server, open_tab: Callable[..., Tab]
) -> None:
    workspace = server.workspace("PII e2e")
    manager = server.user(role="manager", workspace_id=workspace)
    annotator = server.user(role="annotator", workspace_id=workspace)
    admin = server.user(role="admin", workspace_id=workspace, locale="es")
    project = int(
        server.api(
            "POST",
            "/api/v1/projects",
            json={"workspace_id": workspace, "name": "Private", "schema": SENTIMENT, "overlap": 1},
        )["id"]
    )
    assert server.api("GET", f"/api/v1/projects/{project}")["pii"] is None

    # the manager: masking is off, then on with the defaults, e-mail tagged, phones pseudonymous, no IBAN
    tab = open_tab()
    page = tab.page
    log_in(page, manager)
    page.get_by_test_id(f"project-{project}-settings").click()
    section = page.get_by_test_id("pii-policy")
    expect(section).to_contain_text("Personal data (PII)")
    expect(page.get_by_test_id("pii-always")).to_contain_text("card security code (CVV/CVC)")
    expect(page.locator("#pii-enabled")).not_to_be_checked()
    expect(page.get_by_test_id("pii-entities")).to_have_count(0)
    page.get_by_label("Mask personal data at import").check()
    expect(section).to_contain_text("Applies to the tasks imported after saving")
    expect(page.locator("#pii-email")).to_have_value("tag")
    expect(page.locator("#pii-card")).to_have_value("partial")
    expect(page.get_by_test_id("pii-example-email").locator("code")).to_have_text([ADDRESS, "[EMAIL]"])
    expect(page.get_by_test_id("pii-example-card")).to_contain_text("4111 11** **** 1111")
    page.get_by_label("Phone number").select_option("pseudonym")
    expect(page.get_by_test_id("pii-example-phone")).to_contain_text("PHONE_1")
    page.locator("#pii-iban").select_option("")
    expect(page.get_by_test_id("pii-example-iban")).to_contain_text("kept as imported")
    assert_every_control_labelled(page)
    _save(page)
    expect(page.get_by_test_id("editor-status")).to_have_text("Saved. The label schema is at version 1.")
    assert server.api("GET", f"/api/v1/projects/{project}")["pii"] == POLICY

    # read back after a reload; masking on with nothing masked is refused before anything is sent
    page.reload()
    expect(page.locator("#pii-enabled")).to_be_checked()
    expect(page.locator("#pii-phone")).to_have_value("pseudonym")
    expect(page.locator("#pii-iban")).to_have_value("")
    for entity in POLICY["entities"]:
        page.locator(f"#pii-{entity}").select_option("")
    _save(page)
    expect(page.get_by_test_id("pii-error")).to_have_text(
        "Masking is on but no kind of data is masked: choose a masking for at least one kind, "
        "or turn masking off."
    )
    assert server.api("GET", f"/api/v1/projects/{project}")["pii"] == POLICY

    # the import that follows is masked: the annotator reads the tag and the pseudonym only
    task = _import(server, project, TEXT)
    annotating = open_tab()
    log_in(annotating.page, annotator)
    start_labeling(annotating.page, project)
    _, shown = next_task(annotating.page)
    assert shown == MASKED
    assert ADDRESS not in annotating.page.content()
    assert "612 345 678" not in annotating.page.content()

    # a manager reads the masked task on the adjudication screen, with no way to reveal it
    page.goto(f"/#/projects/{project}/adjudication/{task}")
    expect(page.get_by_test_id("task-text")).to_have_text(MASKED)
    expect(page.get_by_test_id("pii-reveal")).to_have_count(0)

    # the admin, in Spanish: asks, confirms, reads the original as text with what was masked
    revealing = open_tab("es-ES")
    admin_page = revealing.page
    log_in(admin_page, admin)
    admin_page.goto(f"/#/projects/{project}/adjudication/{task}")
    expect(admin_page.get_by_test_id("task-text")).to_have_text(MASKED)
    expect(admin_page.get_by_test_id("pii-show-original")).to_have_text("Mostrar original (auditado)")
    admin_page.get_by_test_id("pii-show-original").click()
    expect(admin_page.get_by_test_id("pii-confirm")).to_contain_text("registro de auditoría")
    assert _reveals(server, task) == []  # nothing is opened before the confirmation
    admin_page.get_by_test_id("pii-confirm-show").click()
    original = admin_page.get_by_test_id("pii-original")
    expect(original.locator("h3")).to_have_text(f"Datos originales de la tarea {task} (sin enmascarar)")
    expect(original.locator("h3")).to_be_focused()
    expect(admin_page.get_by_test_id("pii-original-data").locator("pre")).to_have_text(TEXT)
    expect(original.locator("b")).to_have_count(0)  # the text is text, never HTML
    rows = admin_page.get_by_test_id("pii-findings").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("td")).to_have_text(
        ["Dirección de correo electrónico", "data/text", "Etiqueta", "12–33"]
    )
    expect(rows.nth(1).locator("td")).to_have_text(["Número de teléfono", "data/text", "Seudónimo", "39–54"])

    (event,) = _reveals(server, task)
    assert event["actor_id"] == server.user_id(admin)
    assert event["outcome"] == "success"
    assert event["object_type"] == "task"
    assert event["details"] == {
        "project_id": project,
        "fields": ["data/text"],
        "types": ["email", "phone"],
    }

    # hiding drops the original from the page
    admin_page.get_by_test_id("pii-hide-original").click()
    expect(admin_page.get_by_test_id("pii-original")).to_have_count(0)
    expect(admin_page.get_by_test_id("pii-show-original")).to_be_focused()
    assert ADDRESS not in admin_page.content()

    # a task with nothing to mask: nothing to reveal, said so
    plain = _import(server, project, "Sin datos personales.")
    admin_page.goto(f"/#/projects/{project}/adjudication/{plain}")
    expect(admin_page.get_by_test_id("task-text")).to_have_text("Sin datos personales.")
    _reveal(admin_page)
    expect(admin_page.get_by_test_id("pii-nothing-masked")).to_have_text(
        "No se enmascaró nada en esta tarea: muestra lo que se importó."
    )
    expect(admin_page.get_by_test_id("pii-original")).to_have_count(0)

    for opened in (tab, annotating, revealing):
        assert_no_csp_violation(opened.console_errors)
        assert opened.page_errors == []


@pytest.mark.parametrize("entity", [e.value for e in EntityType])
def test_the_editor_examples_are_what_masking_produces(entity: str) -> None:
    examples = json.loads(EXAMPLES.read_text(encoding="utf-8"))
    assert set(examples) == {e.value for e in EntityType}
    row = examples[entity]
    assert set(row) == {"sample"} | {s.value for s in Strategy}
    prefix = CONTEXT.get(entity, "")
    for strategy in Strategy:
        policy = PiiPolicy(entities={EntityType(entity): strategy})
        assert mask_text(prefix + row["sample"], policy).text == prefix + row[strategy.value], strategy
