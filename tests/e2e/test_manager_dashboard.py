"""The project dashboard: progress, hourly throughput (an SVG chart under the CSP), annotators with their
lead times; it refreshes by itself while visible (and stops while the tab is hidden); numbers and
durations in the UI language."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import expect

from tests.e2e.app import assert_no_csp_violation, log_in
from tests.e2e.conftest import Server, Tab
from tests.e2e.manage import annotate, switch_language
from tests.e2e.schemas import SENTIMENT

HIDE = """() => {
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
  document.dispatchEvent(new Event("visibilitychange"));
}"""
SHOW = """() => {
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "visible" });
  document.dispatchEvent(new Event("visibilitychange"));
}"""


def test_the_dashboard_follows_the_annotators_live(server: Server, open_tab: Callable[..., Tab]) -> None:
    workspace = server.workspace("Dashboard e2e")
    reviewer = server.user(role="reviewer", workspace_id=workspace)
    annotator = server.user(role="annotator", workspace_id=workspace, name="Dana")
    project = server.project(workspace, "Watched", SENTIMENT, [f"text {n}" for n in range(6)], overlap=1)
    annotate(server, annotator, project, [{"sentiment": "positive"}], lead_ms=2500)

    tab = open_tab()
    page = tab.page
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if r.url.endswith(f"/{project}/dashboard") else None)
    log_in(page, reviewer)
    page.get_by_test_id(f"project-{project}-dashboard").click()
    expect(page.get_by_test_id("dashboard-total")).to_have_text("6")
    expect(page.get_by_test_id("dashboard-complete")).to_have_text("1")
    expect(page.get_by_test_id("dashboard-untouched")).to_have_text("5")
    expect(page.get_by_test_id("dashboard-annotations")).to_have_text("1")
    row = page.get_by_test_id(f"annotator-{annotator}")
    expect(row).to_contain_text("Dana")
    english = page.evaluate(
        "() => new Intl.NumberFormat('en', {style: 'unit', unit: 'second', unitDisplay: 'short',"
        " maximumFractionDigits: 1}).format(2.5)"
    )
    expect(page.get_by_test_id("dashboard-lead-median")).to_have_text(english)
    chart = page.get_by_test_id("throughput-chart")
    expect(chart.locator("rect.bar")).to_have_count(24)
    expect(chart).to_contain_text("1 annotations in the last 24 hours")

    # an annotator submits through the API: the page shows it without a reload
    annotate(server, annotator, project, [{"sentiment": "negative"}], lead_ms=2500)
    expect(page.get_by_test_id("dashboard-annotations")).to_have_text("2", timeout=15_000)
    expect(page.get_by_test_id("dashboard-complete")).to_have_text("2")
    expect(row.locator("td").first).to_have_text("2")

    # in Spanish: words, numbers and durations
    switch_language(page, "es")
    spanish = page.evaluate(
        "() => new Intl.NumberFormat('es', {style: 'unit', unit: 'second', unitDisplay: 'short',"
        " maximumFractionDigits: 1}).format(2.5)"
    )
    assert spanish != english
    expect(page.get_by_test_id("dashboard-lead-median")).to_have_text(spanish)
    expect(page.get_by_role("heading", name="Avance")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Última anotación")).to_be_visible()

    # hidden: no more requests; shown again: at once
    page.evaluate(HIDE)
    page.wait_for_timeout(300)
    before = len(requests)
    page.wait_for_timeout(5_500)
    assert len(requests) == before, "the dashboard kept polling while hidden"
    annotate(server, annotator, project, [{"sentiment": "neutral"}])
    page.evaluate(SHOW)
    expect(page.get_by_test_id("dashboard-annotations")).to_have_text("3", timeout=3_000)
    assert len(requests) > before

    assert_no_csp_violation(tab.console_errors)
    assert tab.page_errors == []
