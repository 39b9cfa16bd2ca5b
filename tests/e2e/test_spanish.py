"""The same work with the UI in Spanish: the switch, remembered; Spanish texts, labels, numbers and dates;
the API's error messages in Spanish; every control type filled in by keyboard."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.app import (
    assert_every_control_labelled,
    assert_no_csp_violation,
    focused,
    log_in,
    next_task,
    start_labeling,
    tab_to,
)
from tests.e2e.conftest import PASSWORD, Server, Tab
from tests.e2e.schemas import REVIEW

# text → (sentiment key, topic digits, confidence, note)
PLAN = {
    "Llegó tarde pero el precio es bueno": ("p", ["1", "2"], 4, ""),
    "La calidad es mala y el envío caro": ("n", ["2", "3"], 2, "envío: 12,50 €"),
    "Producto excelente": ("p", ["3"], 5, ""),
}
TOPICS = {"1": "price", "2": "delivery", "3": "quality"}
GUIDELINES = {"en": "Pick every topic the review mentions.", "es": "Marque cada tema que la reseña menciona."}


def _switch_to_spanish(page: Page) -> None:
    page.get_by_label("Language").select_option("es")
    expect(page.locator("html")).to_have_attribute("lang", "es")


def _fill_by_keyboard(page: Page, sentiment: str, topics: list[str], confidence: int, note: str) -> None:
    page.keyboard.press(sentiment)
    for digit in topics:
        page.keyboard.press(digit)
    # the rating has no keys of its own here (1-3 went to the topics): Tab to it, then the arrow keys
    tab_to(
        page,
        lambda el: el["type"] == "radio" and el["value"] == "1" and "confidence" in el["name"],
        "the rating",
    )
    page.keyboard.press("Space")
    for _ in range(confidence - 1):
        page.keyboard.press("ArrowRight")
    assert focused(page)["value"] == str(confidence)
    if note:
        page.keyboard.press("Tab")
        assert focused(page)["tag"] == "textarea"
        page.keyboard.type(note)
        page.keyboard.press("Control+Enter")
    else:
        page.keyboard.press("Enter")


def test_labeling_in_spanish(server: Server, open_tab: Callable[..., Tab]) -> None:
    workspace = server.workspace("Reseñas e2e")
    email = server.user(role="annotator", workspace_id=workspace, locale="en")
    project = server.project(workspace, "Reseñas", REVIEW, list(PLAN), guidelines=GUIDELINES)

    tab = open_tab(locale="en-US")
    page = tab.page
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    _switch_to_spanish(page)
    expect(page.get_by_role("heading", name="Iniciar sesión")).to_be_visible()
    expect(page.get_by_label("Correo electrónico")).to_be_visible()
    expect(page.get_by_label("Contraseña")).to_be_visible()

    # the API's message, in Spanish, because the UI sends its language
    wrong = {"email": email, "password": PASSWORD + "-mal"}
    messages = {
        lang: httpx.post(
            f"{server.url}/api/v1/auth/login", json=wrong, headers={"Accept-Language": lang}
        ).json()["error"]["message"]
        for lang in ("en", "es")
    }
    assert messages["es"] != messages["en"]
    page.get_by_label("Correo electrónico").focus()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(wrong["password"])
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_have_text(messages["es"])

    # the choice is remembered: a new load of the page is in Spanish, and so is the profile-less default
    page.reload()
    expect(page.get_by_role("heading", name="Iniciar sesión")).to_be_visible()
    log_in(page, email)

    expect(page.get_by_role("heading", name="Sus proyectos")).to_be_visible()
    card = page.get_by_test_id(f"project-{project}")
    expect(card).to_contain_text("Anotador")
    expect(card).to_contain_text("Tareas")
    created = card.locator("time")
    spanish_date = page.evaluate(
        "(iso) => new Intl.DateTimeFormat('es', {dateStyle: 'medium'}).format(new Date(iso))",
        created.get_attribute("datetime"),
    )
    expect(created).to_have_text(spanish_date)
    expect(card.get_by_role("link", name="Empezar a etiquetar")).to_be_visible()

    start_labeling(page, project)
    heading, text = next_task(page)
    assert_every_control_labelled(page)
    expect(page.get_by_role("radio", name="Positivo")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Envío")).to_be_visible()
    expect(page.get_by_role("group", name=re.compile("Confianza"))).to_be_visible()
    expect(page.get_by_role("button", name="Enviar")).to_be_visible()

    # required answers, in Spanish
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Responda primero a las preguntas señaladas (2)")
    expect(page.get_by_text("Elija una respuesta.").first).to_be_visible()

    page.keyboard.press("Alt+g")
    expect(page.get_by_test_id("guidelines-text")).to_have_text(GUIDELINES["es"])
    page.keyboard.press("Alt+g")

    done: dict[str, tuple[str, list[str], int, str]] = {}
    for index in range(len(PLAN)):
        if index > 0:
            heading, text = next_task(page, heading)
        plan = PLAN[text]
        _fill_by_keyboard(page, *plan)
        done[text] = plan
        expect(page.get_by_test_id("progress")).to_contain_text(f"{index + 1} enviadas")
    expect(page.get_by_role("heading", name="No queda nada por etiquetar")).to_be_visible()
    assert_no_csp_violation(tab.console_errors)
    assert tab.page_errors == []

    tasks = {
        t["id"]: t["data"]["text"] for t in server.api("GET", f"/api/v1/projects/{project}/tasks")["items"]
    }
    annotations = server.annotations(project)
    assert len(annotations) == len(PLAN)
    for annotation in annotations:
        sentiment, topics, confidence, note = PLAN[tasks[annotation["task_id"]]]
        expected = {
            "sentiment": "positive" if sentiment == "p" else "negative",
            "topics": [TOPICS[d] for d in topics],
            "confidence": confidence,
        }
        if note:
            expected["note"] = note
        assert annotation["result"] == expected
        assert annotation["lead_time_ms"] > 0
