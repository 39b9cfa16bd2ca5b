"""The submit → next task measurement works (10 tasks). No timing is asserted here: the figures, over 50
tasks, are bench/ui_latency.py's (docs/benchmarks.md)."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import Server
from tests.e2e.latency import measure, percentile

TASKS = 10


def test_submit_to_next_is_measured(server: Server, browser: Any) -> None:
    figures = measure(server, browser, TASKS)
    assert len(figures.task) == TASKS
    assert len(figures.paint) == TASKS
    assert all(value > 0 for value in figures.task)
    assert all(paint >= task for paint, task in zip(figures.paint, figures.task, strict=True))
    assert len(figures.post) == TASKS
    assert len(figures.next) == TASKS + 1
    assert percentile(figures.task, 50) <= percentile(figures.task, 95)
    assert len(server.annotations(figures.project_id)) == TASKS
