"""Submit → next task latency in the browser, measured by the page itself (bench/ui_latency.py and the quick
check in test_ui_latency.py).

The annotator screen marks ``consenso:submit`` at the submitting key press (the keydown event's own
timestamp) and measures ``consenso:submit-to-task`` when the next task is in the DOM with the focus on it,
and ``consenso:submit-to-paint`` after the frame that shows it (a requestAnimationFrame, then a task). The
page's Resource Timing gives the two requests in between (POST annotation, GET next).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import expect

from tests.e2e.app import log_in, next_task, start_labeling
from tests.e2e.conftest import Server
from tests.e2e.schemas import SENTIMENT

READ = """() => ({
  task: performance.getEntriesByName("consenso:submit-to-task").map((e) => e.duration),
  paint: performance.getEntriesByName("consenso:submit-to-paint").map((e) => e.duration),
  post: performance.getEntriesByType("resource").filter((e) => /\\/api\\/v1\\/tasks\\/\\d+\\/annotations$/.test(e.name))
    .map((e) => e.duration),
  next: performance.getEntriesByType("resource").filter((e) => /\\/next$/.test(e.name)).map((e) => e.duration),
})"""


@dataclass
class Latency:
    """Milliseconds per submission: to the next task in the DOM, to its paint, and the two requests."""

    task: list[float]
    paint: list[float]
    post: list[float]
    next: list[float]
    project_id: int


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile (p in 0-100) of ``values``."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def measure(server: Server, browser: Any, tasks: int) -> Latency:
    """Label ``tasks`` tasks by keyboard ("1", Enter) in a fresh project and context; the page's figures."""
    workspace = server.workspace(server.unique("Latency "))
    email = server.user(role="annotator", workspace_id=workspace)
    texts = [f"Latency task {i}: a short review to label" for i in range(tasks + 1)]
    project = server.project(workspace, "Latency", SENTIMENT, texts)
    context = browser.new_context(base_url=server.url)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto("/")
        page.evaluate("() => performance.setResourceTimingBufferSize(10000)")
        log_in(page, email)
        start_labeling(page, project)
        heading, _ = next_task(page)
        for _ in range(tasks):
            page.keyboard.press("1")
            expect(page.get_by_role("radio", name="Positive")).to_be_checked()
            page.keyboard.press("Enter")
            heading, _ = next_task(page, heading)
        # the last paint measure lands a frame after the last task is shown
        page.wait_for_function(
            f"() => performance.getEntriesByName('consenso:submit-to-paint').length >= {tasks}"
        )
        figures = page.evaluate(READ)
    finally:
        context.close()
    return Latency(figures["task"], figures["paint"], figures["post"], figures["next"], project)
