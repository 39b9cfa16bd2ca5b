"""Sign-in, the projects page by role, sign-out, and the API's own error messages in the page."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from playwright.sync_api import expect

from tests.e2e.app import (
    assert_every_control_labelled,
    assert_no_csp_violation,
    focused,
    log_in,
    next_task,
    tab_to,
)
from tests.e2e.conftest import PASSWORD, Server, Tab
from tests.e2e.schemas import SENTIMENT


def test_projects_are_shown_with_the_callers_role(server: Server, open_tab: Callable[..., Tab]) -> None:
    workspace = server.workspace("Acme e2e")
    annotator = server.user(role="annotator", workspace_id=workspace, name="Ana E2E")
    viewer = server.user(role="viewer", workspace_id=workspace)
    project = server.project(
        workspace, "Reviews e2e", SENTIMENT, ["one", "two", "three"], description="Short reviews"
    )
    hidden_workspace = server.workspace("Elsewhere e2e")
    hidden = server.project(hidden_workspace, "Not yours e2e", SENTIMENT, ["x"])

    tab = open_tab()
    page = tab.page
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert_every_control_labelled(page)
    log_in(page, annotator)

    expect(page.get_by_role("heading", name="Your projects")).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_have_text("Ana E2E")
    expect(page.get_by_role("heading", name="Acme e2e")).to_be_visible()
    card = page.get_by_test_id(f"project-{project}")
    expect(card.get_by_role("heading", name="Reviews e2e")).to_be_visible()
    expect(card).to_contain_text("Short reviews")
    expect(card).to_contain_text("Annotator")
    expect(card.locator("dd").nth(1)).to_have_text("3")
    expect(card.get_by_role("link", name="Start labeling")).to_be_visible()
    expect(page.get_by_test_id(f"project-{hidden}")).to_have_count(0)
    expect(page.get_by_text("Elsewhere e2e")).to_have_count(0)
    assert_every_control_labelled(page)

    # a viewer sees the project but may not label it
    other = open_tab()
    log_in(other.page, viewer)
    viewer_card = other.page.get_by_test_id(f"project-{project}")
    expect(viewer_card).to_contain_text("Viewer")
    expect(viewer_card.get_by_role("link", name="Start labeling")).to_have_count(0)

    # sign out by keyboard: the session is revoked, a reload still shows the login form
    tab_to(page, lambda el: el["tag"] == "button" and el["text"] == "Log out", "the Log out button")
    assert focused(page)["outline"] != "none"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.locator("#login-email")).to_be_focused()
    assert_no_csp_violation(tab.console_errors)
    assert tab.page_errors == []


def test_a_wrong_password_shows_the_apis_message(server: Server, open_tab: Callable[..., Tab]) -> None:
    workspace = server.workspace("Login e2e")
    email = server.user(role="annotator", workspace_id=workspace)
    expected = httpx.post(
        f"{server.url}/api/v1/auth/login",
        json={"email": email, "password": PASSWORD + "-wrong"},
        headers={"Accept-Language": "en"},
    ).json()["error"]["message"]

    tab = open_tab()
    log_in_page = tab.page
    expect(log_in_page.locator("#login-email")).to_be_focused()
    log_in_page.keyboard.type(email)
    log_in_page.keyboard.press("Tab")
    log_in_page.keyboard.type(PASSWORD + "-wrong")
    log_in_page.keyboard.press("Enter")

    expect(log_in_page.get_by_role("alert")).to_have_text(expected)
    expect(log_in_page.get_by_role("heading", name="Log in")).to_be_visible()
    assert tab.page_errors == []


def test_a_session_survives_a_reload_and_unknown_pages_say_so(
    server: Server, open_tab: Callable[..., Tab]
) -> None:
    workspace = server.workspace("Reload e2e")
    email = server.user(role="annotator", workspace_id=workspace)
    project = server.project(workspace, "Reload sentiment", SENTIMENT, ["after a reload: positive"])
    tab = open_tab()
    page = tab.page
    log_in(page, email)
    expect(page.get_by_role("heading", name="Your projects")).to_be_visible()

    page.goto("/#/no/such/page")
    page.reload()
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.get_by_role("link", name="Go to your projects")).to_be_visible()

    # a write after the reload: the CSRF token comes back from its cookie
    page.goto(f"/#/projects/{project}/annotate")
    page.reload()
    next_task(page)
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Nothing left to label")).to_be_visible()
    [annotation] = server.annotations(project)
    assert annotation["result"] == {"sentiment": "positive"}
