"""Two annotators label with the keyboard only: hotkeys, Enter, Ctrl+Enter, Alt+S, Alt+G and "?".

What they submit must be in the API afterwards, each annotation with the label the key stood for and a
measured lead time.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.e2e.app import (
    assert_every_control_labelled,
    assert_no_csp_violation,
    focused,
    log_in,
    next_task,
    start_labeling,
    tab_to,
)
from tests.e2e.conftest import Server, Tab
from tests.e2e.schemas import SENTIMENT, SENTIMENT_KEYS

TEXTS = [
    "Arrived early, works perfectly: positive",
    "Broke after a day: negative",
    "It is blue and weighs 2 kg: neutral",
    "Best purchase this year: positive",
    "Support never answered: negative",
    "Came in a box: neutral",
]
GUIDELINES = {
    "en": "Label the writer's overall feeling.\nFacts without feeling are neutral.",
    "es": "Etiquete el sentimiento general de quien escribe.",
}


def _label_of(text: str) -> str:
    return text.rsplit(": ", 1)[1]


def _label_five_tasks(page: Page, first: tuple[str, str], comment_on: int) -> tuple[dict[str, str], str]:
    """Label five tasks by keyboard, from the ``first`` (heading, text) on screen; the ``comment_on``-th
    also gets a comment. Returns text → label, and the heading of the last task labelled."""
    done: dict[str, str] = {}
    heading, text = first
    for index in range(5):
        if index > 0:
            heading, text = next_task(page, heading)
        label = _label_of(text)
        page.keyboard.press(SENTIMENT_KEYS[label])
        expect(page.get_by_role("radio", name=re.compile(label, re.I))).to_be_checked()
        if index == comment_on:
            tab_to(page, lambda el: el["tag"] == "textarea", "the comment box")
            page.keyboard.type("typed: 1 2 3 and Enter stays text")
            page.keyboard.press("Control+Enter")
        else:
            page.keyboard.press("Enter")
        done[text] = label
        expect(page.get_by_test_id("progress")).to_contain_text(f"{index + 1} submitted")
    return done, heading


def test_two_annotators_label_with_the_keyboard_only(server: Server, open_tab: Callable[..., Tab]) -> None:
    workspace = server.workspace("Keyboard e2e")
    annotators = [server.user(role="annotator", workspace_id=workspace) for _ in range(2)]
    project = server.project(
        workspace, "Keyboard sentiment", SENTIMENT, TEXTS, overlap=2, guidelines=GUIDELINES
    )

    labelled: dict[str, dict[str, str]] = {}
    for number, email in enumerate(annotators):
        tab = open_tab()
        page = tab.page
        log_in(page, email)
        start_labeling(page, project)
        first = next_task(page)
        assert_every_control_labelled(page)

        # Enter with nothing chosen: the required question is flagged, nothing is sent
        page.keyboard.press("Enter")
        expect(page.get_by_role("alert")).to_contain_text("Please answer the highlighted questions first")
        expect(page.get_by_text("Choose an answer.")).to_be_visible()
        assert len(server.annotations(project)) == 5 * number

        # the guidelines panel and the cheat sheet, by keyboard
        page.keyboard.press("Alt+g")
        # Markdown: the line break is a <br>, shown as one
        expect(page.get_by_test_id("guidelines-text")).to_have_text(
            GUIDELINES["en"].replace("\n", ""), use_inner_text=False
        )
        expect(page.get_by_test_id("guidelines-text").locator("p br")).to_have_count(1)
        page.keyboard.press("Alt+g")
        expect(page.get_by_test_id("guidelines-text")).to_be_hidden()
        page.keyboard.press("?")
        dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
        expect(dialog).to_be_visible()
        expect(dialog.get_by_role("row", name="1 Sentiment: Positive")).to_be_visible()
        expect(dialog.get_by_role("row", name="Alt+S Skip the task")).to_be_visible()
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()

        # closing the sheet gives the focus back (to the flagged answer): the label keys work at once
        assert focused(page)["type"] == "radio"
        labelled[email], last = _label_five_tasks(page, first, comment_on=number + 1)

        # the sixth task: skip it (Alt+S); then nothing is left for this annotator
        next_task(page, last)
        page.keyboard.press("Alt+s")
        expect(page.get_by_role("heading", name="Nothing left to label")).to_be_visible()
        expect(page.get_by_test_id("progress-mine")).to_have_text("You: 5 submitted, 1 skipped, 0 available")
        # overlap 2: nothing is complete after the first annotator, 4 or 5 tasks after the second
        expect(page.get_by_test_id("progress-project")).to_have_text(
            re.compile(
                "Project: 0 of 6 tasks complete" if number == 0 else "Project: [45] of 6 tasks complete"
            )
        )
        assert_no_csp_violation(tab.console_errors)
        assert tab.page_errors == []

    tasks = {
        t["id"]: t["data"]["text"] for t in server.api("GET", f"/api/v1/projects/{project}/tasks")["items"]
    }
    annotations = server.annotations(project)
    assert len(annotations) == 10
    for number, email in enumerate(annotators):
        mine = [a for a in annotations if a["annotator_id"] == server.user_id(email)]
        assert len(mine) == 5
        assert len({a["task_id"] for a in mine}) == 5
        assert {tasks[a["task_id"]]: a["result"]["sentiment"] for a in mine} == labelled[email]
        for a in mine:
            assert a["lead_time_ms"] is not None and a["lead_time_ms"] > 0, a
            assert a["origin"] == "human"
        comments = [a["result"]["comment"] for a in mine if "comment" in a["result"]]
        assert comments == ["typed: 1 2 3 and Enter stays text"], (number, mine)


def test_focus_starts_on_the_task_and_is_visible(server: Server, open_tab: Callable[..., Tab]) -> None:
    workspace = server.workspace("Focus e2e")
    email = server.user(role="annotator", workspace_id=workspace)
    project = server.project(workspace, "Focus sentiment", SENTIMENT, TEXTS[:1])
    tab = open_tab()
    log_in(tab.page, email)
    start_labeling(tab.page, project)
    next_task(tab.page)
    info = tab_to(tab.page, lambda el: el["type"] == "radio", "the first answer")
    assert info["outline"] != "none", "a focused answer shows no focus outline"
