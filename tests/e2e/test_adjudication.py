"""Adjudication in the browser: the queue of escalated tasks, one task's annotations side by side with the
suggestion, and the adjudicator's decision, by keyboard; the export then carries the adjudicated final
label with its reasoning next to the automatic one; a final label reopened; the manager's finalize pass;
annotators see nothing of others' answers; the same in Spanish, with the API's message in Spanish.

Three annotators label through the API (a SENTIMENT project with overlap 3): one task split three ways
(positive / negative / neutral: escalated), another two to one (final by majority vote). The reviewer
adjudicates in the browser.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.app import (
    assert_every_control_labelled,
    assert_no_csp_violation,
    focused,
    log_in,
    tab_to,
)
from tests.e2e.conftest import Server, Tab
from tests.e2e.manage import api_session
from tests.e2e.schemas import SENTIMENT

SPLIT = "The soup was <b>cold</b> & late"
SPLIT_TOO = "Arrived, works, box dented"
MAJORITY = "Fast delivery, thanks"
NAMES = ("Ana", "Beto", "Caro")
# text → the label each of Ana, Beto and Caro gives it (in that order: the API's pseudonyms follow it)
VOTES: dict[str, tuple[str, str, str]] = {
    SPLIT: ("positive", "negative", "neutral"),
    SPLIT_TOO: ("neutral", "positive", "negative"),
    MAJORITY: ("positive", "positive", "negative"),
}
REASONING = "Cold soup delivered late is a complaint, but the text states facts without judging: neutral."


def _team(server: Server, stem: str, texts: list[str], *, reviewer_locale: str = "en") -> dict[str, Any]:
    """A workspace with a reviewer (Rita), a manager (Mara) and three annotators who label every task of a
    SENTIMENT project with overlap 3 through the API, one after the other, as VOTES says."""
    workspace = server.workspace(f"{stem} e2e")
    team: dict[str, Any] = {
        "workspace": workspace,
        "reviewer": server.user(role="reviewer", workspace_id=workspace, name="Rita", locale=reviewer_locale),
        "manager": server.user(role="manager", workspace_id=workspace, name="Mara"),
        "annotators": [server.user(role="annotator", workspace_id=workspace, name=n) for n in NAMES],
    }
    team["project"] = server.project(workspace, f"{stem} adjudication", SENTIMENT, texts, overlap=3)
    tasks = server.api("GET", f"/api/v1/projects/{team['project']}/tasks")["items"]
    team["tasks"] = {t["data"]["text"]: int(t["id"]) for t in tasks}
    for number, email in enumerate(team["annotators"]):
        with api_session(server, email) as client:
            for _ in texts:
                task = client.get(f"/api/v1/projects/{team['project']}/next")
                assert task.status_code == 200, task.text
                label = VOTES[task.json()["data"]["text"]][number]
                answer = client.post(
                    f"/api/v1/tasks/{task.json()['id']}/annotations",
                    json={"result": {"sentiment": label}, "lead_time_ms": 1800},
                    headers={"Idempotency-Key": uuid.uuid4().hex},
                )
                assert answer.status_code == 201, answer.text
    return team


def _export(server: Server, project: int) -> dict[str, dict[str, Any]]:
    """The project's export (JSONL), by task text."""
    response = server.admin.get(f"/api/v1/projects/{project}/export")
    assert response.status_code == 200, response.text
    lines = [json.loads(line) for line in response.text.splitlines() if line.strip()]
    return {line["data"]["text"]: line for line in lines}


def _open_adjudication(page: Page, project: int) -> None:
    """From the projects page, Tab to the project's "Adjudication" link and follow it with Enter."""
    expect(page.get_by_test_id(f"project-{project}")).to_be_visible()
    tab_to(
        page,
        lambda el: (
            el["tag"] == "a"
            and page.evaluate("() => document.activeElement.getAttribute('href')")
            == f"#/projects/{project}/adjudication"
        ),
        "the adjudication link",
    )
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"#/projects/{project}/adjudication$"))


def test_a_reviewer_adjudicates_the_split_task_and_the_export_shows_it(
    server: Server, open_tab: Callable[..., Tab]
) -> None:
    team = _team(server, "Adjudication", [SPLIT, MAJORITY])
    project, tasks = team["project"], team["tasks"]
    split, majority = tasks[SPLIT], tasks[MAJORITY]
    rita = server.user_id(team["reviewer"])
    tab = open_tab()
    page = tab.page
    log_in(page, team["reviewer"])
    _open_adjudication(page, project)

    # the queue: exactly the split task, its text as text, 3 of 3 answers, the suggestion at one vote in three
    queue = page.get_by_test_id("adjudication-queue")
    expect(queue.locator("tbody tr")).to_have_count(1)
    row = page.get_by_test_id(f"adjudication-task-{split}")
    expect(row.get_by_test_id("preview")).to_have_text(SPLIT)
    expect(row.get_by_test_id("annotation-count")).to_have_text("3 of 3")
    expect(row.get_by_test_id("confidence")).to_have_text("33.3%")
    expect(row.get_by_test_id("lowest-agreement")).to_have_text("33.3%")
    expect(row.get_by_test_id("suggestion")).to_contain_text("Sentiment:")
    expect(page.get_by_test_id("finalize")).to_have_count(0)  # a manager's action
    page.keyboard.press("?")
    expect(page.locator("dialog.help")).to_contain_text("Move between the tasks of the queue")
    page.keyboard.press("Escape")

    # open it by keyboard: the heading has the focus
    tab_to(page, lambda el: el["tag"] == "a" and el["text"] == f"Task {split:,}", "the task link")
    page.keyboard.press("Enter")
    heading = page.get_by_test_id("adjudication-heading")
    expect(heading).to_have_text(f"Adjudication of task {split:,}")
    expect(heading).to_be_focused()
    expect(page.get_by_test_id("qa-status")).to_have_text("Waiting for adjudication")
    expect(page.get_by_test_id("task-text")).to_have_text(SPLIT)
    assert page.locator("main b").count() == 0  # the task's text is never HTML

    # every answer side by side, under pseudonyms (the project does not show names), with reliability
    cards = page.locator("article.adjudication-answer")
    expect(cards).to_have_count(3)
    expect(cards.get_by_test_id("annotator")).to_have_text(["Annotator 1", "Annotator 2", "Annotator 3"])
    expect(cards.get_by_test_id("answer")).to_have_text(
        [re.compile("Positive"), re.compile("Negative"), re.compile("Neutral")]
    )
    for name in NAMES:
        expect(page.locator("main")).not_to_contain_text(name)
    expect(cards.first.get_by_test_id("reliability")).to_contain_text("Gold accuracy")
    expect(cards.first.get_by_test_id("reliability")).to_contain_text("Agreement with final labels")
    expect(page.get_by_test_id("suggestion-method")).to_have_text("Method: Majority vote")
    expect(page.get_by_test_id("suggestion-sentiment")).to_contain_text("33.3%")
    expect(page.get_by_test_id("history-escalated")).to_contain_text("Escalated to adjudication")
    assert_every_control_labelled(page)
    page.keyboard.press("?")
    expect(page.locator("dialog.help")).to_contain_text("Start the decision from the suggestion")
    page.keyboard.press("Escape")

    # start from Annotator 2's answer (negative) with its key, then pick Neutral with the arrow keys
    page.keyboard.press("2")
    form = page.get_by_test_id("decision-form")
    expect(form.get_by_role("radio", name="Negative")).to_be_focused()
    expect(page.get_by_test_id("decision-source")).to_have_text(
        "Starting from the answer of Annotator 2: change what needs changing."
    )
    page.keyboard.press("ArrowRight")
    expect(form.get_by_role("radio", name="Neutral")).to_be_checked()

    # no reasoning: the API refuses, in its words, and the reasoning gets the focus
    page.keyboard.press("Control+Enter")
    expect(page.get_by_test_id("decision-error")).to_have_text(
        "An adjudication needs its reasoning: say why this is the right label."
    )
    expect(page.get_by_test_id("decision-reasoning")).to_be_focused()
    page.keyboard.type(REASONING)
    page.keyboard.press("Control+Enter")

    # decided: the queue holds nothing else, so the queue opens, empty, saying what was decided
    expect(page).to_have_url(re.compile(rf"#/projects/{project}/adjudication$"))
    expect(page.get_by_test_id("flash")).to_have_text(f"Task {split:,} decided: Sentiment: Neutral.")
    expect(page.get_by_test_id("adjudication-empty")).to_have_text("No task is waiting for adjudication.")

    # the export: the adjudicated label with its reasoning, and the majority vote of the other task
    exported = _export(server, project)
    final = exported[SPLIT]["final"]
    assert exported[SPLIT]["qa_status"] == "final"
    assert final["method"] == "adjudicated"
    assert final["result"] == {"sentiment": "neutral"}
    assert final["reasoning"] == REASONING
    assert final["decided_by"] == rita
    other = exported[MAJORITY]["final"]
    assert other["method"] == "majority_vote"
    assert other["result"] == {"sentiment": "positive"}
    assert other["decided_by"] is None

    # the final task shows its decision and its history
    page.goto(f"/#/projects/{project}/adjudication/{split}")
    expect(page.get_by_test_id("qa-status")).to_have_text("Final")
    expect(page.get_by_test_id("final-method")).to_have_text("Adjudicated")
    expect(page.get_by_test_id("final-result")).to_contain_text("Neutral")
    expect(page.get_by_test_id("final-reasoning")).to_have_text(REASONING)
    expect(page.get_by_test_id("history").locator("li")).to_have_count(2)
    expect(page.get_by_test_id("decision-form")).to_have_count(0)

    # reopen the majority vote: the reasoning is required; then it waits in the queue again
    page.goto(f"/#/projects/{project}/adjudication/{majority}")
    expect(page.get_by_test_id("final-method")).to_have_text("Final label (Majority vote)")
    page.keyboard.press("r")
    expect(page.get_by_test_id("reopen-reasoning")).to_be_focused()
    page.keyboard.press("Control+Enter")
    expect(page.get_by_test_id("reopen-error")).to_have_text(
        "Reopening a final label needs its reasoning: say why it must be decided again."
    )
    page.keyboard.type("Two to one is thin for a complaint.")
    page.keyboard.press("Control+Enter")
    expect(page.get_by_test_id("qa-status")).to_have_text("Waiting for adjudication")
    expect(page.get_by_test_id("adjudication-status")).to_have_text(
        f"Task {majority:,} reopened: it is waiting for adjudication again."
    )
    expect(page.get_by_test_id("history-reopened")).to_contain_text("Two to one is thin for a complaint.")
    expect(page.get_by_test_id("decision-form")).to_be_visible()
    assert _export(server, project)[MAJORITY]["qa_status"] == "escalated"
    page.get_by_test_id("back-to-queue").click()
    expect(page.get_by_test_id(f"adjudication-task-{majority}")).to_be_visible()
    expect(page.get_by_test_id(f"adjudication-task-{majority}").get_by_test_id("reopened")).to_have_text(
        "Reopened"
    )

    assert_no_csp_violation(tab.console_errors)
    assert tab.page_errors == []


def test_a_manager_finalizes_pending_tasks(server: Server, open_tab: Callable[..., Tab]) -> None:
    team = _team(server, "Finalize", [SPLIT, MAJORITY])
    project = team["project"]
    tab = open_tab()
    page = tab.page
    log_in(page, team["manager"])
    page.goto(f"/#/projects/{project}/adjudication")
    expect(page.get_by_test_id(f"adjudication-task-{team['tasks'][SPLIT]}")).to_be_visible()

    # submissions decided both tasks already: a re-decision pass changes nothing and says so
    page.get_by_test_id("finalize-redecide").check()
    page.get_by_test_id("finalize-button").click()
    summary = page.get_by_test_id("finalize-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Finalized with Majority vote.")
    expect(page.get_by_test_id("finalize-decided")).to_have_text("0")
    expect(page.get_by_test_id("finalize-final")).to_have_text("0")
    expect(page.get_by_test_id("finalize-escalated")).to_have_text("0")
    expect(page.get_by_test_id("finalize-changed")).to_have_text("0")
    expect(page.get_by_test_id("finalize-unchanged")).to_have_text("2")
    expect(page.get_by_test_id("adjudication-queue").locator("tbody tr")).to_have_count(1)
    assert_every_control_labelled(page)
    assert_no_csp_violation(tab.console_errors)
    assert tab.page_errors == []


def test_an_annotator_sees_nothing_of_the_adjudication(server: Server, open_tab: Callable[..., Tab]) -> None:
    team = _team(server, "Blind", [SPLIT, MAJORITY])
    project, split = team["project"], team["tasks"][SPLIT]
    ana = team["annotators"][0]
    with api_session(server, ana) as client:
        refused = client.get(f"/api/v1/tasks/{split}/adjudication")
    assert refused.status_code == 404, refused.text

    tab = open_tab()
    page = tab.page
    log_in(page, ana)
    expect(page.get_by_test_id(f"project-{project}")).to_be_visible()
    expect(page.get_by_test_id(f"project-{project}-adjudication")).to_have_count(0)

    page.goto(f"/#/projects/{project}/adjudication")
    expect(page.get_by_role("alert")).to_have_text("Your role in this project does not include adjudication.")
    expect(page.get_by_test_id("adjudication-queue")).to_have_count(0)

    page.goto(f"/#/projects/{project}/adjudication/{split}")
    expect(page.get_by_role("alert")).to_have_text(refused.json()["error"]["message"])
    expect(page.locator("article.adjudication-answer")).to_have_count(0)
    main = page.locator("main")
    for hidden in ("Negative", "Neutral", "Beto", "Caro", SPLIT):
        expect(main).not_to_contain_text(hidden)
    assert_no_csp_violation(tab.console_errors)
    assert tab.page_errors == []


def test_adjudication_in_spanish(server: Server, open_tab: Callable[..., Tab]) -> None:
    team = _team(server, "Adjudicación", [SPLIT, SPLIT_TOO, MAJORITY], reviewer_locale="es")
    project, tasks = team["project"], team["tasks"]
    first, second = sorted([tasks[SPLIT], tasks[SPLIT_TOO]])
    text_of = {tasks[SPLIT]: SPLIT, tasks[SPLIT_TOO]: SPLIT_TOO}
    with api_session(server, team["reviewer"], lang="es") as client:
        suggested = client.get(f"/api/v1/tasks/{first}/adjudication").json()["suggestion"]["result"]
        refusal = client.post(
            f"/api/v1/tasks/{first}/adjudication",
            json={"result": suggested, "reasoning": "  "},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
    assert refusal.status_code == 422, refusal.text
    spanish = refusal.json()["error"]["message"]
    assert (
        spanish == "Una adjudicación necesita su razonamiento: explique por qué esta es la etiqueta correcta."
    )
    names_es = {"positive": "Positivo", "negative": "Negativo", "neutral": "Neutral"}

    tab = open_tab(locale="en-US")
    page = tab.page
    log_in(page, team["reviewer"])  # in Spanish, the profile's language
    expect(page.get_by_test_id(f"project-{project}-adjudication")).to_have_text("Adjudicación")
    _open_adjudication(page, project)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Adjudicación")
    rows = page.get_by_test_id("adjudication-queue").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_have_attribute("data-testid", f"adjudication-task-{first}")  # oldest first
    expect(rows.nth(0).get_by_test_id("annotation-count")).to_have_text("3 de 3")
    expect(rows.nth(0).get_by_test_id("confidence")).to_have_text("33,3 %")

    tab_to(page, lambda el: el["tag"] == "a" and el["text"] == f"Tarea {first}", "the first task")
    page.keyboard.press("Enter")
    heading = page.get_by_test_id("adjudication-heading")
    expect(heading).to_have_text(f"Adjudicación de la tarea {first}")
    expect(heading).to_be_focused()
    expect(page.get_by_test_id("task-text")).to_have_text(text_of[first])
    cards = page.locator("article.adjudication-answer")
    expect(cards.get_by_test_id("annotator")).to_have_text(["Anotador 1", "Anotador 2", "Anotador 3"])
    expect(cards.first.get_by_test_id("reliability")).to_contain_text("Precisión en control")

    # S takes the suggestion; no reasoning: the API's message, in Spanish
    page.keyboard.press("s")
    expect(page.get_by_test_id("decision-source")).to_have_text(
        "Partiendo de la sugerencia: cambie lo que haga falta."
    )
    focused_label = focused(page)
    assert focused_label["type"] == "radio" and focused_label["value"] == suggested["sentiment"]
    tab_to(page, lambda el: el["tag"] == "textarea" and el["id"].endswith("-reasoning"), "the reasoning")
    page.keyboard.press("Control+Enter")
    expect(page.get_by_test_id("decision-error")).to_have_text(spanish)
    page.keyboard.type("La sugerencia es razonable.")
    page.keyboard.press("Control+Enter")

    # the next task of the queue opens, saying what was decided
    expect(heading).to_have_text(f"Adjudicación de la tarea {second}")
    label = names_es[suggested["sentiment"]]
    expect(page.get_by_test_id("flash")).to_have_text(f"Tarea {first} decidida: Sentimiento: {label}.")
    expect(heading).to_be_focused()  # the task is loaded: keys act on it
    page.keyboard.press("1")  # Annotator 1's answer
    expected = VOTES[text_of[second]][0]
    expect(page.get_by_role("radio", name=names_es[expected])).to_be_checked()
    page.get_by_test_id("decision-reasoning").fill("Me quedo con la primera respuesta.")
    page.get_by_test_id("decision-reasoning").press("Control+Enter")
    expect(page.get_by_test_id("adjudication-empty")).to_have_text("Ninguna tarea espera adjudicación.")

    exported = _export(server, project)
    assert exported[text_of[first]]["final"]["method"] == "adjudicated"
    assert exported[text_of[first]]["final"]["result"] == {"sentiment": suggested["sentiment"]}
    assert exported[text_of[first]]["final"]["reasoning"] == "La sugerencia es razonable."
    assert exported[text_of[second]]["final"]["result"] == {"sentiment": expected}
    assert exported[MAJORITY]["final"]["method"] == "majority_vote"
    assert_no_csp_violation(tab.console_errors)
    assert tab.page_errors == []
