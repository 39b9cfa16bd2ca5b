"""Annotator reliability in the browser: a pause by gold accuracy, seen by the paused annotator (the API's
message in place of the task, in English and in Spanish) and by the manager on the dashboard, who resumes
them; the managers' quality page with every annotator and, for the one selected, a confusion heat map
whose cells carry the API's values; the annotator's own page with their figures and nobody else's.

Everything is set up through the API: QA settings that pause after one wrong gold answer (a gold rate of 0
so that ``next`` never serves the gold task and the test decides when it is answered), a gold task, and
two annotators' answers.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.app import assert_every_control_labelled, assert_no_csp_violation, log_in, start_labeling
from tests.e2e.conftest import Server, Tab
from tests.e2e.manage import api_session, switch_language
from tests.e2e.schemas import SENTIMENT

TEXTS = [f"Review number {n}" for n in range(10)]
GOLD_TEXT = "The gold review: clearly positive"
# Bruno answers every ordinary task (ten: a whole block of his own report, with no gold rate); Ana four
# of them, then the gold task wrong
BRUNO = [
    "positive",
    "negative",
    "positive",
    "neutral",
    "positive",
    "negative",
    "neutral",
    "positive",
    "negative",
    "positive",
]
ANA = ["positive", "negative", "negative", "neutral"]


def _answer(client: httpx.Client, task_id: int, label: str) -> httpx.Response:
    return client.post(
        f"/api/v1/tasks/{task_id}/annotations",
        json={"result": {"sentiment": label}, "lead_time_ms": 2000},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )


def _label(server: Server, email: str, project: int, labels: list[str]) -> None:
    """``email`` takes tasks with ``next`` and answers them with ``labels``, in order."""
    with api_session(server, email) as client:
        for label in labels:
            task = client.get(f"/api/v1/projects/{project}/next")
            assert task.status_code == 200, task.text
            assert _answer(client, task.json()["id"], label).status_code == 201


def _setup(server: Server) -> dict[str, Any]:
    workspace = server.workspace("Reliability e2e")
    manager = server.user(role="manager", workspace_id=workspace, name="Marta Manager")
    ana = server.user(role="annotator", workspace_id=workspace, name="Ana Anotadora")
    bruno = server.user(role="annotator", workspace_id=workspace, name="Bruno Bueno")
    project = server.project(workspace, "Reliability", SENTIMENT, [*TEXTS, GOLD_TEXT], overlap=2)
    tasks = {
        t["data"]["text"]: int(t["id"])
        for t in server.api("GET", f"/api/v1/projects/{project}/tasks")["items"]
    }
    server.api(
        "PATCH",
        f"/api/v1/projects/{project}",
        json={"qa": {"gold_rate": 0, "min_gold_answers": 1, "min_gold_accuracy": 0.9}},
    )
    server.api("PUT", f"/api/v1/tasks/{tasks[GOLD_TEXT]}/gold", json={"result": {"sentiment": "positive"}})
    _label(server, bruno, project, BRUNO)
    _label(server, ana, project, ANA)
    with api_session(server, ana) as client:
        wrong = _answer(client, tasks[GOLD_TEXT], "negative")
        assert wrong.status_code == 201, wrong.text
        refused = client.get(f"/api/v1/projects/{project}/next")
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "annotator_paused"
        messages = {"en": refused.json()["error"]["message"]}
    with api_session(server, ana, lang="es") as client:
        messages["es"] = client.get(f"/api/v1/projects/{project}/next").json()["error"]["message"]
    assert messages["en"] != messages["es"]
    return {
        "project": project,
        "manager": manager,
        "ana": ana,
        "bruno": bruno,
        "ana_id": server.user_id(ana),
        "bruno_id": server.user_id(bruno),
        "messages": messages,
    }


def _percent(page: Page, lang: str, value: float) -> str:
    """A share as the app writes it (lib/manager/format.ts, formatPercent)."""
    return str(
        page.evaluate(
            "([lang, value]) => new Intl.NumberFormat(lang, {style: 'percent', maximumFractionDigits: 1})"
            ".format(value)",
            [lang, value],
        )
    )


def _heat_cells(page: Page, control: str) -> list[list[tuple[float, str]]]:
    """The heat map of ``control`` as (data-value, text) per row and column."""
    rows = page.get_by_test_id(f"confusion-{control}").locator("tbody tr")
    out = []
    for r in range(rows.count()):
        cells = rows.nth(r).locator("td.heat-cell")
        out.append(
            [
                (float(cells.nth(c).get_attribute("data-value") or "nan"), cells.nth(c).inner_text().strip())
                for c in range(cells.count())
            ]
        )
    return out


def _assert_heat_map(page: Page, lang: str, confusion: dict[str, Any]) -> None:
    matrix = confusion["matrix"]
    assert matrix, confusion
    shown = _heat_cells(page, confusion["control"])
    assert [[value for value, _ in row] for row in shown] == matrix
    assert [[text for _, text in row] for row in shown] == [
        [_percent(page, lang, v) for v in row] for row in matrix
    ]
    # the shade follows the value: the darkest cell is the largest value
    backgrounds = (
        page.get_by_test_id(f"confusion-{confusion['control']}")
        .locator("td.heat-cell")
        .evaluate_all("(cells) => cells.map((c) => getComputedStyle(c).getPropertyValue('--heat').trim())")
    )
    assert [float(b) for b in backgrounds] == [min(1.0, max(0.0, v)) for row in matrix for v in row]


def test_a_paused_annotator_is_told_and_the_manager_resumes_them(
    server: Server, open_tab: Callable[..., Tab]
) -> None:
    world = _setup(server)
    project = world["project"]

    # the paused annotator: the API's message in place of a task, in English then in Spanish
    ana_tab = open_tab()
    ana_page = ana_tab.page
    log_in(ana_page, world["ana"])
    expect(ana_page.get_by_test_id(f"project-{project}-my-quality")).to_be_visible()
    start_labeling(ana_page, project)
    paused = ana_page.get_by_test_id("paused")
    expect(paused.get_by_test_id("paused-message")).to_have_text(world["messages"]["en"])
    expect(paused.get_by_role("heading", name="You are paused")).to_be_focused()
    expect(ana_page.locator("#task-heading")).to_have_count(0)
    expect(ana_page.get_by_test_id("progress-mine")).to_contain_text("0 available")
    switch_language(ana_page, "es")
    paused.get_by_role("button", name="Volver a comprobar").click()
    expect(paused.get_by_test_id("paused-message")).to_have_text(world["messages"]["es"])
    expect(paused.get_by_role("heading", name="Está en pausa")).to_be_focused()
    assert_every_control_labelled(ana_page)

    # the manager sees the pause on the dashboard, with the figures behind it, and resumes her
    live = server.api("GET", f"/api/v1/projects/{project}/pauses")["items"]
    assert [(p["user_id"], p["live"], p["gold_answers"], p["gold_accuracy"]) for p in live] == [
        (world["ana_id"], True, 1, 0.0)
    ]
    manager_tab = open_tab()
    page = manager_tab.page
    log_in(page, world["manager"])
    page.get_by_test_id(f"project-{project}-dashboard").click()
    row = page.get_by_test_id(f"pause-{world['ana']}")
    expect(row).to_contain_text("Ana Anotadora")
    expect(row.get_by_test_id("pause-accuracy")).to_have_text(_percent(page, "en", 0.0))
    expect(row.get_by_test_id("pause-bound")).to_have_text(_percent(page, "en", live[0]["gold_upper_bound"]))
    expect(page.get_by_test_id("pauses")).to_contain_text("minimum gold accuracy of 90%")
    resume = row.get_by_role("button", name="Resume Ana Anotadora")
    resume.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("pauses-empty")).to_be_visible()
    expect(page.get_by_role("heading", name="Paused annotators")).to_be_focused()
    after = server.api("GET", f"/api/v1/projects/{project}/pauses")["items"]
    assert [(p["user_id"], p["live"], p["resumed_by_name"]) for p in after] == [
        (world["ana_id"], False, "Marta Manager")
    ]

    # resumed: "check again" serves her a task
    paused.get_by_role("button", name="Volver a comprobar").click()
    expect(ana_page.locator("#task-heading")).to_be_focused()
    expect(ana_page.get_by_test_id("paused")).to_have_count(0)

    # the quality page: every annotator, the pause gone, a heat map with the API's values
    report = server.api("GET", f"/api/v1/projects/{project}/reliability")
    figures = {a["user_id"]: a for a in report["annotators"]}
    page.get_by_role("link", name="Annotator quality").click()
    table = page.get_by_test_id("reliability-table")
    expect(table.locator("tbody tr")).to_have_count(2)
    ana_row = page.get_by_test_id(f"reliability-{world['ana']}")
    expect(ana_row.get_by_test_id("cell-annotations")).to_have_text(
        str(figures[world["ana_id"]]["annotations"])
    )
    gold = ana_row.get_by_test_id(f"gold-{world['ana']}")
    expect(gold).to_have_attribute("data-value", "0")
    expect(gold).to_have_attribute("data-high", str(figures[world["ana_id"]]["gold"]["high"]))
    expect(gold).to_contain_text("0 of 1 gold answers correct")
    expect(ana_row.get_by_test_id("paused-badge")).to_have_count(0)
    page.get_by_test_id(f"select-{world['ana']}").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Ana Anotadora")).to_be_visible()
    page.keyboard.press("ArrowUp" if report["annotators"][0]["user_id"] == world["bruno_id"] else "ArrowDown")
    bruno_button = page.get_by_test_id(f"select-{world['bruno']}")
    expect(bruno_button).to_be_focused()
    expect(bruno_button).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("heading", name="Bruno Bueno")).to_be_visible()
    (confusion,) = figures[world["bruno_id"]]["confusion"]
    _assert_heat_map(page, "en", confusion)
    heat_map = page.get_by_test_id("confusion-sentiment").locator("table")
    expect(heat_map.get_by_role("columnheader", name="Label given")).to_be_visible()
    expect(heat_map.get_by_role("rowheader", name="Positive")).to_be_visible()
    expect(page.get_by_test_id("annotator-detail").get_by_test_id("agreement-sentiment")).to_contain_text(
        "Sentiment"
    )
    assert_every_control_labelled(page)

    # in Spanish: the same values, written the Spanish way
    switch_language(page, "es")
    expect(heat_map.get_by_role("columnheader", name="Etiqueta dada")).to_be_visible()
    _assert_heat_map(page, "es", confusion)

    for tab in (ana_tab, manager_tab):
        assert_no_csp_violation(tab.console_errors)
        assert tab.page_errors == []


def test_the_annotators_own_page_shows_their_figures_only(
    server: Server, open_tab: Callable[..., Tab]
) -> None:
    world = _setup(server)
    project = world["project"]
    with api_session(server, world["bruno"]) as client:
        mine = client.get(f"/api/v1/projects/{project}/reliability/me")
        assert mine.status_code == 200, mine.text
        own = mine.json()
        # the managers' page is not for annotators
        assert client.get(f"/api/v1/projects/{project}/reliability").status_code == 403

    tab = open_tab()
    page = tab.page
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "/api/v1/" in r.url else None)
    log_in(page, world["bruno"])
    link = page.get_by_test_id(f"project-{project}-my-quality")
    link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{server.url}/#/projects/{project}/my-quality")
    expect(page.get_by_role("heading", name="My quality")).to_be_visible()
    expect(page.get_by_test_id("my-annotations")).to_have_text(str(own["annotator"]["annotations"]))
    assert own["annotator"]["annotations"] == len(BRUNO)
    expect(page.get_by_test_id("block-note")).to_contain_text(f"blocks of {own['block']}")
    assert own["covered_annotations"] == len(BRUNO) == own["block"]
    expect(page.get_by_test_id("block-note")).to_contain_text(f"cover your first {len(BRUNO)} annotations")
    expect(page.get_by_test_id("my-gold")).to_contain_text("No gold answers yet")
    (confusion,) = own["annotator"]["confusion"]
    _assert_heat_map(page, "en", confusion)
    # nothing of anyone else: no name, no e-mail, no call to the managers' figures
    body = page.locator("main").inner_text()
    for other in ("Ana Anotadora", world["ana"], "Marta Manager", world["manager"]):
        assert other not in body
    assert not [url for url in requests if url.endswith(f"/projects/{project}/reliability")]
    assert [url for url in requests if url.endswith(f"/projects/{project}/reliability/me")]
    assert_every_control_labelled(page)

    # the paused annotator's own page says she is paused; the annotate screen links to it
    ana_tab = open_tab()
    ana_page = ana_tab.page
    log_in(ana_page, world["ana"])
    switch_language(ana_page, "es")
    ana_page.goto(f"/#/projects/{project}/annotate")
    expect(ana_page.get_by_test_id("paused-message")).to_have_text(world["messages"]["es"])
    ana_page.get_by_test_id("paused").get_by_role("link", name="Mi calidad").click()
    expect(ana_page.get_by_test_id("my-paused")).to_contain_text("Está en pausa en este proyecto desde")
    expect(ana_page.get_by_test_id("my-annotations")).to_have_text(str(len(ANA) + 1))

    for each in (tab, ana_tab):
        assert_no_csp_violation(each.console_errors)
        assert each.page_errors == []
