"""Screenshots of every main screen of the web app, in English and Spanish (``make screenshots``).

Starts ``consenso serve`` on a fresh SQLite database with the demo (``consenso demo``'s data), has the
demo annotators submit some work through the API so that the dashboard and the quality summary have
figures, then drives Debian's Chromium (as the browser tests do) through the screens at 1280×800 and
writes ``<lang>-<screen>.png`` into the output folder (default ``docs/screenshots``).

    .venv/bin/python -m tests.e2e.screenshots [OUTPUT_DIR]
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, expect, sync_playwright

from tests.e2e.conftest import (
    BUILT_INDEX,
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    StartupError,
    serving,
)

VIEWPORT = {"width": 1280, "height": 800}
LANGUAGES = ("en", "es")
IMPORT_SAMPLE = [
    {"data": {"text": "The battery lasts two full days."}, "meta": {"language": "en"}},
    {"data": {"text": "La pantalla se raya con facilidad."}, "meta": {"language": "es"}},
    {"data": {"text": "Shipping took three weeks."}, "meta": {"language": "en"}},
    {"data": {"text": "Excelente relación calidad-precio."}, "meta": {"language": "es"}},
    {"data": {"text": "The battery lasts two full days."}, "meta": {"language": "en"}},
]
IMPORT_SAMPLE_ES = [
    {"data": {"text": "El envío llegó un día antes de lo previsto."}, "meta": {"language": "es"}},
    {"data": {"text": "The case cracked within a week."}, "meta": {"language": "en"}},
    {"data": {"text": "Funciona, pero el manual es confuso."}, "meta": {"language": "es"}},
    {"data": {"text": "Great sound for the price."}, "meta": {"language": "en"}},
    {"data": {"text": "El envío llegó un día antes de lo previsto."}, "meta": {"language": "es"}},
]


@contextmanager
def demo_server() -> Iterator[tuple[str, dict[str, str], int]]:
    """A served demo: (url, e-mail → password, project id)."""
    from consenso.services.demo import create_demo
    from consenso.store.database import Database
    from consenso.store.migrate import upgrade

    with tempfile.TemporaryDirectory(prefix="consenso-screenshots-") as tmp:
        data_dir = Path(tmp)
        database_url = f"sqlite:///{data_dir / 'consenso.db'}"
        db = Database(database_url)
        try:
            upgrade(db)
            demo = create_demo(db)
        finally:
            db.dispose()
        passwords = {account.email: account.password for account in demo.accounts}
        try:
            with serving(data_dir, database_url) as url:
                yield url, passwords, demo.project_id
        except StartupError as exc:
            raise SystemExit(str(exc)) from exc


def session(url: str, email: str, password: str) -> httpx.Client:
    """An API client logged in as ``email`` (session cookie and CSRF token)."""
    client = httpx.Client(base_url=url, timeout=30)
    login = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    login.raise_for_status()
    client.headers["X-CSRF-Token"] = login.json()["csrf_token"]
    return client


def label_some(url: str, email: str, password: str, project_id: int, count: int, seed: int) -> None:
    """``count`` annotations by ``email``, with plausible answers and lead times."""
    rng = random.Random(seed)
    client = session(url, email, password)
    try:
        for _ in range(count):
            task = client.get(f"/api/v1/projects/{project_id}/next")
            if task.status_code == 204:
                return
            task.raise_for_status()
            answer = rng.choice(["positive", "positive", "negative", "neutral"])
            response = client.post(
                f"/api/v1/tasks/{task.json()['id']}/annotations",
                json={"result": {"sentiment": answer}, "lead_time_ms": rng.randint(1500, 9000)},
                headers={"Idempotency-Key": f"shot-{email}-{task.json()['id']}"},
            )
            response.raise_for_status()
    finally:
        client.close()


PAUSED_EMAIL = "carla@demo.consenso"


def pause_an_annotator(url: str, passwords: dict[str, str], project_id: int) -> str:
    """A new annotator, Carla, answers a few tasks and then three gold tasks wrong: with the default QA
    settings (three gold answers at least, minimum accuracy 60 %) she is paused. Returns her password."""
    admin = session(url, "admin@demo.consenso", passwords["admin@demo.consenso"])
    try:
        workspace = admin.get(f"/api/v1/projects/{project_id}").raise_for_status().json()["workspace_id"]
        password = "carla-demo-password"
        user = admin.post(
            "/api/v1/users",
            json={"email": PAUSED_EMAIL, "password": password, "name": "Carla (annotator)", "locale": "es"},
        ).raise_for_status()
        admin.post(
            f"/api/v1/workspaces/{workspace}/members",
            json={"user_id": user.json()["id"], "role": "annotator"},
        ).raise_for_status()
        tasks = admin.get(f"/api/v1/projects/{project_id}/tasks", params={"limit": 500}).raise_for_status()
        untouched = [t["id"] for t in tasks.json()["items"] if t["annotation_count"] == 0][-3:]
        for task_id in untouched:
            admin.put(
                f"/api/v1/tasks/{task_id}/gold", json={"result": {"sentiment": "positive"}}
            ).raise_for_status()
    finally:
        admin.close()
    carla = session(url, PAUSED_EMAIL, password)
    try:
        for n in range(4):
            task = carla.get(f"/api/v1/projects/{project_id}/next").raise_for_status().json()
            if task["id"] in untouched:
                continue  # answered below
            carla.post(
                f"/api/v1/tasks/{task['id']}/annotations",
                json={"result": {"sentiment": "negative"}, "lead_time_ms": 4000 + 900 * n},
                headers={"Idempotency-Key": f"shot-carla-{task['id']}"},
            ).raise_for_status()
        for task_id in untouched:
            carla.post(
                f"/api/v1/tasks/{task_id}/annotations",
                json={"result": {"sentiment": "negative"}, "lead_time_ms": 3000},
                headers={"Idempotency-Key": f"shot-carla-gold-{task_id}"},
            ).raise_for_status()
        if carla.get(f"/api/v1/projects/{project_id}/next").status_code != 403:
            raise SystemExit("the demo annotator Carla was not paused")
    finally:
        carla.close()
    return password


def route_some_tasks(url: str, passwords: dict[str, str], project_id: int) -> None:
    """Routing for the QA screens: the demo people get language skills (Ben's Spanish is below the
    default B2), two untouched Spanish tasks require Spanish and one requires es-CO medical knowledge,
    which nobody has (an unstaffed row on the routing page)."""
    admin = session(url, "admin@demo.consenso", passwords["admin@demo.consenso"])
    try:
        workspace = admin.get(f"/api/v1/projects/{project_id}").raise_for_status().json()["workspace_id"]
        members = admin.get(f"/api/v1/workspaces/{workspace}/members").raise_for_status().json()
        ids = {m["email"]: m["user_id"] for m in members}
        skills = {
            "annotator1@demo.consenso": {
                "languages": [{"code": "es", "level": "native"}, {"code": "en", "level": "C1"}],
                "domains": [],
            },
            "annotator2@demo.consenso": {
                "languages": [{"code": "en", "level": "native"}, {"code": "es", "level": "B1"}],
                "domains": [],
            },
            "reviewer@demo.consenso": {
                "languages": [{"code": "es", "dialect": "es-MX", "level": "native"}],
                "domains": ["finance"],
            },
        }
        for email, given in skills.items():
            admin.patch(
                f"/api/v1/workspaces/{workspace}/members/{ids[email]}", json={"skills": given}
            ).raise_for_status()
        tasks = admin.get(f"/api/v1/projects/{project_id}/tasks", params={"limit": 500}).raise_for_status()
        gold = admin.get(f"/api/v1/projects/{project_id}/gold").raise_for_status().json()["items"]
        untouched = [
            t
            for t in tasks.json()["items"]
            if t["annotation_count"] == 0 and t["id"] not in {g["id"] for g in gold}
        ]
        spanish = [t["id"] for t in untouched if t["meta"].get("language") == "es"][-3:]
        for task_id, requirements in zip(
            spanish,
            [
                {"language": "es"},
                {"language": "es"},
                {"language": "es", "dialect": "es-CO", "domain": "medical"},
            ],
            strict=False,
        ):
            admin.put(f"/api/v1/tasks/{task_id}/requirements", json=requirements).raise_for_status()
    finally:
        admin.close()


def log_in(page: Page, email: str, password: str, lang: str) -> None:
    page.goto("/")
    page.locator("#language-select").select_option(lang)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    page.locator("#login-email").fill(email)
    page.locator("#login-password").fill(password)
    page.locator("#login-password").press("Enter")
    expect(page.locator("#login-email")).to_have_count(0)


def shoot(page: Page, out: Path, lang: str, name: str) -> None:
    page.wait_for_timeout(150)  # let focus rings and transitions settle
    path = out / f"{lang}-{name}.png"
    page.screenshot(path=str(path))
    print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def screens(browser: Any, url: str, passwords: dict[str, str], project_id: int, out: Path, lang: str) -> None:
    admin, annotator = "admin@demo.consenso", "annotator1@demo.consenso"
    folder = Path(tempfile.mkdtemp(prefix="consenso-import-"))
    sample = folder / ("reviews.jsonl" if lang == "en" else "resenas.jsonl")
    csp_errors: list[str] = []

    def new_page() -> Page:
        context = browser.new_context(viewport=VIEWPORT, base_url=url, locale=lang)
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.on(
            "console",
            lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
        )
        return page

    # login, then the annotator's screens
    page = new_page()
    page.goto("/")
    page.locator("#language-select").select_option(lang)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    shoot(page, out, lang, "login")
    log_in(page, annotator, passwords[annotator], lang)
    expect(page.get_by_test_id(f"project-{project_id}")).to_be_visible()
    page.goto(f"/#/projects/{project_id}/annotate")
    expect(page.locator("#task-heading")).to_be_focused()
    page.keyboard.press("1")
    shoot(page, out, lang, "labeling")
    page.keyboard.press("Alt+g")
    expect(page.get_by_test_id("guidelines-text")).to_be_visible()
    shoot(page, out, lang, "guidelines")
    page.context.close()

    # a paused annotator's screen, and an annotator's own quality figures
    page = new_page()
    log_in(page, PAUSED_EMAIL, passwords[PAUSED_EMAIL], lang)
    page.goto(f"/#/projects/{project_id}/annotate")
    expect(page.get_by_test_id("paused-message")).to_be_visible()
    shoot(page, out, lang, "paused")
    page.context.close()
    page = new_page()
    ben = "annotator2@demo.consenso"
    log_in(page, ben, passwords[ben], lang)
    page.goto(f"/#/projects/{project_id}/my-quality")
    expect(page.get_by_test_id("own-figures")).to_be_visible()
    shoot(page, out, lang, "my-quality")
    page.context.close()

    # the admin's screens
    page = new_page()
    log_in(page, admin, passwords[admin], lang)
    expect(page.get_by_test_id(f"project-{project_id}")).to_be_visible()
    shoot(page, out, lang, "projects")

    page.goto(f"/#/projects/{project_id}/settings")
    expect(page.locator("#project-name")).to_have_value("Sentiment (English / Español)")
    page.evaluate("window.scrollTo(0, document.querySelector('[data-testid=control-0]').offsetTop - 120)")
    shoot(page, out, lang, "editor-form")
    page.get_by_role("button", name="JSON").click()
    text = page.locator("#schema-json")
    schema = json.loads(text.input_value())
    schema["controls"][0]["labels"][2]["hotkey"] = "1"
    schema["controls"][1]["max_length"] = 0
    text.fill(json.dumps(schema, indent=2, ensure_ascii=False))
    page.locator("form.project-editor button[type=submit]").click()
    expect(page.get_by_test_id("schema-issues").locator("li")).to_have_count(2)
    page.evaluate("window.scrollTo(0, document.querySelector('#schema-json').offsetTop - 160)")
    shoot(page, out, lang, "editor-json")

    records = IMPORT_SAMPLE if lang == "en" else IMPORT_SAMPLE_ES
    sample.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in records))
    try:
        page.goto(f"/#/projects/{project_id}/import")
        page.locator("#import-file").set_input_files(str(sample))
        page.locator("form.import-form button[type=submit]").click()
        expect(page.get_by_test_id("import-result")).to_be_visible()
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        shoot(page, out, lang, "import-result")
        bad = [*records[:3], {"data": {"body": "no text field"}}, *records[3:]]
        sample.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in bad))
        page.locator("#import-file").set_input_files(str(sample))
        page.locator("form.import-form button[type=submit]").click()
        expect(page.get_by_test_id("import-error")).to_be_visible()
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        shoot(page, out, lang, "import-error")
    finally:
        sample.unlink(missing_ok=True)
        folder.rmdir()

    page.goto("/")
    page.get_by_test_id("workspace-1-members").click()
    expect(page.get_by_test_id("member-reviewer@demo.consenso")).to_be_visible()
    shoot(page, out, lang, "members")

    page.goto(f"/#/projects/{project_id}/dashboard")
    expect(page.get_by_test_id("annotators-table")).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, out, lang, "dashboard")
    page.evaluate("window.scrollTo(0, document.querySelector('#activity-title').offsetTop - 20)")
    shoot(page, out, lang, "dashboard-activity")

    page.goto(f"/#/projects/{project_id}/quality")
    expect(page.get_by_test_id("reliability-table")).to_be_visible()
    page.get_by_test_id("select-annotator2@demo.consenso").click()
    expect(page.get_by_test_id("confusion-sentiment")).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, out, lang, "quality")
    page.evaluate("window.scrollTo(0, document.querySelector('#annotator-detail').offsetTop - 20)")
    shoot(page, out, lang, "quality-detail")

    # adjudication: the queue of escalated tasks, then one task with a decision being written (not sent:
    # both languages show the same queue)
    page.goto(f"/#/projects/{project_id}/adjudication")
    expect(page.get_by_test_id("adjudication-queue")).to_be_visible()
    shoot(page, out, lang, "adjudication-queue")
    page.get_by_test_id("adjudication-queue").locator("tbody tr a").first.click()
    expect(page.get_by_test_id("adjudication-heading")).to_be_focused()
    shoot(page, out, lang, "adjudication-task")
    page.keyboard.press("s")
    page.get_by_test_id("decision-reasoning").fill(
        "Both readings fit; the last sentence decides it."
        if lang == "en"
        else "Caben las dos lecturas; la última frase lo decide."
    )
    # the form at the bottom, the answers' reliability above it
    page.evaluate(
        "window.scrollTo(0, document.querySelector('[data-testid=decision-form]').getBoundingClientRect().bottom"
        " + window.scrollY - window.innerHeight + 24)"
    )
    shoot(page, out, lang, "adjudication-decision")

    # QA: the settings in the project editor, gold tasks (one being marked), routing, member skills
    page.goto(f"/#/projects/{project_id}/settings")
    expect(page.get_by_test_id("qa-settings")).to_be_visible()
    page.evaluate("window.scrollTo(0, document.querySelector('[data-testid=qa-settings]').offsetTop - 20)")
    shoot(page, out, lang, "qa-settings")
    admin_api = session(url, admin, passwords[admin])
    try:
        listed = admin_api.get(
            f"/api/v1/projects/{project_id}/tasks", params={"limit": 500}
        ).raise_for_status()
        fresh = [
            t
            for t in listed.json()["items"]
            if t["annotation_count"] == 0 and not any((t["requirements"] or {}).values())
        ]
    finally:
        admin_api.close()
    page.goto(f"/#/projects/{project_id}/gold")
    expect(page.get_by_test_id("gold-table")).to_be_visible()
    if fresh:
        page.locator("#gold-task-id").fill(str(fresh[0]["id"]))
        page.locator("#gold-task-id").press("Enter")
        expect(page.locator("#gold-editor-title")).to_be_focused()
        page.keyboard.press("2")
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, out, lang, "gold")
    if fresh:
        page.get_by_test_id("gold-editor").locator(".actions button.secondary").click()
        expect(page.get_by_test_id("gold-editor")).to_have_count(0)
    page.evaluate("window.scrollTo(0, document.querySelector('#gold-list-title').offsetTop - 20)")
    shoot(page, out, lang, "gold-list")
    page.goto(f"/#/projects/{project_id}/routing")
    expect(page.get_by_test_id("routing-table")).to_be_visible()
    shoot(page, out, lang, "routing")
    page.goto("/")
    page.get_by_test_id("workspace-1-members").click()
    ben_row = page.get_by_test_id("member-annotator2@demo.consenso")
    ben_row.locator("button[id^=skills-edit-]").click()
    expect(page.get_by_test_id("skills-editor-annotator2@demo.consenso")).to_be_visible()
    page.evaluate("window.scrollTo(0, document.querySelector('#members-list-title').offsetTop - 20)")
    shoot(page, out, lang, "member-skills")

    page.goto(f"/#/projects/{project_id}/export")
    expect(page.get_by_test_id("quality-table")).to_be_visible()
    shoot(page, out, lang, "export")
    page.context.close()
    if csp_errors:
        raise SystemExit(f"the CSP blocked something: {csp_errors}")


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "docs" / "screenshots"
    if not BUILT_INDEX.exists():
        raise SystemExit(f"the web app is not built ({BUILT_INDEX} is missing): run `make web`")
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing: run tools/ensure-chromium")
    out.mkdir(parents=True, exist_ok=True)
    with demo_server() as (url, passwords, project_id):
        label_some(url, "annotator2@demo.consenso", passwords["annotator2@demo.consenso"], project_id, 18, 1)
        label_some(url, "reviewer@demo.consenso", passwords["reviewer@demo.consenso"], project_id, 9, 2)
        label_some(url, "annotator1@demo.consenso", passwords["annotator1@demo.consenso"], project_id, 12, 3)
        passwords[PAUSED_EMAIL] = pause_an_annotator(url, passwords, project_id)
        route_some_tasks(url, passwords, project_id)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                for lang in LANGUAGES:
                    print(f"{lang}:")
                    screens(browser, url, passwords, project_id, out, lang)
            finally:
                browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
