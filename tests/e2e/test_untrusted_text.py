"""Untrusted text (tasks, project names, descriptions, guidelines, label names) is shown as text and runs
nothing: no element is made from it, no request leaves for its URLs, no script sets ``window.__pwned``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from playwright.sync_api import expect

from tests.e2e.app import assert_no_csp_violation, log_in, next_task, start_labeling
from tests.e2e.conftest import PASSWORD, Server, Tab

IMG = '<img src=x onerror="window.__pwned=1">'
SCRIPT = "<script>window.__pwned=2</script>"
SCHEMA: dict[str, Any] = {
    "controls": [
        {
            "name": "verdict",
            "type": "choice",
            "field": "text",
            "title": {"en": '<b onmouseover="window.__pwned=3">Verdict</b>'},
            "labels": [
                {"value": "ok", "names": {"en": '<img src=y onerror="window.__pwned=4">'}},
                {"value": "bad"},
            ],
        }
    ]
}


def test_untrusted_text_is_shown_literally_and_runs_nothing(
    server: Server, open_tab: Callable[..., Tab]
) -> None:
    workspace = server.workspace("Untrusted e2e")
    email = server.user(role="annotator", workspace_id=workspace)
    name = '<img src=x onerror="window.__pwned=5">Project'
    project = server.project(
        workspace,
        name,
        SCHEMA,
        [IMG, SCRIPT],
        description="<script>window.__pwned=6</script>",
        guidelines={"en": '<iframe src="javascript:window.parent.__pwned=7"></iframe>'},
    )
    tab = open_tab()
    page = tab.page
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    log_in(page, email)
    card = page.get_by_test_id(f"project-{project}")
    expect(card.get_by_role("heading")).to_have_text(name)
    expect(card).to_contain_text("<script>window.__pwned=6</script>")

    start_labeling(page, project)
    heading, text = next_task(page)
    shown = [text]
    expect(page.get_by_role("group")).to_contain_text('<b onmouseover="window.__pwned=3">Verdict</b>')
    expect(page.get_by_role("radio", name='<img src=y onerror="window.__pwned=4">')).to_be_visible()
    page.keyboard.press("Alt+g")
    expect(page.get_by_test_id("guidelines-text")).to_have_text(
        '<iframe src="javascript:window.parent.__pwned=7"></iframe>'
    )
    page.keyboard.press("Alt+s")
    shown.append(next_task(page, heading)[1])
    assert sorted(shown) == sorted([IMG, SCRIPT])
    page.keyboard.press("Alt+s")
    expect(page.get_by_role("heading", name="Nothing left to label")).to_be_visible()

    page.wait_for_load_state("networkidle")
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("img, iframe, b, main script").count() == 0
    assert [url for url in requested if url.endswith(("/x", "/y"))] == []
    assert_no_csp_violation(tab.console_errors)
    assert tab.page_errors == []


def test_an_annotator_cannot_open_a_project_of_another_workspace_by_url(
    server: Server, open_tab: Callable[..., Tab]
) -> None:
    mine = server.workspace("Mine e2e")
    email = server.user(role="annotator", workspace_id=mine)
    theirs = server.workspace("Theirs e2e")
    secret = server.project(theirs, "Their project", SCHEMA, ["their confidential text"])
    expected = _api_message(server, email, f"/api/v1/projects/{secret}")

    tab = open_tab()
    log_in(tab.page, email)
    tab.page.goto(f"/#/projects/{secret}/annotate")
    expect(tab.page.get_by_role("alert")).to_have_text(expected)
    expect(tab.page.get_by_text("their confidential text")).to_have_count(0)
    expect(tab.page.get_by_text("Their project")).to_have_count(0)


def _api_message(server: Server, email: str, path: str) -> str:
    """The API's error message for ``email`` asking GET ``path`` (in English): it must be a 404."""
    with httpx.Client(base_url=server.url) as client:
        assert (
            client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD}).status_code == 200
        )
        response = client.get(path, headers={"Accept-Language": "en"})
    assert response.status_code == 404, response.text
    return str(response.json()["error"]["message"])
