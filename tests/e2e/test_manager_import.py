"""Importing tasks through the browser: the formats, duplicates, and the API's line-level errors in the UI
language, with nothing imported."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
from playwright.sync_api import expect

from tests.e2e.app import assert_no_csp_violation, log_in
from tests.e2e.conftest import Server, Tab
from tests.e2e.manage import jsonl, switch_language, upload
from tests.e2e.schemas import SENTIMENT


def _api_error(server: Server, project: int, body: bytes, content_type: str, lang: str) -> str:
    response = httpx.post(
        f"{server.url}/api/v1/projects/{project}/tasks",
        content=body,
        headers={**server.admin.headers, "Content-Type": content_type, "Accept-Language": lang},
    )
    assert response.status_code == 422, response.text
    return str(response.json()["error"]["message"])


def test_import_errors_name_the_line_in_the_ui_language_and_import_nothing(
    server: Server, open_tab: Callable[..., Tab]
) -> None:
    workspace = server.workspace("Import errors e2e")
    admin = server.user(role="admin", workspace_id=workspace)
    project = server.project(workspace, "Import errors", SENTIMENT, ["already here"])
    bad = jsonl([{"data": {"text": "fine"}}, {"data": {"text": "fine too"}}, {"data": {"body": "no text"}}])
    messages = {lang: _api_error(server, project, bad, "application/x-ndjson", lang) for lang in ("en", "es")}
    assert messages["en"].startswith("Line 3: ")

    tab = open_tab()
    page = tab.page
    log_in(page, admin)
    page.get_by_test_id(f"project-{project}-import").click()
    upload(page, "tasks.jsonl", bad)
    error = page.get_by_test_id("import-error")
    expect(error).to_contain_text("Nothing was imported")
    expect(page.get_by_test_id("import-error-message")).to_have_text(messages["en"])
    expect(page.get_by_test_id("import-error-line")).to_have_text("3")
    expect(error).to_contain_text("data.text")
    assert server.api("GET", f"/api/v1/projects/{project}")["task_count"] == 1

    switch_language(page, "es")
    upload(page, "tareas.jsonl", bad)
    expect(page.get_by_test_id("import-error-message")).to_have_text(messages["es"])
    expect(page.get_by_test_id("import-error")).to_contain_text("No se importó nada")
    expect(page.get_by_test_id("import-error")).to_contain_text("Línea")

    # a JSON array names the item
    array = json.dumps([{"data": {"text": "ok"}}, {"data": {"text": 5}}]).encode()
    upload(page, "tareas.json", array)
    expect(page.get_by_test_id("import-error-message")).to_have_text(
        _api_error(server, project, array, "application/json", "es")
    )
    expect(page.get_by_test_id("import-error")).to_contain_text("Elemento del arreglo")
    assert server.api("GET", f"/api/v1/projects/{project}")["task_count"] == 1
    assert_no_csp_violation(tab.console_errors)
    assert tab.page_errors == []


def test_csv_and_json_imports_count_duplicates(server: Server, open_tab: Callable[..., Tab]) -> None:
    workspace = server.workspace("Import formats e2e")
    manager = server.user(role="manager", workspace_id=workspace)
    project = server.project(workspace, "Import formats", SENTIMENT, ["already here"])
    tab = open_tab()
    page = tab.page
    log_in(page, manager)
    switch_language(page, "es")
    page.get_by_test_id(f"project-{project}-import").click()
    expect(page.get_by_role("heading", name="Importar tareas desde un archivo")).to_be_visible()

    csv = b"text,meta.lang\nalready here,en\nuno,es\ndos,es\nuno,es\n"
    upload(page, "tareas.csv", csv)
    expect(page.get_by_test_id("import-result")).to_contain_text(
        "2 tareas importadas, 2 duplicados omitidos."
    )
    expect(page.get_by_test_id("import-received")).to_have_text("4")
    expect(page.get_by_test_id("import-task-count")).to_have_text("3")

    # the format is taken from the file name; an unknown extension asks for one
    records = [{"data": {"text": f"tarea {n}"}, "meta": {"n": n}} for n in range(1200)]
    page.locator("#import-file").set_input_files(
        {"name": "tareas.txt", "mimeType": "text/plain", "buffer": json.dumps(records).encode()}
    )
    expect(page.locator("#import-format")).to_have_value("")
    page.get_by_role("button", name="Importar", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("El nombre del archivo no indica su formato: elija uno.")
    page.locator("#import-format").select_option("json")
    page.get_by_role("button", name="Importar", exact=True).click()
    # numbers in Spanish (CLDR's es groups digits from 10 000 on: ask the browser how it writes them)
    spanish = page.evaluate("() => [1200, 1203].map((n) => new Intl.NumberFormat('es').format(n))")
    expect(page.get_by_test_id("import-result")).to_contain_text(f"{spanish[0]} tareas importadas")
    expect(page.get_by_test_id("import-task-count")).to_have_text(spanish[1])
    assert server.api("GET", f"/api/v1/projects/{project}")["task_count"] == 1203
    assert tab.page_errors == []
