"""Editing a project in the browser, and who sees the manager's screens.

Only what changed is sent (a new schema or guidelines makes a new version); a JSON text that does not
parse keeps the JSON view with its place named; the links are shown to the roles the API lets in."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import expect

from tests.e2e.app import assert_no_csp_violation, log_in
from tests.e2e.conftest import Server, Tab
from tests.e2e.manage import switch_language
from tests.e2e.schemas import SENTIMENT


def test_a_manager_edits_the_schema_and_guidelines(server: Server, open_tab: Callable[..., Tab]) -> None:
    workspace = server.workspace("Editor e2e")
    manager = server.user(role="manager", workspace_id=workspace)
    project = server.project(workspace, "Editable", SENTIMENT, ["one", "two"], guidelines={"en": "Old."})
    tab = open_tab()
    page = tab.page
    log_in(page, manager)
    page.get_by_test_id(f"project-{project}-settings").click()
    expect(page.locator("#project-name")).to_have_value("Editable")
    expect(page.locator("#guidelines-en")).to_have_value("Old.")

    # saving what is already there sends nothing
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_test_id("editor-status")).to_have_text(
        "Nothing has changed: there is nothing to save."
    )
    assert server.api("GET", f"/api/v1/projects/{project}")["schema_version"] == 1

    # a fourth label, through the form, and new guidelines
    sentiment = page.get_by_test_id("control-0")
    expect(sentiment.get_by_label("Label 3: value")).to_have_value("neutral")
    sentiment.get_by_role("button", name="Add a label").click()
    sentiment.get_by_label("Label 4: value").fill("mixed")
    sentiment.get_by_label("Label 4: name in English").fill("Mixed")
    sentiment.get_by_label("Label 4: name in Spanish").fill("Mixto")
    sentiment.get_by_label("Label 4: key").fill("4")
    page.locator("#project-name").fill("Edited")
    page.locator("#guidelines-es").fill("Nuevas instrucciones.")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_test_id("editor-status")).to_have_text("Saved. The label schema is at version 2.")
    expect(page.get_by_test_id("project-name")).to_have_text("Edited")
    saved = server.api("GET", f"/api/v1/projects/{project}")
    labels = saved["schema"]["controls"][0]["labels"]
    assert [(lb["value"], lb["names"], lb.get("hotkey")) for lb in labels][3] == (
        "mixed",
        {"en": "Mixed", "es": "Mixto"},
        "4",
    )
    assert labels[0]["color"] == "#3b82f6"  # what the form does not show is kept
    assert saved["guidelines"] == {"en": "Old.", "es": "Nuevas instrucciones."}
    assert saved["name"] == "Edited"

    # the name alone: no new schema version
    page.locator("#project-name").fill("Edited again")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_test_id("editor-status")).to_have_text("Saved. The label schema is at version 2.")
    assert server.api("GET", f"/api/v1/projects/{project}")["name"] == "Edited again"

    # JSON that does not parse: the form will not take it, the text stays, the place is named (in Spanish too)
    page.get_by_role("button", name="JSON").click()
    text = page.locator("#schema-json")
    broken = text.input_value().replace('"controls": [', '"controls": [,', 1)
    text.fill(broken)
    page.get_by_role("button", name="Form").click()
    expect(page.get_by_test_id("editor-errors")).to_contain_text("The JSON is not valid at line 2, column")
    expect(text).to_have_value(broken)
    switch_language(page, "es")
    page.get_by_role("button", name="Guardar cambios").click()
    expect(page.get_by_test_id("editor-errors")).to_contain_text(
        "El JSON no es válido en la línea 2, columna"
    )
    assert server.api("GET", f"/api/v1/projects/{project}")["schema_version"] == 2
    assert_no_csp_violation(tab.console_errors)
    assert tab.page_errors == []


def test_only_the_roles_the_api_lets_in_see_the_manager_links(
    server: Server, open_tab: Callable[..., Tab]
) -> None:
    workspace = server.workspace("Links e2e")
    project = server.project(workspace, "Linked", SENTIMENT, ["a"])
    expected = {
        "manager": ["settings", "import", "dashboard", "export"],
        "reviewer": ["dashboard"],
        "annotator": [],
        "viewer": [],
    }
    for role, pages in expected.items():
        email = server.user(role=role, workspace_id=workspace)
        tab = open_tab()
        page = tab.page
        log_in(page, email)
        expect(page.get_by_test_id(f"project-{project}")).to_be_visible()
        for name in ["settings", "import", "dashboard", "export"]:
            expect(page.get_by_test_id(f"project-{project}-{name}")).to_have_count(1 if name in pages else 0)
        staff = role == "manager"
        expect(page.get_by_test_id(f"workspace-{workspace}-new-project")).to_have_count(1 if staff else 0)
        expect(page.get_by_test_id(f"workspace-{workspace}-members")).to_have_count(1 if staff else 0)
        if not staff:
            # typed by hand, the address explains; the API would refuse anyway
            page.goto(f"/#/projects/{project}/settings")
            expect(page.get_by_test_id("forbidden")).to_be_visible()
            page.goto(f"/#/workspaces/{workspace}/members")
            expect(page.get_by_test_id("forbidden")).to_be_visible()
        assert tab.page_errors == []
