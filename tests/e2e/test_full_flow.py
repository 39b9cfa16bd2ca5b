"""The issue's whole flow in one test, in English and in Spanish: an admin creates a project in the browser
and imports 50 tasks from a file, adds two annotators on the Members page; each annotator signs in and
labels five tasks with the keyboard only (the same five: overlap 2); the admin opens one of those tasks
in Review and sees both answers side by side; the export downloaded from the Export page holds exactly
what they submitted. Every screen is in the chosen UI language, its texts taken from the web app's own
catalogs (web/src/lib/i18n/*.json)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
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
from tests.e2e.manage import jsonl, switch_language, upload
from tests.e2e.test_i18n_catalogs import _catalog
from tests.e2e.test_review import _card

LABELS = [  # value, English name, Spanish name, hotkey
    ("positive", "Positive", "Positivo", "1"),
    ("negative", "Negative", "Negativo", "2"),
    ("neutral", "Neutral", "Neutral", "3"),
]
SCHEMA = {
    "controls": [
        {
            "name": "sentiment",
            "type": "choice",
            "field": "text",
            "required": True,
            "title": {"en": "Sentiment", "es": "Sentimiento"},
            "labels": [{"value": v, "names": {"en": en, "es": es}, "hotkey": k} for v, en, es, k in LABELS],
        }
    ]
}
KEYS = {value: key for value, _, _, key in LABELS}
VALUES = [value for value, *_ in LABELS]
TEXTS = [f"Review {n:02d}: {VALUES[n % 3]}" for n in range(50)]
PER_ANNOTATOR = 5


def _answer(annotator: int, text: str) -> str:
    """What annotator 0 or 1 says of ``text``: the first the label the text names, the second the next one."""
    said = text.rsplit(": ", 1)[1]
    return VALUES[(VALUES.index(said) + annotator) % len(VALUES)]


def _label_name(value: str, lang: str) -> str:
    return next(es if lang == "es" else en for v, en, es, _ in LABELS if v == value)


def _messages(lang: str) -> Callable[..., str]:
    """``t(key, name=value)``: the UI's text for ``key`` in ``lang``, placeholders filled."""
    catalog = _catalog(lang)

    def t(key: str, **params: Any) -> str:
        return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: str(params[m.group(1)]), str(catalog[key]))

    return t


def _number(page: Page, lang: str, value: int) -> str:
    return str(page.evaluate("([lang, v]) => new Intl.NumberFormat(lang).format(v)", [lang, value]))


def _create_project(page: Page, t: Callable[..., str], workspace: int, lang: str) -> int:
    """The new-project page: name, overlap 2, the choice control through the form; its id once created."""
    page.get_by_test_id(f"workspace-{workspace}-new-project").click()
    expect(page.get_by_role("heading", name=t("manager.editor.new_title"))).to_be_visible()
    page.get_by_label(t("manager.editor.name"), exact=True).fill(f"Full flow ({lang})")
    page.get_by_label(t("manager.editor.overlap"), exact=True).fill("2")
    control = page.get_by_test_id("control-0")
    control.get_by_label(t("manager.schema.name"), exact=True).fill("sentiment")
    expect(control.get_by_label(t("manager.schema.type"), exact=True)).to_have_value("choice")
    control.get_by_label(t("manager.schema.title_en"), exact=True).fill("Sentiment")
    control.get_by_label(t("manager.schema.title_es"), exact=True).fill("Sentimiento")
    for n, (value, en, es, key) in enumerate(LABELS, start=1):
        if n > 1:
            control.get_by_role("button", name=t("manager.schema.add_label"), exact=True).click()
        control.get_by_label(t("manager.schema.label_value_n", n=n), exact=True).fill(value)
        control.get_by_label(t("manager.schema.label_name_en_n", n=n), exact=True).fill(en)
        control.get_by_label(t("manager.schema.label_name_es_n", n=n), exact=True).fill(es)
        control.get_by_label(t("manager.schema.label_hotkey_n", n=n), exact=True).fill(key)
    assert_every_control_labelled(page)
    # the JSON view shows what the form holds
    page.get_by_role("button", name=t("manager.schema.view_json"), exact=True).click()
    assert json.loads(page.locator("#schema-json").input_value()) == SCHEMA
    page.get_by_role("button", name=t("manager.editor.create"), exact=True).click()
    expect(page.get_by_test_id("flash")).to_have_text(t("manager.editor.created", name=f"Full flow ({lang})"))
    match = re.search(r"#/projects/(\d+)/import$", page.url)
    assert match, page.url
    return int(match.group(1))


def _add_member(page: Page, t: Callable[..., str], email: str, name: str) -> None:
    page.get_by_label(t("manager.members.email"), exact=True).fill(email)
    page.get_by_label(t("manager.members.role"), exact=True).select_option("annotator")
    page.get_by_role("button", name=t("manager.members.add"), exact=True).click()
    expect(page.get_by_test_id("members-status")).to_have_text(
        t("manager.members.added", who=f"{name} ({email})", role=t("roles.annotator"))
    )


def _label_by_keyboard(
    page: Page, t: Callable[..., str], lang: str, annotator: int, email: str, project: int
) -> dict[str, str]:
    """Sign in and label PER_ANNOTATOR tasks with keys only; text → the label submitted."""
    # the login form has the focus; the header's language menu is before it (Shift+Tab), its next
    # option is Español (ArrowDown), and Tab goes back through the header to the e-mail field
    expect(page.locator("#login-email")).to_be_focused()
    if lang != "en":
        for _ in range(5):
            page.keyboard.press("Shift+Tab")
            if focused(page)["id"] == "language-select":
                break
        assert focused(page)["id"] == "language-select"
        page.keyboard.press("ArrowDown")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        tab_to(page, lambda el: el["id"] == "login-email", "the e-mail field")
    expect(page.get_by_role("heading", name=t("login.title"))).to_be_visible()
    expect(page.get_by_role("button", name=t("login.submit"), exact=True)).to_be_visible()
    log_in(page, email)
    expect(page.get_by_role("heading", name=t("home.title"))).to_be_visible()
    expect(
        page.get_by_test_id(f"project-{project}").get_by_role("link", name=t("home.start_labeling"))
    ).to_be_visible()
    start_labeling(page, project)

    done: dict[str, str] = {}
    heading, text = next_task(page)
    expect(page.get_by_role("button", name=t("annotate.submit"), exact=True)).to_be_visible()
    for index in range(PER_ANNOTATOR):
        if index > 0:
            heading, text = next_task(page, heading)
        answer = _answer(annotator, text)
        page.keyboard.press(KEYS[answer])
        expect(page.get_by_role("radio", name=_label_name(answer, lang), exact=True)).to_be_checked()
        page.keyboard.press("Enter")
        done[text] = answer
        mine = t("annotate.progress_mine", submitted=index + 1, skipped=0, available="AVAILABLE")
        expect(page.get_by_test_id("progress-mine")).to_have_text(
            re.compile(re.escape(mine).replace("AVAILABLE", r"[\d.,\s]+"))
        )
    return done


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_whole_flow(server: Server, open_tab: Callable[..., Tab], tmp_path: Path, lang: str) -> None:
    t = _messages(lang)
    workspace = server.workspace(f"Full flow {lang} e2e")
    admin = server.user(role="admin", workspace_id=workspace, name="Ada")
    names = ["Ana", "Beto"]
    annotators = [f"{server.unique(name.lower())}@e2e.test" for name in names]
    for email, name in zip(annotators, names, strict=True):
        server.api("POST", "/api/v1/users", json={"email": email, "password": PASSWORD, "name": name})

    # 1. the admin, in the chosen language: a new project, then 50 tasks from a file
    tab = open_tab()
    page = tab.page
    if lang != "en":
        switch_language(page, lang)
    expect(page.get_by_role("heading", name=t("login.title"))).to_be_visible()
    log_in(page, admin)
    expect(page.get_by_role("heading", name=t("home.title"))).to_be_visible()
    project = _create_project(page, t, workspace, lang)
    expect(page.get_by_role("heading", name=t("manager.import.heading"))).to_be_visible()
    tasks_file = tmp_path / "reviews.jsonl"
    tasks_file.write_bytes(jsonl([{"data": {"text": text}} for text in TEXTS]))
    upload(page, tasks_file.name, tasks_file.read_bytes())
    expect(page.get_by_test_id("import-result")).to_contain_text(
        t("manager.import.done_summary", created=50, duplicates=0)
    )
    created = server.api("GET", f"/api/v1/projects/{project}")
    assert created["overlap"] == 2 and created["task_count"] == 50
    # the server gives each label a default colour
    stored = [
        {k: v for k, v in lb.items() if k != "color"} for lb in created["schema"]["controls"][0]["labels"]
    ]
    assert stored == SCHEMA["controls"][0]["labels"]

    # 2. two annotators join the workspace on the Members page
    page.get_by_role("link", name=t("header.projects"), exact=True).first.click()
    page.get_by_test_id(f"workspace-{workspace}-members").click()
    expect(page.get_by_role("heading", name=re.compile(t("manager.members.title")))).to_be_visible()
    for email, name in zip(annotators, names, strict=True):
        _add_member(page, t, email, name)

    # 3. each labels five tasks by keyboard: the same five, as overlap 2 hands them out
    labelled: list[dict[str, str]] = []
    for number, email in enumerate(annotators):
        annotator_tab = open_tab()
        labelled.append(_label_by_keyboard(annotator_tab.page, t, lang, number, email, project))
        assert_no_csp_violation(annotator_tab.console_errors)
        assert annotator_tab.page_errors == []
        annotator_tab.page.context.close()
    shared = sorted(set(labelled[0]) & set(labelled[1]))
    assert shared, f"no task was labelled by both: {labelled}"

    annotations = server.annotations(project)
    assert len(annotations) == 2 * PER_ANNOTATOR
    task_ids = {
        task["data"]["text"]: int(task["id"])
        for task in server.api("GET", f"/api/v1/projects/{project}/tasks", params={"limit": 100})["items"]
    }
    ids = {server.user_id(email): number for number, email in enumerate(annotators)}

    # 4. the admin reviews a task both labelled: both answers side by side, in the UI language
    page.get_by_role("link", name=t("header.projects"), exact=True).first.click()
    page.get_by_test_id(f"project-{project}-review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(t("review.queue.title"))
    text = shared[0]
    row = page.get_by_test_id(f"queue-task-{task_ids[text]}")
    row.get_by_role("link", name=t("review.queue.task_link", id=_number(page, lang, task_ids[text]))).click()
    expect(page.get_by_test_id("review-task-heading")).to_have_text(
        t("review.task.title", id=_number(page, lang, task_ids[text]))
    )
    expect(page.get_by_test_id("task-text")).to_have_text(text)
    expect(page.locator("article.review-annotation")).to_have_count(2)
    for number, name in enumerate(names):
        card = _card(page, name)
        expect(card.get_by_test_id("annotator-name")).to_have_text(name)
        expect(card.get_by_test_id("verdict")).to_have_text(t("review.verdict.none"))
        expect(card.get_by_test_id("answer")).to_contain_text(_label_name(_answer(number, text), lang))

    # 5. the export page's download holds exactly what each annotator submitted
    page.get_by_role("link", name=t("header.projects"), exact=True).first.click()
    page.get_by_test_id(f"project-{project}-export").click()
    expect(page.get_by_role("heading", name=t("manager.export.heading"))).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name=t("manager.export.download"), exact=True).click()
    lines = [json.loads(line) for line in Path(download.value.path()).read_text().splitlines()]
    assert len(lines) == 50
    exported = {
        line["data"]["text"]: {ids[a["annotator_id"]]: a["result"] for a in line["annotations"]}
        for line in lines
        if line["annotations"]
    }
    expected: dict[str, dict[int, dict[str, str]]] = {}
    for number, done in enumerate(labelled):
        for text_, answer in done.items():
            expected.setdefault(text_, {})[number] = {"sentiment": answer}
    assert exported == expected
    for text_ in shared:
        assert exported[text_] == {0: {"sentiment": _answer(0, text_)}, 1: {"sentiment": _answer(1, text_)}}

    # 6. nothing blocked, nothing thrown
    assert_no_csp_violation(tab.console_errors)
    assert tab.page_errors == []
