"""Review in the browser: the queue with its filters, one task's annotations side by side, Accept, Reject
(a comment is required) and Fix, all by keyboard; previous/next in the filtered list; annotators never
see others' work but do see the verdict on their own; the same in Spanish, with the API's messages in
Spanish.

Two annotators label through the API (the fixture); the reviewer works in the browser, and the API
shows the verdicts afterwards.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.app import (
    assert_every_control_labelled,
    assert_no_csp_violation,
    focused,
    log_in,
    tab_to,
)
from tests.e2e.conftest import PASSWORD, Server, Tab
from tests.e2e.manage import api_session
from tests.e2e.schemas import REVIEW, SENTIMENT

SOUP = "The soup was <b>cold</b> & late"
FAST = "Fast delivery, thanks"
BROKEN = "Broken on arrival"
PREDICTION = {"model": "sentiment-bert v2", "score": 0.9, "result": {"sentiment": "negative"}}


def _es(number: int) -> str:
    """A whole number as Intl.NumberFormat('es') writes it: grouped by "." from five digits on."""
    return f"{number:,}".replace(",", ".") if number >= 10_000 else str(number)


def _project(server: Server, workspace: int, name: str, *, overlap: int) -> tuple[int, dict[str, int]]:
    """A SENTIMENT project with the three texts (BROKEN with a model pre-label); its id and text → task id."""
    project = server.api(
        "POST",
        "/api/v1/projects",
        json={"workspace_id": workspace, "name": name, "schema": SENTIMENT, "overlap": overlap},
    )
    records = [
        {"data": {"text": SOUP}},
        {"data": {"text": FAST}},
        {"data": {"text": BROKEN}, "prediction": PREDICTION},
    ]
    server.api(
        "POST",
        f"/api/v1/projects/{project['id']}/tasks",
        content="".join(json.dumps(r) + "\n" for r in records).encode(),
        headers={"Content-Type": "application/x-ndjson"},
    )
    tasks = server.api("GET", f"/api/v1/projects/{project['id']}/tasks")["items"]
    return int(project["id"]), {t["data"]["text"]: int(t["id"]) for t in tasks}


def _label_all(
    server: Server, email: str, project: int, plan: dict[str, tuple[dict[str, Any], str]], lead_ms: int = 1500
) -> None:
    """``email`` takes every task left for them and answers it from ``plan``: text → (result, origin)."""
    with api_session(server, email) as client:
        for _ in range(len(plan)):
            task = client.get(f"/api/v1/projects/{project}/next")
            assert task.status_code == 200, task.text
            result, origin = plan[task.json()["data"]["text"]]
            answer = client.post(
                f"/api/v1/tasks/{task.json()['id']}/annotations",
                json={"result": result, "lead_time_ms": lead_ms, "origin": origin},
                headers={"Idempotency-Key": uuid.uuid4().hex},
            )
            assert answer.status_code == 201, answer.text


ANA_PLAN: dict[str, tuple[dict[str, Any], str]] = {
    SOUP: ({"sentiment": "positive"}, "human"),
    FAST: ({"sentiment": "positive"}, "human"),
    BROKEN: ({"sentiment": "negative"}, "prediction_accepted"),
}
BETO_PLAN: dict[str, tuple[dict[str, Any], str]] = {
    SOUP: ({"sentiment": "negative", "comment": "too cold"}, "human"),
    FAST: ({"sentiment": "positive"}, "human"),
    BROKEN: ({"sentiment": "neutral"}, "prediction_edited"),
}


def _team(server: Server, stem: str, *, reviewer_locale: str = "en", overlap: int = 2) -> dict[str, Any]:
    workspace = server.workspace(f"{stem} e2e")
    team = {
        "workspace": workspace,
        "reviewer": server.user(role="reviewer", workspace_id=workspace, name="Rita", locale=reviewer_locale),
        "ana": server.user(role="annotator", workspace_id=workspace, name="Ana"),
        "beto": server.user(role="annotator", workspace_id=workspace, name="Beto"),
    }
    team["project"], team["tasks"] = _project(server, workspace, f"{stem} reviews", overlap=overlap)
    _label_all(server, team["ana"], team["project"], ANA_PLAN)
    _label_all(server, team["beto"], team["project"], BETO_PLAN)
    return team


def _review_of(server: Server, task_id: int) -> dict[str, dict[str, Any]]:
    """The task's annotations by annotator name, as the API shows them to an admin."""
    task = server.api("GET", f"/api/v1/tasks/{task_id}/review")
    return {a["annotator_name"]: a for a in task["annotations"]}


def _open_review(page: Page, project: int) -> None:
    """From the projects page, Tab to the project's "Review" link and follow it with Enter."""
    expect(page.get_by_test_id(f"project-{project}")).to_be_visible()
    tab_to(
        page,
        lambda el: (
            el["tag"] == "a"
            and page.evaluate("() => document.activeElement.getAttribute('href')")
            == f"#/projects/{project}/review"
        ),
        "the review link",
    )
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"#/projects/{project}/review$"))


def _card(page: Page, name: str) -> Any:
    return page.locator("article.review-annotation").filter(
        has=page.get_by_test_id("annotator-name").get_by_text(name)
    )


def _intl(page: Page, lang: str, iso: str) -> str:
    return str(
        page.evaluate(
            "([lang, iso]) => new Intl.DateTimeFormat(lang, {dateStyle: 'medium', timeStyle: 'short'})"
            ".format(new Date(iso))",
            [lang, iso],
        )
    )


def _seconds(page: Page, lang: str, value: float) -> str:
    return str(
        page.evaluate(
            "([lang, v]) => new Intl.NumberFormat(lang, {style: 'unit', unit: 'second', unitDisplay: 'short',"
            " maximumFractionDigits: 1}).format(v)",
            [lang, value],
        )
    )


def test_a_reviewer_rejects_one_annotation_and_accepts_the_other(
    server: Server, open_tab: Callable[..., Tab]
) -> None:
    team = _team(server, "Review")
    project, tasks = team["project"], team["tasks"]
    tab = open_tab()
    page = tab.page
    log_in(page, team["reviewer"])
    _open_review(page, project)

    # the queue: newest task first, a page of it; the list is one Tab stop walked with the arrow keys
    queue = page.get_by_test_id("review-queue")
    expect(queue.locator("tbody tr")).to_have_count(3)
    row_ids = [tasks[BROKEN], tasks[FAST], tasks[SOUP]]
    for index, task_id in enumerate(row_ids):
        expect(queue.locator("tbody tr").nth(index)).to_have_attribute("data-testid", f"queue-task-{task_id}")
    expect(page.get_by_test_id(f"queue-task-{tasks[SOUP]}")).to_contain_text(SOUP)
    expect(page.get_by_test_id(f"queue-task-{tasks[SOUP]}")).to_contain_text("2 of 2")
    tab_to(page, lambda el: el["tag"] == "a" and el["text"] == f"Task {tasks[BROKEN]:,}", "the first task")
    page.keyboard.press("ArrowDown")
    assert focused(page)["text"] == f"Task {tasks[FAST]:,}"
    page.keyboard.press("End")
    assert focused(page)["text"] == f"Task {tasks[SOUP]:,}"
    page.keyboard.press("Home")
    assert focused(page)["text"] == f"Task {tasks[BROKEN]:,}"

    # filters: a label of the choice control, then an annotator; they live in the address
    page.locator("#filter-label").select_option(label="Negative")
    expect(page).to_have_url(re.compile(r"control=sentiment&label=negative"))
    expect(queue.locator("tbody tr")).to_have_count(2)  # Beto said negative of the soup, Ana of BROKEN
    beto_id = server.user_id(team["beto"])
    page.locator("#filter-annotator").select_option(label="Beto")
    expect(page).to_have_url(re.compile(rf"annotator={beto_id}"))
    expect(queue.locator("tbody tr")).to_have_count(2)  # he answered both
    page.locator("#filter-status").select_option("incomplete")
    expect(page.get_by_test_id("queue-empty")).to_have_text("No task matches these filters.")
    page.get_by_test_id("clear-filters").click()
    expect(queue.locator("tbody tr")).to_have_count(3)
    page.locator("#filter-reviewed").select_option("none")
    expect(queue.locator("tbody tr")).to_have_count(3)

    # open the soup from the list (filtered "not reviewed"), by keyboard
    tab_to(page, lambda el: el["tag"] == "a" and el["text"].startswith("Task "), "the task list")
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    heading = page.get_by_test_id("review-task-heading")
    expect(heading).to_have_text(f"Review of task {tasks[SOUP]:,}")
    expect(heading).to_be_focused()

    # the task's text is text, never HTML; both annotations side by side, with who, what, how and when
    expect(page.get_by_test_id("task-text")).to_have_text(SOUP)
    assert page.get_by_test_id("task-text").locator("b").count() == 0
    cards = page.locator("article.review-annotation")
    expect(cards).to_have_count(2)
    ana, beto = _card(page, "Ana"), _card(page, "Beto")
    expect(ana.get_by_test_id("answer")).to_contain_text("Positive")
    expect(beto.get_by_test_id("answer")).to_contain_text("Negative")
    expect(beto.get_by_test_id("answer")).to_contain_text("too cold")
    expect(ana.get_by_test_id("origin")).to_have_text("By hand (no model pre-label)")
    expect(ana.get_by_test_id("lead-time")).to_have_text(_seconds(page, "en", 1.5))
    submitted = ana.get_by_test_id("submitted")
    expect(submitted).to_have_text(_intl(page, "en", str(submitted.get_attribute("datetime"))))
    expect(ana.get_by_test_id("verdict")).to_have_text("Not reviewed")
    box = [c.bounding_box() for c in (ana, beto)]
    assert box[0] and box[1] and abs(box[0]["y"] - box[1]["y"]) < 2, "the annotations are not side by side"

    # "1" picks Ana's, "r" opens the comment; an empty comment is refused by the UI, before any request
    page.keyboard.press("1")
    expect(ana.locator("h3")).to_be_focused()
    page.keyboard.press("r")
    comment = ana.get_by_label("What is wrong? (required)")
    expect(comment).to_be_focused()
    assert_every_control_labelled(page)
    page.keyboard.press("Control+Enter")
    expect(ana.get_by_test_id("comment-problem")).to_have_text(
        "Write a comment saying what is wrong: the annotator will read it."
    )
    expect(comment).to_be_focused()
    assert _review_of(server, tasks[SOUP])["Ana"]["reviews"] == []
    page.keyboard.type("Cold and late is negative.\nRead the guidelines again.")
    page.keyboard.press("Control+Enter")
    expect(ana.get_by_test_id("verdict")).to_have_text("Rejected")
    expect(ana.get_by_test_id("review-comment")).to_have_text(
        "Cold and late is negative.\nRead the guidelines again."
    )
    expect(ana.get_by_test_id("history")).to_contain_text("by Rita")
    expect(ana.locator("h3")).to_be_focused()

    # "2" picks Beto's, "a" accepts it
    page.keyboard.press("2")
    page.keyboard.press("a")
    expect(beto.get_by_test_id("verdict")).to_have_text("Accepted")
    expect(page.get_by_test_id("review-status")).to_have_text("Accepted: the annotation of Beto.")

    # the API holds both verdicts
    shown = _review_of(server, tasks[SOUP])
    assert shown["Ana"]["verdict"] == "rejected"
    assert shown["Ana"]["reviews"][-1]["comment"] == "Cold and late is negative.\nRead the guidelines again."
    assert shown["Ana"]["reviews"][-1]["reviewer_name"] == "Rita"
    assert shown["Beto"]["verdict"] == "accepted"

    # previous / next walk the filtered list (newest first) even though this task no longer matches it
    expect(page.get_by_test_id("next-task")).to_be_disabled()
    expect(page.get_by_test_id("previous-task")).to_be_enabled()
    page.keyboard.press("Alt+p")
    expect(heading).to_have_text(f"Review of task {tasks[FAST]:,}")
    expect(page).to_have_url(re.compile(rf"/review/tasks/{tasks[FAST]}\?reviewed=none$"))
    page.keyboard.press("Alt+p")
    expect(heading).to_have_text(f"Review of task {tasks[BROKEN]:,}")
    expect(page.get_by_test_id("previous-task")).to_be_disabled()

    # the model's pre-label and what each annotator did with it
    expect(page.get_by_test_id("prediction")).to_contain_text("sentiment-bert v2")
    expect(page.get_by_test_id("prediction")).to_contain_text("Negative")
    ana, beto = _card(page, "Ana"), _card(page, "Beto")
    expect(ana.get_by_test_id("origin")).to_have_text("Model pre-label accepted")
    expect(beto.get_by_test_id("origin")).to_have_text("Model pre-label edited")

    # Fix Beto's: the same kind of field, pre-filled; unchanged is refused; Esc cancels
    page.keyboard.press("2")
    page.keyboard.press("f")
    expect(beto.get_by_role("radio", name="Neutral")).to_be_focused()
    expect(beto.get_by_role("radio", name="Neutral")).to_be_checked()
    page.keyboard.press("Control+Enter")
    expect(beto.get_by_test_id("review-error")).to_have_text(
        "The answer has not changed: accept it instead, or change it first."
    )
    page.keyboard.press("Escape")
    expect(beto.get_by_role("radio")).to_have_count(0)
    expect(beto.get_by_test_id("fix")).to_be_focused()
    page.keyboard.press("f")
    page.keyboard.press("ArrowLeft")  # Neutral → Negative
    expect(beto.get_by_role("radio", name="Negative")).to_be_checked()
    page.keyboard.press("Control+Enter")
    expect(beto.get_by_test_id("verdict")).to_have_text("Fixed")
    expect(beto.get_by_test_id("fixed-answer")).to_contain_text("Negative")
    assert _review_of(server, tasks[BROKEN])["Beto"]["reviews"][-1]["fixed_result"] == {
        "sentiment": "negative"
    }

    # Alt+N to the one left, then back to the list (still "not reviewed"): that task has the focus again
    page.keyboard.press("Alt+n")
    expect(heading).to_have_text(f"Review of task {tasks[FAST]:,}")
    page.get_by_test_id("back-to-queue").click()
    expect(queue.locator("tbody tr")).to_have_count(1)
    expect(page.get_by_role("link", name=f"Task {tasks[FAST]:,}")).to_be_focused()

    # the verdict filter finds the rejection
    page.get_by_test_id("clear-filters").click()
    page.locator("#filter-verdict").select_option("rejected")
    expect(queue.locator("tbody tr")).to_have_count(1)
    expect(page.get_by_test_id(f"queue-task-{tasks[SOUP]}").get_by_test_id("count-rejected")).to_have_text(
        "Rejected: 1"
    )

    assert_no_csp_violation(tab.console_errors)
    assert tab.page_errors == []


def test_annotators_see_their_verdicts_and_nothing_of_others(
    server: Server, open_tab: Callable[..., Tab]
) -> None:
    team = _team(server, "Own work")
    project, tasks = team["project"], team["tasks"]
    ana_annotation = _review_of(server, tasks[SOUP])["Ana"]["id"]
    with api_session(server, team["reviewer"]) as client:
        stored = client.post(
            f"/api/v1/annotations/{ana_annotation}/reviews",
            json={"verdict": "rejected", "comment": "Cold soup is not good news."},
        )
        assert stored.status_code == 201, stored.text
    with httpx.Client(base_url=server.url, timeout=30) as client:
        login = client.post("/api/v1/auth/login", json={"email": team["ana"], "password": PASSWORD})
        refusal = client.get(f"/api/v1/tasks/{tasks[SOUP]}/review", headers={"Accept-Language": "en"})
    assert refusal.status_code == 403, (login.status_code, refusal.text)
    message = refusal.json()["error"]["message"]

    tab = open_tab()
    page = tab.page
    log_in(page, team["ana"])
    card = page.get_by_test_id(f"project-{project}")
    expect(card.get_by_test_id(f"project-{project}-my-work")).to_be_visible()
    expect(card.get_by_test_id(f"project-{project}-review")).to_have_count(0)

    # the review address typed by hand: the API's refusal, and nothing of the task
    page.goto(f"/#/projects/{project}/review/tasks/{tasks[SOUP]}")
    expect(page.get_by_role("alert")).to_have_text(message)
    expect(page.locator("article.review-annotation")).to_have_count(0)
    body = page.locator("main").inner_text()
    for secret in ("too cold", "Beto", "cold</b>", "Positive", "Negative"):
        assert secret not in body, f"{secret!r} is on the page"
    page.goto(f"/#/projects/{project}/review")
    expect(page.get_by_role("alert")).to_have_text(message)
    expect(page.get_by_test_id("review-queue")).to_have_count(0)

    # "My work": her own annotations, the verdict and the reviewer's comment on hers; nobody else's
    page.goto("/#/")
    card.get_by_test_id(f"project-{project}-my-work").click()
    expect(page.get_by_role("heading", name=re.compile("My work"))).to_be_visible()
    items = page.locator("ul.my-work > li")
    expect(items).to_have_count(3)
    mine = page.get_by_test_id(f"my-annotation-{ana_annotation}")
    expect(mine.get_by_test_id("verdict")).to_have_text("Rejected")
    expect(mine.get_by_test_id("review-comment")).to_have_text("Cold soup is not good news.")
    expect(mine.get_by_test_id("my-answer")).to_contain_text("Positive")
    expect(page.get_by_test_id("my-work-summary")).to_have_text(
        "3 annotations: 0 accepted, 1 rejected, 0 fixed, 2 not reviewed yet."
    )
    assert "too cold" not in page.locator("main").inner_text()

    assert_no_csp_violation(tab.console_errors)
    assert tab.page_errors == []


def test_review_in_spanish(server: Server, open_tab: Callable[..., Tab]) -> None:
    team = _team(server, "Revisión", reviewer_locale="es", overlap=3)
    project, tasks = team["project"], team["tasks"]
    # the reviewer labels the soup too: nobody reviews their own annotation
    _label_all(server, team["reviewer"], project, {**ANA_PLAN, SOUP: ({"sentiment": "neutral"}, "human")})

    tab = open_tab(locale="en-US")
    page = tab.page
    log_in(page, team["reviewer"])  # the profile's language: Spanish
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_test_id(f"project-{project}-review")).to_have_text("Revisar")
    _open_review(page, project)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Revisión")
    expect(page.get_by_label("Estado")).to_be_visible()
    expect(page.get_by_label("Veredicto")).to_be_visible()
    expect(page.get_by_test_id(f"queue-task-{tasks[SOUP]}")).to_contain_text("3 de 3")

    page.get_by_role("link", name=f"Tarea {_es(tasks[SOUP])}").click()
    heading = page.get_by_test_id("review-task-heading")
    expect(heading).to_have_text(f"Revisión de la tarea {_es(tasks[SOUP])}")
    expect(page.locator("article.review-annotation")).to_have_count(3)
    ana, beto, rita = _card(page, "Ana"), _card(page, "Beto"), _card(page, "Rita")
    expect(ana.get_by_test_id("verdict")).to_have_text("Sin revisar")
    expect(ana.get_by_test_id("answer")).to_contain_text("Positivo")
    expect(ana.get_by_test_id("origin")).to_have_text("A mano (sin etiqueta previa del modelo)")
    expect(ana.get_by_test_id("lead-time")).to_have_text(_seconds(page, "es", 1.5))
    submitted = ana.get_by_test_id("submitted")
    expect(submitted).to_have_text(_intl(page, "es", str(submitted.get_attribute("datetime"))))
    expect(rita.get_by_test_id("own-annotation")).to_have_text(
        "Esta anotación es suya: la revisa otra persona."
    )
    expect(rita.get_by_role("button")).to_have_count(0)

    page.keyboard.press("1")
    page.keyboard.press("r")
    expect(ana.get_by_label("¿Qué está mal? (obligatorio)")).to_be_focused()
    page.keyboard.press("Control+Enter")
    expect(ana.get_by_test_id("comment-problem")).to_have_text(
        "Escriba un comentario que diga qué está mal: el anotador lo leerá."
    )
    page.keyboard.type("Frío y tarde es negativo.")
    page.keyboard.press("Control+Enter")
    expect(ana.get_by_test_id("verdict")).to_have_text("Rechazada")
    page.keyboard.press("2")
    page.keyboard.press("a")
    expect(beto.get_by_test_id("verdict")).to_have_text("Aceptada")
    page.keyboard.press("3")
    page.keyboard.press("a")  # her own: nothing to do
    page.keyboard.press("?")
    sheet = page.get_by_role("dialog", name="Atajos de teclado")
    expect(sheet).to_contain_text("Rechazar la anotación elegida (con un comentario)")
    expect(sheet).to_contain_text("Alt+N")
    page.keyboard.press("Escape")
    expect(sheet).to_be_hidden()

    shown = _review_of(server, tasks[SOUP])
    assert shown["Ana"]["verdict"] == "rejected"
    assert shown["Ana"]["reviews"][-1]["comment"] == "Frío y tarde es negativo."
    assert shown["Beto"]["verdict"] == "accepted"
    assert shown["Rita"]["verdict"] is None

    # the reviewer loses the role while the page is open: the API's refusal, in Spanish
    rita_id = server.user_id(team["reviewer"])
    server.api(
        "PATCH", f"/api/v1/workspaces/{team['workspace']}/members/{rita_id}", json={"role": "annotator"}
    )
    with api_session(server, team["reviewer"], lang="es") as client:
        refused = client.post(
            f"/api/v1/annotations/{shown['Ana']['id']}/reviews", json={"verdict": "accepted"}
        )
    assert refused.status_code == 403, refused.text
    message = refused.json()["error"]["message"]
    assert message == "Su rol no permite esta acción."
    page.keyboard.press("1")
    page.keyboard.press("a")
    expect(ana.get_by_test_id("review-error")).to_have_text(message)
    expect(ana.get_by_test_id("verdict")).to_have_text("Rechazada")
    assert _review_of(server, tasks[SOUP])["Ana"]["verdict"] == "rejected"

    assert_no_csp_violation(tab.console_errors)
    assert tab.page_errors == []


# every kind of control: the four the reviewer edits, and spans, shown read-only and kept as they are
ALL_KINDS: dict[str, Any] = {
    "controls": [
        *REVIEW["controls"],
        {
            "name": "mentions",
            "type": "spans",
            "field": "text",
            "title": {"en": "Mentions", "es": "Menciones"},
            "labels": [{"value": "product", "names": {"en": "Product", "es": "Producto"}}],
        },
    ]
}


def test_a_fix_edits_every_kind_of_answer_and_keeps_the_spans(
    server: Server, open_tab: Callable[..., Tab]
) -> None:
    workspace = server.workspace("Fix e2e")
    reviewer = server.user(role="reviewer", workspace_id=workspace, name="Rita")
    annotator = server.user(role="annotator", workspace_id=workspace, name="Ana")
    text = "Kettle 😀 boils fast"
    project = server.project(workspace, "Fix kinds", ALL_KINDS, [text])
    spans = [{"start": 0, "end": 6, "label": "product"}, {"start": 7, "end": 8, "label": "product"}]
    given = {"sentiment": "positive", "topics": ["price"], "confidence": 2, "mentions": spans}
    _label_all(server, annotator, project, {text: (given, "human")})
    task_id = server.annotations(project)[0]["task_id"]

    tab = open_tab()
    page = tab.page
    log_in(page, reviewer)
    page.goto(f"/#/projects/{project}/review/tasks/{task_id}")
    card = _card(page, "Ana")
    answer = card.get_by_test_id("answer")
    expect(answer).to_contain_text("Positive")
    expect(answer).to_contain_text("Price")
    expect(answer).to_contain_text("2 of 5")
    expect(answer.locator("q")).to_have_text(["Kettle", "😀"])  # code-point offsets, as the API counts

    page.keyboard.press("1")
    page.keyboard.press("f")
    expect(card.get_by_role("radio", name="Positive")).to_be_focused()
    expect(card.get_by_test_id("fix-read-only")).to_have_text(
        "Spans cannot be edited here yet: they are kept as the annotator marked them."
    )
    assert_every_control_labelled(page)
    page.keyboard.press("ArrowRight")  # Positive → Negative
    tab_to(page, lambda el: el["type"] == "checkbox" and el["value"] == "price", "the first topic")
    page.keyboard.press("Space")  # not Price
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # Delivery
    tab_to(page, lambda el: el["type"] == "radio" and el["value"] == "2", "the rating")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # 2 → 4
    tab_to(page, lambda el: el["tag"] == "textarea", "the note")
    page.keyboard.type("mentions the emoji")
    page.keyboard.press("Control+Enter")
    expect(card.get_by_test_id("verdict")).to_have_text("Fixed")

    fixed = _review_of(server, task_id)["Ana"]["reviews"][-1]["fixed_result"]
    assert fixed == {
        "sentiment": "negative",
        "topics": ["delivery"],
        "confidence": 4,
        "note": "mentions the emoji",
        "mentions": spans,
    }
    expect(card.get_by_test_id("fixed-answer")).to_contain_text("4 of 5")
    assert_no_csp_violation(tab.console_errors)
    assert tab.page_errors == []


def test_the_queue_loads_more_and_next_crosses_pages(server: Server, open_tab: Callable[..., Tab]) -> None:
    workspace = server.workspace("Paging e2e")
    reviewer = server.user(role="reviewer", workspace_id=workspace, locale="es")
    annotator = server.user(role="annotator", workspace_id=workspace, name="Ana")
    texts = [f"text number {n}" for n in range(55)]
    project = server.project(workspace, "Many", SENTIMENT, texts)
    _label_all(
        server, annotator, project, {t: ({"sentiment": "neutral"}, "human") for t in texts}, lead_ms=800
    )
    ids = sorted((a["task_id"] for a in server.annotations(project)), reverse=True)

    tab = open_tab()
    page = tab.page
    log_in(page, reviewer)  # in Spanish, the profile's language
    page.goto(f"/#/projects/{project}/review")
    rows = page.get_by_test_id("review-queue").locator("tbody tr")
    expect(rows).to_have_count(50)
    page.get_by_test_id("load-more").click()
    expect(rows).to_have_count(55)
    expect(page.get_by_role("link", name=f"Tarea {_es(ids[50])}")).to_be_focused()
    expect(page.get_by_test_id("load-more")).to_have_count(0)

    # opened by its address (no list loaded): Alt+N from the last task of page one loads page two
    page.goto(f"/#/projects/{project}/review/tasks/{ids[49]}")
    heading = page.get_by_test_id("review-task-heading")
    expect(heading).to_have_text(f"Revisión de la tarea {_es(ids[49])}")
    page.keyboard.press("Alt+n")
    expect(heading).to_have_text(f"Revisión de la tarea {_es(ids[50])}")
    page.keyboard.press("Alt+p")
    expect(heading).to_have_text(f"Revisión de la tarea {_es(ids[49])}")
    assert_no_csp_violation(tab.console_errors)
    assert tab.page_errors == []
