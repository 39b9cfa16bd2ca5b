"""Submit → next task latency of the annotator screen, in headless Chromium against a real ``consenso serve``.

The goal (issue 4): p95 under 150 ms on the project's machine, from pressing Enter on a labelled task to the
next task rendered. One annotator labels N tasks with the keyboard ("1", Enter) in a fresh SQLite server
(the browser tests' own helpers: tests/e2e/conftest.py starts the server and Chromium,
tests/e2e/latency.py drives the page). The page measures itself with performance marks, from the keydown
event's timestamp to

- ``task``: the next task in the DOM with the focus on it (what the annotator can act on), and
- ``paint``: the frame that shows it (requestAnimationFrame, then a task);

Resource Timing gives the two requests in between: ``POST /tasks/{id}/annotations`` and ``GET next``.
Percentiles are nearest-rank. Run from the repository root, after ``make web`` (or ``cd web && npm run
build``)::

    .venv/bin/python bench/ui_latency.py              # 50 tasks
    .venv/bin/python bench/ui_latency.py --tasks 200 --runs 3
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import chromium, running_server  # noqa: E402
from tests.e2e.latency import Latency, measure, percentile  # noqa: E402

GOAL_P95_MS = 150.0


def _row(name: str, values: list[float]) -> str:
    p50, p95 = percentile(values, 50), percentile(values, 95)
    return f"| {name} | {len(values)} | {p50:.1f} | {p95:.1f} | {max(values):.1f} |"


def _report(run: int, figures: Latency) -> bool:
    print(f"\nRun {run}:\n")
    print("| measure | n | p50 ms | p95 ms | max ms |")
    print("| --- | --- | --- | --- | --- |")
    print(_row("submit → next task in the DOM", figures.task))
    print(_row("submit → next task painted", figures.paint))
    print(_row("POST annotation (network + server)", figures.post))
    print(_row("GET next (network + server)", figures.next))
    p95 = percentile(figures.paint, 95)
    met = p95 < GOAL_P95_MS
    print(f"\nGoal p95 < {GOAL_P95_MS:.0f} ms (painted): {'met' if met else 'NOT met'} ({p95:.1f} ms)")
    return met


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", type=int, default=50, help="tasks labelled per run (default 50)")
    parser.add_argument("--runs", type=int, default=1, help="runs, each with a fresh project (default 1)")
    args = parser.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"ui_latency: {args.tasks} tasks x {args.runs} run(s); {platform.node()}, {os.cpu_count()} CPUs, "
        f"load {load:.2f}"
    )
    ok = True
    with (
        tempfile.TemporaryDirectory(prefix="consenso-ui-latency-") as tmp,
        running_server(Path(tmp)) as server,
        chromium() as browser,
    ):
        for run in range(1, args.runs + 1):
            ok = _report(run, measure(server, browser, args.tasks)) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
