"""A model's pre-label on screen: shown as a suggestion with its model and confidence (a localised percent),
pre-filled into the controls; accepted as is (Alt+A), edited, or rejected (Alt+R); the origin of each
annotation says which."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.app import assert_no_csp_violation, log_in, next_task, start_labeling
from tests.e2e.conftest import Server, Tab
from tests.e2e.schemas import ENTITIES

SCHEMA: dict[str, Any] = {
    "controls": [
        {
            "name": "sentiment",
            "type": "choice",
            "field": "text",
            "title": {"en": "Sentiment", "es": "Sentimiento"},
            "labels": [
                {"value": "positive", "names": {"en": "Positive", "es": "Positivo"}, "hotkey": "1"},
                {"value": "negative", "names": {"en": "Negative", "es": "Negativo"}, "hotkey": "2"},
            ],
        },
        {**ENTITIES["controls"][0], "required": False},
    ]
}
ACCEPTED = "Acme Corp delivered early, great"
EDITED = "Acme Corp lost my parcel"
REJECTED = "Bogotá store was fine"
PLAIN = "No model saw this one"
TEXTS = [ACCEPTED, EDITED, REJECTED, PLAIN]
MODEL = "tfidf-lr v2"


def _org(text: str) -> list[dict[str, Any]]:
    return [{"start": 0, "end": len("Acme Corp"), "label": "ORG"}] if text.startswith("Acme") else []


PREDICTIONS: list[dict[str, Any] | None] = [
    {"result": {"sentiment": "positive", "entities": _org(ACCEPTED)}, "model": MODEL, "score": 0.873},
    {"result": {"sentiment": "positive", "entities": _org(EDITED)}, "model": MODEL, "score": 0.5},
    {"result": {"sentiment": "negative"}, "model": MODEL, "score": None},
    None,
]


def _label(page: Page, text: str) -> None:
    """What the annotator does with each task, by keyboard."""
    suggestion = page.get_by_test_id("prediction")
    radio = page.get_by_role("radio", name="Positive")
    if text == ACCEPTED:
        expect(suggestion.get_by_test_id("prediction-model")).to_have_text(f"Model: {MODEL}")
        expect(suggestion.get_by_test_id("prediction-score")).to_have_text("Confidence: 87%")
        expect(radio).to_be_checked()
        expect(page.get_by_test_id("spans-list-entities")).to_contain_text("Acme Corp")
        # the percent follows the UI language
        page.get_by_label("Language").select_option("es")
        expect(suggestion.get_by_test_id("prediction-score")).to_have_text(re.compile(r"^Confianza: 87\s%$"))
        page.get_by_label("Idioma").select_option("en")
        page.locator("#task-heading").focus()
        page.keyboard.press("Alt+a")
    elif text == EDITED:
        expect(suggestion.get_by_test_id("prediction-score")).to_have_text("Confidence: 50%")
        expect(suggestion.get_by_test_id("prediction-state")).to_contain_text("pre-filled")
        page.keyboard.press("2")
        expect(suggestion.get_by_test_id("prediction-state")).to_have_text(
            "You changed the suggestion: it will be sent as edited."
        )
        page.keyboard.press("Enter")
    elif text == REJECTED:
        expect(suggestion.get_by_test_id("prediction-score")).to_have_text("No confidence given")
        expect(page.get_by_role("radio", name="Negative")).to_be_checked()
        page.keyboard.press("Alt+r")
        expect(page.get_by_role("radio", name="Negative")).not_to_be_checked()
        expect(suggestion.get_by_test_id("prediction-state")).to_contain_text("You rejected the suggestion")
        page.keyboard.press("1")
        page.keyboard.press("Enter")
    else:
        expect(suggestion).to_have_count(0)
        page.keyboard.press("1")
        page.keyboard.press("Enter")


def test_model_suggestions_accepted_edited_rejected(server: Server, open_tab: Callable[..., Tab]) -> None:
    workspace = server.workspace("Prediction e2e")
    email = server.user(role="annotator", workspace_id=workspace)
    project = server.project(workspace, "Pre-labelled", SCHEMA, TEXTS, predictions=PREDICTIONS)
    tab = open_tab()
    page = tab.page
    log_in(page, email)
    start_labeling(page, project)
    heading = None
    seen = []
    for _ in TEXTS:
        heading, _text = next_task(page, heading)
        text = str(page.get_by_test_id("spans-text-entities").inner_text())
        seen.append(text)
        _label(page, text)
    expect(page.get_by_role("heading", name="Nothing left to label")).to_be_visible()
    assert sorted(seen) == sorted(TEXTS)

    tasks = {
        t["id"]: t["data"]["text"] for t in server.api("GET", f"/api/v1/projects/{project}/tasks")["items"]
    }
    got = {tasks[a["task_id"]]: (a["origin"], a["result"]) for a in server.annotations(project)}
    assert got == {
        ACCEPTED: ("prediction_accepted", {"sentiment": "positive", "entities": _org(ACCEPTED)}),
        EDITED: ("prediction_edited", {"sentiment": "negative", "entities": _org(EDITED)}),
        REJECTED: ("prediction_rejected", {"sentiment": "positive"}),
        PLAIN: ("human", {"sentiment": "positive"}),
    }
    assert_no_csp_violation(tab.console_errors)
    assert tab.page_errors == []
