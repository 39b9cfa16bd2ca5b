"""Keyboard-only moves in the web app, and checks of what a page shows (no mouse anywhere)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import PASSWORD

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el) return null;
  const described = (el.getAttribute("aria-describedby") || "").split(" ").filter(Boolean)
    .map((id) => document.getElementById(id)?.textContent?.trim() ?? "").join(" ");
  return {
    tag: el.tagName.toLowerCase(), type: el.getAttribute("type"), name: el.getAttribute("name"),
    id: el.id, text: (el.textContent || "").trim(), value: el.value ?? null, described,
    outline: getComputedStyle(el).outlineStyle,
  };
}"""


def focused(page: Page) -> dict[str, Any]:
    info = page.evaluate(FOCUSED)
    assert info is not None, "nothing has the focus"
    return dict(info)


def tab_to(
    page: Page, wanted: Callable[[dict[str, Any]], bool], what: str, limit: int = 40
) -> dict[str, Any]:
    """Press Tab until the focused element is ``wanted``; fail after ``limit`` presses."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = focused(page)
        if wanted(info):
            return info
        seen.append(f"{info['tag']}#{info['id']}:{info['text'][:20]}")
    raise AssertionError(f"Tab never reached {what}; focus went through {seen}")


def log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Sign in by keyboard: the login form puts the focus in the e-mail field."""
    expect(page.locator("#login-email")).to_be_focused()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    expect(page.locator("#login-password")).to_be_focused()
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page.locator("#login-email")).to_have_count(0)


def start_labeling(page: Page, project_id: int) -> None:
    """From the projects page, Tab to the project's "Start labeling" link and follow it with Enter."""
    expect(page.get_by_test_id(f"project-{project_id}")).to_be_visible()
    info = tab_to(
        page,
        lambda el: (
            el["tag"] == "a"
            and f"#/projects/{project_id}/annotate"
            in page.evaluate("() => document.activeElement.getAttribute('href')")
        ),
        f"the start link of project {project_id}",
    )
    assert info["outline"] != "none", "the focused link shows no focus outline"
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{page.url.split('#')[0]}#/projects/{project_id}/annotate")


def next_task(page: Page, previous: str | None = None) -> tuple[str, str]:
    """Wait for a task other than the one headed ``previous``; its (heading, text) once it has the focus.

    The annotator puts the focus on a new task's heading when the task is ready for keys.
    """
    heading = page.locator("#task-heading")
    if previous is not None:
        expect(heading).not_to_have_text(previous)
    expect(heading).to_be_focused()
    # the text of a field with a spans control is the text spans are marked on
    text = page.locator("[data-testid=task-text], [data-testid^=spans-text-]").first
    return str(heading.inner_text()), str(text.inner_text())


UNLABELLED = """() => [...document.querySelectorAll("input, select, textarea, button, a[href]")]
  .filter((el) => {
    if (el.closest("[hidden]") || el.type === "hidden") return false;
    if (el.tagName === "BUTTON" || el.tagName === "A") return !(el.textContent || "").trim() && !el.getAttribute("aria-label");
    return !(el.labels && el.labels.length) && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby");
  })
  .map((el) => el.outerHTML.slice(0, 120))"""


def assert_every_control_labelled(page: Page) -> None:
    unlabelled = page.evaluate(UNLABELLED)
    assert unlabelled == [], f"controls without an accessible name: {unlabelled}"


def assert_no_csp_violation(console_errors: list[str]) -> None:
    blocked = [m for m in console_errors if "Content Security Policy" in m]
    assert blocked == [], f"the CSP blocked something: {blocked}"
