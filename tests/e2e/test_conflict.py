"""A submission the API refuses for good (409: the lease expired and the task went to someone else) is
explained, and "Next task" moves on."""

from __future__ import annotations

import time
from collections.abc import Callable

from playwright.sync_api import expect

from tests.e2e.app import assert_no_csp_violation, focused, log_in, next_task, start_labeling
from tests.e2e.conftest import Server, Tab
from tests.e2e.manage import api_session
from tests.e2e.schemas import SENTIMENT

LEASE_SECONDS = 10  # the shortest lease the API accepts


def test_a_lease_that_expired_and_went_to_someone_else(server: Server, open_tab: Callable[..., Tab]) -> None:
    workspace = server.workspace("Lease e2e")
    slow, quick = (server.user(role="annotator", workspace_id=workspace) for _ in range(2))
    project = server.project(
        workspace, "Short leases", SENTIMENT, ["the only task"], lease_seconds=LEASE_SECONDS
    )
    tab = open_tab()
    page = tab.page
    log_in(page, slow)
    start_labeling(page, project)
    heading, _ = next_task(page)
    leased_at = time.monotonic()

    # the lease runs out; another annotator is handed the task and answers it
    time.sleep(max(0.0, leased_at + LEASE_SECONDS + 1 - time.monotonic()))
    with api_session(server, quick) as other:
        task = other.get(f"/api/v1/projects/{project}/next").json()
        sent = other.post(
            f"/api/v1/tasks/{task['id']}/annotations", json={"result": {"sentiment": "negative"}}
        )
        assert sent.status_code == 201, sent.text

    page.keyboard.press("1")
    page.keyboard.press("Enter")
    conflict = page.get_by_test_id("conflict")
    expect(conflict.get_by_role("alert")).to_contain_text("This answer could not be saved")
    # the API's own message (409 no_free_slot), in the UI's language
    expect(conflict.get_by_role("alert")).to_contain_text(
        f"Task {task['id']} already has the 1 annotations it needs (or they are leased); your lease expired"
    )
    expect(page.get_by_role("button", name="Submit")).to_be_disabled()
    next_button = conflict.get_by_role("button", name="Next task")
    expect(next_button).to_be_focused()
    assert focused(page)["text"] == "Next task"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Nothing left to label")).to_be_visible()
    [annotation] = server.annotations(project)
    assert annotation["result"] == {"sentiment": "negative"}
    assert heading == f"Task {task['id']}"
    assert_no_csp_violation(tab.console_errors)
    assert tab.page_errors == []
