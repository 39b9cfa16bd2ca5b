"""Gold tasks and routing in the browser.

- Gold: a manager marks a task gold by its id (its text shown, the expected answer set with the schema's
  own controls, by keyboard), sees it in the list and through the API; a task someone already answered is
  refused with the API's 409 message; unmarking makes it ordinary work again.
- Routing: a task requiring es-CO/medical that nobody can be served is flagged first on the routing page,
  with a way to the members page; the manager gives an annotator es-CO/native + medical there (a skill the
  API refuses first, with its message), and the routing page then counts them as qualified.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.e2e.app import assert_every_control_labelled, assert_no_csp_violation, log_in
from tests.e2e.conftest import Server, Tab
from tests.e2e.manage import annotate, api_session, switch_language
from tests.e2e.schemas import SENTIMENT

GOLD_TEXT = "The parcel arrived crushed and wet."
PLAIN_TEXT = "Works as described."
ANSWERED_TEXT = "Five stars, would buy again."


def _tasks(server: Server, project: int) -> dict[str, dict[str, Any]]:
    page = server.api("GET", f"/api/v1/projects/{project}/tasks", params={"limit": 100})
    return {task["data"]["text"]: task for task in page["items"]}


def test_a_manager_marks_a_task_gold(server: Server, open_tab: Callable[..., Tab]) -> None:
    workspace = server.workspace("Gold e2e")
    manager = server.user(role="manager", workspace_id=workspace)
    annotator = server.user(role="annotator", workspace_id=workspace)
    project = server.project(workspace, "Golden", SENTIMENT, [ANSWERED_TEXT, GOLD_TEXT, PLAIN_TEXT])
    annotate(server, annotator, project, [{"sentiment": "positive"}])  # the first task, by id
    tasks = _tasks(server, project)
    assert tasks[ANSWERED_TEXT]["annotation_count"] == 1
    gold_id, answered_id = tasks[GOLD_TEXT]["id"], tasks[ANSWERED_TEXT]["id"]

    tab = open_tab()
    page = tab.page
    log_in(page, manager)
    page.get_by_test_id(f"project-{project}-gold").click()
    expect(page.get_by_test_id("gold-empty")).to_be_visible()
    assert_every_control_labelled(page)

    # by keyboard: the id, Enter; the task's text; "2" is Negative; Ctrl+Enter saves
    page.locator("#gold-task-id").focus()
    page.keyboard.type(str(gold_id))
    page.keyboard.press("Enter")
    editor = page.get_by_test_id("gold-editor")
    expect(page.locator("#gold-editor-title")).to_be_focused()
    expect(editor.get_by_test_id("gold-task-text")).to_have_text(GOLD_TEXT)
    expect(editor.get_by_test_id("gold-has-answers")).to_have_count(0)
    assert_every_control_labelled(page)
    page.keyboard.press("2")
    expect(editor.get_by_label("Negative")).to_be_checked()
    page.keyboard.press("Control+Enter")
    expect(page.get_by_test_id("gold-status")).to_have_text(f"Task {gold_id} is now a gold task.")
    expect(editor).to_have_count(0)
    expect(page.locator("#gold-task-id")).to_be_focused()

    row = page.get_by_test_id(f"gold-row-{gold_id}")
    expect(row).to_contain_text(GOLD_TEXT)
    expect(row).to_contain_text("Negative")
    expect(page.get_by_test_id(f"gold-mean-{gold_id}")).to_have_text("—")
    gold = server.api("GET", f"/api/v1/projects/{project}/gold")
    assert [(item["id"], item["result"], item["answers"]) for item in gold["items"]] == [
        (gold_id, {"sentiment": "negative"}, 0)
    ]

    # a task someone answered: the page warns, the API refuses (409), its words are shown
    with api_session(server, manager) as client:
        refused = client.put(f"/api/v1/tasks/{answered_id}/gold", json={"result": {"sentiment": "positive"}})
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "gold_has_annotations"
    page.locator("#gold-task-id").fill(str(answered_id))
    page.get_by_role("button", name="Show the task").click()
    expect(editor.get_by_test_id("gold-has-answers")).to_be_visible()
    editor.get_by_label("Positive").check()
    editor.get_by_role("button", name="Save as gold").click()
    expect(page.get_by_test_id("gold-save-error")).to_have_text(refused.json()["error"]["message"])
    assert [item["id"] for item in server.api("GET", f"/api/v1/projects/{project}/gold")["items"]] == [
        gold_id
    ]
    editor.get_by_role("button", name="Cancel").click()

    # a task of another project is not offered
    other = server.project(workspace, "Elsewhere", SENTIMENT, ["elsewhere"])
    other_task = next(iter(_tasks(server, other).values()))["id"]
    page.locator("#gold-task-id").fill(str(other_task))
    page.locator("#gold-task-id").press("Enter")
    expect(page.get_by_test_id("gold-find-error")).to_have_text(
        f"Task {other_task} belongs to another project."
    )

    # change the expected answer from the list, then unmark, in Spanish
    switch_language(page, "es")
    row.get_by_role("button", name=f"Editar la respuesta esperada de la tarea {gold_id}").click()
    expect(editor.get_by_label("Negativo")).to_be_checked()
    editor.get_by_label("Neutral").check()
    editor.get_by_role("button", name="Guardar la respuesta esperada").click()
    expect(page.get_by_test_id("gold-status")).to_contain_text(
        f"Se cambió la respuesta esperada de la tarea {gold_id}"
    )
    expect(row).to_contain_text("Neutral")
    assert server.api("GET", f"/api/v1/projects/{project}/gold")["items"][0]["result"] == {
        "sentiment": "neutral"
    }
    row.get_by_role("button", name=f"Desmarcar la tarea de control {gold_id}").click()
    row.get_by_role("button", name="Sí, desmarcar").click()
    expect(page.get_by_test_id("gold-status")).to_have_text(
        f"La tarea {gold_id} vuelve a ser trabajo normal; conserva sus respuestas (0)."
    )
    expect(page.get_by_test_id("gold-empty")).to_be_visible()
    assert server.api("GET", f"/api/v1/projects/{project}/gold")["items"] == []
    assert_no_csp_violation(tab.console_errors)
    assert tab.page_errors == []


def test_skills_given_on_the_members_page_staff_a_routed_task(
    server: Server, open_tab: Callable[..., Tab]
) -> None:
    workspace = server.workspace("Routing e2e")
    manager = server.user(role="manager", workspace_id=workspace, name="Mona")
    annotator = server.user(role="annotator", workspace_id=workspace, name="Camila")
    annotator_id = server.user_id(annotator)
    project = server.project(
        workspace, "Clinical notes", SENTIMENT, ["Dolor abdominal agudo.", "Open to all."]
    )
    routed = _tasks(server, project)["Dolor abdominal agudo."]["id"]
    server.api(
        "PUT",
        f"/api/v1/tasks/{routed}/requirements",
        json={"language": "es", "dialect": "es-CO", "domain": "medical"},
    )

    tab = open_tab()
    page = tab.page
    log_in(page, manager)
    page.get_by_test_id(f"project-{project}-routing").click()

    # unstaffed: flagged, first, with the way to the members page
    rows = page.get_by_test_id("routing-table").locator("tbody tr")
    first = rows.first
    expect(first).to_have_attribute("data-testid", "routing-row-es/es-CO/medical")
    expect(first).to_contain_text("Nobody qualified")
    expect(first.get_by_test_id("routing-qualified")).to_have_text("0")
    expect(page.get_by_test_id("routing-unstaffed")).to_be_visible()
    expect(page.get_by_test_id("routing-min-level")).to_have_text("B2")
    page.get_by_test_id("routing-members-link").click()

    # the members page: no skills yet; a dialect of another language is refused with the API's message
    member = page.get_by_test_id(f"member-{annotator}")
    expect(page.get_by_test_id(f"skills-{annotator}")).to_have_text("None")
    member.get_by_role("button", name=f"Edit the skills of {annotator}").click()
    editor = page.get_by_test_id(f"skills-editor-{annotator}")
    expect(editor.get_by_role("heading", name="Skills of Camila")).to_be_focused()
    editor.get_by_role("button", name="Add a language").click()
    expect(editor.get_by_label("Language 1: code")).to_be_focused()
    page.keyboard.type("pt")
    editor.get_by_label("Language 1: dialect (optional)").fill("es-CO")
    editor.get_by_label("Language 1: level").select_option("native")
    editor.get_by_label("Domains").fill("medical")
    assert_every_control_labelled(page)
    bad = {
        "skills": {
            "languages": [{"code": "pt", "dialect": "es-CO", "level": "native"}],
            "domains": ["medical"],
        }
    }
    messages = {}
    for lang in ("en", "es"):
        with api_session(server, manager, lang) as client:
            refused = client.patch(f"/api/v1/workspaces/{workspace}/members/{annotator_id}", json=bad)
            assert refused.status_code == 400, refused.text
            assert refused.json()["error"]["code"] == "skill_invalid"
            messages[lang] = refused.json()["error"]["message"]
    editor.get_by_role("button", name="Save skills").click()
    expect(editor.get_by_test_id("skills-error")).to_have_text(messages["en"])
    switch_language(page, "es")
    editor.get_by_role("button", name="Guardar habilidades").click()
    expect(editor.get_by_test_id("skills-error")).to_have_text(messages["es"])
    switch_language(page, "en")

    # es-CO, native, medical: saved
    editor.get_by_label("Language 1: code").fill("es")
    editor.get_by_role("button", name="Save skills").click()
    expect(page.get_by_test_id("members-status")).to_have_text(
        f"The skills of Camila ({annotator}) were saved."
    )
    expect(editor).to_have_count(0)
    expect(member.get_by_role("button", name=f"Edit the skills of {annotator}")).to_be_focused()
    expect(page.get_by_test_id(f"skills-{annotator}")).to_contain_text("es-CO")
    expect(page.get_by_test_id(f"skills-{annotator}")).to_contain_text("Native")
    expect(page.get_by_test_id(f"skills-{annotator}")).to_contain_text("medical")
    members = server.api("GET", f"/api/v1/workspaces/{workspace}/members")
    assert next(m for m in members if m["email"] == annotator)["skills"] == {
        "languages": [{"code": "es", "dialect": "es-CO", "level": "native"}],
        "domains": ["medical"],
    }

    # the routing page counts them: qualified, named, no longer flagged
    page.goto(f"/#/projects/{project}/routing")
    routed_row = page.get_by_test_id("routing-row-es/es-CO/medical")
    expect(routed_row.get_by_test_id("routing-qualified")).to_contain_text("1")
    expect(routed_row.get_by_test_id("routing-qualified")).to_contain_text("Camila")
    expect(routed_row).to_contain_text("Staffed")
    expect(page.get_by_test_id("routing-unstaffed")).to_have_count(0)
    routing = server.api("GET", f"/api/v1/projects/{project}/routing")
    row = next(r for r in routing["rows"] if r["requirements"]["dialect"] == "es-CO")
    assert (row["qualified_annotators"], row["qualified_user_ids"], row["unstaffed"]) == (
        1,
        [annotator_id],
        False,
    )

    # a reviewer sees the routing page, without the member links
    reviewer = server.user(role="reviewer", workspace_id=workspace, locale="es")
    other = open_tab("es-ES")
    log_in(other.page, reviewer)
    other.page.goto(f"/#/projects/{project}/routing")
    expect(other.page.get_by_test_id("routing-row-es/es-CO/medical")).to_contain_text("Con personal")
    expect(other.page.get_by_test_id("routing-members-link")).to_have_count(0)
    other.page.goto(f"/#/projects/{project}/gold")
    expect(other.page.get_by_test_id("forbidden")).to_be_visible()
    assert_no_csp_violation(tab.console_errors)
    assert tab.page_errors == []
    assert other.page_errors == []
