"""Workspace members in the browser: list, add by e-mail with a role, change a role, remove; the API's
refusals (one's own role, the last admin, a role one cannot grant) shown in the UI language; one's own role
selector disabled."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from playwright.sync_api import expect

from tests.e2e.app import assert_every_control_labelled, assert_no_csp_violation, log_in
from tests.e2e.conftest import PASSWORD, Server, Tab
from tests.e2e.manage import switch_language


def _refusal(server: Server, method: str, path: str, body: dict[str, str], email: str, lang: str) -> str:
    """The API's message when ``email`` makes this call, in ``lang``."""
    with httpx.Client(base_url=server.url, headers={"Accept-Language": lang}) as client:
        login = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD}).json()
        response = client.request(method, path, json=body, headers={"X-CSRF-Token": login["csrf_token"]})
        assert response.status_code in (403, 409), response.text
        return str(response.json()["error"]["message"])


def test_an_admin_adds_changes_and_removes_members(server: Server, open_tab: Callable[..., Tab]) -> None:
    workspace = server.workspace("Members e2e")
    admin = server.user(role="admin", workspace_id=workspace, name="Alma")
    newcomer = f"{server.unique('newcomer')}@e2e.test"
    server.api("POST", "/api/v1/users", json={"email": newcomer, "password": PASSWORD, "name": "Nico"})
    tab = open_tab()
    page = tab.page
    log_in(page, admin)
    page.get_by_test_id(f"workspace-{workspace}-members").click()
    expect(page.get_by_test_id(f"member-{admin}")).to_contain_text("you")
    expect(page.get_by_test_id("member-admin@e2e.test")).to_be_visible()
    assert_every_control_labelled(page)

    # add by e-mail, as a reviewer
    page.get_by_label("E-mail").fill(newcomer)
    page.locator("#member-role").select_option("reviewer")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_test_id("members-status")).to_have_text(f"Nico ({newcomer}) was added as Reviewer.")
    row = page.get_by_test_id(f"member-{newcomer}")
    expect(row.get_by_label(f"Role of {newcomer}", exact=True)).to_have_value("reviewer")

    # an unknown e-mail, and the same person again: the API's words
    page.get_by_label("E-mail").fill("nobody@e2e.test")
    page.get_by_role("button", name="Add", exact=True).click()
    error = page.get_by_test_id("add-member-error")
    expect(error).to_be_visible()
    not_found = error.inner_text()
    page.get_by_label("E-mail").fill(newcomer)
    page.get_by_role("button", name="Add", exact=True).click()
    expect(error).not_to_have_text(not_found)
    expect(error).to_be_visible()

    # change the role
    row.get_by_label(f"Role of {newcomer}", exact=True).select_option("annotator")
    row.get_by_role("button", name=f"Change the role of {newcomer}").click()
    expect(page.get_by_test_id("members-status")).to_have_text(f"Nico ({newcomer}) is now Annotator.")
    members = server.api("GET", f"/api/v1/workspaces/{workspace}/members")
    assert {m["email"]: m["role"] for m in members}[newcomer] == "annotator"

    # remove, after a confirmation
    row.get_by_role("button", name=f"Remove {newcomer}").click()
    row.get_by_role("button", name="Yes, remove").click()
    expect(page.get_by_test_id("members-status")).to_have_text(
        f"Nico ({newcomer}) was removed from the workspace."
    )
    expect(row).to_have_count(0)

    # demote the other admin; then one's own role cannot be changed, and the last admin cannot leave
    other = page.get_by_test_id("member-admin@e2e.test")
    other.get_by_label("Role of admin@e2e.test", exact=True).select_option("manager")
    other.get_by_role("button", name="Change the role of admin@e2e.test").click()
    expect(page.get_by_test_id("members-status")).to_contain_text("is now Manager")
    path = f"/api/v1/workspaces/{workspace}/members/{server.user_id(admin)}"
    own_role = _refusal(server, "PATCH", path, {"role": "viewer"}, admin, "en")
    last_admin = _refusal(server, "DELETE", path, {}, admin, "es")
    assert own_role.startswith("Nobody can change their own role")
    me = page.get_by_test_id(f"member-{admin}")
    # the screen does not offer it: one's own role selector is disabled, and says who changes it
    expect(me.get_by_label(f"Role of {admin}", exact=True)).to_be_disabled()
    expect(me.get_by_label(f"Role of {admin}", exact=True)).to_have_value("admin")
    expect(me.get_by_role("button", name=f"Change the role of {admin}")).to_be_disabled()
    expect(me.get_by_test_id("own-role-hint")).to_have_text("Another admin or manager changes your own role.")
    switch_language(page, "es")
    me.get_by_role("button", name=f"Quitar a {admin}").click()
    me.get_by_role("button", name="Sí, quitar").click()
    expect(page.get_by_test_id("members-error")).to_contain_text(last_admin)
    roles = {m["email"]: m["role"] for m in server.api("GET", f"/api/v1/workspaces/{workspace}/members")}
    assert roles[admin] == "admin"
    assert_no_csp_violation(tab.console_errors)
    assert tab.page_errors == []


def test_a_manager_cannot_grant_admin(server: Server, open_tab: Callable[..., Tab]) -> None:
    workspace = server.workspace("Managers e2e")
    manager = server.user(role="manager", workspace_id=workspace, name="Manu")
    annotator = server.user(role="annotator", workspace_id=workspace, name="Ana")
    path = f"/api/v1/workspaces/{workspace}/members/{server.user_id(annotator)}"
    refusal = _refusal(server, "PATCH", path, {"role": "admin"}, manager, "es")
    tab = open_tab()
    page = tab.page
    log_in(page, manager)
    switch_language(page, "es")
    page.get_by_test_id(f"workspace-{workspace}-members").click()
    row = page.get_by_test_id(f"member-{annotator}")
    row.get_by_label(f"Rol de {annotator}", exact=True).select_option("admin")
    row.get_by_role("button", name=f"Cambiar el rol de {annotator}").click()
    expect(page.get_by_test_id("members-error")).to_have_text(f"Ana ({annotator}): {refusal}")
    assert "admin" in refusal
    roles = {m["email"]: m["role"] for m in server.api("GET", f"/api/v1/workspaces/{workspace}/members")}
    assert roles[annotator] == "annotator"
    assert tab.page_errors == []
