"""The QA workflow's simulation (the issue's evidence), printed as the tables of docs/quality.md.

Runs ``tests/system/qa_scenario.py`` — 1,000 tasks plus 120 gold tasks, overlap 3, three good, three
mediocre, one adversarial and one random-clicking annotator working through the HTTP API in turns — on a
temporary SQLite database (or a scratch PostgreSQL database with ``--pg``), for each ``--seed``, and prints:
when gold paused each annotator, the gold share served, and for majority-vote and Dawid-Skene finalization
the final labels' accuracy against the hidden truth, how many tasks were escalated, the suggestions' accuracy
on them, and whether the adjudication queue equals the tasks below the thresholds computed independently.
``tests/system/test_qa_simulation.py`` asserts on the same run (seed 1).

Run from the repository root::

    .venv/bin/python bench/qa_simulation.py                 # seed 1, SQLite
    .venv/bin/python bench/qa_simulation.py --seed 1 2 3 --pg
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

from argon2 import PasswordHasher
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import _pg_create, _pg_drop
from tests.system.qa_scenario import CROWD, SCHEMA, ScenarioRun, run_scenario

from consenso.api.app import create_app
from consenso.core.permissions import Role
from consenso.services import annotate, auth, workspaces
from consenso.services.principal import Principal
from consenso.services.projects import create_project
from consenso.services.users import create_user
from consenso.settings import Settings
from consenso.store.database import Database
from consenso.store.migrate import upgrade


def _actor(db: Database, email: str, *, is_admin: bool = False) -> tuple[Principal, dict[str, str]]:
    view = create_user(db, None, email=email, password="bench-password-1", is_admin=is_admin)
    principal = Principal(user_id=view.id, email=view.email, is_admin=is_admin, via="local")
    token = auth.create_token(db, principal, name="bench").token
    return principal, {"Authorization": f"Bearer {token}"}


def one_run(db: Database, data_dir: Path, seed: int, n_tasks: int) -> ScenarioRun:
    upgrade(db)
    admin, _ = _actor(db, "admin@bench.test", is_admin=True)
    workspace = workspaces.create_workspace(db, admin, "QA simulation").id
    manager, manager_headers = _actor(db, "manager@bench.test")
    workspaces.add_member(db, admin, workspace, role=Role.MANAGER, user_id=manager.user_id)
    crowd: list[tuple[int, dict[str, str]]] = []
    for number in range(sum(CROWD.values())):
        person, headers = _actor(db, f"annotator{number}@bench.test")
        workspaces.add_member(db, admin, workspace, role=Role.ANNOTATOR, user_id=person.user_id)
        crowd.append((person.user_id, headers))
    project = create_project(
        db, admin, workspace_id=workspace, name="Simulation", schema=SCHEMA, overlap=3, lease_seconds=600
    ).id
    annotate.gold_rng = random.Random(7)
    app = create_app(Settings(data_dir=data_dir, environment="test"), db=db)
    with TestClient(app, raise_server_exceptions=False) as client:
        return run_scenario(client, manager_headers, workspace, project, crowd, n_tasks=n_tasks, seed=seed)


def report(seed: int, run: ScenarioRun, seconds: float) -> None:
    print(
        f"\n### seed {seed} ({run.annotations} answers, {run.gold_share:.1%} of them gold, {seconds:.0f} s)\n"
    )
    print("| annotator | accuracy | answers | gold answers | paused after |")
    print("| --- | --- | --- | --- | --- |")
    for a in run.annotators:
        paused = f"{a.paused_after} tasks" if a.paused_after is not None else "never"
        print(f"| {a.kind} | {a.accuracy:.2f} | {a.answered} | {a.gold_answered} | {paused} |")
    print(
        "\n| finalization | final | final-label accuracy | escalated | suggestion accuracy | queue = below threshold |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for method, m in run.methods.items():
        suggestion = f"{m.suggestion_accuracy:.1%}" if m.suggestion_accuracy is not None else "—"
        same = "yes" if m.queue == m.expected_queue else f"NO ({len(m.queue ^ m.expected_queue)} differ)"
        print(f"| {method} | {m.final} | {m.final_accuracy:.1%} | {m.escalated} | {suggestion} | {same} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, nargs="+", default=[1])
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--pg", action="store_true", help="a scratch database on local PostgreSQL")
    args = parser.parse_args()
    auth._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # bench users only
    for seed in args.seed:
        with tempfile.TemporaryDirectory() as tmp:
            name = f"consenso_qa_{uuid.uuid4().hex[:10]}"
            db = Database(_pg_create(name)) if args.pg else Database(f"sqlite:///{Path(tmp) / 'qa.db'}")
            started = time.perf_counter()
            try:
                run = one_run(db, Path(tmp) / "data", seed, args.tasks)
            finally:
                db.dispose()
                if args.pg:
                    _pg_drop(name)
            report(seed, run, time.perf_counter() - started)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
