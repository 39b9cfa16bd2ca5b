"""The issue's evidence for the QA workflow: simulated annotators of known accuracy over 1,000 tasks.

Good, mediocre, adversarial and random-clicking annotators (``core/simulate.py``) work a 1,000-task project
through the HTTP API (``tests/system/qa_scenario.py``). Asserted: the adversarial and the random annotator are
paused by gold within the stated number of tasks and no good annotator is; every task ends with three
answers and a decision; for majority-vote and for Dawid-Skene finalization the adjudication queue holds
exactly the tasks below the thresholds (computed here, independently of the server, from the export) and the
final labels' accuracy against the hidden truth is at least the stated floor. ``bench/qa_simulation.py``
prints the same run's figures for docs/quality.md.
"""

from __future__ import annotations

import random

import pytest
from fastapi.testclient import TestClient

from consenso.services import annotate
from tests.conftest import Factory
from tests.system.qa_scenario import CROWD, SCHEMA, run_scenario

#: The most tasks an adversarial (always wrong) or random annotator answers before gold pauses them, at a
#: gold rate of 0.2 and a minimum gold accuracy of 0.7 (docs/quality.md gives the measured values).
PAUSED_WITHIN = {"adversarial": 40, "random": 150}


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    from argon2 import PasswordHasher

    from consenso.services import auth

    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def test_gold_pauses_the_bad_annotators_and_finalization_escalates_exactly_the_hard_tasks(
    app_client: TestClient, factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(annotate, "gold_rng", random.Random(7))
    admin = factory.user(is_admin=True)
    workspace = factory.workspace(admin)
    manager = factory.member(admin, workspace, "manager")
    crowd = [factory.member(admin, workspace, "annotator") for _ in range(sum(CROWD.values()))]
    project = factory.project(admin, workspace, schema=SCHEMA, overlap=3, lease_seconds=600)

    run = run_scenario(
        app_client, manager.headers, workspace, project, [(a.id, a.headers) for a in crowd], n_tasks=1000
    )

    by_kind = {kind: [a for a in run.annotators if a.kind == kind] for kind in CROWD}
    for kind, limit in PAUSED_WITHIN.items():
        for annotator in by_kind[kind]:
            assert annotator.paused_after is not None, f"the {kind} annotator was never paused"
            assert annotator.paused_after <= limit, (kind, annotator.paused_after)
    assert all(a.paused_after is None for a in by_kind["good"])
    assert 0.15 <= run.gold_share <= 0.25  # the gold rate (0.2), give or take the last blocks

    for method, outcome in run.methods.items():
        assert outcome.tasks == 1000
        assert outcome.final + outcome.escalated == 1000, method  # every task decided one way or the other
        assert outcome.queue == outcome.expected_queue, method
        assert len(outcome.queue) == outcome.escalated
        assert outcome.final_accuracy >= 0.9, (method, outcome.final_accuracy)
