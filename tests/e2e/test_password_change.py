"""Change one's password from the header's "Change password" link: this tab stays signed in (new cookie and
CSRF token), every other session is signed out, a copy of the old cookie included."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from playwright.sync_api import expect

from tests.e2e.app import assert_every_control_labelled, assert_no_csp_violation, log_in
from tests.e2e.conftest import PASSWORD, Server, Tab

NEW = "e2e-new-password-456"
THIRD = "e2e-third-password-789"


def _logs_in(server: Server, email: str, password: str) -> bool:
    r = httpx.post(f"{server.url}/api/v1/auth/login", json={"email": email, "password": password})
    return r.status_code == 200


def test_changing_the_password_signs_out_every_other_session(
    server: Server, open_tab: Callable[..., Tab]
) -> None:
    workspace = server.workspace("Password e2e")
    email = server.user(role="annotator", workspace_id=workspace, name="Pau")
    tab = open_tab()
    page = tab.page
    log_in(page, email)
    expect(page.get_by_role("heading", name="Your projects")).to_be_visible()
    # a thief's copy of this tab's cookies, and the user's own other browser
    thief = open_tab()
    thief.page.context.add_cookies(page.context.cookies())
    thief.page.reload()
    expect(thief.page.get_by_test_id("current-user")).to_have_text("Pau")
    other = open_tab()
    log_in(other.page, email)
    expect(other.page.get_by_test_id("current-user")).to_have_text("Pau")

    page.get_by_role("link", name="Change password").click()
    expect(page.get_by_role("heading", name="Change password")).to_be_visible()
    expect(page.get_by_label("Current password")).to_be_focused()
    assert_every_control_labelled(page)

    # checked in the page first, then by the API: a wrong current password changes nothing
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW)
    page.get_by_label("New password again").fill(NEW + "x")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("alert")).to_have_text("The two new passwords differ.")
    page.get_by_label("Current password").fill(PASSWORD + "-wrong")
    page.get_by_label("New password again").fill(NEW)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("alert")).to_have_text("The current password is wrong; nothing was changed.")

    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW)
    page.get_by_label("New password again").fill(NEW)
    page.get_by_role("button", name="Change password").click()
    # one other session signed out: the other browser's (the thief rode on this tab's, now replaced)
    expect(page.get_by_test_id("password-status")).to_have_text(
        "Password changed. Sessions signed out elsewhere: 1."
    )
    expect(page.get_by_role("alert")).to_have_count(0)

    # the old cookie and the other browser are signed out ...
    for signed_out in (thief, other):
        signed_out.page.reload()
        expect(signed_out.page.get_by_role("heading", name="Log in")).to_be_visible()
    # ... this tab is not, after a reload too, and its writes carry the new CSRF token
    page.reload()
    expect(page.get_by_test_id("current-user")).to_have_text("Pau")
    page.get_by_label("Current password").fill(NEW)
    page.get_by_label("New password", exact=True).fill(THIRD)
    page.get_by_label("New password again").fill(THIRD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_test_id("password-status")).to_have_text(
        "Password changed. Sessions signed out elsewhere: 0."
    )
    assert not _logs_in(server, email, PASSWORD)
    assert not _logs_in(server, email, NEW)
    assert _logs_in(server, email, THIRD)
    for checked in (tab, thief, other):
        assert_no_csp_violation(checked.console_errors)
        assert checked.page_errors == []
