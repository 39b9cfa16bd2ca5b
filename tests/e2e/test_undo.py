"""Undo the last submission (Ctrl+Z or the button): the task comes back with the answer given, the progress
figures follow, and the API's refusals (409) are shown in the UI's language."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import expect

from tests.e2e.app import assert_no_csp_violation, log_in, next_task, start_labeling
from tests.e2e.conftest import Server, Tab
from tests.e2e.manage import api_session
from tests.e2e.schemas import SENTIMENT

TEXTS = ["first text", "second text", "third text"]


def test_undo_brings_the_task_back_with_its_answer(server: Server, open_tab: Callable[..., Tab]) -> None:
    workspace = server.workspace("Undo e2e")
    email = server.user(role="annotator", workspace_id=workspace)
    project = server.project(workspace, "Undo", SENTIMENT, TEXTS)
    tab = open_tab()
    page = tab.page
    log_in(page, email)
    start_labeling(page, project)
    undo = page.get_by_test_id("undo")
    mine = page.get_by_test_id("progress-mine")

    first_heading, first_text = next_task(page)
    expect(undo).to_have_count(0)
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    second_heading, _ = next_task(page, first_heading)
    expect(mine).to_have_text("You: 1 submitted, 0 skipped, 2 available")
    expect(undo).to_be_visible()

    # Ctrl+Z (the focus is on the task, not in a text box): the first task is back, "Positive" chosen
    page.keyboard.press("Control+z")
    heading, text = next_task(page, second_heading)
    assert (heading, text) == (first_heading, first_text)
    expect(page.get_by_role("radio", name="Positive")).to_be_checked()
    expect(mine).to_have_text("You: 0 submitted, 0 skipped, 3 available")
    assert server.annotations(project) == []
    expect(undo).to_have_count(0)

    # in the comment box Ctrl+Z stays the text box's own undo
    page.get_by_label("Comment (optional)").fill("typed")
    page.get_by_label("Comment (optional)").press("Control+z")
    expect(page.locator("#task-heading")).to_have_text(first_heading)

    # a new answer for it, then the button undoes that one
    page.locator("#task-heading").focus()
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    after, _ = next_task(page, first_heading)
    undo.click()
    next_task(page, after)
    expect(page.locator("#task-heading")).to_have_text(first_heading)
    expect(page.get_by_role("radio", name="Negative")).to_be_checked()
    page.keyboard.press("Enter")
    next_task(page, first_heading)
    [annotation] = server.annotations(project)
    assert annotation["result"]["sentiment"] == "negative"
    assert_no_csp_violation(tab.console_errors)
    assert tab.page_errors == []


def test_undo_refused_by_the_api_is_explained_in_spanish(
    server: Server, open_tab: Callable[..., Tab]
) -> None:
    workspace = server.workspace("Deshacer e2e")
    email = server.user(role="annotator", workspace_id=workspace, locale="es")
    project = server.project(workspace, "Deshacer", SENTIMENT, TEXTS)
    tab = open_tab(locale="es-ES")
    page = tab.page
    log_in(page, email)
    start_labeling(page, project)
    heading, _ = next_task(page)
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    next_task(page, heading)
    expect(page.get_by_test_id("undo")).to_have_text(re.compile("Deshacer el último envío"))

    # meanwhile the same annotator submits another task elsewhere: this one is no longer the latest
    with api_session(server, email) as other:
        leased = other.get(f"/api/v1/projects/{project}/next").json()
        sent = other.post(
            f"/api/v1/tasks/{leased['id']}/annotations", json={"result": {"sentiment": "neutral"}}
        )
        assert sent.status_code == 201, sent.text

    page.keyboard.press("Control+z")
    expect(page.get_by_role("alert")).to_have_text(
        re.compile(
            r"^Solo se puede deshacer su anotación más reciente en este proyecto; la anotación \d+ no lo es\.$"
        )
    )
    expect(page.get_by_test_id("undo")).to_have_count(0)
    assert len(server.annotations(project)) == 2
    assert_no_csp_violation(tab.console_errors)


def test_undo_of_a_reviewed_annotation_is_refused(server: Server, open_tab: Callable[..., Tab]) -> None:
    workspace = server.workspace("Reviewed undo e2e")
    email = server.user(role="annotator", workspace_id=workspace)
    project = server.project(workspace, "Reviewed", SENTIMENT, TEXTS[:2])
    tab = open_tab()
    page = tab.page
    log_in(page, email)
    start_labeling(page, project)
    heading, _ = next_task(page)
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    next_task(page, heading)

    # a reviewer accepts it before the annotator thinks better of it
    [annotation] = server.annotations(project)
    server.api("POST", f"/api/v1/annotations/{annotation['id']}/reviews", json={"verdict": "accepted"})

    page.get_by_test_id("undo").click()
    expect(page.get_by_role("alert")).to_have_text(
        f"Annotation {annotation['id']} has been reviewed; it can no longer be undone."
    )
    expect(page.get_by_test_id("undo")).to_have_count(0)
    assert len(server.annotations(project)) == 1
    assert_no_csp_violation(tab.console_errors)
