"""QA settings in the project editor: every setting of the project's ``qa`` shown, changed and stored
through the API (only what changed is sent); a value the API refuses is shown with the API's own message
next to the setting it names, in English and, after a switch, in Spanish; nothing is stored then."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.app import assert_every_control_labelled, assert_no_csp_violation, log_in
from tests.e2e.conftest import Server, Tab
from tests.e2e.manage import api_session, switch_language
from tests.e2e.schemas import SENTIMENT

DEFAULTS: dict[str, Any] = {
    "method": "majority_vote",
    "agreement_threshold": 0.6,
    "control_thresholds": {},
    "min_confidence": 0.5,
    "gold_rate": 0.1,
    "min_gold_accuracy": 0.6,
    "min_gold_answers": 3,
    "gold_pass_score": 0.8,
    "rating_tolerance": 0,
    "show_annotator_names": False,
    "min_language_level": "B2",
}


def _open_settings(page: Page, project: int) -> None:
    page.get_by_test_id(f"project-{project}-settings").click()
    expect(page.get_by_test_id("qa-settings")).to_be_visible()


def _save(page: Page) -> None:
    page.locator("form.project-editor button[type=submit]").click()


def test_a_manager_changes_every_qa_setting(server: Server, open_tab: Callable[..., Tab]) -> None:
    workspace = server.workspace("QA settings e2e")
    manager = server.user(role="manager", workspace_id=workspace)
    project = server.project(workspace, "Quality", SENTIMENT, ["one", "two"], overlap=3)
    assert server.api("GET", f"/api/v1/projects/{project}")["qa"] == DEFAULTS
    tab = open_tab()
    page = tab.page
    log_in(page, manager)
    _open_settings(page, project)

    # the settings in force, shares as percentages
    expect(page.locator("#qa-method")).to_have_value("majority_vote")
    expect(page.locator("#qa-agreement-threshold")).to_have_value("60")
    expect(page.locator("#qa-min-confidence")).to_have_value("50")
    expect(page.locator("#qa-gold-rate")).to_have_value("10")
    expect(page.locator("#qa-min-gold-accuracy")).to_have_value("60")
    expect(page.locator("#qa-min-gold-answers")).to_have_value("3")
    expect(page.locator("#qa-gold-pass-score")).to_have_value("80")
    expect(page.locator("#qa-rating-tolerance")).to_have_value("0")
    expect(page.locator("#qa-show-annotator-names")).not_to_be_checked()
    expect(page.locator("#qa-min-language-level")).to_have_value("B2")
    # a threshold of its own for the measured control only (free text is not measured), empty at first
    expect(page.locator("#qa-control-thresholds--sentiment")).to_have_value("")
    expect(page.locator("#qa-control-thresholds--comment")).to_have_count(0)
    expect(page.get_by_label("Gold rate (%)")).to_be_visible()
    assert_every_control_labelled(page)

    page.locator("#qa-method").select_option("dawid_skene")
    page.locator("#qa-agreement-threshold").fill("70")
    page.locator("#qa-min-confidence").fill("55")
    page.locator("#qa-control-thresholds--sentiment").fill("80")
    page.locator("#qa-gold-rate").fill("20")
    page.locator("#qa-min-gold-accuracy").fill("70")
    page.locator("#qa-min-gold-answers").fill("5")
    page.locator("#qa-gold-pass-score").fill("90")
    page.locator("#qa-rating-tolerance").fill("1")
    page.locator("#qa-show-annotator-names").check()
    page.locator("#qa-min-language-level").select_option("C1")
    _save(page)
    expect(page.get_by_test_id("editor-status")).to_have_text("Saved. The label schema is at version 1.")
    stored = server.api("GET", f"/api/v1/projects/{project}")
    assert stored["qa"] == {
        "method": "dawid_skene",
        "agreement_threshold": 0.7,
        "control_thresholds": {"sentiment": 0.8},
        "min_confidence": 0.55,
        "gold_rate": 0.2,
        "min_gold_accuracy": 0.7,
        "min_gold_answers": 5,
        "gold_pass_score": 0.9,
        "rating_tolerance": 1,
        "show_annotator_names": True,
        "min_language_level": "C1",
    }
    assert stored["schema_version"] == 1  # the QA settings are no new schema version

    # read back after a reload; saving again sends nothing
    page.reload()
    expect(page.locator("#qa-agreement-threshold")).to_have_value("70")
    expect(page.locator("#qa-control-thresholds--sentiment")).to_have_value("80")
    expect(page.locator("#qa-show-annotator-names")).to_be_checked()
    _save(page)
    expect(page.get_by_test_id("editor-status")).to_have_text(
        "Nothing has changed: there is nothing to save."
    )

    # emptying a control's threshold removes it: the control follows the project's threshold again
    page.locator("#qa-control-thresholds--sentiment").fill("")
    _save(page)
    expect(page.get_by_test_id("editor-status")).to_have_text("Saved. The label schema is at version 1.")
    assert server.api("GET", f"/api/v1/projects/{project}")["qa"]["control_thresholds"] == {}
    assert_no_csp_violation(tab.console_errors)
    assert tab.page_errors == []


def test_a_value_the_api_refuses_is_shown_in_both_languages(
    server: Server, open_tab: Callable[..., Tab]
) -> None:
    workspace = server.workspace("QA refusal e2e")
    manager = server.user(role="manager", workspace_id=workspace)
    project = server.project(workspace, "Refused", SENTIMENT, ["one"])
    refusal = {}
    for lang in ("en", "es"):
        with api_session(server, manager, lang) as client:
            response = client.patch(f"/api/v1/projects/{project}", json={"qa": {"gold_rate": 0.8}})
            assert response.status_code == 422, response.text
            assert response.json()["error"]["code"] == "qa_setting_invalid"
            refusal[lang] = response.json()["error"]["message"]
    assert refusal["en"] != refusal["es"]

    tab = open_tab()
    page = tab.page
    log_in(page, manager)
    _open_settings(page, project)

    # a field left empty is named before anything is sent
    page.locator("#qa-min-gold-answers").fill("")
    _save(page)
    expect(page.get_by_test_id("editor-errors")).to_contain_text("Some quality settings have no number")
    expect(page.locator("#qa-min-gold-answers")).to_have_attribute("aria-invalid", "true")
    page.locator("#qa-min-gold-answers").fill("3")

    # 80 % gold: the API's refusal, next to the form and on the setting it names
    page.locator("#qa-gold-rate").fill("80")
    page.locator("#project-description").fill("More gold than work")
    _save(page)
    expect(page.get_by_test_id("qa-error")).to_have_text(refusal["en"])
    expect(page.get_by_test_id("editor-errors")).to_contain_text(refusal["en"])
    gold_rate = page.locator("#qa-gold-rate")
    expect(gold_rate).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#qa-gold-rate-problem")).to_have_text(refusal["en"])
    expect(page.locator("#qa-min-gold-answers")).not_to_have_attribute("aria-invalid", "true")

    # in Spanish: the same refusal asked again, in the API's Spanish
    switch_language(page, "es")
    expect(page.get_by_test_id("qa-error")).to_have_text(refusal["es"])
    expect(page.locator("#qa-gold-rate-problem")).to_have_text(refusal["es"])
    expect(page.get_by_label("Proporción de control (%)")).to_have_value("80")
    page.get_by_role("button", name="Guardar cambios").click()
    expect(page.get_by_test_id("editor-errors")).to_contain_text(refusal["es"])

    # nothing was stored, the description neither (one request, refused whole)
    stored = server.api("GET", f"/api/v1/projects/{project}")
    assert stored["qa"] == DEFAULTS
    assert stored["description"] == ""

    # fixed, it is saved
    gold_rate.fill("25")
    page.get_by_role("button", name="Guardar cambios").click()
    expect(page.get_by_test_id("editor-status")).to_contain_text("Guardado")
    expect(page.get_by_test_id("qa-error")).to_have_count(0)
    stored = server.api("GET", f"/api/v1/projects/{project}")
    assert stored["qa"]["gold_rate"] == 0.25
    assert stored["description"] == "More gold than work"
    assert_no_csp_violation(tab.console_errors)
    assert tab.page_errors == []
