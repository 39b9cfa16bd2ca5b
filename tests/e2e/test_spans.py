"""Entity spans over the task's text: selected with the mouse or with the keyboard, labelled with a key,
removed with a key or a click; overlaps only where the schema allows them.

The offsets the API stores are code points (Python ``str`` indexing), also after an emoji, which the
browser counts as two UTF-16 units: the text below has one before "Bogotá".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.app import assert_no_csp_violation, focused, log_in, start_labeling, tab_to
from tests.e2e.conftest import Server, Tab
from tests.e2e.schemas import ENTITIES, ENTITIES_OVERLAPPING

TEXT = "Ana Pérez works at Acme Corp 🚀 in Bogotá."
SELECT_BY_MOUSE = """([quote]) => {
  const node = document.querySelector('[data-testid=spans-text-entities]').firstChild;
  const start = node.data.indexOf(quote);
  const range = document.createRange();
  range.setStart(node, start); range.setEnd(node, start + 1);
  const first = range.getBoundingClientRect();
  range.setStart(node, start + quote.length - 1); range.setEnd(node, start + quote.length);
  const last = range.getBoundingClientRect();
  return [first.left + 1, first.top + first.height / 2, last.right - 1, last.top + last.height / 2];
}"""


def _span(text: str, quote: str, label: str) -> dict[str, Any]:
    start = text.index(quote)  # a code-point offset, as the API counts
    return {"start": start, "end": start + len(quote), "label": label}


def _drag_over(page: Page, quote: str) -> None:
    """Select ``quote`` in the text with a real mouse drag."""
    x1, y1, x2, y2 = page.evaluate(SELECT_BY_MOUSE, [quote])
    page.mouse.move(x1, y1)
    page.mouse.down()
    page.mouse.move(x2, y2, steps=6)
    page.mouse.up()


def _click_on(page: Page, quote: str) -> None:
    x1, y1, x2, _ = page.evaluate(SELECT_BY_MOUSE, [quote])
    page.mouse.click((x1 + x2) / 2, y1)


def _open_task(server: Server, open_tab: Callable[..., Tab], schema: dict[str, Any]) -> tuple[Tab, int]:
    workspace = server.workspace(server.unique("Spans e2e "))
    email = server.user(role="annotator", workspace_id=workspace)
    project = server.project(workspace, "Entities", schema, [TEXT])
    tab = open_tab()
    log_in(tab.page, email)
    start_labeling(tab.page, project)
    expect(tab.page.locator("#task-heading")).to_be_focused()
    expect(tab.page.get_by_test_id("progress-mine")).to_be_visible()
    return tab, project


def test_spans_by_mouse_and_keyboard(server: Server, open_tab: Callable[..., Tab]) -> None:
    tab, project = _open_task(server, open_tab, ENTITIES)
    page = tab.page
    text = page.get_by_test_id("spans-text-entities")
    chips = page.get_by_test_id("spans-list-entities").get_by_role("listitem")
    said = page.get_by_test_id("spans-said-entities")
    expect(text).to_have_text(TEXT)
    expect(page.get_by_role("button", name="Person", exact=True)).to_be_visible()

    # the mouse: drag over "Acme Corp", then the label's key
    _drag_over(page, "Acme Corp")
    page.keyboard.press("o")
    expect(chips).to_have_count(1)
    expect(chips.first).to_contain_text("Organisation")
    expect(chips.first).to_contain_text("Acme Corp")

    # the keyboard: Tab into the text (the caret is where the last span ended), Home, Shift+→ 9 times, "p"
    info = tab_to(page, lambda el: el["tag"] == "div" and el["text"] == TEXT, "the text")
    assert info["outline"] != "none", "the focused text shows no focus outline"
    expect(page.locator(".span-caret.visible")).to_have_count(1)
    page.keyboard.press("Home")
    for _ in range(9):
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("p")
    expect(said).to_have_text("Added Person “Ana Pérez”.")

    # after the emoji: End, ← (before the full stop), Shift+← six times: "Bogotá", then "l"
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")
    for _ in range(6):
        page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("l")
    expect(said).to_have_text("Added Place “Bogotá”.")
    expect(chips).to_have_count(3)
    # recogito draws each span over the text (one box per span on this one-line text)
    expect(page.locator(".r6o-span-highlight-layer .r6o-annotation")).to_have_count(3)

    # overlapping spans are refused here: "Pérez works" overlaps the person
    page.keyboard.press("Home")
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    for _ in range(11):
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("o")
    expect(said).to_have_text("Spans may not overlap here: the selection overlaps Person “Ana Pérez”.")
    expect(chips).to_have_count(3)

    # a key removes the span at the caret: Ctrl+→ into "Acme" … then Delete
    page.keyboard.press("Escape")
    page.keyboard.press("Home")
    for _ in range(20):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Delete")
    expect(said).to_have_text("Removed Organisation “Acme Corp”.")
    expect(chips).to_have_count(2)

    # a click picks a span and Delete removes it; the × button removes one with a click alone
    _click_on(page, "Bogotá")
    expect(said).to_contain_text("Picked Place “Bogotá”")
    page.keyboard.press("Delete")
    expect(chips).to_have_count(1)
    _drag_over(page, "Acme Corp")
    page.get_by_role("button", name="Organisation", exact=True).click()
    expect(chips).to_have_count(2)
    _drag_over(page, "Bogotá")
    page.keyboard.press("l")
    _drag_over(page, "works")
    page.keyboard.press("o")
    expect(chips).to_have_count(4)
    page.get_by_role("button", name="Remove Organisation “works”").click()
    expect(chips).to_have_count(3)

    # Enter submits (the focus is on the text, not in a text box)
    text.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Nothing left to label")).to_be_visible()

    [annotation] = server.annotations(project)
    spans = annotation["result"]["entities"]
    assert spans == [
        _span(TEXT, "Ana Pérez", "PER"),
        _span(TEXT, "Acme Corp", "ORG"),
        _span(TEXT, "Bogotá", "LOC"),
    ]
    assert [TEXT[s["start"] : s["end"]] for s in spans] == ["Ana Pérez", "Acme Corp", "Bogotá"]
    assert_no_csp_violation(tab.console_errors)
    assert tab.page_errors == []


def test_overlapping_spans_where_the_schema_allows_them(server: Server, open_tab: Callable[..., Tab]) -> None:
    tab, project = _open_task(server, open_tab, ENTITIES_OVERLAPPING)
    page = tab.page
    chips = page.get_by_test_id("spans-list-entities").get_by_role("listitem")

    # a required spans control: Enter with no span is refused
    page.keyboard.press("Enter")
    expect(page.get_by_text("Mark at least one span.")).to_be_visible()
    assert focused(page)["tag"] == "div"

    _drag_over(page, "Acme Corp 🚀 in Bogotá")
    page.keyboard.press("l")
    _drag_over(page, "Acme Corp")
    page.keyboard.press("o")
    # the same range twice with the same label is refused; with another label it is a new span
    _drag_over(page, "Acme Corp")
    page.keyboard.press("o")
    expect(page.get_by_test_id("spans-said-entities")).to_have_text(
        "Organisation “Acme Corp” is already there."
    )
    expect(chips).to_have_count(2)
    page.keyboard.press("Control+Enter")
    expect(page.get_by_role("heading", name="Nothing left to label")).to_be_visible()

    [annotation] = server.annotations(project)
    assert annotation["result"]["entities"] == [
        _span(TEXT, "Acme Corp 🚀 in Bogotá", "LOC"),
        _span(TEXT, "Acme Corp", "ORG"),
    ]
    assert_no_csp_violation(tab.console_errors)
    assert tab.page_errors == []
