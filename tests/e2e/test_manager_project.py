"""The issue's flow: an admin creates a project in the browser (the schema form, then its JSON with the
server's messages in the UI language, back to the form without losing work), imports 50 tasks through the
import page, annotators label some through the API, and the export downloaded from the export page holds
their annotations."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.app import assert_every_control_labelled, assert_no_csp_violation, log_in
from tests.e2e.conftest import Server, Tab
from tests.e2e.manage import annotate, jsonl, switch_language, upload

GUIDELINES = {
    "en": "Label the overall feeling.\nStars: how good the product is.",
    "es": "Etiquete el sentimiento.",
}
SCHEMA = {
    "controls": [
        {
            "name": "sentiment",
            "type": "choice",
            "field": "text",
            "required": True,
            "title": {"en": "Sentiment", "es": "Sentimiento"},
            "labels": [
                {"value": "positive", "names": {"en": "Positive", "es": "Positivo"}, "hotkey": "p"},
                {"value": "negative", "names": {"en": "Negative", "es": "Negativo"}, "hotkey": "n"},
            ],
        },
        {"name": "stars", "type": "rating", "field": "text", "required": True, "min": 1, "max": 5},
    ]
}


def _fill_form(page: Page) -> None:
    """Two controls through the form: a choice with two labels, then a rating."""
    control = page.get_by_test_id("control-0")
    control.get_by_label("Name (key of the answer)").fill("sentiment")
    expect(control.get_by_label("Type")).to_have_value("choice")
    expect(control.get_by_label("Task field")).to_have_value("text")
    control.get_by_label("Title in English").fill("Sentiment")
    control.get_by_label("Title in Spanish").fill("Sentimiento")
    for number, (value, en, es, key) in enumerate(
        [("positive", "Positive", "Positivo", "p"), ("negative", "Negative", "Negativo", "n")], start=1
    ):
        if number > 1:
            control.get_by_role("button", name="Add a label").click()
        control.get_by_label(f"Label {number}: value").fill(value)
        control.get_by_label(f"Label {number}: name in English").fill(en)
        control.get_by_label(f"Label {number}: name in Spanish").fill(es)
        control.get_by_label(f"Label {number}: key").fill(key)
    page.get_by_role("button", name="Add a control").click()
    rating = page.get_by_test_id("control-1")
    rating.get_by_label("Name (key of the answer)").fill("stars")
    rating.get_by_label("Type").select_option("rating")
    expect(rating.get_by_label("Required")).to_be_checked()
    rating.get_by_label("Minimum").fill("1")
    rating.get_by_label("Maximum").fill("5")


def test_admin_creates_a_project_imports_50_tasks_and_exports_the_annotations(
    server: Server, open_tab: Callable[..., Tab], tmp_path: Path
) -> None:
    workspace = server.workspace("Manager flow e2e")
    admin = server.user(role="admin", workspace_id=workspace, name="Ada Admin")
    annotators = [server.user(role="annotator", workspace_id=workspace) for _ in range(2)]
    tab = open_tab()
    page = tab.page
    log_in(page, admin)

    page.get_by_test_id(f"workspace-{workspace}-new-project").click()
    expect(page.get_by_role("heading", name="New project")).to_be_visible()
    page.locator("#project-name").fill("Reviews (manager e2e)")
    page.locator("#project-description").fill("Fifty reviews, two annotations each.")
    page.locator("#project-overlap").fill("2")
    _fill_form(page)
    page.locator("#guidelines-en").fill(GUIDELINES["en"])
    page.locator("#guidelines-es").fill(GUIDELINES["es"])
    assert_every_control_labelled(page)

    # the JSON view shows what the form holds
    page.get_by_role("button", name="JSON").click()
    text = page.locator("#schema-json")
    assert json.loads(text.input_value()) == SCHEMA

    # a hotkey taken twice (ignoring case), in the JSON: the server's message, next to it, in English...
    broken = json.loads(text.input_value())
    broken["controls"][0]["labels"][1]["hotkey"] = "P"
    text.fill(json.dumps(broken, indent=2))
    messages = {
        lang: httpx.post(
            f"{server.url}/api/v1/projects",
            json={"workspace_id": workspace, "name": "x", "schema": broken},
            headers={**server.admin.headers, "Accept-Language": lang},
        ).json()["error"]["details"][0]["message"]
        for lang in ("en", "es")
    }
    assert messages["en"] != messages["es"]
    page.get_by_role("button", name="Create project").click()
    issues = page.get_by_test_id("schema-issues")
    expect(issues).to_contain_text("controls[0].labels[1].hotkey")
    expect(issues).to_contain_text(messages["en"])
    expect(page.get_by_test_id("editor-errors")).to_contain_text(
        "The label schema is not valid: 1 problem(s)."
    )
    # ... and in Spanish once the UI is
    switch_language(page, "es")
    expect(issues).to_contain_text(messages["es"])
    expect(page.get_by_test_id("editor-errors")).to_contain_text("El esquema de etiquetas no es válido")
    switch_language(page, "en")
    expect(issues).to_contain_text(messages["en"])

    # back to the form: the JSON edit is there, and the message sits by the label it is about
    page.get_by_role("button", name="Form").click()
    hotkey = page.get_by_test_id("control-0").get_by_label("Label 2: key")
    expect(hotkey).to_have_value("P")
    expect(hotkey).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_test_id("control-0")).to_contain_text(messages["en"])
    hotkey.fill("n")
    page.get_by_role("button", name="Create project").click()

    # created: on to its import page
    expect(page.get_by_test_id("flash")).to_have_text(
        "Project “Reviews (manager e2e)” created. Now import its tasks."
    )
    match = re.search(r"#/projects/(\d+)/import$", page.url)
    assert match, page.url
    project_id = int(match.group(1))
    created = server.api("GET", f"/api/v1/projects/{project_id}")
    assert created["overlap"] == 2 and created["description"] == "Fifty reviews, two annotations each."
    assert [c["name"] for c in created["schema"]["controls"]] == ["sentiment", "stars"]
    assert [lb["hotkey"] for lb in created["schema"]["controls"][0]["labels"]] == ["p", "n"]
    assert created["guidelines"] == GUIDELINES

    # 50 tasks through the import page, with the upload's progress bar
    tasks = [{"data": {"text": f"Review number {n}: {'great' if n % 2 else 'poor'}"}} for n in range(50)]
    upload(page, "reviews.jsonl", jsonl(tasks))
    expect(page.get_by_test_id("import-result")).to_contain_text("50 tasks imported, 0 duplicates skipped.")
    expect(page.get_by_test_id("import-task-count")).to_have_text("50")
    progress = page.locator("#import-progress")
    assert progress.get_attribute("value") == progress.get_attribute("max")
    assert server.api("GET", f"/api/v1/projects/{project_id}")["task_count"] == 50

    # two annotators label three tasks each (the same three: overlap 2)
    answers = [{"sentiment": "positive", "stars": 5}, {"sentiment": "negative", "stars": 2}]
    for email, answer in zip(annotators, answers, strict=True):
        annotate(server, email, project_id, [answer] * 3)

    # the export page downloads them
    page.get_by_role("navigation", name="Project pages").get_by_role("link", name="Export").click()
    expect(page.get_by_test_id("quality-table")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_test_id("export-download").click()
    lines = [json.loads(line) for line in Path(download.value.path()).read_text().splitlines()]
    assert download.value.suggested_filename == f"project-{project_id}.jsonl"
    assert len(lines) == 50
    labelled = [line for line in lines if line["annotations"]]
    assert len(labelled) == 3
    for line in labelled:
        assert sorted(a["result"]["sentiment"] for a in line["annotations"]) == ["negative", "positive"]
        assert "aggregate" not in line

    # with an aggregation method
    page.get_by_label("Aggregated label").select_option("majority_vote")
    with page.expect_download() as download:
        page.get_by_test_id("export-download").click()
    lines = [json.loads(line) for line in Path(download.value.path()).read_text().splitlines()]
    assert len(lines) == 50
    assert all("aggregate" in line for line in lines)
    assert sum(1 for line in lines if line["aggregate"]["sentiment"] is not None) == 3

    assert_no_csp_violation(tab.console_errors)
    assert tab.page_errors == []
